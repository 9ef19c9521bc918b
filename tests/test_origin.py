"""Whose a row is: marking curated rows, joining a reader's uploads, replacing re-uploaded rows."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import origin
from dashboard.data import load_dataset


@pytest.fixture(scope="module")
def curated():
    return origin.mark_curated(load_dataset())


def test_curated_tables_are_marked_and_the_rest_left_alone(curated):
    for name in ("events", "places", "statements"):
        frame = getattr(curated, name)
        assert frame["is_user_data"].dtype == bool and not frame["is_user_data"].any()
    assert "is_user_data" not in curated.missiles.columns
    assert isinstance(curated.places, gpd.GeoDataFrame) and curated.places.crs.to_epsg() == 4326


def test_uploads_are_appended_marked_and_keep_only_known_columns(curated):
    mine = curated.events.head(2).assign(event_id=["u1", "u2"], lat=[50.0, 51.0], lon=[30.0, 31.0], junk=["x", "y"])
    merged = origin.merge_dataset(curated, {"events": mine.drop(columns="is_user_data")})
    assert len(merged.events) == len(curated.events) + 2
    assert list(merged.events.loc[merged.events["is_user_data"], "event_id"]) == ["u1", "u2"]
    assert "junk" not in merged.events.columns and {"lat", "lon"} <= set(merged.events.columns)
    assert merged.places is curated.places  # a table without uploads is the curated frame itself
    assert list(origin.rows_of(merged.events)["event_id"]) == ["u1", "u2"]


def test_uploaded_places_stay_a_geodataframe(curated):
    mine = curated.places.head(1).assign(place_id="mine")
    merged = origin.merge_frames(curated.places, mine)
    assert isinstance(merged, gpd.GeoDataFrame) and merged.crs.to_epsg() == 4326
    assert merged["is_user_data"].sum() == 1


def test_no_uploads_returns_the_curated_data_set_itself(curated):
    assert origin.merge_dataset(curated, {}) is curated


def test_a_reuploaded_id_replaces_the_earlier_row():
    old = pd.DataFrame({"event_id": ["a", "b"], "title": ["old a", "old b"]})
    new = pd.DataFrame({"event_id": ["b", "c"], "title": ["new b", "new c"]})
    rows = origin.replace_rows(old, new, "events")
    assert list(zip(rows["event_id"], rows["title"], strict=True)) == [("a", "old a"), ("b", "new b"), ("c", "new c")]
    assert list(origin.replace_rows(None, new, "events")["event_id"]) == ["b", "c"]
