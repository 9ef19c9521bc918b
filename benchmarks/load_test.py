"""Many users at once: concurrent headless-Chromium sessions against one local server.

    python -m benchmarks.load_test                          # 25 sessions, curated data, 3-minute memory settle
    python -m benchmarks.load_test --sessions 5 --settle 10
    python -m benchmarks.load_test --data-dir /path/to/data # another data folder (e.g. benchmarks.synthetic)

Each session is one reader's visit: it opens the app once, then goes to every page with the sidebar
(Map, Missile ranges, Statements, About the data, Home), changes the region filter on each, and
downloads an export (events.csv on the About page). Between actions it pauses for a seeded "think time",
as a reader looks at a page before the next click. Sessions start RAMP_S apart and then overlap.

Reported: sessions completed without an error; the median and 95th-percentile time to a finished page
(from the click until the page's script has finished, every visible chart and table is drawn and the
browser's main thread is idle); the server's own time per script run (logged by the app, see
INF_WATCH_RUN_LOG in dashboard/app.py) and its CPU use; and the server's memory before the sessions,
at its peak during them, and `--settle` seconds after they close.
Traffic goes only to 127.0.0.1. Appends its table to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
RESULTS = ROOT / "benchmarks" / "results.md"
RAMP_S = 4.0  # seconds between session starts: all 25 are open within 100 s; a visit lasts about 4 minutes
THINK_S = (10.0, 30.0)  # a reader's pause between two actions, uniform in this range (seconds)
ACTION_TIMEOUT_MS = 120_000
# (sidebar link, heading of the page, region filter change on that page)
ROUTE = [
    ("Map", "Map", ("add", "Black Sea")),
    ("Missile ranges", "Missile ranges", ("add", "Baltic")),
    ("Statements", "Statements", ("reset", None)),
    ("About the data", "About the data", ("add", "Baltic")),
    ("Home", "INF Watch", ("reset", None)),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
]

# The page keeps: how many script runs it has seen finish and when the last one did (counted by _count_runs), and
# when the browser's main thread was last busy (the end of its last long task: drawing charts and tables).
_WATCH = """
() => {
  if (window.__inf) return;
  const inf = window.__inf = {runs: 0, runEnd: 0, busyEnd: 0};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) inf.busyEnd = Math.max(inf.busyEnd, e.startTime + e.duration);
  }).observe({type: 'longtask', buffered: true});
}
"""
_RUN_ENDED = "() => { const inf = window.__inf; if (inf) { inf.runs += 1; inf.runEnd = performance.now(); } }"


def _count_runs(page) -> None:
    """Count on the page every script run the server reports finished (its `script_finished` message on the websocket).

    The page's script-state attribute is not enough: a busy tab handles a fast run's start and end in one render, the
    attribute never changes, and the reader waited for that run until the action timed out.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def on_frame(payload) -> None:
        if isinstance(payload, str):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "script_finished":
            asyncio.ensure_future(mark())

    async def mark() -> None:
        with contextlib.suppress(Exception):  # the page may be closing
            await page.evaluate(_RUN_ENDED)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))


# What an action still waits for, or "" once a script run has ended since it, nothing is stale, the page has its
# title and every visible chart and table is drawn: _FINISHED's test, and the error of an action that never finished.
_WAITING_FOR = """
(runs) => {
  const inf = window.__inf, app = document.querySelector("[data-testid='stApp']");
  if (!inf || !app) return 'the app';
  if (inf.runs <= runs) return 'a script run to end (none has since the action)';
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return 'the running script';
  if (document.querySelector("[data-stale='true']")) return 'stale elements';
  if (!document.querySelector("[data-testid='stMain'] h1")) return 'the page title';
  const undrawn = (selector, drawn) =>
    [...document.querySelectorAll(selector)].some((e) => e.checkVisibility() && (!drawn || !e.querySelector(drawn)));
  // An element whose code is still loading is a skeleton: it has no chart or table to look for yet.
  if (undrawn("[data-testid='stSkeleton']", null)) return 'elements still loading';
  if (undrawn("[data-testid='stPlotlyChart']", '.main-svg')) return 'a chart to be drawn';
  if (undrawn("[data-testid='stDataFrame']", 'canvas')) return 'a table to be drawn';  // one in a closed expander is not visible
  return '';
}
"""
# Finished: nothing waited for, and the main thread has then been quiet for QUIET_MS. Returns the seconds from `t0`
# (page clock) to the later of the run's end and the last long task; false until then.
QUIET_MS = 500
_FINISHED = (
    """
([runs, t0, quiet]) => {
  if (("""
    + _WAITING_FOR.strip()
    + """)(runs)) return false;
  const inf = window.__inf, done = Math.max(inf.runEnd, inf.busyEnd);
  if (performance.now() - done < quiet) return false;
  return (done - t0) / 1000;
}
"""
)


@dataclass
class Results:
    timings: list[tuple[str, float]] = field(default_factory=list)  # (action, seconds)
    errors: list[str] = field(default_factory=list)
    completed: int = 0


async def _finished(page, runs_before: int, t0_page_ms: float) -> float:
    handle = await page.wait_for_function(
        _FINISHED, arg=[runs_before, t0_page_ms, QUIET_MS], timeout=ACTION_TIMEOUT_MS, polling=100
    )
    return float(await handle.json_value())


async def _timed(results: Results, label: str, page, action) -> None:
    runs, t0 = await page.evaluate("() => [window.__inf.runs, performance.now()]")
    await action()
    try:
        finished = await _finished(page, runs, t0)
    except Exception as exc:
        waiting = await page.evaluate(_WAITING_FOR, runs) or "the page to be quiet"
        raise RuntimeError(f"{label}: {type(exc).__name__}, waiting for {waiting}") from exc
    results.timings.append((label, finished))
    if await page.locator("[data-testid='stException']").count():
        raise RuntimeError(f"exception shown after: {label}")


async def _change_region(page, how: str, region: str | None) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    if how == "reset":
        await sidebar.get_by_role("button", name="Reset filters").click()
        return
    await sidebar.get_by_test_id("stMultiSelect").first.click()
    await page.get_by_role("option", name=region, exact=True).click()
    await page.keyboard.press("Escape")


async def _session(browser, base: str, index: int, results: Results, think_s: tuple[float, float], ramp_s: float) -> None:
    rng = random.Random(index)
    await asyncio.sleep(index * ramp_s)
    context = await browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(ACTION_TIMEOUT_MS)  # a slow click is timed, not failed
    page = await context.new_page()
    _count_runs(page)

    async def only_local(route):
        if route.request.url.startswith(base) or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            await route.abort()

    async def think():
        await asyncio.sleep(rng.uniform(*think_s))

    await page.route("**/*", only_local)
    try:
        await page.goto(base + "/", wait_until="domcontentloaded", timeout=ACTION_TIMEOUT_MS)
        await page.wait_for_selector("[data-testid='stApp']", timeout=ACTION_TIMEOUT_MS)
        await page.evaluate(_WATCH)
        # From the start of navigation (time 0 on the page's clock); the first run may end before the watch starts.
        results.timings.append(("open the app", await _finished(page, -1, 0.0)))
        nav = page.get_by_test_id("stSidebarNav")
        for link, heading, (how, region) in ROUTE:
            await think()
            await _timed(results, f"go to {link}", page, lambda link=link: nav.get_by_text(link, exact=True).click())
            title = await page.locator("[data-testid='stMain'] h1").first.inner_text()
            if heading not in title:
                raise RuntimeError(f"expected the page '{heading}', found '{title}'")
            await think()
            await _timed(results, f"filter on {link}", page, lambda how=how, region=region: _change_region(page, how, region))
            if link == "About the data":
                await think()
                t0 = time.perf_counter()
                async with page.expect_download(timeout=ACTION_TIMEOUT_MS) as download:
                    await page.get_by_role("button", name="events.csv").first.click()
                await (await download.value).path()
                results.timings.append(("download events.csv", time.perf_counter() - t0))
        results.completed += 1
    except Exception as exc:  # a failed session is counted, not fatal to the run
        results.errors.append(f"session {index}: {type(exc).__name__}: {str(exc).splitlines()[0][:300]}")
    finally:
        await context.close()


async def _run(base: str, sessions: int, think_s: tuple[float, float] = THINK_S, ramp_s: float = RAMP_S) -> Results:
    from playwright.async_api import async_playwright

    results = Results()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        await asyncio.gather(*(_session(browser, base, i, results, think_s, ramp_s) for i in range(sessions)))
        await browser.close()
    return results


class MemoryWatch:
    """Samples a process's resident memory every `interval` seconds in a background thread."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (seconds), with that of the processes it started and has
    waited for (the server reads a large upload in a process of its own: dashboard/upload_process.py)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument(
        "--settle", type=int, default=180, help="seconds to wait after the sessions before the last memory reading"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--data-dir", default="", help="serve this data folder instead of the curated data")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=THINK_S,
        metavar=("MIN", "MAX"),
        help="a reader's pause between two actions, uniform in this range (seconds)",
    )
    parser.add_argument("--ramp", type=float, default=RAMP_S, help="seconds between session starts")
    parser.add_argument("--no-write", action="store_true", help="print the table without appending it to benchmarks/results.md")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = dict(os.environ)
    env.pop("INF_WATCH_DATA_DIR", None)
    run_log = Path(tempfile.mkdtemp()) / "runs.tsv"
    env["INF_WATCH_RUN_LOG"] = str(run_log)  # the server's own time for each script run
    if args.data_dir:
        env["INF_WATCH_DATA_DIR"] = args.data_dir
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            APP,
            "--server.port",
            str(args.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        warm = asyncio.run(_run(base, 1, (0.5, 0.5)))  # warm the caches, as a deployed server would be
        if warm.errors:
            raise SystemExit(f"the warm-up session failed: {warm.errors[0]}")
        time.sleep(5)
        before = rss_mb(proc.pid)
        run_log.write_text("")  # keep only the runs made for the timed sessions
        t0, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
        with MemoryWatch(proc.pid) as watch:
            results = asyncio.run(_run(base, args.sessions, tuple(args.think), args.ramp))
        wall, server_cpu = time.perf_counter() - t0, cpu_seconds(proc.pid) - cpu0
        runs = [float(line.split("\t")[1]) for line in run_log.read_text().splitlines() if line]
        time.sleep(args.settle)
        after = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    times = [t for _, t in results.timings]
    by_action: dict[str, list[float]] = {}
    for label, t in results.timings:
        by_action.setdefault(label.split(" on ")[0] if label.startswith("filter") else label, []).append(t)
    data = args.data_dir or "curated data"
    table = (
        f"\n### Load test: {args.sessions} concurrent sessions ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {data})\n\n"
        "| sessions completed | page views timed | median page (s) | p95 page (s) | server script runs | median run (s) | p95 run (s) | "
        f"wall (s) | server CPU (s, % of one core) | memory before (MB) | peak (MB) | after {args.settle} s (MB) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {results.completed}/{args.sessions} | {len(times)} | {statistics.median(times):.2f} | {percentile(times, 95):.2f} | "
        f"{len(runs)} | {statistics.median(runs):.2f} | {percentile(runs, 95):.2f} | "
        f"{wall:.0f} | {server_cpu:.0f} ({server_cpu / wall:.0%}) | {before:.0f} | {watch.peak:.0f} | {after:.0f} |\n"
    )
    detail = "\n".join(
        f"  {label:<24} n={len(ts):3d}  median {statistics.median(ts):5.2f} s  p95 {percentile(ts, 95):5.2f} s  max {max(ts):5.2f} s"
        for label, ts in sorted(by_action.items())
    )
    print(table)
    print(detail)
    for e in results.errors[:20]:
        print("  ", e)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(table)


if __name__ == "__main__":
    main()
