"""Benchmark: how long after pressing ▶ Play the map's animation shows its next step (budget: under 1 s).

Run: .venv/bin/python benchmarks/bench_play_start.py [--rounds 5]
Starts the app on a free loopback port, opens /map?mode=play&asof=1990-01-01 in Debian's headless Chromium (a fresh
context each round), waits until the page has finished running, presses ▶ Play and times, in the browser, until the
figure's title names another step. Prints each round and the median.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
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
# Resolves with the milliseconds from the click to the first title that names another step.
_TIME_PLAY = """() => new Promise(resolve => {
  const plot = document.querySelector('.js-plotly-plot');
  const before = plot.layout.title.text;
  const start = performance.now();
  const poll = () => plot.layout.title.text !== before ? resolve(performance.now() - start) : requestAnimationFrame(poll);
  plot.querySelector('.updatemenu-button').dispatchEvent(new MouseEvent('click', {bubbles: true}));
  requestAnimationFrame(poll);
})"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
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
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(url)
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for i in range(args.rounds):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.goto(f"{url}/map?mode=play&asof=1990-01-01")
                page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=120_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
                ms = page.evaluate(_TIME_PLAY)
                times.append(ms)
                print(f"round {i + 1}: {ms:,.0f} ms from pressing Play to the next step")
                context.close()
            browser.close()
        print(f"median: {statistics.median(times):,.0f} ms (budget 1,000 ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
