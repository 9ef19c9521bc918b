"""Uploads: every malformed file gets a clear message, good rows are kept, nothing is lost."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest

from dashboard import uploads
from dashboard.data import load_dataset, load_regions
from tests.upload_corpus import CASES, EV_HEADER, EV_ROW, PL_HEADER, PL_ROW, ST_HEADER, ST_ROW, _csv


@pytest.fixture(scope="module")
def reference():
    return load_dataset(), load_regions()


def test_the_corpus_covers_at_least_40_files():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_file_gets_its_message_and_keeps_its_good_rows(case, reference):
    ds, regions = reference
    result = uploads.read_upload(case.name, case.data, case.kind, ds, regions)
    said = " ".join(result.messages) + " " + " ".join(result.rejects.get("reason", pd.Series(dtype=str)).astype(str))
    assert case.expect in said, said
    assert len(result.accepted) == case.accepted, (said, result.accepted)
    # Nothing is lost: every data row is either accepted or named in the rejects (or the file is refused whole).
    if result.accepted.shape[0] and "line" in result.rejects:
        assert result.accepted.shape[0] + result.rejects["line"].nunique() >= 1


def test_accepted_rows_are_marked_as_the_readers_and_get_regions(reference):
    ds, regions = reference
    case = next(c for c in CASES if c.name == "acled.csv")
    result = uploads.read_upload(case.name, case.data, "events", ds, regions)
    assert result.detected["format"] == "ACLED export"
    ev = result.accepted.set_index("event_id")
    assert ev.loc["acled-UKR1234", "date"] == pd.Timestamp("2022-02-24")
    assert ev.loc["acled-UKR1234", "region"] == "Black Sea"
    assert ev.loc["acled-UKR1234", "actors"] == ["rus"]
    assert set(ev.loc["acled-UKR1235", "actors"]) == {"rus", "ukr"}
    assert ev.loc["acled-UKR1234", "event_type"] == "armed_conflict"
    assert ev["is_user_data"].all()
    assert "3 fatalities" in ev.loc["acled-UKR1235", "summary"]


def test_user_event_region_comes_from_its_coordinates(reference):
    ds, regions = reference
    from tests.upload_corpus import EV_HEADER, EV_ROW2, _csv

    result = uploads.read_upload("e.csv", _csv(EV_HEADER, EV_ROW2), "events", ds, regions)
    assert result.accepted["region"].tolist() == ["Black Sea"]


def test_user_places_can_be_referenced_by_user_events(reference):
    ds, regions = reference
    from tests.upload_corpus import EV_HEADER, EV_ROW, PL_HEADER, PL_ROW, _csv

    places = uploads.read_upload("p.csv", _csv(PL_HEADER, PL_ROW), "places", ds, regions).accepted
    assert places["region"].tolist() == ["Black Sea"]
    ev = _csv(EV_HEADER, EV_ROW.replace(",sofia,", ",my-site,"))
    assert uploads.read_upload("e.csv", ev, "events", ds, regions).accepted.empty
    assert len(uploads.read_upload("e.csv", ev, "events", ds, regions, user_places=places).accepted) == 1


def test_rejects_carry_line_column_reason_and_the_original_cells(reference):
    ds, regions = reference
    case = next(c for c in CASES if c.name == "impossible_date.csv")
    rejects = uploads.read_upload(case.name, case.data, case.kind, ds, regions).rejects
    row = rejects.iloc[0]
    assert row["line"] == 3 and row["column"] == "date"
    assert row["original_event_id"] == "my-2"


def test_templates_round_trip_through_the_upload(reference):
    ds, regions = reference
    example = {
        "event_id": "my-1",
        "date": "2020-05-01",
        "title": "T",
        "summary": "S",
        "event_type": "exercise",
        "actors": "bgr",
        "place_id": "sofia",
        "source_title": "R",
        "source_publisher": "P",
        "source_date": "2020-05-01",
        "source_url": "https://example.org",
    }
    result = uploads.read_upload("t.csv", uploads.template_csv("events", example), "events", ds, regions)
    assert len(result.accepted) == 1 and result.rejects.empty


def test_exports_read_back_through_the_upload(reference):
    """An exported (formula-neutralised) CSV of the curated places uploads again once the ids are new."""
    ds, regions = reference
    from dashboard.export import to_csv_bytes

    frame = ds.places.drop(columns=["geometry", "region"]).assign(place_id=lambda f: "copy-" + f["place_id"])
    result = uploads.read_upload("export.csv", to_csv_bytes(frame), "places", ds, regions)
    assert len(result.accepted) == len(frame), result.rejects.head()


# ---- Limits, shapes and encodings a hostile file may try

ROOT = Path(__file__).resolve().parents[1]


def test_the_byte_limit_is_what_the_upload_widget_allows_on_every_platform():
    """server.maxUploadSize is in MB: the widget counts 1,000,000 bytes to the MB on Linux and macOS, 1,048,576 on Windows."""
    mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]["maxUploadSize"]
    assert uploads.MAX_BYTES == mb * 1_000_000 <= mb * 1024 * 1024


def test_a_file_of_exactly_the_byte_limit_is_read_and_one_byte_more_is_refused(reference):
    ds, regions = reference
    row = EV_ROW + "\n"
    body = (EV_HEADER + "\n" + row).encode()
    exact = body + b" " * (uploads.MAX_BYTES - len(body))  # trailing blanks: still one row
    assert len(exact) == uploads.MAX_BYTES
    assert len(uploads.read_upload("e.csv", exact, "events", ds, regions).accepted) == 1
    refused = uploads.read_upload("e.csv", exact + b" ", "events", ds, regions)
    assert refused.accepted.empty
    assert refused.messages == [
        f"e.csv is {uploads.MAX_BYTES + 1:,} bytes; the limit is 5 MB (5,000,000 bytes). Split it into smaller files."
    ]


def test_the_readme_and_the_page_state_every_upload_limit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your own data") : readme.index("## Performance")]
    for figure in (
        f"{uploads.MAX_BYTES:,} bytes",
        f"{uploads.MAX_ROWS:,} rows",
        f"{uploads.MAX_COLUMNS:,} columns",
        f"{uploads.MAX_CELL_CHARS:,} characters",
    ):
        assert figure in section, figure
        assert figure in uploads.limits_text()


def test_a_very_wide_header_is_refused_before_any_row_is_parsed(reference, monkeypatch):
    ds, regions = reference

    def must_not_run(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(uploads, "iter_csv_rows", must_not_run)
    wide = _csv(PL_HEADER + "".join(f",c{i}" for i in range(40_000)), PL_ROW + "," * 40_000)
    result = uploads.read_upload("wide.csv", wide, "places", ds, regions)
    assert result.accepted.empty
    assert result.messages[0].startswith(f"wide.csv has 40,014 columns; the limit is {uploads.MAX_COLUMNS}.")


def test_a_header_at_the_column_limit_is_read_and_its_extra_columns_named(reference):
    ds, regions = reference
    extra = uploads.MAX_COLUMNS - len(PL_HEADER.split(","))
    at_limit = _csv(PL_HEADER + "".join(f",c{i}" for i in range(extra)), PL_ROW + "," * extra)
    result = uploads.read_upload("p.csv", at_limit, "places", ds, regions)
    assert len(result.accepted) == 1
    assert f"c{extra - 1}." in result.messages[-1] and result.messages[-1].startswith("Ignored column(s)")
    over = _csv(PL_HEADER + "".join(f",c{i}" for i in range(extra + 1)), PL_ROW + "," * (extra + 1))
    assert uploads.read_upload("p.csv", over, "places", ds, regions).accepted.empty


def test_duplicate_columns_are_found_however_wide_the_header(reference):
    ds, regions = reference
    extra = uploads.MAX_COLUMNS - len(PL_HEADER.split(",")) - 1
    header = PL_HEADER + "".join(f",c{i}" for i in range(extra)) + ",NAME"
    result = uploads.read_upload("p.csv", _csv(header, PL_ROW + "," * extra + ",x"), "places", ds, regions)
    assert result.messages == ["p.csv: the column(s) name appear more than once in the header."]


def test_more_rows_than_the_limit_are_refused_without_reading_them_all(reference):
    ds, regions = reference
    many = ("place_id\n" + "x\n" * 1_000_000).encode()
    result = uploads.read_upload("p.csv", many, "places", ds, regions)
    assert result.messages == [
        f"p.csv has more than {uploads.MAX_ROWS:,} rows; the limit is {uploads.MAX_ROWS:,}. Split it into smaller files."
    ]


def test_a_file_mixing_utf8_and_windows_1252_reads_each_line_right_and_names_the_lines(reference):
    ds, regions = reference
    case = next(c for c in CASES if c.name == "mixed_encodings.csv")
    result = uploads.read_upload(case.name, case.data, "places", ds, regions)
    assert result.accepted["name"].tolist() == ["Café Zürich", "Café Zürich"]
    assert result.detected["encoding"] == "UTF-8 and Windows-1252"
    assert "line 3 as Windows-1252, and the rest as UTF-8" in result.messages[0]


@pytest.mark.parametrize(
    ("raw", "encoding", "error"),
    [
        ("a,b\nCafé,1\n".encode("cp1252"), "Windows-1252", None),
        ("a,b\nCafé,1\n".encode("utf-16-le"), "UTF-16 (little-endian, no byte-order mark)", None),
        ("a,b\nКафе,1\n".encode("utf-16-be"), "UTF-16 (big-endian, no byte-order mark)", None),
        (b"a,b\nx,\x81\n", "unknown", "invalid bytes on line 2"),
        ("a,b\n1,2\n".encode("utf-16") + "\x00,3\n".encode("utf-16-le"), "UTF-16", "NUL bytes, on line 3"),
        (b"\xef\xbb\xbfa,b\n1,\x002\n", "UTF-8 with BOM", "NUL bytes, on line 2"),
    ],
    ids=["windows-1252", "utf16le-no-bom", "utf16be-no-bom", "neither", "nul-in-utf16", "nul-after-bom"],
)
def test_decode_names_the_encoding_or_the_fault(raw, encoding, error):
    decoded = uploads.decode(raw)
    assert decoded.encoding == encoding
    if error:
        assert decoded.text is None and error in decoded.error
    else:
        assert decoded.text.splitlines()[1].split(",")[0] in ("Café", "Кафе")


def test_nul_characters_anywhere_are_refused_and_their_lines_named(reference):
    ds, regions = reference
    rows = [EV_ROW.replace("my-1", f"my-{i}") for i in range(200)]
    rows[150] = rows[150].replace("Drill", "Dr\x00ill")
    rows[180] = rows[180].replace("Drill", "Dr\x00ill")
    result = uploads.read_upload("e.csv", _csv(EV_HEADER, *rows), "events", ds, regions)
    assert result.accepted.empty
    assert "NUL bytes, on lines 152 and 182" in result.messages[0]


def test_a_cell_over_the_limit_is_named_with_its_line_and_the_rows_before_it_are_kept(reference):
    ds, regions = reference
    long_row = ST_ROW.replace("my-st", "my-long").replace("We said this.", "x" * (uploads.MAX_CELL_CHARS + 1))
    result = uploads.read_upload("s.csv", _csv(ST_HEADER, ST_ROW, long_row), "statements", ds, regions)
    assert result.accepted["statement_id"].tolist() == ["my-st"]
    reject = result.rejects.iloc[0]
    assert reject["line"] == 3
    assert f"longer than {uploads.MAX_CELL_CHARS:,} characters, the limit for one cell" in reject["reason"]
    assert "unclosed quote" not in reject["reason"]


def test_an_uploaded_place_may_name_its_own_region(reference):
    """A point on the Romanian coast is in the Black Sea theatre, unless the row names a region of its own."""
    ds, regions = reference
    derived = uploads.read_upload("p.csv", _csv(PL_HEADER, PL_ROW), "places", ds, regions).accepted
    assert derived["region"].tolist() == ["Black Sea"]
    own = uploads.read_upload("p.csv", _csv(PL_HEADER + ",region", PL_ROW + ",Elsewhere"), "places", ds, regions)
    assert own.accepted["region"].tolist() == ["Elsewhere"]
    bad = uploads.read_upload("p.csv", _csv(PL_HEADER + ",region", PL_ROW + ",Atlantis"), "places", ds, regions)
    assert bad.accepted.empty and "'Atlantis' is not one of the allowed values" in bad.rejects["reason"].iloc[0]


# ---- Compressed files and limits set by a self-hosted deployment


def _events_file(n: int = 3) -> bytes:
    return (EV_HEADER + "\n" + "".join(EV_ROW.replace("my-", f"my-{i}-", 1) + "\n" for i in range(n))).encode()


def test_a_gzip_and_a_zip_of_one_csv_are_read_like_the_csv(reference):
    import gzip
    import io
    import zipfile

    ds, regions = reference
    plain = uploads.read_upload("e.csv", _events_file(), "events", ds, regions)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/e.csv", _events_file())
    for name, data, compression in (
        ("e.csv.gz", gzip.compress(_events_file()), "gzip"),
        ("e.zip", buf.getvalue(), "zip (export/e.csv)"),
    ):
        result = uploads.read_upload(name, data, "events", ds, regions)
        assert result.detected["compression"] == compression
        assert result.accepted.drop(columns="geometry", errors="ignore").equals(
            plain.accepted.drop(columns="geometry", errors="ignore")
        )


def test_a_zip_bomb_stops_at_the_unpacked_cap_and_names_it(reference, monkeypatch):
    import gzip

    ds, regions = reference
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_TEXT_BYTES", "1000000")
    bomb = gzip.compress(b"a" * 50_000_000)  # 50 MB of text in about 50 kB
    assert len(bomb) < 100_000
    result = uploads.read_upload("bomb.csv.gz", bomb, "events", ds, regions)
    assert result.accepted.empty
    assert result.messages == [
        "bomb.csv.gz holds more than 1 MB (1,000,000 bytes) of text once unpacked; that is the limit. Split it into smaller files."
    ]


def test_a_zip_that_is_not_one_csv_is_refused_by_name(reference):
    import io
    import zipfile

    ds, regions = reference
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/workbook.xml", "<x/>")
    result = uploads.read_upload("book.xlsx", buf.getvalue(), "events", ds, regions)
    assert "holding [Content_Types].xml, xl/workbook.xml; a zip file must hold exactly one CSV file" in result.messages[0]


def test_limits_come_from_the_environment_and_every_message_names_them(reference, monkeypatch):
    ds, regions = reference
    assert uploads.limits() == (uploads.MAX_BYTES, uploads.MAX_ROWS, uploads.MAX_COLUMNS, uploads.MAX_TEXT_BYTES)
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_ROWS", "2")
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_BYTES", "600_000_000")
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_COLUMNS", "not a number")  # ignored: the default stands
    assert uploads.limits().max_bytes == 600_000_000 and uploads.limits().max_columns == uploads.MAX_COLUMNS
    assert "600 MB (600,000,000 bytes), 2 rows, 200 columns" in uploads.limits_text()
    refused = uploads.read_upload("e.csv", _events_file(3), "events", ds, regions)
    assert refused.messages == ["e.csv has more than 2 rows; the limit is 2. Split it into smaller files."]
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_BYTES", "100")
    assert (
        uploads.read_upload("e.csv", _events_file(3), "events", ds, regions)
        .messages[0]
        .endswith("the limit is 0.0001 MB (100 bytes). Split it into smaller files.")
    )


# ---- Large files: read in batches, with progress


def _mixed_events_file(n: int = 60) -> bytes:
    """`n` events, with an id used again 30 rows later, an impossible date and a ragged row among them."""
    rows = [EV_ROW.replace("my-", f"my-{i}-", 1) for i in range(n)]
    rows[40] = rows[5]  # the same id in another batch
    rows[20] = rows[20].replace("2020-05-01", "2020-02-31")
    rows[33] = rows[33] + ",extra"
    return _csv(EV_HEADER, *rows)


def test_reading_in_batches_gives_what_one_read_gives_and_reports_progress(reference, monkeypatch):
    ds, regions = reference
    data = _mixed_events_file()
    whole = uploads.read_upload("e.csv", data, "events", ds, regions)
    assert len(whole.accepted) == 57 and len(whole.rejects) == 3
    monkeypatch.setattr(uploads, "BATCH_ROWS", 7)
    told: list[tuple[float, str]] = []
    batched = uploads.read_upload("e.csv", data, "events", ds, regions, progress=lambda f, text: told.append((f, text)))
    assert batched.accepted.reset_index(drop=True).equals(whole.accepted.reset_index(drop=True))
    columns = ["line", "column", "reason"]
    assert sorted(map(tuple, batched.rejects[columns].astype(str).values)) == sorted(
        map(tuple, whole.rejects[columns].astype(str).values)
    )
    assert "'my-5-1' is already used on line 7; ids must be unique" in batched.rejects["reason"].tolist()
    assert batched.messages == whole.messages
    fractions = [f for f, _ in told]
    assert len(fractions) >= 60 // 7 + 1 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert told[-1][1] == "Checked 60 rows of e.csv…"


def test_a_file_over_the_row_limit_is_refused_before_its_later_rows_are_checked(reference, monkeypatch):
    ds, regions = reference
    checked: list[int] = []
    validate = uploads.validate_rows

    def counting(table, header, rows, label):
        checked.append(len(rows))
        return validate(table, header, rows, label)

    monkeypatch.setattr(uploads, "validate_rows", counting)
    monkeypatch.setattr(uploads, "BATCH_ROWS", 10)
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_ROWS", "25")
    result = uploads.read_upload("e.csv", _events_file(1000), "events", ds, regions)
    assert result.messages == ["e.csv has more than 25 rows; the limit is 25. Split it into smaller files."]
    assert sum(checked) <= 30  # the batches up to the limit, not the thousand rows


def test_a_compressed_file_is_unpacked_no_further_than_the_limit(reference, monkeypatch):
    import gzip
    import io
    import zipfile

    ds, regions = reference
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_TEXT_BYTES", "200000")
    text = _events_file(5000)  # about 600 kB of CSV
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("e.csv", text)
    asked: list[int] = []
    for opener, name, data in (
        (gzip.GzipFile, "e.csv.gz", gzip.compress(text)),
        (zipfile.ZipExtFile, "e.zip", buf.getvalue()),
    ):
        read = opener.read

        def counted(self, size=-1, _read=read):
            asked.append(size)
            return _read(self, size)

        monkeypatch.setattr(opener, "read", counted)
        result = uploads.read_upload(name, data, "events", ds, regions)
        assert result.accepted.empty
        assert result.messages == [
            f"{name} holds more than 0.2 MB (200,000 bytes) of text once unpacked; that is the limit. Split it into smaller files."
        ]
        assert asked and all(0 < size <= 200_001 for size in asked), asked
        asked.clear()


def test_the_size_of_an_upload_is_refused_by_its_number_alone(monkeypatch):
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_BYTES", "1000000")
    assert uploads.size_refusal("big.csv.gz", 1_000_000) is None
    assert uploads.size_refusal("big.csv.gz", 1_000_001) == (
        "big.csv.gz is 1,000,001 bytes; the limit is 1 MB (1,000,000 bytes). Split it into smaller files."
    )


def test_a_large_acled_export_is_read_whole_with_repeated_values_held_once(reference, monkeypatch, tmp_path):
    from benchmarks.synthetic import acled_export

    ds, regions = reference
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_ROWS", "60000")
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_BYTES", "50000000")
    monkeypatch.setenv("INF_WATCH_UPLOAD_MAX_TEXT_BYTES", "50000000")
    path = acled_export(tmp_path / "acled.csv.gz", 60_000)
    result = uploads.read_upload(path.name, path.read_bytes(), "events", ds, regions)
    assert result.detected["format"] == "ACLED export" and result.detected["compression"] == "gzip"
    assert len(result.accepted) == 60_000 and result.rejects.empty
    assert result.accepted["event_id"].is_unique and set(result.accepted["region"]) >= {"Black Sea"}
    actors = result.accepted["actors"]  # lists, one per row: equal ones are one list
    assert len({id(a) for a in actors}) == len({tuple(a) for a in actors}) < 10
    # Nothing of the file is remembered once it is read: cells kept in a cache pinned the memory the read had used.
    assert uploads._acled_date.cache_info().currsize == 0 and uploads._acled_timestamp.cache_info().currsize == 0
