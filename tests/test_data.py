"""The data layer: loading, derived columns, and one readable message for every kind of broken file."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import data
from dashboard.data import DataValidationError, load_dataset
from tests import fixtures


@pytest.fixture
def folder(tmp_path):
    return fixtures.write_dataset(tmp_path / "data")


def test_valid_folder_loads_every_table_with_documented_columns(folder):
    ds = load_dataset(folder)
    assert list(ds.events.columns[:5]) == ["event_id", "date", "title", "summary", "event_type"]
    for col in ("actors", "region", "place_id", "source_title", "source_publisher", "source_url"):
        assert col in ds.events.columns
    assert ds.events["date"].dtype == "datetime64[ns]"
    assert ds.events.set_index("event_id").loc["1987-12-08-signed", "actors"] == ["usa", "rus"]
    assert isinstance(ds.places, gpd.GeoDataFrame)
    assert ds.places.crs.to_epsg() == 4326
    for col in ("place_id", "name", "country", "region", "kind", "lat", "lon", "geometry", "description", "source_url"):
        assert col in ds.places.columns
    assert len(ds.missiles) == 2 and len(ds.range_claims) == 3


def test_region_comes_from_the_point_not_from_the_file(folder):
    ds = load_dataset(folder)
    regions = ds.places.set_index("place_id")["region"]
    assert regions["sofia"] == "Black Sea"
    assert regions["kaliningrad"] == "Baltic"
    assert regions["moscow"] == "Elsewhere"
    events = ds.events.set_index("event_id")["region"]
    assert events["2019-03-01-sofia"] == "Black Sea"
    assert events["1987-12-08-signed"] == "Elsewhere"  # no place


def test_statements_get_is_verbatim_and_region(folder):
    st = load_dataset(folder).statements.set_index("statement_id")
    assert bool(st.loc["2019-03-01-stoltenberg", "is_verbatim"]) is True
    assert bool(st.loc["2019-02-20-putin", "is_verbatim"]) is False
    assert st.loc["2019-03-01-stoltenberg", "region"] == "Black Sea"


def test_missiles_get_their_treaty_class_from_range(folder):
    m = load_dataset(folder).missiles.set_index("system_id")["inf_class"]
    assert m["9m729"] == "intermediate-range (1,000–5,500 km)"
    assert m["pershing2"] == "intermediate-range (1,000–5,500 km)"


def test_public_loaders_match_the_dataset(folder):
    assert len(data.load_events(folder)) == 3
    assert len(data.load_places(folder)) == 4
    assert len(data.load_statements(folder)) == 2
    assert len(data.load_actors(folder)) == 4
    assert set(data.load_regions(folder)["region"]) == {"Black Sea", "Baltic"}


def _broken(tmp_path, name, mutate):
    rows = fixtures.ROWS[name]()
    mutate(rows)
    return fixtures.write_dataset(tmp_path / "data", **{name: rows})


def _set(index, column, value):
    def mutate(rows):
        rows[index][column] = value

    return mutate


# (table, mutation, file, line, column, words in the message)
CASES = [
    ("events", _set(1, "date", "2019-13-45"), "events.csv", 3, "date", "not a real calendar date"),
    ("events", _set(0, "date", "8 Dec 1987"), "events.csv", 2, "date", "YYYY-MM-DD"),
    ("events", _set(2, "event_id", "1987-12-08-signed"), "events.csv", 4, "event_id", "already used on line 2"),
    ("events", _set(1, "place_id", "atlantis"), "events.csv", 3, "place_id", "'atlantis' does not match any place_id"),
    ("events", _set(0, "actors", "usa;martians"), "events.csv", 2, "actors", "'martians' does not match any actor_id"),
    ("events", _set(0, "event_type", "party"), "events.csv", 2, "event_type", "not one of the allowed values"),
    ("events", _set(0, "source_url", "javascript:alert(1)"), "events.csv", 2, "source_url", "not an http(s) web address"),
    ("events", _set(0, "title", "  "), "events.csv", 2, "title", "required but empty"),
    ("events", _set(0, "date", "2999-01-01"), "events.csv", 2, "date", "in the future"),
    ("places", _set(1, "lat", "95"), "places.csv", 3, "lat", "above the allowed maximum of 90"),
    ("places", _set(1, "lon", "east"), "places.csv", 3, "lon", "'east' is not a number"),
    ("places", _set(0, "operator", "nobody"), "places.csv", 2, "operator", "does not match any actor_id"),
    ("places", _set(3, "end_date", "2000-01-01"), "places.csv", 5, "end_date", "before start_date"),
    ("statements", _set(0, "event_id", "1999-01-01-nothing"), "statements.csv", 2, "event_id", "does not match any event_id"),
    ("statements", _set(1, "quote_type", "translation"), "statements.csv", 3, "translated_by", "whose translation"),
    (
        "statements",
        _set(0, "topics", "inf_treaty;gossip"),
        "statements.csv",
        2,
        "topics",
        "'gossip' not among the allowed values",
    ),
    ("missiles", _set(0, "range_km_min", "3000"), "missiles.csv", 2, "range_km_min", "greater than range_km_max"),
    ("range_claims", _set(0, "system_id", "zzz"), "missile_range_claims.csv", 2, "system_id", "does not match any system_id"),
]


@pytest.mark.parametrize(("name", "mutate", "file", "line", "column", "words"), CASES, ids=[c[5] for c in CASES])
def test_each_fault_is_reported_with_file_line_and_column(tmp_path, name, mutate, file, line, column, words):
    folder = _broken(tmp_path, name, mutate)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    message = str(info.value)
    expected = f"{file}, line {line}, column '{column}': "
    matching = [str(p) for p in info.value.problems if expected in str(p)]
    assert matching, message
    assert words in matching[0], matching[0]
    assert expected in message


def test_missing_required_column(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    cols = [f.name for f in fixtures.schema.EVENTS.stored_fields if f.name != "title"]
    fixtures.write_table(folder, "events", fixtures.events(), columns=cols)
    with pytest.raises(DataValidationError, match=r"events.csv, line 1: required column\(s\) missing from the header: title"):
        load_dataset(folder)


def test_unknown_and_derived_columns_are_named(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    cols = [f.name for f in fixtures.schema.EVENTS.stored_fields] + ["region"]
    fixtures.write_table(folder, "events", [dict(r, region="Baltic") for r in fixtures.events()], columns=cols)
    with pytest.raises(
        DataValidationError, match=r"events.csv, line 1, column 'region': unknown column \(it is computed on load\)"
    ):
        load_dataset(folder)


def test_ragged_row_is_reported_not_dropped(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    path = folder / "actors.csv"
    path.write_text(path.read_text(encoding="utf-8") + "extra,Extra,state\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"actors.csv, line 6: this row has 3 cells but the header has 6 columns"):
        load_dataset(folder)


def test_unclosed_quote_is_reported(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    path = folder / "actors.csv"
    path.write_text(path.read_text(encoding="utf-8") + 'extra,"Extra,state,NATO,,\n', encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"actors.csv, line 6: the CSV is malformed"):
        load_dataset(folder)


def test_bytes_that_are_not_utf8_name_the_line(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes() + b"caf\xe9,Caf\xe9,state,Other,,\n")
    with pytest.raises(DataValidationError, match=r"actors.csv, line 6: the file is not valid UTF-8"):
        load_dataset(folder)


def test_empty_and_missing_files(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    (folder / "missiles.csv").write_text("", encoding="utf-8")
    (folder / "missile_range_claims.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    text = str(info.value)
    assert "missiles.csv: the file is empty" in text
    assert "missile_range_claims.csv: the file is missing" in text


def test_every_problem_is_collected_not_just_the_first(tmp_path):
    def mutate(rows):
        rows[0]["date"] = "bad"
        rows[1]["date"] = "worse"

    folder = _broken(tmp_path, "events", mutate)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    assert len(info.value.problems) == 2
    assert str(info.value).startswith("2 problems in the data:")


def test_byte_order_mark_and_blank_lines_are_tolerated(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    path = folder / "actors.csv"
    path.write_text("\ufeff" + path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert len(load_dataset(folder).actors) == 4


def test_check_cli_reports_ok_and_problems(tmp_path, capsys):
    folder = fixtures.write_dataset(tmp_path / "data")
    assert data.main(["--check", "--data-dir", str(folder)]) == 0
    assert "OK" in capsys.readouterr().out
    (folder / "events.csv").write_text("event_id\n", encoding="utf-8")
    assert data.main(["--check", "--data-dir", str(folder)]) == 1
    assert "required column(s) missing" in capsys.readouterr().err


def test_assign_regions_handles_empty_frames():
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs="EPSG:4326")
    assert data.assign_regions(empty, data.load_regions()).empty
    assert isinstance(data.assign_regions(empty, data.load_regions()), pd.Series)


@pytest.mark.parametrize(("line_end", "bom"), [("\n", ""), ("\r\n", ""), ("\r\n", "\ufeff")], ids=["lf", "crlf", "crlf-bom"])
def test_fast_and_careful_readers_agree_on_the_curated_files(line_end, bom):
    from dashboard import schema

    for table in schema.TABLES.values():
        text = bom + (data.DATA_DIR / table.file).read_text(encoding="utf-8").replace("\n", line_end)
        fast = data.read_simple_csv(text)
        assert fast is not None, f"{table.file} should take the fast path"
        header, raw, lines = fast
        fast_frame, fast_problems = data.validate_frame(table, header, raw, lines, table.file)
        header2, rows, _ = data.read_csv_rows(text, table.file)
        slow_frame, slow_problems = data.validate_rows(table, header2, rows, table.file)
        assert fast_problems == slow_problems == []
        pd.testing.assert_frame_equal(fast_frame.reset_index(drop=True), slow_frame.reset_index(drop=True))


def test_fast_reader_keeps_tricky_cells_exactly_as_the_careful_reader():
    from dashboard import schema

    rows = fixtures.events()
    rows[0]["title"] = 'He said "no", twice'
    rows[1]["summary"] = "  spaces kept inside , commas ; and ünïcödé — “quotes”  "
    rows[2]["title"] = "=1+1"
    text = _csv_text(rows)
    fast = data.read_simple_csv(text)
    assert fast is not None
    header, raw, lines = fast
    assert raw.loc[0, "title"] == 'He said "no", twice'
    assert raw.loc[1, "summary"] == rows[1]["summary"]
    fast_frame, _ = data.validate_frame(schema.EVENTS, header, raw, lines, "events.csv")
    header2, slow_rows, _ = data.read_csv_rows(text, "events.csv")
    slow_frame, _ = data.validate_rows(schema.EVENTS, header2, slow_rows, "events.csv")
    pd.testing.assert_frame_equal(fast_frame, slow_frame)


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n1,2\n3\n",  # a short row
        "a,b\n1,2\n3,4,5\n",  # a long row
        'a,b\n1,"unclosed\n',  # an unclosed quote
        'a,b\n1,"x"y\n',  # text after a closing quote
        'a,b\n1,"two\r\nlines"\n',  # a quoted Windows line break
        "a,b\r1,2\r",  # old Mac line ends
        "a,a\n1,2\n",  # a repeated column name
        "a,\n1,2\n",  # a column without a name
        "a,b\n\n1,2\n",  # a blank line
    ],
)
def test_fast_reader_declines_what_only_the_careful_reader_can_explain(text):
    assert data.read_simple_csv(text) is None


def _csv_text(rows: list[dict]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_quoted_line_breaks_keep_exact_line_numbers(tmp_path):
    rows = fixtures.events()
    rows[0]["summary"] = "First line\nsecond line"
    rows[2]["date"] = "2016-02-30"
    folder = fixtures.write_dataset(tmp_path / "data", events=rows)
    text = (folder / "events.csv").read_text(encoding="utf-8")
    assert data.read_simple_csv(text) is None  # a record spans two lines: the careful reader is used
    with pytest.raises(DataValidationError, match=r"events.csv, line 5, column 'date': '2016-02-30' is not a real calendar date"):
        load_dataset(folder)


def test_a_statement_takes_its_places_region_or_failing_that_its_events():
    from dashboard.data import derive_statements, regions_of_places

    assert regions_of_places(["a", "zz"], {"a": "Baltic"}) == ["Baltic", "Elsewhere"]
    frame = pd.DataFrame(
        {
            "place_id": ["a", "", "b", ""],
            "event_id": ["", "e", "e", ""],
            "quote_type": ["verbatim", "paraphrase", "translation", "verbatim"],
        }
    )
    out = derive_statements(frame, {"a": "Baltic", "b": "Elsewhere"}, {"e": "Black Sea"})
    assert list(out["region"]) == ["Baltic", "Black Sea", "Black Sea", "Elsewhere"]
    assert list(out["is_verbatim"]) == [True, False, True, True]


# ---- Every file the app reads is checked, and named as data/... (never by its place on the server)


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _points_instead_of_areas(path):
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Crimea", "country": "Ukraine", '
        '"occupied_by": "Russia", "occupied_since": "2014"}, "geometry": {"type": "Point", "coordinates": [34, 45]}}]}',
        encoding="utf-8",
    )


def _without_property(path):
    path.write_text(path.read_text(encoding="utf-8").replace('"occupied_by"', '"occupier"'), encoding="utf-8")


def _no_features(path):
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")


def _without_regions_record(path):
    path.write_text(
        "".join(ln for ln in path.read_text(encoding="utf-8").splitlines(keepends=True) if not ln.startswith("regions.geojson")),
        encoding="utf-8",
    )


def _bad_source_url(path):
    path.write_text(
        path.read_text(encoding="utf-8").replace("https://www.naturalearthdata.com", "javascript:alert(1)//", 1), encoding="utf-8"
    )


# (file, how it is broken, words in the message)
SUPPORT_CASES = [
    ("countries.geojson", _truncate, "data/countries.geojson: cannot be read as GeoJSON"),
    (
        "occupied_areas.geojson",
        _points_instead_of_areas,
        "data/occupied_areas.geojson: 1 feature(s) are not areas (feature 1 has Point)",
    ),
    (
        "occupied_areas.geojson",
        _without_property,
        "data/occupied_areas.geojson, column 'occupied_by': property missing from the features",
    ),
    ("regions.geojson", _no_features, "data/regions.geojson: the file has no features"),
    ("regions.geojson", lambda p: p.unlink(), "data/regions.geojson: the file is missing"),
    ("sources.csv", lambda p: p.unlink(), "data/sources.csv: the file is missing"),
    ("sources.csv", _without_regions_record, "data/sources.csv, column 'file': no record for data/regions.geojson"),
    ("sources.csv", _bad_source_url, "data/sources.csv, line 8, column 'url': 'javascript:alert(1)//"),
]


@pytest.mark.parametrize(("file", "breaks", "words"), SUPPORT_CASES, ids=[f"{c[0]}-{c[1].__name__}" for c in SUPPORT_CASES])
def test_a_broken_geometry_or_sources_file_fails_the_check_with_one_readable_message(tmp_path, capsys, file, breaks, words):
    folder = fixtures.write_dataset(tmp_path / "data")
    breaks(folder / file)
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    assert words in str(info.value)
    assert str(tmp_path) not in str(info.value) and "/tmp" not in str(info.value)
    assert data.main(["--check", "--data-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert words in err and str(tmp_path) not in err


def test_loaders_of_the_supporting_files_raise_the_same_readable_error(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    (folder / "sources.csv").unlink()
    _truncate(folder / "countries.geojson")
    with pytest.raises(DataValidationError, match="data/sources.csv: the file is missing"):
        data.load_sources(folder)
    with pytest.raises(DataValidationError, match="data/countries.geojson: cannot be read as GeoJSON"):
        data.load_countries(folder)


def test_every_file_the_app_reads_is_covered_by_the_check():
    checked = {t.file for t in data.schema.TABLES.values()} | set(data.GEOJSON_FILES) | {data.SOURCES_FILE}
    checked |= {t.file for t in data.schema.REFERENCE_TABLES.values()}  # checked by load_reference_table and --check
    assert checked == {p.name for p in data.DATA_DIR.iterdir() if p.suffix in (".csv", ".geojson")}


def test_a_nul_character_in_a_table_is_named_with_its_line(tmp_path):
    folder = fixtures.write_dataset(tmp_path / "data")
    path = folder / "actors.csv"
    path.write_bytes(path.read_bytes() + b"extra,Ex\x00tra,state,Other,,\n")
    with pytest.raises(DataValidationError, match=r"data/actors.csv, line 6: the file contains a NUL character"):
        load_dataset(folder)


# ---- Cell and row limits, and headers of any width at linear cost


def test_the_cell_limit_is_the_csv_modules_own():
    import csv

    assert csv.field_size_limit() == data.MAX_CELL_CHARS


def test_a_cell_over_the_limit_is_named_with_its_line_not_blamed_on_a_quote():
    text = "a,b\n1,2\n3," + "x" * (data.MAX_CELL_CHARS + 1) + "\n5,6\n"
    header, rows, problems = data.read_csv_rows(text, "f.csv")
    assert [line for line, _ in rows] == [2]
    assert str(problems[0]).startswith(
        f"f.csv, line 3: a cell starting on this line is longer than {data.MAX_CELL_CHARS:,} characters"
    )
    assert "check for an unclosed quote" not in str(problems[0])


def test_reading_stops_one_row_past_the_limit():
    header, rows, problems = data.read_csv_rows("a\n" + "1\n" * 1000, "f.csv", max_rows=10)
    assert len(rows) == 11 and not problems


def test_header_problems_of_a_very_wide_header_are_each_named_once():
    header = [f"c{i}" for i in range(50_000)] + ["c7", ""]
    header_, rows, problems = data.read_csv_rows(",".join(header) + "\n" + "," * (len(header) - 1) + "\n", "f.csv")
    assert [str(p) for p in problems] == [
        "f.csv, line 1, column 'c7': this column name appears more than once",
        "f.csv, line 1: column 50002 of the header has no name",
    ]


def test_a_place_may_name_its_region_where_geography_misleads(tmp_path):
    """An explicit `region` wins over the polygon; an empty one is derived from the point."""
    rows = fixtures.places()
    rows[0] = {**rows[0], "region": "Elsewhere"}
    cols = [f.name for f in fixtures.schema.PLACES.stored_fields]
    folder = fixtures.write_dataset(tmp_path / "data")
    fixtures.write_table(folder, "places", rows, columns=cols)
    places = load_dataset(folder).places.set_index("place_id")
    assert places.loc[rows[0]["place_id"], "region"] == "Elsewhere"
    derived = load_dataset(fixtures.write_dataset(tmp_path / "plain")).places.set_index("place_id")
    assert derived.loc[rows[0]["place_id"], "region"] != "Elsewhere"


def test_the_data_version_is_the_newest_changelog_date(tmp_path):
    (tmp_path / "CHANGELOG.md").write_text("# Data changelog\n\n## 2026-12-01\n\n- x\n\n## 2026-11-01\n", encoding="utf-8")
    assert data.load_data_version(tmp_path) == "2026-12-01"
    assert data.load_data_version(tmp_path / "missing") == "unversioned"
    assert data.load_data_version() == data.load_data_version(data.DATA_DIR) != "unversioned"
