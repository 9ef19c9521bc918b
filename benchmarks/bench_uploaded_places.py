"""Benchmark: the Missile ranges page for readers who uploaded 50,000 places each (budget: a rerun within the
page's normal 500 ms; server memory back to where it was once their sessions end).

Run: .venv/bin/python benchmarks/bench_uploaded_places.py [--readers 4] [--places 50000]
Each reader is one AppTest session in this process, as the server runs them: it uploads the places, opens the
page, then changes the cruise speed (a rerun that needs new flight times) and the region filter (a rerun that
needs nothing new). After each session ends, the process's resident memory is read once garbage is collected:
what a server-wide cache kept of that reader's places shows up there.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.memory import release_memory, tune_allocator  # noqa: E402

APP = str(ROOT / "dashboard" / "app.py")
HEADER = "place_id,name,country,kind,operator,lat,lon,start_date,end_date,description,source_title,source_publisher,source_date,source_url"


def places_csv(n: int, reader: int) -> bytes:
    """`n` distinct places spread over Europe, each with its own id and a source."""
    # Short cells, so that 50,000 rows stay under the 5 MB upload limit.
    rows = [
        f"r{reader}-{i},P{reader}-{i},Poland,air_base,pol,{45 + (i % 997) / 83:.3f},{5 + (i % 991) / 30:.3f},,,d,T,P,,https://e.org/{i}"
        for i in range(n)
    ]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _reader(app_path: str, data: bytes) -> None:
    import runpy
    import sys
    from pathlib import Path as _P

    sys.path.insert(0, str(_P(app_path).parents[1]))
    from dashboard.ui import upload_flow
    from dashboard.ui.cache import get_dataset
    from dashboard.ui.sidebar import render_filters

    upload_flow.process_upload("places", "places.csv", data, key="places")
    render_filters(get_dataset())
    runpy.run_path(str(_P(app_path).parent / "views" / "ranges.py"))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--places", type=int, default=50_000)
    args = parser.parse_args()
    tune_allocator()
    # Warm the shared caches with a reader who uploads nothing, so that what follows is the uploads' cost alone.
    AppTest.from_function(_reader, args=(APP, places_csv(1, 0)), default_timeout=600).run()
    gc.collect()
    release_memory()
    base = rss_mb()
    print(f"{args.readers} readers, {args.places:,} uploaded places each; server memory before: {base:.0f} MB")
    print("| reader | first visit (s) | rerun: new speed (s) | rerun: region filter (s) | memory after the session (MB) |")
    print("|---|---|---|---|---|")
    for reader in range(1, args.readers + 1):
        at = AppTest.from_function(_reader, args=(APP, places_csv(args.places, reader)), default_timeout=600)
        first = timed(at.run)
        assert not at.exception, at.exception
        assert len(at.session_state["userdata_rows"]["places"]) == args.places, "the upload was refused"
        at.number_input(key="rng_speed").set_value(900.0)
        speed = timed(at.run)
        at.sidebar.multiselect[0].set_value(["Baltic"])
        region = timed(at.run)
        assert not at.exception, at.exception
        del at
        gc.collect()
        release_memory()
        print(f"| {reader} | {first:.2f} | {speed:.2f} | {region:.2f} | {rss_mb():.0f} |")
    print(f"Memory held after every session ended: {rss_mb() - base:+.0f} MB")


if __name__ == "__main__":
    main()
