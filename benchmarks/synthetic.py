"""Reproducible synthetic data folders (seeded) at benchmark sizes, in the curated schema."""

from __future__ import annotations

import csv
import gzip
import io
import random
import shutil
import zipfile
from datetime import UTC, date, datetime, timedelta
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


# ACLED's export columns (its codebook), in its order. The rows below are invented: ACLED's terms do not allow
# its records to be redistributed, so benchmarks and tests never ship real ones.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
# (country, ISO numeric, ACLED region, admin1, location, lat, lon, share of the rows): Ukraine and the Black Sea.
_ACLED_PLACES = (
    ("Ukraine", 804, "Europe", "Donetsk", "Bakhmut", 48.59, 38.00, 20),
    ("Ukraine", 804, "Europe", "Kharkiv", "Kharkiv", 49.99, 36.23, 14),
    ("Ukraine", 804, "Europe", "Zaporizhia", "Huliaipole", 47.66, 36.26, 12),
    ("Ukraine", 804, "Europe", "Kherson", "Kherson", 46.64, 32.61, 10),
    ("Ukraine", 804, "Europe", "Luhansk", "Kreminna", 49.05, 38.22, 8),
    ("Ukraine", 804, "Europe", "Sumy", "Sumy", 50.91, 34.80, 6),
    ("Ukraine", 804, "Europe", "Dnipropetrovsk", "Nikopol", 47.57, 34.39, 6),
    ("Ukraine", 804, "Europe", "Odesa", "Odesa", 46.48, 30.72, 4),
    ("Ukraine", 804, "Europe", "Mykolaiv", "Ochakiv", 46.61, 31.55, 3),
    ("Ukraine", 804, "Europe", "Kyiv City", "Kyiv", 50.45, 30.52, 2),
    ("Ukraine", 804, "Europe", "Autonomous Republic of Crimea", "Sevastopol", 44.62, 33.53, 2),
    ("Russia", 643, "Europe", "Belgorod", "Belgorod", 50.60, 36.59, 5),
    ("Russia", 643, "Europe", "Kursk", "Sudzha", 51.19, 35.27, 3),
    ("Russia", 643, "Europe", "Krasnodar", "Novorossiysk", 44.72, 37.77, 1),
    ("Romania", 642, "Europe", "Tulcea", "Tulcea", 45.18, 28.80, 1),
    ("Moldova", 498, "Europe", "Chisinau", "Chisinau", 47.01, 28.86, 1),
    ("Georgia", 268, "Caucasus and Central Asia", "Tbilisi", "Tbilisi", 41.72, 44.78, 1),
    ("Turkey", 792, "Middle East", "Istanbul", "Istanbul", 41.01, 28.98, 1),
)
# (disorder type, event type, sub-event type, actor1, inter1, actor2, inter2, share): ACLED's own vocabulary.
_ACLED_KINDS = (
    (
        "Political violence",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
        "Military Forces of Russia (2000-)",
        8,
        "",
        0,
        40,
    ),
    (
        "Political violence",
        "Explosions/Remote violence",
        "Air/drone strike",
        "Military Forces of Russia (2000-)",
        8,
        "Civilians (Ukraine)",
        7,
        15,
    ),
    (
        "Political violence",
        "Battles",
        "Armed clash",
        "Military Forces of Russia (2000-)",
        8,
        "Military Forces of Ukraine (2019-)",
        1,
        25,
    ),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike", "Military Forces of Ukraine (2019-)", 1, "", 0, 10),
    ("Demonstrations", "Protests", "Peaceful protest", "Protesters (Ukraine)", 6, "", 0, 6),
    (
        "Strategic developments",
        "Strategic developments",
        "Disrupted weapons use",
        "Military Forces of Ukraine (2019-)",
        1,
        "",
        0,
        4,
    ),
)
_ACLED_SOURCES = ("Ukrainska Pravda", "Ministry of Defence of Ukraine", "Reuters", "Suspilne Media", "Kyiv Independent")


def _acled_row(i: int, rng: random.Random, places, kinds, span: int) -> dict[str, object]:
    country, iso, region, admin1, location, lat, lon, _ = rng.choices(places[0], weights=places[1])[0]
    disorder, event_type, sub, actor1, inter1, actor2, inter2, _ = rng.choices(kinds[0], weights=kinds[1])[0]
    day = date(2022, 1, 1) + timedelta(days=rng.randrange(span))
    fatalities = rng.choice((0, 0, 0, 0, 1, 2, 3, 5))
    size = rng.choice(("no report", "small", "large"))
    return {
        "event_id_cnty": f"SYN{i}",
        "event_date": f"{day.day} {day:%B %Y}",
        "year": day.year,
        "time_precision": rng.choice((1, 1, 2)),
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": actor1,
        "assoc_actor_1": "",
        "inter1": inter1,
        "actor2": actor2,
        "assoc_actor_2": "",
        "inter2": inter2,
        "interaction": inter1 * 10 + inter2,
        "civilian_targeting": "Civilian targeting" if actor2.startswith("Civilians") else "",
        "iso": iso,
        "region": region,
        "country": country,
        "admin1": admin1,
        "admin2": f"{location} district",
        "admin3": "",
        "location": location,
        "latitude": f"{lat + rng.uniform(-0.3, 0.3):.4f}",
        "longitude": f"{lon + rng.uniform(-0.3, 0.3):.4f}",
        "geo_precision": rng.choice((1, 1, 2)),
        "source": rng.choice(_ACLED_SOURCES),
        "source_scale": "National",
        "notes": f"On {day.day} {day:%B %Y}, synthetic record {i}: {sub.lower()} near {location} ({admin1}). "
        f"{' '.join(rng.choices(WORDS, k=rng.randint(4, 14)))}. [size={size}]",
        "fatalities": fatalities,
        "tags": "",
        "timestamp": int(datetime(2026, 1, 1, tzinfo=UTC).timestamp()) + rng.randrange(86400),
    }


def acled_export(path: Path, n_rows: int, seed: int = 42) -> Path:
    """Write an ACLED-format export of `n_rows` invented events in Ukraine and the Black Sea since 2022 (ACLED's
    columns and vocabulary, seeded); a path ending in .gz is gzip-compressed, in .zip a zip archive of one CSV."""
    rng = random.Random(seed)
    places = (_ACLED_PLACES, [p[-1] for p in _ACLED_PLACES])
    kinds = (_ACLED_KINDS, [k[-1] for k in _ACLED_KINDS])
    span = (date(2026, 1, 1) - date(2022, 1, 1)).days
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=ACLED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_acled_row(i, rng, places, kinds, span) for i in range(n_rows))
    data = text.getvalue().encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6, mtime=0)
    elif path.suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.with_suffix(".csv").name, data)
        data = buffer.getvalue()
    path.write_bytes(data)
    return path
