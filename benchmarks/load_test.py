"""Many users at once: concurrent headless-Chromium sessions against one local server.

    python -m benchmarks.load_test                 # 25 sessions, curated data, 3-minute memory settle
    python -m benchmarks.load_test --sessions 5 --settle 10

Each session opens every page with a filter change (region and actor in the link), then downloads an
export from the About page. Reports sessions completed without an error, median and 95th-percentile
time to a finished page, and server memory before, at peak and after the sessions close. Traffic goes
only to 127.0.0.1. Appends its table to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
RESULTS = ROOT / "benchmarks" / "results.md"
# Seconds between session starts: 25 sessions are all open within 12 s and then overlap throughout.
RAMP_S = 0.5
ROUTE = [
    "/?region=Black+Sea",
    "/map?region=Baltic&actor=rus",
    "/ranges?region=Black+Sea&actor=nato",
    "/statements?actor=nato&region=Black+Sea",
    "/about?region=Baltic",
]


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _session(browser, base: str, index: int, timings: list[float], errors: list[str]) -> None:
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()

    async def only_local(route):
        if route.request.url.startswith(base) or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            await route.abort()

    await page.route("**/*", only_local)
    await asyncio.sleep(index * RAMP_S)  # sessions start over a few seconds, then all run at once
    try:
        for path in ROUTE:
            t0 = time.perf_counter()
            await page.goto(base + path, wait_until="domcontentloaded", timeout=180_000)
            await page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=120_000)
            await page.wait_for_selector("[data-testid='stMain'] h1", timeout=120_000)
            timings.append(time.perf_counter() - t0)
            if await page.locator("[data-testid='stException']").count():
                errors.append(f"session {index}: exception on {path}")
        async with page.expect_download(timeout=60_000) as download:
            await page.get_by_role("button", name="events.csv").first.click()
        await (await download.value).path()
    except Exception as exc:  # a failed session is counted, not fatal to the run
        errors.append(f"session {index}: {type(exc).__name__}: {exc}")
    finally:
        await context.close()


async def _run(base: str, sessions: int) -> tuple[list[float], list[str]]:
    from playwright.async_api import async_playwright

    timings: list[float] = []
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
        )
        await asyncio.gather(*(_session(browser, base, i, timings, errors) for i in range(sessions)))
        await browser.close()
    return timings, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--settle", type=int, default=180, help="seconds to wait after the sessions before the last memory reading")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(args.port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        asyncio.run(_run(base, 1))  # warm the caches, as a deployed server would be
        before = _rss_mb(proc.pid)
        t0 = time.perf_counter()
        timings, errors = asyncio.run(_run(base, args.sessions))
        wall = time.perf_counter() - t0
        peak = _rss_mb(proc.pid, "VmHWM")
        time.sleep(args.settle)
        after = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    failed = len({e.split(":")[0] for e in errors})
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)] if timings else float("nan")
    table = (
        f"\n### Load test: {args.sessions} concurrent sessions ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n\n"
        "| sessions completed | median page (s) | p95 page (s) | wall (s) | memory before (MB) | peak (MB) | "
        f"after {args.settle} s (MB) |\n|---|---|---|---|---|---|---|\n"
        f"| {args.sessions - failed}/{args.sessions} | {statistics.median(timings):.2f} | {p95:.2f} | {wall:.0f} | {before:.0f} | {peak:.0f} | {after:.0f} |\n"
    )
    print(table)
    for e in errors[:20]:
        print("  ", e)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(table)


if __name__ == "__main__":
    main()
