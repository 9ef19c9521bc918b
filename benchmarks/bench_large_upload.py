"""Benchmark: a 300,000-row ACLED-format export uploaded to a real server, with self-hosted limits raised.

    python -m benchmarks.bench_large_upload                      # plain CSV and gzip, 300,000 rows each
    python -m benchmarks.bench_large_upload --rows 60000 --formats gz

Generates the export with benchmarks/synthetic.py (ACLED's columns, invented rows: never real ACLED records) into the
temporary folder, once per size (reused on later runs), then starts `streamlit run` on a free loopback port with the
limits raised by environment (INF_WATCH_UPLOAD_MAX_*, server.maxUploadSize 200) and a short
server.disconnectedSessionTTL, so that a closed session is dropped soon after its reader leaves. For each file, one
reader without a browser (benchmarks/stclient.py, Streamlit's own websocket protocol) opens Your data and uploads it;
then opens every page and changes the sidebar's region filter three times on each, then leaves. Measured against the
budgets, each printed PASS or FAIL:

- upload, validate and report: from asking for the upload URL to the report's `script_finished` (under 30 s), with
  the server's CPU time over the same span (the work itself, whatever else the machine is doing);
- every page's rerun with the upload: the slowest of its three filter changes (under 1 s), and the server's CPU time
  per change; the first visit, which builds what the session keeps for the page, is printed too;
- the server's resident memory (the streamlit process) before the upload (after a reader without one has made the same
  tour, so that the caches every reader shares are built), at its peak, held while the session is open after every
  page (under 400 MB above before), and after the session has ended (within 100 MB of before).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.load_test import APP, ROOT, cpu_seconds, rss_mb
from benchmarks.server import free_port, stop, wait_healthy
from benchmarks.stclient import StreamlitClient
from benchmarks.synthetic import acled_export
from dashboard.memory import COLLECT_EVERY_S

PAGES = ("", "map", "ranges", "statements", "about", "your-data")  # url paths ("" is Home)
FILTERS = (["Black Sea"], ["Baltic", "Black Sea"], [])  # the sidebar's region filter, changed three times a page
UPLOAD_BUDGET_S = 30.0
RERUN_BUDGET_S = 1.0
HELD_BUDGET_MB = 400.0
AFTER_BUDGET_MB = 100.0
SESSION_TTL_S = 10  # server.disconnectedSessionTTL for the run: how long a closed tab's session is kept
LIMITS = {
    "INF_WATCH_UPLOAD_MAX_BYTES": "200000000",
    "INF_WATCH_UPLOAD_MAX_ROWS": "300000",
    "INF_WATCH_UPLOAD_MAX_TEXT_BYTES": "400000000",
}


class Peak:
    """The highest resident memory of a process, sampled every 0.2 s in a background thread while in use."""

    def __init__(self, pid: int) -> None:
        self.pid, self.mb = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.mb = max(self.mb, rss_mb(self.pid))
            self._stop.wait(0.2)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def export_file(rows: int, fmt: str) -> Path:
    """The synthetic export of `rows` rows in the temporary folder, written once (.csv or .csv.gz)."""
    path = Path(tempfile.gettempdir()) / f"inf-watch-acled-synthetic-{rows}.{'csv.gz' if fmt == 'gz' else 'csv'}"
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        acled_export(path, rows)
    return path


def start_server(port: int) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        APP,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.maxUploadSize",
        "200",
        "--server.disconnectedSessionTTL",
        str(SESSION_TTL_S),
    ]
    env = dict(os.environ, **LIMITS)
    env.pop("INF_WATCH_DATA_DIR", None)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def visit(base: str) -> None:
    """A short session that opens Home and leaves: warms the server, and lets it drop sessions whose time is up."""
    client = StreamlitClient(base)
    client.connect()
    client.open_page("")
    client.close()


def tour(base: str) -> None:
    """A reader without an upload through every page and filter change the measured readers make."""
    client = StreamlitClient(base, timeout=600)
    client.connect()
    for page in PAGES:
        client.open_page(page)
        for regions in FILTERS:
            client.set_widget("flt_regions", regions)
    client.close()


def settle_mb(pid: int, seconds: float = 3.0) -> float:
    time.sleep(seconds)
    return rss_mb(pid)


def measure_file(base: str, pid: int, path: Path, rows: int) -> dict:
    """One reader uploads `path`, tours every page, leaves; the times and the server's memory."""
    visit(base)
    before = settle_mb(pid)
    client = StreamlitClient(base, timeout=600)
    client.connect()
    client.open_page("your-data")
    data = path.read_bytes()
    out: dict = {"file": path.name, "MB": len(data) / 1e6, "before": before, "pages": {}}
    with Peak(pid) as peak:
        t, cpu = time.perf_counter(), cpu_seconds(pid)
        run = client.upload("uploader_events", path.name, data)
        out["upload_s"], out["upload_cpu_s"] = time.perf_counter() - t, cpu_seconds(pid) - cpu
        del data
        said = " ".join(run.texts)
        out["accepted_ok"] = f"Rows accepted: {rows:,}" in said and not run.errors
        if not out["accepted_ok"]:
            print("upload report:", run.errors or said[:600], flush=True)
        for page in PAGES:
            first = client.open_page(page)
            cpu = cpu_seconds(pid)
            reruns = [client.set_widget("flt_regions", regions) for regions in FILTERS]
            cpu = (cpu_seconds(pid) - cpu) / len(FILTERS)
            errors = first.errors + [e for r in reruns for e in r.errors]
            out["pages"][page or "home"] = (first.seconds, [r.seconds for r in reruns], cpu, errors)
        out["held"] = settle_mb(pid)
    out["peak"] = max(peak.mb, out["held"])
    client.close()
    time.sleep(SESSION_TTL_S + 2)
    # Streamlit drops a closed session once its TTL has passed, when its session store is next used (a reader leaving):
    # two short visits, as any other readers would make. The app's collector (dashboard/memory.py) then collects its
    # cycles within COLLECT_EVERY_S.
    visit(base)
    visit(base)
    out["after"] = settle_mb(pid, COLLECT_EVERY_S + 2)
    return out


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(result: dict) -> bool:
    """Print one file's figures against the budgets; True when every one passes."""
    ok_upload = result["accepted_ok"] and result["upload_s"] < UPLOAD_BUDGET_S
    print(f"\n{result['file']} ({result['MB']:.1f} MB)")
    print(
        f"  upload, validate and report  {result['upload_s']:6.1f} s, server CPU {result['upload_cpu_s']:.1f} s   "
        f"(budget {UPLOAD_BUDGET_S:.0f} s)   {verdict(ok_upload)}"
    )
    passed = ok_upload
    for page, (first, reruns, cpu, errors) in result["pages"].items():
        ok = max(reruns) < RERUN_BUDGET_S and not errors
        passed &= ok
        print(
            f"  {page:<11} first visit {first:5.2f} s, filter reruns {', '.join(f'{s:.2f}' for s in reruns)} s "
            f"(median {statistics.median(reruns):.2f}, server CPU {cpu:.2f} s a rerun; budget {RERUN_BUDGET_S:.0f} s)   "
            f"{verdict(ok)}" + (f"  errors: {errors[:2]}" if errors else "")
        )
    held, after = result["held"] - result["before"], result["after"] - result["before"]
    ok_held, ok_after = held < HELD_BUDGET_MB, after < AFTER_BUDGET_MB
    print(
        f"  server memory before {result['before']:.0f} MB, peak {result['peak']:.0f} MB (+{result['peak'] - result['before']:.0f})"
    )
    print(f"  held with the session open  +{held:.0f} MB   (budget {HELD_BUDGET_MB:.0f} MB)   {verdict(ok_held)}")
    print(f"  after the session ended     {after:+.0f} MB   (budget within {AFTER_BUDGET_MB:.0f} MB)   {verdict(ok_after)}")
    return passed and ok_held and ok_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--formats", nargs="+", choices=("csv", "gz"), default=["gz", "csv"])
    args = parser.parse_args()
    files = [export_file(args.rows, fmt) for fmt in args.formats]
    port = free_port()
    proc = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        tour(base)  # one reader through every page and filter first, without an upload: the shared caches are built
        results = [measure_file(base, proc.pid, path, args.rows) for path in files]
    finally:
        stop(proc)
    print(f"\n{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; limits raised: {LIMITS}")
    verdicts = [report(r) for r in results]  # every file's figures, even after a failure
    print("\nALL PASS" if all(verdicts) else "\nSOME FAIL")


if __name__ == "__main__":
    main()
