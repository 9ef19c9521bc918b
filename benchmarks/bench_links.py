"""Benchmark: reading hostile links; each page's parser must cost well under 1 s and give a handful of notices.

Run: `.venv/bin/python benchmarks/bench_links.py [--repeat 5] [--pages]`. Every parameter a parser reads gets
the same payload, in three shapes: 20,000 distinct unknown values in one comma-separated value (about 130 KB),
20,000 one-letter values (40 KB) and 60,000 distinct values as repeated keys (`?place=v0&place=v1…`; the
ranges page reads single values, so it gets them comma-joined). Against the curated data. With `--pages`, each
page is also opened under AppTest with a 20,000-value comma-separated link and a 999-value repeated-key link, and
timed against the same page opened without it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import data, ranges, schema, search  # noqa: E402
from dashboard import map_figures as mf  # noqa: E402
from dashboard.filters import parse_filters  # noqa: E402

BUDGET_MS = 1000.0
APP = str(ROOT / "dashboard" / "app.py")
SHAPES = {
    "20,000 distinct": lambda: [",".join(f"v{i}" for i in range(20_000))],
    "40 KB, 20,000 values": lambda: [",".join("abcdefghijklmnopqrstuvwxyz0123456789"[i % 36] for i in range(20_000))],
    "60,000 repeated keys": lambda: [f"v{i}" for i in range(60_000)],
}


def _parsers(ds: data.Dataset) -> dict:
    """One callable per page: link → notices, with the page's real allowed values."""
    bounds = (date(1979, 1, 1), date.today())
    actors = list(ds.actors["actor_id"])
    place_ids = list(ds.places["place_id"])
    event_places = dict(zip(ds.events["event_id"], ds.events["place_id"].fillna(""), strict=True))
    coords = {p: (float(a), float(o)) for p, a, o in zip(ds.places["place_id"], ds.places["lat"], ds.places["lon"], strict=True)}
    systems = dict(zip(ds.missiles["system_id"], ds.missiles["range_km_max"].astype(float), strict=True))
    speakers = sorted(set(ds.statements["speaker"]))
    statement_ids = set(ds.statements["statement_id"])
    return {
        "sidebar": (("region", "actor", "from", "to"), lambda p: parse_filters(p, schema.REGIONS, actors, bounds).notices),
        "map": (mf.MAP_PARAMS, lambda p: mf.parse_map_params(p, place_ids, event_places, bounds).notices),
        "ranges": (
            ranges.RANGE_PARAMS,
            lambda p: ranges.parse_range_params({k: ",".join(v) for k, v in p.items()}, coords, systems, ranges.RangeView())[1],
        ),
        "statements": (
            search.PAGE_PARAMS,
            lambda p: search.parse_search_params(p, speakers, schema.TOPICS, statement_ids).notices,
        ),
    }


def time_parsers(repeat: int) -> float:
    ds = data.load_dataset()
    print(f"{'page':<12}{'link':<24}{'link KB':>9}{'median ms':>11}{'max ms':>9}{'notices':>9}{'longest':>9}")
    worst = 0.0
    for page, (keys, parse) in _parsers(ds).items():
        for shape, make in SHAPES.items():
            values = make()
            params = dict.fromkeys(keys, values)
            kb = sum(len(key) + len(v) + 2 for key in keys for v in values) / 1000  # `key=value&` per value
            times, notices = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                notices = parse(params)
                times.append((time.perf_counter() - t) * 1000)
            worst = max(worst, max(times))
            longest = max((len(n) for n in notices), default=0)
            print(
                f"{page:<12}{shape:<24}{kb:>9,.0f}{statistics.median(times):>11.1f}{max(times):>9.1f}{len(notices):>9,}{longest:>9,}"
            )
    print(f"\nworst parse {worst:,.1f} ms: {'within' if worst < BUDGET_MS else 'OVER'} the {BUDGET_MS:,.0f} ms budget")
    return worst


PAGE_LINKS = (
    ("Home (sidebar)", None, "region"),
    ("Map", "views/map.py", "place"),
    ("Statements", "views/statements.py", "speaker"),
    ("Statements", "views/statements.py", "topic"),
    ("Ranges", "views/ranges.py", "launch"),
)


def _open_page(page: str | None, params: dict) -> tuple[float, int]:
    """Seconds for the run that opens `page` with `params` (the app already started), and the warnings shown."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=600)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.run()
        at.switch_page(page)
        for key, value in params.items():
            at.query_params[key] = value
    t = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t
    assert not at.exception, at.exception
    return seconds, len(at.warning)


def time_pages() -> None:
    values = [f"v{i}" for i in range(20_000)]
    # Streamlit drops a query string of more than 1,000 parameters, so repeated keys stop short of that.
    forms = {"20,000 commas": [",".join(values)], "999 repeated": values[:999]}
    print(f"\n{'page':<16}{'parameter':<10}{'values':<15}{'plain s':>9}{'linked s':>10}{'extra s':>9}{'warnings':>10}")
    for name, page, key in PAGE_LINKS:
        _open_page(page, {})  # warm the caches
        plain, _ = _open_page(page, {})
        for form, link in forms.items():
            linked, warnings = _open_page(page, {key: link})
            print(f"{name:<16}{key:<10}{form:<15}{plain:>9.2f}{linked:>10.2f}{linked - plain:>9.2f}{warnings:>10,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", action="store_true", help="also open each page under AppTest with a 20,000-value link")
    args = parser.parse_args()
    time_parsers(args.repeat)
    if args.pages:
        time_pages()


if __name__ == "__main__":
    main()
