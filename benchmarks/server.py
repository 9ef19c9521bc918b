"""A server of this checkout's app for the benchmarks and tests: a free loopback port, `streamlit run`, its health
check, and stopping it with everything it started. Needs nothing beyond the test extras."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = "dashboard/app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen | None = None, seconds: float = 300) -> None:
    """Return once `base`/_stcore/health answers; raise if `proc` exits first or `seconds` pass."""
    import requests  # here, not at the top: Locust (protocol_load) must patch ssl before urllib3 is imported

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server for {base} exited early")
        try:
            if requests.get(base + "/_stcore/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{base} did not become healthy within {seconds:.0f} s")


def wait_until_idle(pids: list[int], most_s: float = 180, busy_pct: float = 5, quiet_s: int = 3) -> float:
    """Wait (at least 5 s, at most `most_s`) until the server processes `pids` have used under `busy_pct`% of a core
    for `quiet_s` seconds in a row, so that what is measured next does not include a server's own warm-up
    (dashboard/ui/cache.py: start_warming, which a server's first reader starts). Returns the seconds waited."""
    import psutil

    procs = [psutil.Process(p) for p in pids]

    def cpu_s() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in procs)

    started, quiet, last = time.perf_counter(), 0, cpu_s()
    while time.perf_counter() - started < most_s and (quiet < quiet_s or time.perf_counter() - started < 5):
        time.sleep(1.0)
        now = cpu_s()
        quiet = quiet + 1 if 100 * (now - last) < busy_pct else 0
        last = now
    return time.perf_counter() - started


def start_single(
    port: int, data_dir: str | None = None, app: str = APP, cwd: Path = ROOT, env_extra: dict[str, str] | None = None
) -> tuple[subprocess.Popen, list[int]]:
    """`streamlit run` of `app` (this checkout's by default) on 127.0.0.1:`port`, in a process group of its own, on
    the curated data unless `data_dir` is given. Returns it and its pid."""
    env = dict(os.environ)
    env.pop("INF_WATCH_DATA_DIR", None)
    if data_dir:
        env["INF_WATCH_DATA_DIR"] = data_dir
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "streamlit", "run", app, "--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return proc, [proc.pid]


def stop(proc: subprocess.Popen) -> None:
    """Stop `proc` and its process group (start_single), killing it if it does not stop within a minute."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def serving(env_extra: dict[str, str] | None = None, seconds: float = 120) -> Iterator[str]:
    """A healthy start_single server on a free port for the length of the block; yields its address."""
    port = free_port()
    proc, _ = start_single(port, env_extra=env_extra)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, seconds=seconds)
        yield base
    finally:
        stop(proc)
