"""The data layer: loads and validates the curated tables into pandas / geopandas frames.

Public API for analysts (no Streamlit needed):

    from dashboard.data import (load_events, load_places, load_statements, load_missiles,
                                load_actors, load_countries, load_regions)

Every loader takes an optional `data_dir` (default: the repo's `data/` folder). A broken file raises
`DataValidationError`, whose message names the file, the line, the column and the problem.
Run `python -m dashboard.data --check` to validate the whole folder.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard import schema
from dashboard.schema import Field, Table

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
# Points the app at another folder of data files (used by tests and for previewing edits).
DATA_DIR_ENV = "INF_WATCH_DATA_DIR"
COUNTRIES_FILE = "countries.geojson"
OCCUPIED_FILE = "occupied_areas.geojson"
REGIONS_FILE = "regions.geojson"
SOURCES_FILE = schema.SOURCES.file
# What changed in the data, newest first; its newest `## YYYY-MM-DD` heading is the data version.
CHANGELOG_FILE = "CHANGELOG.md"
_VERSION_RE = re.compile(r"^## (\d{4}-\d{2}-\d{2})\b", re.MULTILINE)

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_MAX_ERRORS_SHOWN = 20
# Longest cell any file may hold, in characters: the csv module's own field limit (131,072), named here so that
# messages and the README can state it (test_data.py checks the two agree). A longer cell stops the csv reader.
MAX_CELL_CHARS = 131_072


@dataclass(frozen=True)
class Problem:
    """One fault in one cell (or row, or file) of a data file."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataValidationError(ValueError):
    """A data file broke the schema. `problems` lists every fault; the message shows them."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:_MAX_ERRORS_SHOWN]]
        more = len(self.problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more problems" if more > 0 else "")
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the data:\n{text}")


# --------------------------------------------------------------------------------------------
# Reading CSV text with line numbers


def read_csv_rows(
    text: str, label: str, max_rows: int = sys.maxsize
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """Parse CSV text into (header, [(line_number, row)], problems) without losing any row.

    Ragged rows, duplicated or empty column names, and unclosed quotes are reported as problems.
    Reading stops after `max_rows + 1` data records (good or ragged), enough for the caller to refuse the file.
    """
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for batch_header, batch, batch_problems in iter_csv_rows(text, label, max_rows, batch_rows=sys.maxsize):
        header = batch_header
        rows.extend(batch)
        problems.extend(batch_problems)
    return header, rows, problems


def iter_csv_rows(
    text: str, label: str, max_rows: int = sys.maxsize, batch_rows: int = 20_000
) -> Iterator[tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]]:
    """`read_csv_rows` in batches of at most `batch_rows` rows: (header, rows, problems) for each, the last one
    possibly empty, so that a large file never has all its rows as Python dicts at once. The header's problems come
    with the first batch."""
    problems: list[Problem] = []
    records = 0
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        yield [], [], [Problem(label, None, None, "the file is empty (expected a header row)")]
        return
    # Text with only \n line ends is read line by line in place; StringIO would first copy it at four bytes a character.
    source = io.StringIO(text, newline="") if "\r" in text else _split_lines(text)
    reader = csv.reader(source, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] = []
    start_line = 1
    try:
        for record in reader:
            line = start_line
            start_line = reader.line_num + 1
            if not header:
                header = [h.strip() for h in record]
                problems.extend(_header_problems(header, line, label))
                continue
            if not "".join(record).strip():
                continue  # blank line: nothing to lose
            records += 1
            if records > max_rows + 1:
                break
            if len(record) != len(header):
                problems.append(
                    Problem(label, line, None, f"this row has {len(record)} cells but the header has {len(header)} columns")
                )
                continue
            rows.append((line, dict(zip(header, record, strict=True))))
            if len(rows) >= batch_rows:
                yield header, rows, problems
                rows, problems = [], []
    except csv.Error as exc:
        problems.append(Problem(label, start_line, None, _malformed_csv_message(exc)))
    yield header, rows, problems


def _split_lines(text: str) -> Iterator[str]:
    """The lines of `text`, each with its \\n, one at a time."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _header_problems(header: list[str], line: int, label: str) -> list[Problem]:
    """Columns without a name, and names used twice (a set, so that a very wide header costs no more than its length)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        if not h:
            problems.append(Problem(label, line, None, f"column {i + 1} of the header has no name"))
        elif h in seen:
            problems.append(Problem(label, line, h, "this column name appears more than once"))
        seen.add(h)
    return problems


def _malformed_csv_message(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (
            f"a cell starting on this line is longer than {MAX_CELL_CHARS:,} characters, the limit for one cell "
            "(or a quote opened here is never closed); this line and the lines after it were not read"
        )
    return f"the CSV is malformed ({exc}); check for an unclosed quote"


# --------------------------------------------------------------------------------------------
# Validating one table


def _parse_date_cell(fld: Field, value: str) -> tuple[object, str | None]:
    if not _DATE_RE.match(value):
        return None, f"'{value}' is not a date in the form YYYY-MM-DD"
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return None, f"'{value}' is not a real calendar date"
    if parsed > date.today():
        return None, f"{value} is in the future"
    if parsed.year < 1800:
        return None, f"{value} is before 1800: check the year"
    return pd.Timestamp(parsed), None


def _parse_float_cell(fld: Field, value: str) -> tuple[object, str | None]:
    try:
        number = float(value)
    except ValueError:
        return None, f"'{value}' is not a number"
    if number != number:  # NaN
        return None, f"'{value}' is not a number"
    unit = f" {fld.unit}" if fld.unit else ""
    if fld.min_value is not None and number < fld.min_value:
        return None, f"{value} is below the allowed minimum of {fld.min_value:g}{unit}"
    if fld.max_value is not None and number > fld.max_value:
        return None, f"{value} is above the allowed maximum of {fld.max_value:g}{unit}"
    return number, None


_BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _parse_bool_cell(fld: Field, value: str) -> tuple[object, str | None]:
    parsed = _BOOL_WORDS.get(value.lower())
    return (parsed, None) if parsed is not None else (None, f"'{value}' is not true or false")


def _parse_url_cell(fld: Field, value: str) -> tuple[object, str | None]:
    return (value, None) if _URL_RE.match(value) else (None, f"'{value}' is not an http(s) web address")


def _parse_list_cell(fld: Field, value: str) -> tuple[object, str | None]:
    items = [item.strip() for item in value.split(";") if item.strip()]
    bad = [item for item in items if item not in fld.allowed] if fld.allowed else []
    if bad:
        return None, f"{', '.join(repr(b) for b in bad)} not among the allowed values ({', '.join(fld.allowed)})"
    return items, None


def _parse_text_cell(fld: Field, value: str) -> tuple[object, str | None]:
    if fld.allowed and value not in fld.allowed:
        return None, f"'{value}' is not one of the allowed values ({', '.join(fld.allowed)})"
    return value, None


_CELL_PARSERS = {
    "date": _parse_date_cell,
    "float": _parse_float_cell,
    "bool": _parse_bool_cell,
    "url": _parse_url_cell,
    "list": _parse_list_cell,
}


def _parse_cell(fld: Field, raw: str) -> tuple[object, str | None]:
    """Turn one raw cell into its typed value, or return an error message."""
    value = raw.strip()
    if value == "":
        if fld.required:
            return None, "is required but empty"
        return ([] if fld.kind == "list" else None), None
    return _CELL_PARSERS.get(fld.kind, _parse_text_cell)(fld, value)


def _default_column(fld: Field, n: int) -> pd.Series:
    if fld.kind == "list":
        return pd.Series([[] for _ in range(n)], dtype=object)
    if fld.kind == "date":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if fld.kind == "float":
        return pd.Series(float("nan"), index=range(n), dtype="float64")
    if fld.kind == "bool":
        return pd.Series(pd.NA, index=range(n), dtype="boolean")
    return pd.Series("", index=range(n), dtype=object).astype(str)


def _parse_column(fld: Field, cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised `_parse_cell` for a whole column: (typed values, ok mask). Messages come from `_parse_cell`."""
    text = cells.str.strip()
    empty = text == ""
    ok = ~empty if fld.required else pd.Series(True, index=cells.index)
    if fld.kind == "date":
        parsed = pd.to_datetime(text.where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), None), format="%Y-%m-%d", errors="coerce")
        good = parsed.notna() & (parsed <= pd.Timestamp(date.today())) & (parsed.dt.year >= 1800)
        ok &= empty | good
        return parsed.where(good).astype("datetime64[ns]"), ok
    if fld.kind == "float":
        numbers = pd.to_numeric(text.where(~empty, None), errors="coerce").astype("float64")
        good = numbers.notna() & (numbers.abs() != float("inf"))
        if fld.min_value is not None:
            good &= numbers >= fld.min_value
        if fld.max_value is not None:
            good &= numbers <= fld.max_value
        ok &= empty | good
        return numbers.where(good), ok
    if fld.kind == "bool":
        low = text.str.lower()
        truthy, falsy = low.isin(("true", "yes", "1")), low.isin(("false", "no", "0"))
        ok &= empty | truthy | falsy
        return truthy.where(truthy | falsy, pd.NA).astype("boolean"), ok
    if fld.kind == "url":
        ok &= empty | text.str.match(_URL_RE.pattern, case=False)
        return text, ok
    if fld.kind == "list":
        items = pd.Series(
            [[i.strip() for i in v.split(";") if i.strip()] for v in text.tolist()], index=cells.index, dtype=object
        )
        if fld.allowed:
            flat = items.explode().dropna()
            bad_idx = set(flat[~flat.isin(fld.allowed)].index)
            ok &= ~cells.index.isin(bad_idx)
        return items, ok
    if fld.allowed:
        ok &= empty | text.isin(fld.allowed)
    return text, ok


def validate_rows(
    table: Table, header: list[str], rows: list[tuple[int, dict[str, str]]], label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check a table's rows against its schema; return the typed frame of good rows and all problems.

    The frame carries a `_line` column with each row's line number in its file.
    """
    lines = pd.Series([line for line, _ in rows], dtype="int64")
    raw = pd.DataFrame([row for _, row in rows], columns=list(dict.fromkeys(h for h in header if h)))
    raw.index = lines.index
    return validate_frame(table, header, raw, lines, label)


def validate_frame(
    table: Table, header: list[str], raw: pd.DataFrame, lines: pd.Series, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """`validate_rows` for cells already in a frame of strings, with each row's line number in `lines`."""
    problems: list[Problem] = []
    stored = table.stored_fields
    names = {f.name for f in stored}
    present = set(header)  # sets, not lists: a header of thousands of columns must not cost its square
    missing = [f.name for f in stored if f.required and f.name not in present]
    if missing:
        problems.append(Problem(label, 1, None, f"required column(s) missing from the header: {', '.join(missing)}"))
    derived = {f.name for f in table.fields if f.derived}
    expected = ", ".join(sorted(names))
    for h in header:
        if h and h not in names:
            hint = " (it is computed on load)" if h in derived else ""
            problems.append(Problem(label, 1, h, f"unknown column{hint}; expected columns are {expected}"))
    frame = pd.DataFrame({"_line": lines})
    bad_rows = pd.Series(False, index=lines.index)
    for fld in stored:
        if fld.name not in raw.columns:
            frame[fld.name] = _default_column(fld, len(lines))
            continue
        cells = raw[fld.name].fillna("").astype(str)
        values, ok = _parse_column(fld, cells)
        if fld.unique:
            dup = ok & (cells.str.strip() != "") & cells.str.strip().duplicated(keep="first")
            first_line = dict(zip(cells.str.strip()[~dup], lines[~dup], strict=True))
            for i in dup[dup].index:
                value = cells[i].strip()
                problems.append(
                    Problem(
                        label,
                        int(lines[i]),
                        fld.name,
                        f"'{value}' is already used on line {first_line[value]}; ids must be unique",
                    )
                )
            bad_rows |= dup
        for i in ok[~ok].index:
            _, error = _parse_cell(fld, cells[i])
            problems.append(Problem(label, int(lines[i]), fld.name, error or "is not valid"))
        bad_rows |= ~ok
        frame[fld.name] = values
    frame = frame[~bad_rows].reset_index(drop=True)
    order = {f.name: i for i, f in enumerate(stored)}
    problems.sort(key=lambda p: (p.line or 0, order.get(p.column, -1)))
    problems.extend(_check_rules(table, frame, label))
    return frame, problems


def _physical_lines(body: str):
    """The lines of `body`, each with its line break, one at a time (no list of every line, no UCS-4 buffer)."""
    start = 0
    while True:
        stop = body.find("\n", start)
        if stop < 0:
            yield body[start:]
            return
        yield body[start : stop + 1]
        start = stop + 1


def read_simple_csv(text: str) -> tuple[list[str], pd.DataFrame, pd.Series] | None:
    """Parse well-formed CSV text with pyarrow's CSV reader: (header, cells as strings, line numbers).

    Returns None unless every record is one physical line with exactly the header's number of cells,
    so that line numbers are exact; the caller then uses `read_csv_rows`, which reports each fault.
    Windows line ends are accepted. Cells are read straight into Arrow strings, which keeps the peak
    memory of a large file near the size of the file.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if text.startswith("\ufeff"):
        text = text[1:]
    body = text.rstrip("\r\n")
    if "\r" in body:
        body = body.replace("\r\n", "\n")  # Windows line ends (Python's csv module writes them too)
    if not body or "\r" in body or "\n\n" in body:
        return None
    # One cheap pass (no row objects kept): every record one line, every record the header's width.
    reader = csv.reader(_physical_lines(body), strict=True)
    try:
        header = next(reader)
        for count, record in enumerate(reader, start=2):
            if len(record) != len(header) or reader.line_num != count:
                return None
    except (csv.Error, StopIteration):
        return None
    n_rows = reader.line_num - 1
    stripped = [h.strip() for h in header]
    if len(set(stripped)) != len(stripped) or "" in stripped:
        return None  # duplicate or missing column names: take the careful path, which names them
    try:
        table = pacsv.read_csv(
            pa.BufferReader(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != n_rows or table.column_names != header:
        return None
    raw = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get)
    del table
    raw.columns = stripped
    lines = pd.Series(range(2, n_rows + 2), dtype="int64")
    raw.index = lines.index
    return stripped, raw, lines


def row_keys(table: Table, rows: list[tuple[int, dict[str, str]]]) -> set[str]:
    """Ids of every row, valid or not, so that one bad row does not cascade into reference errors."""
    return {(row.get(table.key) or "").strip() for _, row in rows} - {""}


def _check_rules(table: Table, frame: pd.DataFrame, label: str) -> list[Problem]:
    """Row rules that span columns."""
    problems: list[Problem] = []
    if table.name == "missiles":
        bad = frame[frame["range_km_min"] > frame["range_km_max"]]
        for _, r in bad.iterrows():
            problems.append(Problem(label, int(r["_line"]), "range_km_min", "is greater than range_km_max"))
    if table.name == "places" and "start_date" in frame:
        bad = frame[frame["end_date"].notna() & frame["start_date"].notna() & (frame["end_date"] < frame["start_date"])]
        for _, r in bad.iterrows():
            problems.append(Problem(label, int(r["_line"]), "end_date", "is before start_date"))
    if table.name == "statements":
        bad = frame[(frame["quote_type"] == "translation") & (frame["translated_by"] == "")]
        for _, r in bad.iterrows():
            problems.append(Problem(label, int(r["_line"]), "translated_by", "a translation must say whose translation it is"))
    return problems


def check_references(
    frames: dict[str, pd.DataFrame], labels: dict[str, str], keys: dict[str, set[str]] | None = None
) -> list[Problem]:
    """Every reference (e.g. events.place_id → places.place_id) must resolve.

    `keys` may give the ids of every row of a table, including rows rejected for other faults.
    """
    problems: list[Problem] = []
    keys = keys or {}
    for name, table in schema.TABLES.items():
        if name not in frames:
            continue
        frame = frames[name]
        for fld in table.stored_fields:
            if not fld.references:
                continue
            target_table, target_col = fld.references.split(".")
            if target_table not in frames:
                continue
            known = set(frames[target_table][target_col]) | keys.get(target_table, set())
            values = frame[fld.name].explode() if fld.kind == "list" else frame[fld.name]
            values = values[values.notna() & (values != "")]
            unknown = values[~values.isin(known)]
            for idx, v in unknown.items():
                line = int(frame.at[idx, "_line"])
                problems.append(
                    Problem(labels[name], line, fld.name, f"'{v}' does not match any {target_col} in {labels[target_table]}")
                )
    return problems


# --------------------------------------------------------------------------------------------
# Derived columns


def assign_regions(points: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """Region of each point by spatial join with the region polygons; `Elsewhere` outside them all."""
    if points.empty:
        return pd.Series([], index=points.index, dtype=str)
    joined = gpd.sjoin(points[["geometry"]], regions[["region", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["region"].reindex(points.index).fillna(schema.REGION_ELSEWHERE).astype(str)


def place_regions(points: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """Each place's region: the one its `region` column names, else the polygon its point lies in (`assign_regions`)."""
    derived = assign_regions(points, regions)
    if "region" not in points.columns:
        return derived
    given = points["region"].fillna("").astype(str).str.strip()
    return given.where(given.isin(schema.REGIONS), derived).astype(str)


def _to_places_gdf(frame: pd.DataFrame, regions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    gdf["region"] = place_regions(gdf, regions)
    return gdf


def regions_of_places(place_ids: Iterable[str], region_of_place: Mapping[str, str]) -> list[str]:
    """The region of each place id (an event's region is its place's); `Elsewhere` for an unknown place."""
    return [region_of_place.get(p, schema.REGION_ELSEWHERE) for p in place_ids]


def derive_statements(
    statements: pd.DataFrame, region_of_place: Mapping[str, str], region_of_event: Mapping[str, str]
) -> pd.DataFrame:
    """`statements` with the derived `is_verbatim` (not a paraphrase) and `region` columns.

    A statement belongs to a region if its place, or failing that its event's place, lies in one.
    """
    regions = [
        next(
            (r for r in (region_of_place.get(p), region_of_event.get(e)) if r and r != schema.REGION_ELSEWHERE),
            schema.REGION_ELSEWHERE,
        )
        for p, e in zip(statements["place_id"], statements["event_id"], strict=True)
    ]
    return statements.assign(is_verbatim=statements["quote_type"] != "paraphrase", region=regions)


def _derive(frames: dict[str, pd.DataFrame], regions: gpd.GeoDataFrame) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    region_of_place: dict[str, str] = {}
    region_of_event: dict[str, str] = {}
    if "places" in out:
        out["places"] = _to_places_gdf(out["places"], regions)
        region_of_place = dict(zip(out["places"]["place_id"], out["places"]["region"], strict=True))
    if "events" in out:
        out["events"] = out["events"].assign(region=regions_of_places(out["events"]["place_id"], region_of_place))
        region_of_event = dict(zip(out["events"]["event_id"], out["events"]["region"], strict=True))
    if "statements" in out:
        out["statements"] = derive_statements(out["statements"], region_of_place, region_of_event)
    if "missiles" in out:
        out["missiles"] = out["missiles"].assign(inf_class=[schema.inf_class(r) for r in out["missiles"]["range_km_max"]])
    return out


# --------------------------------------------------------------------------------------------
# Loading


@dataclass
class Dataset:
    """All curated tables, validated together, with derived columns added."""

    actors: pd.DataFrame
    places: gpd.GeoDataFrame
    events: pd.DataFrame
    statements: pd.DataFrame
    missiles: pd.DataFrame
    range_claims: pd.DataFrame


def _read_text(path: Path, label: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataValidationError([Problem(label, None, None, "the file is missing")]) from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataValidationError([Problem(label, line, None, "the file contains a NUL character, which text never does")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataValidationError([Problem(label, line, None, "the file is not valid UTF-8 text")]) from None


def default_data_dir() -> Path:
    """The repo's data/ folder, or the folder named by $INF_WATCH_DATA_DIR."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else DATA_DIR


def _label(data_dir: Path, file: str) -> str:
    # Always relative: messages reach readers, and a server's folders are none of their business.
    return f"data/{file}"


# What the app needs from each GeoJSON file: the properties of every feature. Every feature is an area.
GEOJSON_FILES = {
    REGIONS_FILE: ("region", "description"),
    COUNTRIES_FILE: ("name", "iso_n3"),
    OCCUPIED_FILE: ("name", "country", "occupied_by", "occupied_since"),
}
_AREA_TYPES = ("Polygon", "MultiPolygon")


def load_regions(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Region polygons (EPSG:4326): columns `region, description, geometry`."""
    data_dir = Path(data_dir or default_data_dir())
    return _read_geojson(data_dir, REGIONS_FILE)


def load_countries(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Country boundaries from Natural Earth 1:10m (EPSG:4326), Crimea as part of Ukraine.

    Columns: `name, iso_n3, geometry`. Occupied areas are in `load_occupied_areas()`.
    """
    data_dir = Path(data_dir or default_data_dir())
    return _read_geojson(data_dir, COUNTRIES_FILE)


def load_occupied_areas(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Areas under occupation: columns `name, country, occupied_by, occupied_since, geometry`."""
    data_dir = Path(data_dir or default_data_dir())
    return _read_geojson(data_dir, OCCUPIED_FILE)


def _read_geojson(data_dir: Path, file: str) -> gpd.GeoDataFrame:
    columns = GEOJSON_FILES[file]
    label = _label(data_dir, file)
    path = data_dir / file
    if not path.exists():
        raise DataValidationError([Problem(label, None, None, "the file is missing")])
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        # GDAL's message names the file by its server path and ends with advice on drivers: keep the finding only.
        reason = str(exc).replace(str(path.resolve()), label).replace(str(path), label).split("; It might help")[0].rstrip(".")
        raise DataValidationError(
            [Problem(label, None, None, f"cannot be read as GeoJSON ({reason}); the file may be cut short or not GeoJSON at all")]
        ) from None
    problems = _geojson_problems(gdf, columns, label)
    if problems:
        raise DataValidationError(problems)
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf[[*columns, "geometry"]]


def _geojson_problems(gdf: gpd.GeoDataFrame, columns: tuple[str, ...], label: str) -> list[Problem]:
    """Missing properties, no features at all, or features that are not areas (polygons)."""
    problems = [Problem(label, None, c, "property missing from the features") for c in columns if c not in gdf.columns]
    if gdf.empty:
        return [*problems, Problem(label, None, None, "the file has no features")]
    kinds = gdf.geometry.geom_type.fillna("no geometry")
    wrong = kinds[~kinds.isin(_AREA_TYPES)]
    if len(wrong):
        problems.append(
            Problem(
                label,
                None,
                None,
                f"{len(wrong):,} feature(s) are not areas (feature {wrong.index[0] + 1} has {wrong.iloc[0]}); "
                f"every feature must be a {' or '.join(_AREA_TYPES)}",
            )
        )
    return problems


def check_sources(data_dir: Path) -> list[Problem]:
    """Problems in `sources.csv`: each row checked against `schema.SOURCES`, and a record for every file the app reads."""
    table = schema.SOURCES
    label = _label(data_dir, table.file)
    try:
        text = _read_text(data_dir / table.file, label)
    except DataValidationError as exc:
        return exc.problems
    header, rows, problems = read_csv_rows(text, label)
    if not header:
        return problems
    _, row_problems = validate_rows(table, header, rows, label)
    recorded = row_keys(table, rows)
    needed = [t.file for t in schema.TABLES.values()] + list(GEOJSON_FILES) + [t.file for t in schema.REFERENCE_TABLES.values()]
    absent = [
        Problem(label, None, "file", f"no record for data/{f}: every file needs its source and licence")
        for f in needed
        if f not in recorded
    ]
    return [*problems, *row_problems, *absent]


def check_support_files(data_dir: Path) -> list[Problem]:
    """Problems in the files beside the tables that the app reads: every GeoJSON file, and `sources.csv`."""
    problems = check_sources(data_dir)
    for file in GEOJSON_FILES:
        try:
            _read_geojson(data_dir, file)
        except DataValidationError as exc:
            problems.extend(exc.problems)
    return problems


def load_dataset(data_dir: Path | None = None) -> Dataset:
    """Load and validate every table together; raise DataValidationError listing every problem."""
    data_dir = Path(data_dir or default_data_dir())
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    keys: dict[str, set[str]] = {}
    problems: list[Problem] = []
    for name in schema.LOAD_ORDER:
        table = schema.TABLES[name]
        label = _label(data_dir, table.file)
        labels[name] = label
        try:
            text = _read_text(data_dir / table.file, label)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            continue
        simple = read_simple_csv(text)
        if simple is not None:
            # Large, well-formed files: pyarrow's CSV reader, straight into Arrow strings.
            header, raw, lines = simple
            del text
            frame, row_problems = validate_frame(table, header, raw, lines, label)
            keys[name] = set(raw[table.key].str.strip()) - {""} if table.key in raw else set()
            del raw
        else:
            header, rows, read_problems = read_csv_rows(text, label)
            problems.extend(read_problems)
            if not header:
                continue
            frame, row_problems = validate_rows(table, header, rows, label)
            keys[name] = row_keys(table, rows)
            del rows
        problems.extend(row_problems)
        frames[name] = frame
    problems.extend(check_references(frames, labels, keys))
    problems.extend(check_support_files(data_dir))
    if problems:
        raise DataValidationError(problems)
    derived = _derive(frames, load_regions(data_dir))
    return Dataset(**{name: derived[name].drop(columns="_line") for name in schema.LOAD_ORDER})


def load_events(data_dir: Path | None = None) -> pd.DataFrame:
    """Events, one row per dated event.

    Columns: event_id, date (datetime64), title, summary, event_type, actors (list of actor ids),
    place_id, source_title, source_publisher, source_date, source_url, region (derived from the place).
    """
    return load_dataset(data_dir).events


def load_places(data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Places as a GeoDataFrame (EPSG:4326, point geometry).

    Columns: place_id, name, country, kind, operator, lat, lon (degrees), start_date, end_date,
    description, source_*, region (from a spatial join with the region polygons), geometry.
    """
    return load_dataset(data_dir).places


def load_statements(data_dir: Path | None = None) -> pd.DataFrame:
    """Statements. Columns: statement_id, date, speaker, speaker_role, actor, text, quote_type,
    translated_by, context, venue, event_id, place_id, topics (list), source_*, is_verbatim (bool)."""
    return load_dataset(data_dir).statements


def load_missiles(data_dir: Path | None = None) -> pd.DataFrame:
    """Missile systems. Columns: system_id, name, other_names (list), operator, missile_type, basing,
    range_km_min, range_km_max (km), range_notes, inf_status, status, first_deployed, source_*,
    inf_class (derived from range_km_max)."""
    return load_dataset(data_dir).missiles


def load_range_claims(data_dir: Path | None = None) -> pd.DataFrame:
    """Each published range claim: claim_id, system_id, claimant, range_km (km), claim_date, source_*."""
    return load_dataset(data_dir).range_claims


def load_actors(data_dir: Path | None = None) -> pd.DataFrame:
    """Actors: actor_id, name, kind, side, member_of (list of actor ids), description."""
    return load_dataset(data_dir).actors


def load_data_version(data_dir: Path | None = None) -> str:
    """The data version: the date (YYYY-MM-DD) of the newest entry in data/CHANGELOG.md, or 'unversioned'."""
    path = Path(data_dir or default_data_dir()) / CHANGELOG_FILE
    try:
        found = _VERSION_RE.search(path.read_text(encoding="utf-8"))
    except OSError:
        return "unversioned"
    return found.group(1) if found else "unversioned"


def load_reference_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """A reference table (schema.REFERENCE_TABLES: `cities`, `country_codes`), validated; raises DataValidationError.

    Not part of load_dataset(): the cities are read only when a page asks how many people live in range.
    """
    data_dir = Path(data_dir or default_data_dir())
    table = schema.REFERENCE_TABLES[name]
    label = _label(data_dir, table.file)
    text = _read_text(data_dir / table.file, label)
    simple = read_simple_csv(text)
    if simple is None:
        header, rows, problems = read_csv_rows(text, label)
        frame, row_problems = validate_rows(table, header, rows, label) if header else (pd.DataFrame(), [])
    else:
        problems = []
        frame, row_problems = validate_frame(table, *simple, label)
    problems = [*problems, *row_problems]
    if problems:
        raise DataValidationError(problems)
    return frame.drop(columns="_line")


def load_cities(data_dir: Path | None = None) -> pd.DataFrame:
    """Places of 15,000 people or more (GeoNames), districts left out: geonameid, name, country_code, country,
    lat, lon (degrees, WGS84), population (people, int64). See dashboard/cities.py for how the file is built."""
    cities = load_reference_table("cities", data_dir)
    return cities.assign(population=cities["population"].astype("int64"))


def load_country_codes(data_dir: Path | None = None) -> pd.DataFrame:
    """ISO 3166-1 codes: iso_a2, iso_a3, iso_n3, name (GeoNames), country (name in data/countries.geojson)."""
    return load_reference_table("country_codes", data_dir)


def load_sources(data_dir: Path | None = None) -> pd.DataFrame:
    """Provenance of each data file: file, title, publisher, url, accessed, licence, notes."""
    data_dir = Path(data_dir or default_data_dir())
    problems = check_sources(data_dir)
    if problems:
        raise DataValidationError(problems)
    return pd.read_csv(data_dir / SOURCES_FILE, dtype=str, keep_default_na=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the curated data files.")
    parser.add_argument("--check", action="store_true", help="validate and print a summary")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        ds = load_dataset(args.data_dir)
        for name in schema.REFERENCE_TABLES:  # read only on demand by the app, so checked here
            load_reference_table(name, args.data_dir)
    except DataValidationError as exc:
        print(f"INVALID: {len(exc.problems)} problem(s)", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    return _report_curation(ds, load_data_version(args.data_dir))


def _report_curation(ds: Dataset, version: str) -> int:
    """Print the row counts, every broken invariant (exit 1) and every stale link (a warning); 0 when none is broken."""
    from dashboard import curation  # not at import time: curation builds on this module

    broken = curation.invariant_problems(ds)
    stale = curation.stale_links(ds)
    for name in schema.LOAD_ORDER:
        print(f"{name:>13}: {len(getattr(ds, name)):5d} rows")
    print(f"data version: {version}")
    for p in stale:
        print(f"  stale link: {p}")
    if broken:
        print(f"INVALID: {len(broken)} broken rule(s)", file=sys.stderr)
        for p in broken:
            print(f"  {p}", file=sys.stderr)
        return 1
    print(f"OK ({len(stale)} stale link(s) to replace)" if stale else "OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
