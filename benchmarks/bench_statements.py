"""Benchmark: search and filter 100,000 synthetic statements; every query must take under 200 ms (rendering excluded).

Run: `.venv/bin/python benchmarks/bench_statements.py [--rows 100000] [--repeat 5]`. The data set is generated
from a fixed seed, so figures are comparable between runs. Building the search index is timed
separately: the app builds it once per server process and caches it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import schema, search  # noqa: E402
from dashboard.filters import Filters, filter_statements  # noqa: E402

BUDGET_MS = 200.0
WORDS = (
    "missile treaty intermediate range nuclear forces deployment Kaliningrad Black Sea Baltic Crimea Sevastopol "
    "Deveselu Redzikowo Aegis Ashore Iskander 9M729 Oreshnik moratorium violation compliance dialogue security "
    "alliance NATO Russia United States Romania Poland Bulgaria Türkiye Zelenskyy Łukasz Çavuşoğlu Stoltenberg "
    "Putin Lavrov Shoigu Peskov Ryabkov ракета договор развёртывание Севастополь Калининград ballistic cruise "
    "hypersonic launcher brigade exercise posture deterrence escalation response in kind reciprocal verification "
    "inspection elimination warhead flight time minutes Europe strategic stability arms control withdrawal"
).split()
SPEAKERS = [f"Speaker {i:03d}" for i in range(300)] + ["Jens Stoltenberg", "Vladimir Putin", "Sergei Lavrov"]
ACTORS = ["nato", "usa", "rus", "rou", "pol", "bgr", "tur", "ukr", "blr", "deu"]
QUERIES = (
    "missile",
    "kaliningrad",
    '"black sea"',
    '"arms control" treaty',
    "zelenskyy",
    "ZELÉNSKYY",
    "развертывание",
    "9m729 oreshnik",
    "nosuchwordanywhere",
    "st",
    '"in kind" response reciprocal',
    'unbalanced "quote',
    ".*[(regex?)+]",
    "🚀 emoji",
    "שלום مرحبا",
    "nul\x00byte",
    "x" * 100_000,
    " ".join(WORDS),
)


def synthetic_statements(rows: int = 100_000, seed: int = 20261128) -> pd.DataFrame:
    """A seeded frame with the columns of `Dataset.statements` and 20–60 word texts."""
    rng = np.random.default_rng(seed)
    words = np.array(WORDS, dtype=object)
    lengths = rng.integers(20, 61, size=rows)
    flat = words[rng.integers(0, len(words), size=int(lengths.sum()))]
    texts, start = [], 0
    for n in lengths:
        texts.append(" ".join(flat[start : start + n]) + ".")
        start += n
    dates = pd.Timestamp("1987-12-08") + pd.to_timedelta(rng.integers(0, 14000, size=rows), unit="D")
    topics = list(schema.TOPICS)
    return pd.DataFrame(
        {
            "statement_id": [f"s{i:06d}" for i in range(rows)],
            "date": dates,
            "speaker": np.array(SPEAKERS, dtype=object)[rng.integers(0, len(SPEAKERS), size=rows)],
            "speaker_role": "Official",
            "actor": np.array(ACTORS, dtype=object)[rng.integers(0, len(ACTORS), size=rows)],
            "text": texts,
            "quote_type": np.array(schema.QUOTE_TYPES, dtype=object)[rng.integers(0, 3, size=rows)],
            "translated_by": "",
            "context": "speech",
            "venue": np.array(["Brussels", "Moscow", "Bucharest", "Warsaw", "Sofia"], dtype=object)[
                rng.integers(0, 5, size=rows)
            ],
            "event_id": "",
            "place_id": "",
            "topics": [[topics[a], topics[b]] for a, b in rng.integers(0, len(topics), size=(rows, 2))],
            "source_title": "Synthetic source",
            "source_publisher": "Benchmark",
            "source_date": dates,
            "source_url": "https://example.org/",
            "is_verbatim": True,
            "region": np.array(schema.REGIONS, dtype=object)[rng.integers(0, 3, size=rows)],
        }
    ).astype(dict.fromkeys(("statement_id", "speaker", "actor", "text", "quote_type", "venue", "region"), "str"))


def run_query(statements: pd.DataFrame, index: pd.DataFrame, query: str, filters: Filters, speakers: tuple, topics: tuple) -> int:
    """Exactly what the page does before rendering: shared filters, speaker/topic, search, sort, first page."""
    shared = filter_statements(statements, filters)
    narrowed = search.filter_by_speaker_and_topic(shared, speakers, topics, index=index)
    ordered = search.sort_statements(search.search_statements(narrowed, query, index=index))
    search.paginate(ordered, 1)
    return len(ordered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    statements = synthetic_statements(args.rows)
    # As the app does once per process (cache.get_statements_by_date): keep the frame in date order.
    statements = search.sort_statements(statements, search.SORT_OLDEST)
    t1 = time.perf_counter()
    index = search.build_search_index(statements)
    t2 = time.perf_counter()
    print(
        f"{args.rows:,} statements generated in {t1 - t0:.1f} s; search index built in {t2 - t1:.1f} s (once, cached by the app)"
    )

    scenarios = [
        ("no filters", Filters(), (), ()),
        (
            "sidebar: region + actors + dates",
            Filters(("Black Sea",), ("rus", "nato"), date(2014, 1, 1), date(2026, 11, 28)),
            (),
            (),
        ),
        (
            "page: speakers + topics",
            Filters(),
            ("Vladimir Putin", "Jens Stoltenberg", "Speaker 001"),
            ("black_sea", "inf_treaty"),
        ),
    ]
    worst = 0.0
    worst_median = 0.0
    print(f"{'scenario':<34} {'query':<32} {'rows':>7} {'median ms':>10} {'max ms':>8}")
    for label, filters, speakers, topics in scenarios:
        for query in QUERIES:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                n = run_query(statements, index, query, filters, speakers, topics)
                times.append((time.perf_counter() - start) * 1000)
            worst = max(worst, max(times))
            worst_median = max(worst_median, statistics.median(times))
            shown = repr(query if len(query) <= 28 else query[:25] + "…")
            print(f"{label:<34} {shown:<32} {n:>7,} {statistics.median(times):>10.1f} {max(times):>8.1f}")
    verdict = "PASS" if worst_median < BUDGET_MS else "FAIL"
    print(f"slowest query (median of {args.repeat} runs): {worst_median:.1f} ms; slowest single run: {worst:.1f} ms")
    print(
        f"budget {BUDGET_MS:.0f} ms per query (judged on the median, so one run slowed by other processes does not decide it) → {verdict}"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
