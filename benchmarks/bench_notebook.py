"""Benchmark: the notebook API answers at once when called again (budgets: 50 ms for ranges, 200 ms for a search).

Run: `.venv/bin/python -m benchmarks.bench_notebook [--rows 100000] [--repeat 7]`. In a fresh process, as an analyst
would: `ranges.targets_in_range` and `ranges.countries_in_range` without data (the curated data is read and the
country boundaries indexed on the first call), and `search.search_statements(df, q)` without an index over a seeded
frame of 100,000 statements (benchmarks.bench_statements). Prints the first call and the median and slowest of the
next ones, and whether each meets its budget.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_statements import synthetic_statements  # noqa: E402
from dashboard import ranges, search  # noqa: E402

RANGES_BUDGET_MS = 50.0
SEARCH_BUDGET_MS = 200.0
LAUNCHES = ((56.85, 41.366667, 2500.0), (54.71, 20.45, 5500.0), (44.17, 24.27, 1000.0), (50.08, 8.24, 2775.0))
QUERIES = ("missile", "kaliningrad", '"black sea"', '"arms control" treaty', "zelenskyy", "st", "nosuchwordanywhere")


def timed_ms(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure(label: str, calls: list, repeat: int, budget_ms: float) -> bool:
    """The first of `calls`, then every call `repeat` times; one line of figures."""
    first = timed_ms(calls[0])
    again = [timed_ms(call) for _ in range(repeat) for call in calls]
    ok = statistics.median(again) < budget_ms
    print(
        f"{label:<46} first {first:8.0f} ms   then median {statistics.median(again):6.1f} ms, "
        f"slowest {max(again):6.1f} ms   (budget {budget_ms:.0f} ms: {'PASS' if ok else 'FAIL'})"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    results = [
        measure(
            "ranges.targets_in_range (curated places)",
            [lambda p=p: ranges.targets_in_range(*p) for p in LAUNCHES],
            args.repeat,
            RANGES_BUDGET_MS,
        ),
        measure(
            "ranges.countries_in_range (curated boundaries)",
            [lambda p=p: ranges.countries_in_range(*p) for p in LAUNCHES],
            args.repeat,
            RANGES_BUDGET_MS,
        ),
    ]
    statements = synthetic_statements(args.rows)
    results.append(
        measure(
            f"search.search_statements ({args.rows:,} statements)",
            [lambda q=q: search.search_statements(statements, q) for q in QUERIES],
            args.repeat,
            SEARCH_BUDGET_MS,
        )
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
