"""Launch baskets: the launch-territory rule from the data, the reach circle clipped to it, areas on the ellipsoid,
across the antimeridian and round a pole, and the known sites inside."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from dashboard import baskets, data, ranges


@pytest.fixture(scope="module")
def world():
    ds = data.load_dataset()
    return {
        "actors": ds.actors,
        "places": ds.places,
        "country_codes": data.load_country_codes(),
        "countries": data.load_countries(),
        "occupied": data.load_occupied_areas(),
    }


@pytest.fixture(scope="module")
def russia(world):
    return baskets.build_launch_territory(("rus",), **world)


def _actors(rows):
    return pd.DataFrame(rows, columns=["actor_id", "kind", "side", "member_of"])


def test_launch_states_follow_side_and_alliances():
    actors = _actors(
        [
            ("nato", "alliance", "NATO", []),
            ("usa", "state", "NATO", ["nato"]),
            ("pol", "state", "NATO", ["nato"]),
            ("rus", "state", "Russia", []),
            ("blr", "state", "Russia", []),
            ("ussr", "former_state", "Russia", []),
            ("ukr", "state", "Other", []),
            ("geo", "state", "Other", []),
        ]
    )
    assert baskets.launch_states(("usa",), actors) == ("pol", "usa")
    assert baskets.launch_states(("nato",), actors) == ("pol", "usa")
    assert baskets.launch_states(("rus",), actors) == ("blr", "rus")
    assert baskets.launch_states(("ussr",), actors) == ("blr", "rus")  # a former state: its side's states today
    assert baskets.launch_states(("ukr",), actors) == ("ukr",)  # no side: its own territory only


def test_a_state_is_the_country_of_its_capital_else_of_its_iso_code(world):
    got = baskets.state_countries(("usa", "rus", "cze", "xxx"), world["places"], world["country_codes"])
    assert got == {"usa": "United States of America", "rus": "Russia", "cze": "Czechia"}


def test_russias_territory_is_russia_with_kaliningrad_belarus_and_occupied_crimea(russia):
    assert russia.states == ("blr", "rus") and russia.countries == ("Belarus", "Russia") and russia.occupied == ("Crimea",)
    for lon, lat in ((20.51, 54.71), (27.56, 53.9), (34.1, 44.95), (37.6, 55.75), (170.0, 66.0)):
        assert russia.geometry.contains(Point(lon, lat))
    for lon, lat in ((30.5, 50.45), (25.0, 67.0), (-100.0, 67.0), (-150.0, 64.0)):  # Kyiv, Lapland, Canada, Alaska
        assert not russia.geometry.contains(Point(lon, lat))


def test_every_base_the_data_gives_an_operator_lies_in_its_launch_territory(world):
    places = world["places"]
    for operator in ("rus", "usa"):
        territory = baskets.build_launch_territory((operator,), **world)
        bases = places[(places["operator"] == operator) & places["kind"].isin(baskets.LAUNCH_SITE_KINDS)]
        inside = shapely.contains_xy(territory.geometry, bases["lon"].to_numpy(float), bases["lat"].to_numpy(float))
        assert len(bases) and inside.all(), list(bases.loc[~inside, "place_id"])


def _equal_area_km2(geometry, proj: str) -> float:
    dense = shapely.segmentize(geometry, 0.05)
    return float(gpd.GeoSeries([dense], crs="EPSG:4326").to_crs(proj).area.iloc[0]) / 1e6


def test_the_basket_is_the_reach_circle_clipped_to_the_territory(russia):
    basket = baskets.launch_basket(52.5167, 13.4, 2500, ("rus",), russia)
    reach = ranges.range_ring(52.5167, 13.4, 2500)
    assert shapely.equals_exact(basket.normalize(), shapely.intersection(russia.geometry, reach).normalize(), 1e-9)
    xy = shapely.get_coordinates(basket)
    dist, _ = ranges.geodesic_distances_km(52.5167, 13.4, xy[:, 1], xy[:, 0])
    assert dist.max() <= 2500 + 1e-6
    area = baskets.basket_area_km2(basket)
    assert area == pytest.approx(_equal_area_km2(basket, "+proj=laea +lat_0=55 +lon_0=35 +ellps=WGS84 +units=m"), rel=2e-3)


def test_a_basket_across_the_antimeridian(russia):
    # From Nome, Alaska, 900 km reaches Chukotka on both sides of 180° (which is about 700 km west of Nome).
    basket = baskets.launch_basket(64.5, -165.4, 900, ("rus",), russia)
    minx, _, maxx, _ = basket.bounds
    assert basket.is_valid and minx >= -180 and maxx <= 180
    assert basket.intersects(box(-180, 60, -172, 70)) and basket.intersects(box(170, 60, 180, 70))
    area = baskets.basket_area_km2(basket)
    assert area == pytest.approx(_equal_area_km2(basket, "+proj=laea +lat_0=65 +lon_0=180 +ellps=WGS84 +units=m"), rel=5e-3)


def test_a_basket_round_the_pole(russia):
    basket = baskets.launch_basket(90.0, 0.0, 1500, ("rus",), russia)  # the Arctic islands within 1,500 km of the pole
    assert basket.is_valid and not basket.is_empty
    assert basket.intersects(box(45.0, 79.5, 65.0, 82.0))  # Franz Josef Land
    assert not basket.intersects(box(20.0, 40.0, 40.0, 60.0))  # nothing as far south as Moscow
    area = baskets.basket_area_km2(basket)
    assert area == pytest.approx(_equal_area_km2(basket, "+proj=laea +lat_0=90 +lon_0=0 +ellps=WGS84 +units=m"), rel=5e-3)


def test_no_territory_in_reach_gives_an_empty_basket_and_no_sites(russia, world):
    basket = baskets.launch_basket(-33.9, 18.4, 500, ("rus",), russia)  # Cape Town
    assert basket.is_empty and baskets.basket_area_km2(basket) == 0.0
    assert baskets.sites_in_basket(basket, world["places"], -33.9, 18.4).empty
    assert baskets.nearest_site(baskets.sites_in_basket(basket, world["places"], -33.9, 18.4)) is None


def test_known_sites_inside_nearest_first(russia, world):
    basket = baskets.launch_basket(52.5167, 13.4, 2500, ("rus",), russia)
    sites = baskets.sites_in_basket(basket, world["places"], 52.5167, 13.4, russia.states)
    assert sites.iloc[0]["place_id"] == "baltiysk" and sites["distance_km"].is_monotonic_increasing
    assert {"chernyakhovsk", "sevastopol", "shuya"} <= set(sites["place_id"])
    assert set(sites["kind"]) <= set(baskets.LAUNCH_SITE_KINDS) and sites["distance_km"].max() <= 2500
    assert "moscow" not in set(sites["place_id"])  # a capital is not a launch site


def test_a_territory_built_for_other_operators_is_refused(russia):
    with pytest.raises(ValueError, match="built for"):
        baskets.launch_basket(52.5, 13.4, 1000, ("usa",), russia)
    with pytest.raises(ValueError, match="The range must be more than 0 km"):
        baskets.launch_basket(52.5, 13.4, -5, ("rus",), russia)


def test_the_measured_area_is_the_area_of_the_basket(world):
    usa = baskets.build_launch_territory(("usa",), **world)
    for lat, lon, km in ((54.7, 20.45, 5500.0), (64.5, -165.4, 3000.0), (89.9, 0.0, 4000.0)):
        basket, area = baskets.measure_basket(lat, lon, km, usa)
        assert area == pytest.approx(baskets.basket_area_km2(basket), rel=1e-9)
        assert basket.equals(shapely.intersection(usa.geometry, ranges.range_ring(lat, lon, km)))
