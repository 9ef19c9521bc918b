"""The benchmark suite: load time, page rerun time, bytes to the browser and server memory at each data size.

    python -m benchmarks.run                    # 1k, 10k, 100k and 500k events (takes a while)
    python -m benchmarks.run --sizes 1000 10000 # a quicker subset

Synthetic data (seeded) is generated under a temporary folder: each size has that many events, plus
100,000 statements and 10,000 places. Prints a Markdown table and writes it to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import generate  # noqa: E402
from dashboard.data import DATA_DIR_ENV, load_dataset  # noqa: E402

APP = str(ROOT / "dashboard" / "app.py")
PAGES = {
    "Home": None,
    "Map": "views/map.py",
    "Ranges": "views/ranges.py",
    "Statements": "views/statements.py",
}
RESULTS = ROOT / "benchmarks" / "results.md"


def _proto_bytes(node) -> int:
    """Size of the protobuf messages AppTest received for a node and its children (what a browser would get)."""
    total = 0
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ByteSize"):
        total += proto.ByteSize()
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            total += _proto_bytes(child)
    return total


def measure_pages(data_dir: Path, repeats: int = 3) -> dict[str, tuple[float, int]]:
    """For each page: median script rerun time (ms) after a region filter change, and bytes sent."""
    from streamlit.testing.v1 import AppTest

    from dashboard.ui import cache

    os.environ[DATA_DIR_ENV] = str(data_dir)
    cache.get_dataset.clear()
    out = {}
    for name, page in PAGES.items():
        at = AppTest.from_file(APP, default_timeout=600)
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        times = []
        for i in range(repeats):
            choice = ["Black Sea"] if i % 2 == 0 else ["Baltic"]
            at.sidebar.multiselect[0].set_value(choice)
            t0 = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - t0) * 1000)
        if at.exception:
            raise RuntimeError(f"{name}: {at.exception}")
        out[name] = (statistics.median(times), _proto_bytes(at._tree))
        del at
    os.environ.pop(DATA_DIR_ENV, None)
    cache.get_dataset.clear()
    return out


def measure_server_memory(data_dir: Path) -> float:
    """Peak resident memory (MB) of a real `streamlit run` serving every page once to headless Chromium."""
    from playwright.sync_api import sync_playwright

    port = 8765
    env = dict(os.environ, **{DATA_DIR_ENV: str(data_dir)})
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(port), "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            tab = browser.new_page()
            for path in ("/", "/map", "/ranges", "/statements", "/about"):
                tab.goto(f"http://127.0.0.1:{port}{path}")
                tab.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=600_000)
                tab.wait_for_timeout(1000)
            browser.close()
        return _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 500_000])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the real-server memory measurement")
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        # One size in a fresh process, so that no cache from another size can leak into the numbers.
        with tempfile.TemporaryDirectory() as tmp:
            n = args.one
            folder = generate(Path(tmp) / f"events_{n}", n, n_statements=args.statements, n_places=args.places)
            t0 = time.perf_counter()
            load_dataset(folder)
            load_s = time.perf_counter() - t0
            pages = measure_pages(folder)
            memory = float("nan") if args.no_memory else measure_server_memory(folder)
        row = {
            "events": n,
            "load_s": load_s,
            "memory_mb": memory,
            **{f"{k}_ms": v[0] for k, v in pages.items()},
            **{f"{k}_kb": v[1] / 1024 for k, v in pages.items()},
        }
        print("ROW " + json.dumps(row), flush=True)
        return
    rows = []
    for n in args.sizes:
        cmd = [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--one",
            str(n),
            "--statements",
            str(args.statements),
            "--places",
            str(args.places),
        ]
        if args.no_memory:
            cmd.append("--no-memory")
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("ROW ")), None)
        if line is None:
            raise RuntimeError(f"size {n} failed:\n{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
        rows.append(json.loads(line[4:]))
        print(rows[-1], flush=True)
    header = (
        ["events", "load + validate (s)"]
        + [f"{p} rerun (ms)" for p in PAGES]
        + [f"{p} sent (KB)" for p in PAGES]
        + ["server peak (MB)"]
    )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        cells = (
            [f"{r['events']:,}", f"{r['load_s']:.1f}"]
            + [f"{r[p + '_ms']:.0f}" for p in PAGES]
            + [f"{r[p + '_kb']:.0f}" for p in PAGES]
            + [f"{r['memory_mb']:.0f}"]
        )
        lines.append("| " + " | ".join(cells) + " |")
    machine = f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    text = (
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}; {args.statements:,} statements and "
        f"{args.places:,} places at every size.\n\n" + "\n".join(lines) + "\n"
    )
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
