"""Invariants of the curated dataset in data/: every record sourced, references resolving, places where they say."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Geod

from dashboard import schema
from dashboard.data import load_countries, load_dataset
from dashboard.text import is_safe_url

GEOD = Geod(ellps="WGS84")
COASTAL_KINDS = {"naval_base", "sea_or_strait", "territory", "city", "capital", "air_base", "test_range"}
COASTAL_TOLERANCE_KM = 25.0


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def test_the_curated_data_validates_and_meets_the_coverage_targets(ds):
    assert len(ds.events) >= 60
    assert len(ds.places) >= 50
    assert len(ds.statements) >= 40
    assert len(ds.missiles) >= 20


@pytest.mark.parametrize("name", ["events", "places", "statements", "missiles", "range_claims"])
def test_every_record_has_a_followable_source(ds, name):
    frame = getattr(ds, name)
    for col in ("source_title", "source_publisher", "source_url"):
        empty = frame[frame[col].str.strip() == ""]
        assert empty.empty, f"{name}: rows without {col}: {list(empty.iloc[:, 0])}"
    bad = frame[~frame["source_url"].map(is_safe_url)]
    assert bad.empty, f"{name}: non-http(s) source URLs: {list(bad['source_url'])}"


@pytest.mark.parametrize("name", ["events", "statements"])
def test_no_date_is_in_the_future(ds, name):
    frame = getattr(ds, name)
    assert (frame["date"] <= pd.Timestamp.today()).all()


def test_ids_are_unique(ds):
    for name, table in schema.TABLES.items():
        frame = getattr(ds, name)
        assert frame[table.key].is_unique, name


def _distance_to_boundary_km(lon: float, lat: float, geom) -> float:
    """Geodesic distance from a point to the nearest vertex of a boundary (km)."""
    import numpy as np
    import shapely

    coords = shapely.get_coordinates(geom.boundary)
    lons, lats = coords[:, 0], coords[:, 1]
    _, _, dist = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), lons, lats)
    return float(dist.min()) / 1000.0


def test_every_place_lies_in_its_country(ds):
    """Catches swapped or mistyped coordinates: inland sites inside the boundary, coastal ones within 25 km."""
    countries = load_countries().set_index("name")
    problems = []
    for _, place in ds.places.iterrows():
        if not place["country"]:
            continue
        assert place["country"] in countries.index, f"{place['place_id']}: unknown country {place['country']!r}"
        geom = countries.loc[place["country"], "geometry"]
        if geom.contains(place.geometry):
            continue
        km = _distance_to_boundary_km(place["lon"], place["lat"], geom)
        limit = COASTAL_TOLERANCE_KM if place["kind"] in COASTAL_KINDS else 2.0
        if km > limit:
            problems.append(f"{place['place_id']} is {km:.0f} km outside {place['country']}")
    assert problems == []


def test_seas_and_straits_lie_on_water(ds):
    land = load_countries().geometry.union_all()
    water = ds.places[ds.places["kind"] == "sea_or_strait"]
    assert len(water) >= 5
    on_land = [p for p, g in zip(water["place_id"], water.geometry, strict=True) if land.contains(g)]
    assert on_land == []


def test_statements_marked_as_translations_name_the_translator(ds):
    tr = ds.statements[ds.statements["quote_type"] == "translation"]
    assert (tr["translated_by"].str.strip() != "").all()


def test_paraphrases_are_not_presented_as_quotes(ds):
    para = ds.statements[ds.statements["quote_type"] == "paraphrase"]
    assert not para["text"].str.strip().str.startswith(('"', "“")).any()


def test_the_seed_article_is_in_the_data(ds):
    url = "https://rferl.org/a/nato-chief-urges-russia-to-comply-with-inf-treaty/29798095.html"
    st = ds.statements[ds.statements["source_url"] == url]
    verbatim = st[st["quote_type"] == "verbatim"]["text"]
    assert any("planning for a situation without the INF Treaty, with more Russian missiles" in t for t in verbatim)
    assert (st["speaker"] == "Jens Stoltenberg").sum() >= 4
    putin = st[st["speaker"] == "Vladimir Putin"]
    assert len(putin) == 1 and putin["quote_type"].item() == "paraphrase"
    assert (ds.events["source_url"] == url).any()
    for place in ("sofia", "black_sea", "baltic_sea", "crimea", "moscow", "washington"):
        assert place in set(ds.places["place_id"])


def test_disputed_ranges_keep_every_claim(ds):
    claims = ds.range_claims.groupby("system_id")["range_km"].agg(["min", "max"])
    missiles = ds.missiles.set_index("system_id")
    for system_id, row in claims.iterrows():
        assert missiles.loc[system_id, "range_km_min"] <= row["min"] + 1e-6
        assert missiles.loc[system_id, "range_km_max"] >= row["max"] - 1e-6
    m729 = ds.range_claims[ds.range_claims["system_id"].str.contains("9m729")]
    assert m729["range_km"].min() <= 500 < m729["range_km"].max()
