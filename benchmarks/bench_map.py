"""Benchmark of the map page: base-map build per view, rerun time after a filter change, and bytes sent for the map.

Run from the repo root:  .venv/bin/python benchmarks/bench_map.py
Budgets (issue #4): a rerun after a filter change under 300 ms; the map's figure JSON under 1 MB.

At scale (issue #8):     .venv/bin/python benchmarks/bench_map.py --events 10000 100000 [--data-root DIR]
generates seeded synthetic folders (10,000 places and 100,000 statements, as benchmarks.run does) and measures
the map page per view: rerun after a region filter change (median) and bytes sent. Budgets: 500 ms and 2 MB
up to 100k events, 2 s at 500k.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard import basemap, data  # noqa: E402
from dashboard import map_figures as mf  # noqa: E402
from dashboard.filters import Filters, filter_events, filter_places  # noqa: E402

RERUN_BUDGET_MS = 300.0
BYTES_BUDGET = 1_000_000
REPEATS = 7


def time_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def bench_pipeline(ds, layers) -> list[dict]:
    """Per view: cold base-map build, then filtering + markers + figure + JSON as a filter changes."""
    places, events, actors = ds.places, ds.events, ds.actors
    rows = []
    for key in basemap.VIEWS:
        start = time.perf_counter()
        base = basemap.build_basemap(*layers, key)
        build_ms = (time.perf_counter() - start) * 1000
        timings, size = [], 0
        for i in range(REPEATS):
            filters = Filters(regions=(("Black Sea",), ("Baltic",), ())[i % 3])

            def run(filters=filters, base=base):
                nonlocal size
                shown = mf.places_as_of(filter_places(places, filters), date.today())
                evs = mf.events_as_of(filter_events(events, filters), date.today())
                fig = mf.build_map_figure(base, mf.build_marker_table(shown, evs, actors, base), ["deveselu"])
                size = max(size, len(fig.to_json().encode()))

            timings.append(time_ms(run))
        rows.append({"view": key, "basemap_build_ms": build_ms, "pipeline_ms": statistics.median(timings), "map_bytes": size})
    return rows


def bench_apptest() -> dict[str, float]:
    """The whole app script (sidebar + map page) rerun by AppTest after a region filter change, per view."""
    out = {}
    for key in basemap.VIEWS:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        at.run()
        at.switch_page("views/map.py")
        at.query_params["view"] = key
        at.run()  # first run builds and caches the base map
        assert not at.exception, at.exception
        timings = []
        for i in range(REPEATS):
            at.multiselect(key="flt_regions").set_value([["Black Sea"], ["Baltic"], []][i % 3])
            timings.append(time_ms(at.run))
            assert not at.exception, at.exception
        out[key] = statistics.median(timings)
    return out


def bench_scale(folder: Path) -> list[dict]:
    """Per view, on the synthetic data in `folder`: median AppTest rerun (ms) after a region change, map JSON and all bytes sent."""
    from benchmarks.run import _proto_bytes
    from dashboard.ui import cache

    os.environ[data.DATA_DIR_ENV] = str(folder)
    cache.get_dataset.clear()
    rows = []
    try:
        for key in basemap.VIEWS:
            at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
            at.run()
            at.switch_page("views/map.py")
            at.query_params["view"] = key
            at.run()
            assert not at.exception, at.exception
            timings, sizes = [], []
            for i in range(REPEATS):
                at.multiselect(key="flt_regions").set_value([["Black Sea"], ["Baltic"], []][i % 3])
                timings.append(time_ms(at.run))
                assert not at.exception, at.exception
                spec = at.get("plotly_chart")[0].proto.spec
                sizes.append((len(spec.encode()), _proto_bytes(at._tree), json.loads(spec)))
            map_bytes, sent = max(s[0] for s in sizes), max(s[1] for s in sizes)
            clustered = sum(1 for t in sizes[-1][2]["data"] if (t.get("meta") or {}).get("role") == "clusters")
            rows.append(
                {
                    "view": key,
                    "rerun_ms": statistics.median(timings),
                    "max_ms": max(timings),
                    "map_bytes": map_bytes,
                    "sent_bytes": sent,
                    "cluster_traces": clustered,
                }
            )
    finally:
        os.environ.pop(data.DATA_DIR_ENV, None)
        cache.get_dataset.clear()
    return rows


def main_scale(sizes: list[int], root: Path | None) -> int:
    from benchmarks.synthetic import generate

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = (root or Path(tmp)) / f"events_{n}"
            if not (folder / "events.csv").exists():
                generate(folder, n, n_statements=100_000, n_places=10_000)
            budget = 2000.0 if n > 100_000 else 500.0
            print(
                f"\nMap page, {n:,} events, 10,000 places, 100,000 statements; median of {REPEATS} reruns (region filter change)"
            )
            header = f"{'view':<10} {'rerun (ms)':>11} {'slowest (ms)':>13} {'map JSON (bytes)':>17} {'sent (bytes)':>13}  ok"
            print(header)
            print("-" * len(header))
            for row in bench_scale(folder):
                good = row["rerun_ms"] < budget and row["sent_bytes"] < 2_000_000
                ok &= good
                print(
                    f"{row['view']:<10} {row['rerun_ms']:>11.0f} {row['max_ms']:>13.0f} {row['map_bytes']:>17,} {row['sent_bytes']:>13,}  "
                    f"{'yes' if good else 'NO'}"
                )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", help="synthetic sizes to measure instead of the curated data")
    parser.add_argument("--data-root", type=Path, help="keep (and reuse) the synthetic folders here")
    args = parser.parse_args()
    if args.events:
        return main_scale(args.events, args.data_root)
    ds = data.load_dataset()
    seas = ds.places.loc[ds.places["kind"] == "sea_or_strait", ["name", "lon", "lat"]]
    layers = (data.load_countries(), data.load_occupied_areas(), data.load_regions(), seas)
    rows = bench_pipeline(ds, layers)
    reruns = bench_apptest()
    print(f"Map page benchmark: {len(ds.places)} places, {len(ds.events)} events; median of {REPEATS} reruns\n")
    header = f"{'view':<10} {'basemap build (ms, once)':>25} {'filter+figure (ms)':>19} {'AppTest rerun (ms)':>19} {'map JSON (bytes)':>17}  ok"
    print(header)
    print("-" * len(header))
    ok = True
    for row in rows:
        rerun = reruns[row["view"]]
        good = rerun < RERUN_BUDGET_MS and row["map_bytes"] < BYTES_BUDGET
        ok &= good
        print(
            f"{row['view']:<10} {row['basemap_build_ms']:>25.0f} {row['pipeline_ms']:>19.0f} {rerun:>19.0f} "
            f"{row['map_bytes']:>17,}  {'yes' if good else 'NO'}"
        )
    print(f"\nBudgets: rerun < {RERUN_BUDGET_MS:.0f} ms, map JSON < {BYTES_BUDGET:,} bytes.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
