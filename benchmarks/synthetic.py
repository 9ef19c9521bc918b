"""Reproducible synthetic data folders (seeded) at benchmark sizes, in the curated schema."""

from __future__ import annotations

import csv
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from dashboard import schema
from dashboard.data import DATA_DIR

WORDS = (
    "missile treaty deployment Kaliningrad Black Sea Baltic Iskander Aegis launcher range NATO Russia "
    "alliance deterrence dialogue exercise incident patrol brigade battalion compliance violation moratorium "
    "strategic stability Crimea Sevastopol Bosporus Kerch Suwałki Deveselu Redzikowo Oreshnik Kalibr"
).split()


def _write(path: Path, table: schema.Table, rows) -> None:
    cols = [f.name for f in table.stored_fields]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def generate(folder: Path, n_events: int, n_statements: int = 1000, n_places: int = 500, seed: int = 42) -> Path:
    """Write a data folder with `n_events` events, `n_statements` statements and `n_places` extra places.

    The curated actors, places, missiles and geometry are copied in; synthetic rows reference them.
    """
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    # Every curated file but the three written below, so that a file the data folder gains is never missing here.
    written = {schema.PLACES.file, schema.EVENTS.file, schema.STATEMENTS.file}
    for path in sorted(DATA_DIR.iterdir()):
        if path.is_file() and path.name not in written:
            shutil.copy(path, folder / path.name)
    with (DATA_DIR / "actors.csv").open(encoding="utf-8") as fh:
        actors = [r["actor_id"] for r in csv.DictReader(fh)]
    with (DATA_DIR / "places.csv").open(encoding="utf-8") as fh:
        curated_places = list(csv.DictReader(fh))
    src = {
        "source_title": "Synthetic report",
        "source_publisher": "Benchmark",
        "source_date": "2020-01-01",
        "source_url": "https://example.org/synthetic",
    }
    kinds = list(schema.PLACE_KINDS)
    places = list(curated_places)
    for i in range(n_places):
        places.append(
            {
                "place_id": f"syn-place-{i}",
                "name": f"Site {i}",
                "country": "",
                "kind": rng.choice(kinds),
                "operator": rng.choice(actors),
                "lat": f"{rng.uniform(40.0, 62.0):.4f}",
                "lon": f"{rng.uniform(10.0, 42.0):.4f}",
                "start_date": (date(1990, 1, 1) + timedelta(days=rng.randrange(12000))).isoformat() if rng.random() < 0.5 else "",
                "end_date": "",
                "description": "Synthetic place.",
                **src,
            }
        )
    _write(folder / "places.csv", schema.PLACES, places)
    place_ids = [p["place_id"] for p in places]
    start = date(1979, 12, 12)
    span = (date(2026, 1, 1) - start).days
    events = (
        {
            "event_id": f"syn-ev-{i}",
            "date": (start + timedelta(days=rng.randrange(span))).isoformat(),
            "title": " ".join(rng.choices(WORDS, k=6)),
            "summary": " ".join(rng.choices(WORDS, k=25)),
            "event_type": rng.choice(schema.EVENT_TYPES),
            "actors": ";".join(rng.sample(actors, k=rng.randint(1, 3))),
            "place_id": rng.choice(place_ids) if rng.random() < 0.9 else "",
            **src,
        }
        for i in range(n_events)
    )
    _write(folder / "events.csv", schema.EVENTS, events)
    statements = (
        {
            "statement_id": f"syn-st-{i}",
            "date": (start + timedelta(days=rng.randrange(span))).isoformat(),
            "speaker": f"Speaker {rng.randrange(300)}",
            "speaker_role": "Official",
            "actor": rng.choice(actors),
            "text": " ".join(rng.choices(WORDS, k=rng.randint(10, 60))),
            "quote_type": rng.choice(schema.QUOTE_TYPES[::2]),
            "translated_by": "",
            "context": rng.choice(schema.STATEMENT_CONTEXTS),
            "venue": "",
            "event_id": "",
            "place_id": rng.choice(place_ids) if rng.random() < 0.7 else "",
            "topics": ";".join(rng.sample(schema.TOPICS, k=rng.randint(1, 3))),
            **src,
        }
        for i in range(n_statements)
    )
    _write(folder / "statements.csv", schema.STATEMENTS, statements)
    return folder
