"""Invariants of the curated dataset in data/: every record sourced, references resolving, places where they say."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Geod

from dashboard import curation, schema
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
    assert set(claims.index) == set(missiles.index), "every missile's ranges come from its cited claims"
    for system_id, row in claims.iterrows():
        assert missiles.loc[system_id, "range_km_min"] == pytest.approx(row["min"])
    m729 = ds.range_claims[ds.range_claims["system_id"].str.contains("9m729")]
    assert m729["range_km"].min() <= 500 < m729["range_km"].max()


def test_the_curated_data_keeps_every_invariant(ds):
    """The rules `python -m dashboard.data --check` enforces: statuses, headline ranges, ids that begin with dates."""
    assert [str(p) for p in curation.invariant_problems(ds)] == []


def test_treaty_status_and_headline_range_never_contradict(ds):
    """'Outside the band' only below 500 km or above 5,500 km (the treaty counts 500 km in); 'not declared' only in it."""
    band = {schema.inf_class(500.0), schema.inf_class(5500.0)}
    outside = ds.missiles[ds.missiles["inf_status"] == schema.INF_STATUS_OUTSIDE_BAND]
    assert not outside["range_km_max"].map(schema.inf_class).isin(band).any(), list(outside["system_id"])
    undeclared = ds.missiles[ds.missiles["inf_status"] == schema.INF_STATUS_NOT_DECLARED]
    assert undeclared["range_km_max"].map(schema.inf_class).isin(band).all()
    assert ds.missiles.set_index("system_id").loc["9m723", "inf_status"] != schema.INF_STATUS_OUTSIDE_BAND


def test_the_ring_of_every_missile_follows_the_headline_rule(ds):
    """range_km_max is the figure schema.HEADLINE_RULE picks from the claims: not one outlet's outlier."""
    missiles = ds.missiles.set_index("system_id")
    for system_id, part in ds.range_claims.groupby("system_id"):
        rows = list(zip(part["source_kind"], part["range_km"], part["is_lower_bound"].fillna(False), strict=True))
        km, lower = schema.headline_claims(rows)
        assert missiles.loc[system_id, "range_km_max"] == pytest.approx(km), system_id
        stored = missiles.loc[system_id, "range_is_lower_bound"]
        assert (False if pd.isna(stored) else bool(stored)) == lower, system_id
    # The outliers that used to draw the rings: a 1990 press report for the SS-23, one outlet for the Kh-101.
    assert missiles.loc["ss-23", "range_km_max"] == 500
    assert missiles.loc["kh-101", "range_km_max"] < 5500


def test_floors_are_stored_as_floors(ds):
    """A claim worded "more than", "beyond", "over" or "exceeds" is a lower bound, and Zircon's ring says so."""
    worded = ds.range_claims["claimant"].str.contains(r"\b(?:more than|beyond|over|exceed)", case=False, regex=True)
    flagged = ds.range_claims["is_lower_bound"].fillna(False).astype(bool)
    assert (worded == flagged).all(), list(ds.range_claims.loc[worded != flagged, "claim_id"])
    zircon = ds.missiles.set_index("system_id").loc["zircon"]
    assert bool(zircon["range_is_lower_bound"]) and zircon["range_km_max"] == 1000


def test_the_sm6_is_not_typed_as_a_ballistic_missile(ds):
    assert ds.missiles.set_index("system_id").loc["sm6-typhon", "missile_type"] == "multi-mission surface-to-air"
    assert set(ds.missiles["missile_type"]) <= set(schema.MISSILE_TYPES)


def test_no_statement_speaks_for_a_state_that_no_longer_existed(ds):
    """The Soviet Union was dissolved on 26 December 1991: later statements speak for someone else."""
    former = set(ds.actors.loc[ds.actors["kind"] == "former_state", "actor_id"])
    late = ds.statements[ds.statements["actor"].isin(former) & (ds.statements["date"] > pd.Timestamp("1991-12-26"))]
    assert late.empty, list(late["statement_id"])


def test_the_inspections_event_names_every_party_that_took_part():
    """Belarus, Kazakhstan, Russia and Ukraine took part with the United States in the Special Verification Commission."""
    ds = load_dataset()
    event = ds.events.set_index("event_id").loc["2001-05-31-inf-inspections-end"]
    assert {"usa", "rus", "blr", "kaz", "ukr"} <= set(event["actors"])
    assert "540" not in event["summary"] and "311" not in event["summary"]


# Sources still on a mirror site, for want of a stored copy of the original (data/CHANGELOG.md says so).
# Fix one by citing the original page and removing it here; never add one.
KNOWN_STALE_LINKS = {"2018-12-04-pompeo-kapustin-yar-tests", "ss23-tass-1989"}


def test_no_new_source_cites_a_mirror_site(ds):
    stale = {str(p).split("'")[3] for p in curation.stale_links(ds)}
    assert stale <= KNOWN_STALE_LINKS, f"sources on mirror sites: {sorted(stale - KNOWN_STALE_LINKS)}"


# Where each place that matters falls, by the definitions in schema.REGION_DEFINITIONS (lat, lon as published).
REGION_OF = {
    "Kaliningrad": ((54.700278, 20.453056), schema.REGION_BALTIC),
    "Asipovichy (Oreshnik in Belarus)": ((53.3, 28.65), schema.REGION_BALTIC),
    "Minsk": ((53.9, 27.566667), schema.REGION_BALTIC),
    "Redzikowo": ((54.479, 17.109), schema.REGION_BALTIC),
    "Berlin": ((52.516667, 13.4), schema.REGION_BALTIC),
    "Luga": ((58.733, 29.85), schema.REGION_BALTIC),
    "Sevastopol": ((44.607778, 33.53), schema.REGION_BLACK_SEA),
    "Novorossiysk": ((44.716667, 37.783333), schema.REGION_BLACK_SEA),
    "Constanța": ((44.1733, 28.6383), schema.REGION_BLACK_SEA),
    "Deveselu": ((44.078667, 24.413417), schema.REGION_BLACK_SEA),
    "Ankara": ((39.933333, 32.866667), schema.REGION_BLACK_SEA),
    "Kyiv": ((50.433333, 30.516667), schema.REGION_BLACK_SEA),
    "Mozdok": ((43.747222, 44.656944), schema.REGION_ELSEWHERE),
    "Moscow": ((55.75, 37.6), schema.REGION_ELSEWHERE),
    "Wiesbaden": ((50.049444, 8.324444), schema.REGION_ELSEWHERE),
}


@pytest.mark.parametrize("name", list(REGION_OF))
def test_places_fall_in_the_region_the_definition_gives(name):
    import geopandas as gpd

    from dashboard.data import assign_regions, load_regions

    (lat, lon), region = REGION_OF[name]
    point = gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon], [lat]), crs="EPSG:4326")
    assert assign_regions(point, load_regions()).iloc[0] == region


def test_the_belarus_deployments_and_exercises_are_in_the_baltic_view(ds):
    events = ds.events.set_index("event_id")
    assert events.loc["2025-12-17-oreshnik-on-combat-duty-belarus", "region"] == schema.REGION_BALTIC
    assert events.loc["2025-09-12-zapad-2025", "region"] == schema.REGION_BALTIC
