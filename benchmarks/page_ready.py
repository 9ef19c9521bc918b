"""A shared link opens fast: time to a usable page and the browser's main-thread CPU for every page, against two floors.

    python -m benchmarks.page_ready                         # curated data and 100,000 events, 5 rounds
    python -m benchmarks.page_ready --rounds 7 --events 0   # curated data only
    python -m benchmarks.page_ready --restart 3             # also the first page after a restart, 3 times each
    python -m benchmarks.page_ready --rounds 0 --restart 3  # only that

One server runs the app on the curated data and one on a seeded synthetic folder (benchmarks.synthetic: 100,000
events, 100,000 statements, 10,000 places); two more run the floor pages, a Streamlit page with only a title
(benchmarks/floor_title.py) and one with a title and a small plotly line chart (benchmarks/floor_chart.py). Every
page is opened once first, as on a server that has been running. Then, each round, every link (/, /map, /ranges,
/statements, /about on both data sets, and both floors) is opened in a fresh browser context, in an order that
rotates from round to round, so that noise from other processes falls on every page alike. Figures are medians.

- usable: from the start of navigation until the page's script has finished, every chart is drawn (also below the
  fold; charts in a closed tab or expander excepted), every visible table is drawn and the main thread has then
  been quiet (no task of 50 ms or more) for 0.5 s; the time of the later of the script's end and the last long task.
- CPU: the page's main-thread task time (Chrome DevTools Protocol `Performance.getMetrics`, `TaskDuration`, in the
  thread's own CPU time) from the start of navigation until it is usable.
- received: what the server sent over the page's websocket (KB).

With --restart N, a newly started server opens / (or /statements) on the synthetic data, first with an empty cache
folder and then with the one the last server left (INF_WATCH_CACHE_DIR: dashboard/disk_cache.py), N times each; the
first page is timed from opening its link, once the server answers its health check; with the cache folder left
behind it should be usable within RESTART_BUDGET (4 s).
Traffic stays on 127.0.0.1. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.server import free_port, wait_healthy  # noqa: E402
from benchmarks.synthetic import generate  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
FLOORS = {
    "floor: title only": ROOT / "benchmarks" / "floor_title.py",
    "floor: title and chart": ROOT / "benchmarks" / "floor_chart.py",
}
TITLE_FLOOR, CHART_FLOOR = FLOORS
PAGES = {"Home": "/", "Map": "/map", "Missile ranges": "/ranges", "Statements": "/statements", "About the data": "/about"}
DATA_DIR_ENV = "INF_WATCH_DATA_DIR"
CACHE_DIR_ENV = "INF_WATCH_CACHE_DIR"
USABLE_BUDGET, CPU_BUDGET = 1.3, 1.5  # times the chart floor
RESTART_BUDGET = 4.0  # seconds from opening the link to a usable first page, on a server restarted with its cache folder
VIEWPORT = {"width": 1400, "height": 900}
TIMEOUT_MS = 180_000
QUIET_MS = 500
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
]

# Installed before the page's own scripts: counts finished script runs and keeps the end of the last long task.
_WATCH = """
(() => {
  const inf = window.__inf = {runs: 0, runEnd: 0, busyEnd: 0, longTasks: 0};
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { inf.longTasks += 1; inf.busyEnd = Math.max(inf.busyEnd, e.startTime + e.duration); }
  }).observe({type: 'longtask', buffered: true});
  let last = null;
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.getAttribute('data-testid') !== 'stApp') continue;
      const now = r.target.getAttribute('data-test-script-state');
      if (now === 'notRunning' && last !== 'notRunning') { inf.runs += 1; inf.runEnd = performance.now(); }
      last = now;
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""
# Usable: as benchmarks/load_test.py's "finished", for a page opened from its link. Returns seconds from navigation.
_USABLE = """
([quiet]) => {
  const inf = window.__inf, app = document.querySelector("[data-testid='stApp']");
  if (!inf || !app || inf.runs < 1 || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector("[data-stale='true']") || !document.querySelector("[data-testid='stMain'] h1")) return false;
  // An element whose code is still loading is a skeleton: it has no chart or table to look for yet.
  for (const skeleton of document.querySelectorAll("[data-testid='stSkeleton']")) if (skeleton.checkVisibility()) return false;
  for (const chart of document.querySelectorAll("[data-testid='stPlotlyChart']")) {
    if (chart.checkVisibility() && !chart.querySelector('.main-svg')) return false;
  }
  for (const table of document.querySelectorAll("[data-testid='stDataFrame']")) {
    if (table.checkVisibility() && !table.querySelector('canvas')) return false;
  }
  const done = Math.max(inf.runEnd, inf.busyEnd);
  if (performance.now() - done < quiet) return false;
  return [done / 1000, inf.runs, inf.longTasks];
}
"""


@dataclass(frozen=True)
class Sample:
    usable_s: float
    cpu_s: float
    received_kb: float
    runs: int
    long_tasks: int


@contextmanager
def serve(script: Path, env_extra: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run script` on a free loopback port (the repo's .streamlit/config.toml applies); yields its address.

    As a deployed server runs: Python keeps the modules it compiles (a PYTHONDONTWRITEBYTECODE of the shell running
    this benchmark is not passed on, or every restart would compile the app again).
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in (DATA_DIR_ENV, CACHE_DIR_ENV, "PYTHONDONTWRITEBYTECODE")}
    env.update(env_extra or {})
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, seconds=120)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _only_local(base: str):
    def route(r):
        if r.request.url.startswith((base, "data:", "blob:")):
            r.continue_()
        else:
            r.abort()

    return route


def _task_seconds(cdp) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


def open_link(browser, base: str, path: str) -> Sample:
    """Open base + path in a fresh context, as a reader opening a shared link; time it until usable."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(_WATCH)
        page = context.new_page()
        page.route("**/*", _only_local(base))
        received = [0]

        def on_socket(ws):
            ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

        # A same-origin document first, so that the measured navigation stays in the renderer the CDP session watches.
        page.goto(base + "/_stcore/health")
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})  # CPU time of the thread, not wall time
        cpu0 = _task_seconds(cdp)
        page.on("websocket", on_socket)
        page.goto(base + path, wait_until="commit", timeout=TIMEOUT_MS)
        handle = page.wait_for_function(_USABLE, arg=[QUIET_MS], timeout=TIMEOUT_MS, polling=100)
        usable_s, runs, long_tasks = handle.json_value()
        errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']")
        if errors.count():
            raise RuntimeError(f"{base}{path} shows an error: {errors.first.inner_text()[:500]}")
        return Sample(float(usable_s), _task_seconds(cdp) - cpu0, received[0] / 1024, int(runs), int(long_tasks))
    finally:
        context.close()


def targets(servers: dict[str, str]) -> list[tuple[str, str, str]]:
    """(data set, page, url path) for every page of every app server, then the floors."""
    out = [(data, page, path) for data in servers if data not in FLOORS for page, path in PAGES.items()]
    return out + [(floor, floor, "/") for floor in FLOORS]


def measure_rounds(browser, servers: dict[str, str], rounds: int) -> dict[tuple[str, str], list[Sample]]:
    """Every target once to warm the server, then `rounds` rounds in an order rotated by one each round."""
    todo = targets(servers)
    for data, _, path in todo:
        open_link(browser, servers[data], path)
    samples: dict[tuple[str, str], list[Sample]] = {(d, p): [] for d, p, _ in todo}
    for r in range(rounds):
        shift = r * max(1, len(todo) // rounds) % len(todo)
        for data, page, path in todo[shift:] + todo[:shift]:
            samples[(data, page)].append(open_link(browser, servers[data], path))
        print(f"round {r + 1}/{rounds} done", flush=True)
    return samples


@dataclass(frozen=True)
class Figures:
    usable_s: float
    cpu_s: float
    received_kb: float
    runs: int


def medians(samples: list[Sample]) -> Figures:
    return Figures(
        statistics.median(s.usable_s for s in samples),
        statistics.median(s.cpu_s for s in samples),
        statistics.median(s.received_kb for s in samples),
        max(s.runs for s in samples),
    )


def table(data: str, figures: dict[str, Figures], floors: dict[str, Figures]) -> str:
    """One Markdown table for a data set: each page against the floors, and whether it meets the budget."""
    title, chart = floors[TITLE_FLOOR], floors[CHART_FLOOR]
    head = (
        f"| {data} | usable (s) | × title floor | × chart floor | main-thread CPU (s) | × title floor | × chart floor "
        f"| received (KB) | script runs | within {USABLE_BUDGET}× / {CPU_BUDGET}× chart floor |\n|---|" + "---|" * 9 + "\n"
    )
    rows = []
    for page, f in figures.items():
        ok = f.usable_s <= USABLE_BUDGET * chart.usable_s and f.cpu_s <= CPU_BUDGET * chart.cpu_s
        rows.append(
            f"| {page} | {f.usable_s:.2f} | {f.usable_s / title.usable_s:.2f} | {f.usable_s / chart.usable_s:.2f} "
            f"| {f.cpu_s:.2f} | {f.cpu_s / title.cpu_s:.2f} | {f.cpu_s / chart.cpu_s:.2f} | {f.received_kb:,.0f} | {f.runs} "
            f"| {'yes' if ok else 'no'} |"
        )
    return head + "\n".join(rows) + "\n"


def floors_table(floors: dict[str, Figures]) -> str:
    rows = [f"| {name} | {f.usable_s:.2f} | {f.cpu_s:.2f} | {f.received_kb:,.0f} |" for name, f in floors.items()]
    return "| floor | usable (s) | main-thread CPU (s) | received (KB) |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"


def measure_restart(browser, data_dir: Path, cache_dir: Path, repeats: int) -> str:
    """First page after a restart, for / and /statements: with an empty cache folder, then with the one left behind.

    Each is timed `repeats` times, each time on a newly started server; medians.
    """
    rows = []
    for page, path in (("Home", "/"), ("Statements", "/statements")):
        for state in ("empty cache folder", "cache left by the last server"):
            healthy, samples = [], []
            for _ in range(repeats):
                if state.startswith("empty"):
                    shutil.rmtree(cache_dir, ignore_errors=True)
                t0 = time.perf_counter()
                with serve(APP, {DATA_DIR_ENV: str(data_dir), CACHE_DIR_ENV: str(cache_dir)}) as base:
                    healthy.append(time.perf_counter() - t0)
                    samples.append(open_link(browser, base, path))
            f = medians(samples)
            verdict = ("PASS" if f.usable_s <= RESTART_BUDGET else "FAIL") if state.startswith("cache left") else "—"
            rows.append(f"| {page} | {state} | {statistics.median(healthy):.1f} | {f.usable_s:.2f} | {f.cpu_s:.2f} | {verdict} |")
    return (
        f"| first page after a restart (median of {repeats}) | cache | server healthy after (s) "
        f"| usable after opening the link (s) | main-thread CPU (s) | within {RESTART_BUDGET:.0f} s |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )


def report_rounds(stack: ExitStack, browser, tmp: Path, synthetic: Path | None, events: int, rounds: int) -> None:
    """Serve the app on each data set and the floors, time every page, print the tables."""
    # Each app server has its own, empty, cache folder: nothing from another run can help it.
    apps = {"curated data": {CACHE_DIR_ENV: str(tmp / "cache-curated")}}
    if synthetic is not None:
        apps[f"{events:,} events"] = {DATA_DIR_ENV: str(synthetic), CACHE_DIR_ENV: str(tmp / "cache-synthetic")}
    servers = {name: stack.enter_context(serve(APP, env)) for name, env in apps.items()}
    servers |= {name: stack.enter_context(serve(script)) for name, script in FLOORS.items()}
    samples = measure_rounds(browser, servers, rounds)
    floors = {name: medians(samples[(name, name)]) for name in FLOORS}
    print(f"\nMedians of {rounds} rounds, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores:\n")
    print(floors_table(floors))
    for data in apps:
        print(table(data, {page: medians(samples[(data, page)]) for page in PAGES}, floors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every page (0: none)")
    parser.add_argument("--events", type=int, default=100_000, help="events in the synthetic data set (0: curated data only)")
    parser.add_argument("--restart", type=int, default=0, metavar="N", help="also time the first page after a restart, N times")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        synthetic = None
        if args.events:
            synthetic = generate(Path(tmp) / f"events_{args.events}", args.events, n_statements=100_000, n_places=10_000)
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        if args.rounds:
            report_rounds(stack, browser, Path(tmp), synthetic, args.events, args.rounds)
        if args.restart and synthetic is not None:
            print(measure_restart(browser, synthetic, Path(tmp) / "cache-restart", args.restart))


if __name__ == "__main__":
    main()
