"""Browser-test fixtures: a real `streamlit run` on a free port and Debian's headless Chromium.

Every request to a host other than this machine fails the test: the app must work offline.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("INF_WATCH_CHROMIUM", "/usr/bin/chromium")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
SCREENSHOTS = ROOT / "assets"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start the app as a reader would (`streamlit run dashboard/app.py`) and wait until it is healthy."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = {k: v for k, v in os.environ.items() if k != "INF_WATCH_DATA_DIR"}
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab whose requests to non-local hosts are blocked and fail the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    external: list[str] = []
    dialogs: list[str] = []

    def route(r):
        host = (urlparse(r.request.url).hostname or "").lower()
        if r.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    tab.route("**/*", route)
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.external_requests = external
    tab.dialogs = dialogs
    yield tab
    context.close()
    assert not external, f"the page requested non-local hosts: {external}"
    assert not dialogs, f"a dialog opened: {dialogs}"


def wait_for_app(tab, timeout_ms: int = 60000) -> None:
    """Wait until the app is connected and its script has finished running (as Streamlit's own e2e tests do)."""
    tab.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    tab.wait_for_timeout(500)
    tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)


def assert_no_error(tab) -> None:
    assert tab.locator("[data-testid='stException']").count() == 0, "a Python exception is shown"
    assert tab.locator("[data-testid='stAlertContentError']").count() == 0, tab.locator(
        "[data-testid='stAlertContentError']"
    ).first.inner_text()
