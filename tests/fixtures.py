"""Small data sets built in code: a valid miniature of every table, written to a folder on demand."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from dashboard import schema
from dashboard.data import DATA_DIR

SRC = {
    "source_title": "Example source",
    "source_publisher": "Example Publisher",
    "source_date": "2019-03-01",
    "source_url": "https://example.org/source",
}


def actors() -> list[dict]:
    return [
        {"actor_id": "nato", "name": "NATO", "kind": "alliance", "side": "NATO", "member_of": "", "description": ""},
        {"actor_id": "usa", "name": "United States", "kind": "state", "side": "NATO", "member_of": "nato", "description": ""},
        {"actor_id": "rus", "name": "Russia", "kind": "state", "side": "Russia", "member_of": "", "description": ""},
        {"actor_id": "bgr", "name": "Bulgaria", "kind": "state", "side": "NATO", "member_of": "nato", "description": ""},
    ]


def places() -> list[dict]:
    base = {"start_date": "", "end_date": "", "description": "A place.", **SRC}
    return [
        {
            **base,
            "place_id": "sofia",
            "name": "Sofia",
            "country": "Bulgaria",
            "kind": "capital",
            "operator": "bgr",
            "lat": "42.6977",
            "lon": "23.3219",
        },
        {
            **base,
            "place_id": "kaliningrad",
            "name": "Kaliningrad",
            "country": "Russia",
            "kind": "city",
            "operator": "rus",
            "lat": "54.7104",
            "lon": "20.4522",
        },
        {
            **base,
            "place_id": "moscow",
            "name": "Moscow",
            "country": "Russia",
            "kind": "capital",
            "operator": "rus",
            "lat": "55.7558",
            "lon": "37.6173",
        },
        {
            **base,
            "place_id": "deveselu",
            "name": "Deveselu",
            "country": "Romania",
            "kind": "missile_defence",
            "operator": "usa",
            "lat": "44.0767",
            "lon": "24.4130",
            "start_date": "2016-05-12",
        },
    ]


def events() -> list[dict]:
    return [
        {
            "event_id": "1987-12-08-signed",
            "date": "1987-12-08",
            "title": "Treaty signed",
            "summary": "Signed.",
            "event_type": "treaty_milestone",
            "actors": "usa;rus",
            "place_id": "",
            **SRC,
        },
        {
            "event_id": "2019-03-01-sofia",
            "date": "2019-03-01",
            "title": "Stoltenberg in Sofia",
            "summary": "Visit.",
            "event_type": "diplomacy",
            "actors": "nato;bgr",
            "place_id": "sofia",
            **SRC,
        },
        {
            "event_id": "2016-06-01-kaliningrad",
            "date": "2016-06-01",
            "title": "Deployment in Kaliningrad",
            "summary": "Moved.",
            "event_type": "deployment",
            "actors": "rus",
            "place_id": "kaliningrad",
            **SRC,
        },
    ]


def statements() -> list[dict]:
    base = {"speaker_role": "", "translated_by": "", "venue": "", **SRC}
    return [
        {
            **base,
            "statement_id": "2019-03-01-stoltenberg",
            "date": "2019-03-01",
            "speaker": "Jens Stoltenberg",
            "actor": "nato",
            "text": "planning for a situation without the INF Treaty",
            "quote_type": "verbatim",
            "context": "interview",
            "event_id": "2019-03-01-sofia",
            "place_id": "sofia",
            "topics": "inf_treaty",
        },
        {
            **base,
            "statement_id": "2019-02-20-putin",
            "date": "2019-02-20",
            "speaker": "Vladimir Putin",
            "actor": "rus",
            "text": "Putin said Russia would respond in kind.",
            "quote_type": "paraphrase",
            "context": "speech",
            "event_id": "",
            "place_id": "moscow",
            "topics": "inf_treaty;deployments",
        },
    ]


def missiles() -> list[dict]:
    base = {"other_names": "", "range_notes": "", "status": "", "first_deployed": "", **SRC}
    return [
        {
            **base,
            "system_id": "9m729",
            "name": "9M729",
            "other_names": "SSC-8",
            "operator": "rus",
            "missile_type": "cruise",
            "basing": "ground",
            "range_km_min": "480",
            "range_km_max": "2500",
            "inf_status": "alleged violation",
        },
        {
            **base,
            "system_id": "pershing2",
            "name": "Pershing II",
            "operator": "usa",
            "missile_type": "ballistic",
            "basing": "ground",
            "range_km_min": "1770",
            "range_km_max": "1770",
            "inf_status": "eliminated under the treaty",
        },
    ]


def range_claims() -> list[dict]:
    return [
        {
            "claim_id": "9m729-rus",
            "system_id": "9m729",
            "claimant": "Russian MoD",
            "source_kind": "operator",
            "range_km": "480",
            "claim_date": "2019-01-23",
            **SRC,
        },
        {
            "claim_id": "9m729-west",
            "system_id": "9m729",
            "claimant": "Western estimate",
            "source_kind": "reference",
            "range_km": "2500",
            "claim_date": "",
            **SRC,
        },
        {
            "claim_id": "pershing2-press",
            "system_id": "pershing2",
            "claimant": "US press",
            "source_kind": "press",
            "range_km": "1770",
            "claim_date": "",
            **SRC,
        },
    ]


ROWS = {
    "actors": actors,
    "places": places,
    "events": events,
    "statements": statements,
    "missiles": missiles,
    "range_claims": range_claims,
}


def write_table(folder: Path, name: str, rows: list[dict], columns: list[str] | None = None) -> Path:
    table = schema.TABLES[name]
    columns = columns or [f.name for f in table.stored_fields]
    path = folder / table.file
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_dataset(folder: Path, **overrides: list[dict]) -> Path:
    """Write a valid miniature data folder (tables from this module, geometry from data/)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in ROWS.items():
        write_table(folder, name, overrides.get(name, make()))
    for file in (
        "regions.geojson",
        "countries.geojson",
        "occupied_areas.geojson",
        "sources.csv",
        "cities.csv",
        "country_codes.csv",
    ):
        shutil.copy(DATA_DIR / file, folder / file)
    return folder


def capture_downloads(monkeypatch) -> dict:
    """Record every download button's on-click generator by file name, so a test can "click" it.

    The app's downloads are deferred (written when clicked); call `downloads[file_name]()` for the bytes.
    """
    from streamlit.runtime.media_file_manager import MediaFileManager

    generators: dict = {}
    original = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        generators[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return generators
