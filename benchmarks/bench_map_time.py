"""Benchmark of the map's play mode at scale: rerun time after a filter change and bytes sent with the animated figure.

Run from the repo root:  .venv/bin/python benchmarks/bench_map_time.py [--events 100000] [--data-root DIR]
generates a seeded synthetic folder (10,000 places, 100,000 statements, as bench_map does), opens /map?mode=play
per view and changes the region filter: each rerun rebuilds every frame. Budgets: rerun under 500 ms and under
2 MB sent at 100k events.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard import basemap, data  # noqa: E402

RERUN_BUDGET_MS = 500.0
BYTES_BUDGET = 2_000_000
REPEATS = 7


def bench_play(folder: Path) -> list[dict]:
    """Per view: median AppTest rerun (ms) in play mode after a region change, the figure's JSON and all bytes sent."""
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
            at.query_params["mode"] = "play"
            at.run()
            assert not at.exception, at.exception
            timings, sizes = [], []
            for i in range(REPEATS):
                # A new filter each time, so that no rerun is served from the figure cache.
                at.multiselect(key="flt_regions").set_value([["Black Sea"], ["Baltic"], []][i % 3])
                at.date_input(key="map_time_a").set_value(at.date_input(key="map_time_a").value.replace(day=1 + i))
                start = time.perf_counter()
                at.run()
                timings.append((time.perf_counter() - start) * 1000)
                assert not at.exception, at.exception
                spec = at.get("plotly_chart")[0].proto.spec
                sizes.append((len(spec.encode()), _proto_bytes(at._tree), len(json.loads(spec)["frames"])))
            rows.append(
                {
                    "view": key,
                    "rerun_ms": statistics.median(timings),
                    "max_ms": max(timings),
                    "figure_bytes": max(s[0] for s in sizes),
                    "sent_bytes": max(s[1] for s in sizes),
                    "frames": sizes[-1][2],
                }
            )
    finally:
        os.environ.pop(data.DATA_DIR_ENV, None)
        cache.get_dataset.clear()
    return rows


def main() -> int:
    from benchmarks.synthetic import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--data-root", type=Path, help="keep (and reuse) the synthetic folder here")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = (args.data_root or Path(tmp)) / f"events_{args.events}"
        if not (folder / "events.csv").exists():
            generate(folder, args.events, n_statements=100_000, n_places=10_000)
        print(f"Map page in play mode, {args.events:,} events, 10,000 places; median of {REPEATS} reruns (filter change)")
        header = (
            f"{'view':<10} {'frames':>7} {'rerun (ms)':>11} {'slowest (ms)':>13} {'figure (bytes)':>15} {'sent (bytes)':>13}  ok"
        )
        print(header)
        print("-" * len(header))
        for row in bench_play(folder):
            good = row["rerun_ms"] < RERUN_BUDGET_MS and row["sent_bytes"] < BYTES_BUDGET
            ok &= good
            print(
                f"{row['view']:<10} {row['frames']:>7} {row['rerun_ms']:>11.0f} {row['max_ms']:>13.0f} "
                f"{row['figure_bytes']:>15,} {row['sent_bytes']:>13,}  {'yes' if good else 'NO'}"
            )
    print(f"\nBudgets: rerun < {RERUN_BUDGET_MS:.0f} ms, sent < {BYTES_BUDGET:,} bytes.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
