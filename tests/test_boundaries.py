"""Country boundaries: Crimea drawn as part of Ukraine and marked occupied; straits open; Kaliningrad Russian."""

from __future__ import annotations

import pytest
from shapely.geometry import Point

from dashboard.data import load_countries, load_occupied_areas


@pytest.fixture(scope="module")
def countries():
    return load_countries().set_index("name")


def test_crimea_is_part_of_ukraine_not_russia(countries):
    simferopol = Point(34.10, 44.95)
    sevastopol = Point(33.52, 44.60)
    for p in (simferopol, sevastopol):
        assert countries.loc["Ukraine", "geometry"].contains(p)
        assert not countries.loc["Russia", "geometry"].contains(p)


def test_crimea_is_marked_occupied_since_2014():
    occupied = load_occupied_areas().set_index("name")
    crimea = occupied.loc["Crimea"]
    assert crimea["country"] == "Ukraine"
    assert crimea["occupied_by"] == "Russia"
    assert str(crimea["occupied_since"]).startswith("2014")
    assert crimea["geometry"].contains(Point(34.10, 44.95))


def test_kaliningrad_is_russian(countries):
    assert countries.loc["Russia", "geometry"].contains(Point(20.51, 54.71))


def test_straits_are_water(countries):
    land = countries.geometry.union_all()
    assert not land.contains(Point(29.065, 41.10)), "the Bosporus is drawn closed"
    assert not land.contains(Point(36.55, 45.25)), "the Kerch Strait is drawn closed"


def test_russian_mainland_keeps_the_taman_peninsula(countries):
    assert countries.loc["Russia", "geometry"].contains(Point(37.0, 45.2))


def test_boundaries_are_polygons_only(countries):
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert countries.geometry.is_valid.all()
