"""Exports: formula cells neutralised, numbers kept, and files that read back."""

from __future__ import annotations

import io
import json

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard.data import load_dataset
from dashboard.export import FORMULA_TRIGGERS, neutralise_cell, to_csv_bytes, to_geojson_bytes, to_safe_frame
from tests import fixtures


@given(st.text())
def test_no_exported_text_cell_starts_with_a_formula_trigger(text):
    out = neutralise_cell(text)
    assert not out.startswith(FORMULA_TRIGGERS)
    # Nothing is lost: the original is recoverable.
    assert out == text or out == "'" + text


@given(
    st.lists(st.text(), min_size=1, max_size=20),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=20),
)
def test_csv_round_trip_keeps_numbers_and_neutralises_text(texts, numbers):
    n = min(len(texts), len(numbers))
    frame = pd.DataFrame({"text": texts[:n], "number": numbers[:n]})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig", keep_default_na=False, dtype={"text": str})
    assert list(back["number"]) == [float(x) for x in numbers[:n]]
    for original, cell in zip(texts[:n], back["text"], strict=True):
        assert not str(cell).startswith(("=", "+", "-", "@"))
        # CSV readers may normalise line endings inside quoted cells: compare both sides with every line end as "\n".
        expected = _one_line_end(neutralise_cell(original))
        assert _one_line_end(str(cell)) == expected or cell == ""


def _one_line_end(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_negative_numbers_stay_numbers():
    csv_text = to_csv_bytes(pd.DataFrame({"lon": [-3.5], "label": ["-3.5"]})).decode("utf-8-sig")
    assert csv_text.splitlines()[1] == '-3.5,"\'-3.5"'


def test_lists_and_dates_are_plain_text(tmp_path):
    ds = load_dataset(fixtures.write_dataset(tmp_path / "data"))
    safe = to_safe_frame(ds.events)
    assert safe.loc[safe["event_id"] == "1987-12-08-signed", "actors"].item() == "usa; rus"
    assert safe.loc[safe["event_id"] == "1987-12-08-signed", "date"].item() == "1987-12-08"


def test_geojson_export_has_one_point_per_place(tmp_path):
    ds = load_dataset(fixtures.write_dataset(tmp_path / "data"))
    doc = json.loads(to_geojson_bytes(ds.places))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == len(ds.places)
    sofia = next(f for f in doc["features"] if f["properties"]["place_id"] == "sofia")
    assert sofia["geometry"]["type"] == "Point"
    assert sofia["geometry"]["coordinates"] == [23.3219, 42.6977]


def test_every_download_name_carries_the_data_version():
    from dashboard.export import export_file_name

    assert export_file_name("events", "2026-12-01") == "inf_watch_events_2026-12-01.csv"
    assert export_file_name("places", "2026-12-01", "geojson") == "inf_watch_places_2026-12-01.geojson"


def test_geojson_export_carries_the_data_version_when_given(tmp_path):
    ds = load_dataset(fixtures.write_dataset(tmp_path / "data"))
    doc = json.loads(to_geojson_bytes(ds.places, "2026-12-01"))
    assert doc["type"] == "FeatureCollection" and doc["data_version"] == "2026-12-01"
    assert len(doc["features"]) == len(ds.places)
    assert "data_version" not in json.loads(to_geojson_bytes(ds.places))
