"""Reading a reader's own CSV (events, places, statements, or an ACLED export): detected, validated, never lost.

`read_upload(name, raw_bytes, kind, reference)` returns an `UploadResult`: the accepted rows in the
curated table's columns (plus `is_user_data`), every rejected row with its line, column and reason,
and file-level messages. Nothing raises for bad input and nothing is written to disk.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from dashboard import schema
from dashboard.data import (
    MAX_CELL_CHARS,
    Dataset,
    Problem,
    assign_regions,
    derive_statements,
    iter_csv_rows,
    place_regions,
    regions_of_places,
    validate_rows,
)

# server.maxUploadSize = 5 in .streamlit/config.toml is "5 MB", which Streamlit's upload widget counts as 5,000,000
# bytes in browsers on Linux and macOS but 5 MiB on Windows (and the server as 5 MiB): the smallest is the limit
# everywhere, so a file is refused the same way whatever the reader's computer. test_uploads.py checks the two agree.
MAX_BYTES = 5_000_000
MAX_ROWS = 50_000
# The widest template (statements) has 17 columns; 200 leaves room for a reader's own, and refuses at once the
# absurd shapes (tens of thousands of columns) before any per-column work is done.
MAX_COLUMNS = 200
# A compressed file may hold at most this many bytes of CSV once unpacked (read in chunks, stopped at the cap: a
# zip bomb costs no more than this), and a .zip archive must hold exactly one CSV.
MAX_TEXT_BYTES = 4 * MAX_BYTES

# Self-hosted deployments may raise the limits (with server.maxUploadSize to match MAX_BYTES); the defaults
# above stay for Community Cloud. Read when a file is checked, so a test or a server sets them in its environment.
LIMIT_ENV = {
    "MAX_BYTES": "INF_WATCH_UPLOAD_MAX_BYTES",
    "MAX_ROWS": "INF_WATCH_UPLOAD_MAX_ROWS",
    "MAX_COLUMNS": "INF_WATCH_UPLOAD_MAX_COLUMNS",
    "MAX_TEXT_BYTES": "INF_WATCH_UPLOAD_MAX_TEXT_BYTES",
}


class Limits(NamedTuple):
    """The limits an upload is held to: bytes as uploaded, rows, columns, bytes of CSV once decompressed."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_text_bytes: int


def limits() -> Limits:
    """The limits in force: the module's defaults, each replaced by its environment variable when that is set."""
    values = {}
    for name, env in LIMIT_ENV.items():
        raw = os.environ.get(env, "").replace("_", "").strip()
        values[name] = int(raw) if raw.isdigit() and int(raw) > 0 else globals()[name]
    return Limits(values["MAX_BYTES"], values["MAX_ROWS"], values["MAX_COLUMNS"], values["MAX_TEXT_BYTES"])


def _size_text(n: int) -> str:
    """5,000,000 bytes as "5 MB (5,000,000 bytes)": a megabyte is 1,000,000 bytes, as the upload widget counts."""
    return f"{n / 1_000_000:g} MB ({n:,} bytes)"


def limits_text() -> str:
    """The limits an upload is held to, as the page (and the README) state them."""
    lim = limits()
    return (
        f"Limits per file: {_size_text(lim.max_bytes)}, {lim.max_rows:,} rows, {lim.max_columns:,} columns "
        f"and {MAX_CELL_CHARS:,} characters in any one cell. A CSV may be gzip- or zip-compressed "
        f"(at most {_size_text(lim.max_text_bytes)} once unpacked)."
    )


KINDS = ("events", "places", "statements")
USER_SOURCE_PUBLISHER = "your data"

# Uploaded events may carry their own coordinates instead of (or as well as) a curated place.
EXTRA_EVENT_FIELDS = (
    schema.Field(
        "lat",
        "float",
        "Latitude of the event, WGS84 (uploads only).",
        required=False,
        unit="degrees north",
        min_value=-90,
        max_value=90,
    ),
    schema.Field(
        "lon",
        "float",
        "Longitude of the event, WGS84 (uploads only).",
        required=False,
        unit="degrees east",
        min_value=-180,
        max_value=180,
    ),
)

ACLED_REQUIRED = ("event_id_cnty", "event_date", "event_type", "country", "latitude", "longitude")
ACLED_EVENT_TYPES = {
    "battles": "armed_conflict",
    "explosions/remote violence": "armed_conflict",
    "violence against civilians": "armed_conflict",
    "protests": "incident",
    "riots": "incident",
    "strategic developments": "incident",
}
ACLED_URL = "https://acleddata.com/"

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Excel .xlsx workbook)"),
    (b"%PDF", "a PDF document"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (.xls)"),
)


@dataclass
class UploadResult:
    """What became of one uploaded file."""

    kind: str
    accepted: pd.DataFrame
    rejects: pd.DataFrame  # line, column, reason, and the row's original cells
    messages: list[str] = field(default_factory=list)  # file-level problems and notes
    detected: dict[str, str] = field(default_factory=dict)  # encoding, delimiter, format

    @property
    def ok(self) -> bool:
        return not self.accepted.empty


def _empty_result(kind: str, message: str, detected: dict[str, str] | None = None) -> UploadResult:
    return UploadResult(kind, _empty_frame(kind), _rejects_frame([], {}), [message], detected or {})


def refused(kind: str, message: str) -> UploadResult:
    """The result for a file of `kind` refused whole: no rows, and `message` saying why."""
    return _empty_result(kind, message)


def _table(kind: str) -> schema.Table:
    return schema.TABLES[kind]


def _empty_frame(kind: str) -> pd.DataFrame:
    cols = [f.name for f in _table(kind).fields] + ["is_user_data"]
    return pd.DataFrame(columns=cols)


# --------------------------------------------------------------------------------------------
# Bytes to text


class Decoded(NamedTuple):
    """Uploaded bytes as text (None when refused), the encoding read, why it was refused, and a note for the reader."""

    text: str | None
    encoding: str
    error: str | None = None
    note: str | None = None


def decode(raw: bytes) -> Decoded:
    """Decode uploaded bytes. NUL characters are refused wherever they are: text never holds one."""
    decoded = _decode_unicode(raw)
    if decoded is None:
        decoded = _decode_8bit(raw)
    if decoded.text is not None and "\x00" in decoded.text:
        return Decoded(None, decoded.encoding, _nul_refusal(decoded.text))
    return decoded


def _decode_unicode(raw: bytes) -> Decoded | None:
    """UTF-8 or UTF-16 announced by a byte-order mark, UTF-16 without one, or a known binary format; else None."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return Decoded(raw[3:].decode("utf-8"), "UTF-8 with BOM")
        except UnicodeDecodeError as exc:
            return Decoded(None, "UTF-8 with BOM", _bad_bytes(raw[3:], exc))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16(raw, "utf-16", "UTF-16")
    for magic, label in _MAGIC:
        if raw.startswith(magic):
            return Decoded(None, "binary", f"this looks like {label}, not a CSV text file")
    codec = _utf16_without_bom(raw[:4096])
    if codec:
        return _decode_utf16(raw, codec, f"UTF-16 ({'little' if codec.endswith('le') else 'big'}-endian, no byte-order mark)")
    if b"\x00" in raw:
        return Decoded(None, "binary", _nul_refusal(raw))
    return None


def _decode_utf16(raw: bytes, codec: str, name: str) -> Decoded:
    try:
        return Decoded(raw.decode(codec), name)
    except UnicodeDecodeError as exc:
        # Two bytes a character: the line is that of the last whole character before the fault.
        line = raw[: exc.start].decode(codec, "replace").count("\n") + 1
        return Decoded(None, name, f"the file reads as {name} but has invalid bytes on line {line}: save it as UTF-8 CSV")


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `sample` is UTF-16 text without a byte-order mark, else None.

    In UTF-16 every character of a Latin script, digit, comma or line break has a NUL as one of its two bytes,
    always the same one; binary data has its NULs anywhere. So: NULs in at least a quarter of the odd (or even)
    bytes and almost none in the others.
    """
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd >= pairs / 4 and even <= pairs / 100:
        return "utf-16-le"
    if even >= pairs / 4 and odd <= pairs / 100:
        return "utf-16-be"
    return None


def _decode_8bit(raw: bytes) -> Decoded:
    """UTF-8; else Windows-1252 (what spreadsheets on Windows save). In a file that mixes the two, what is valid UTF-8
    stays UTF-8 and every other byte is read as Windows-1252, with a note naming the lines where that happened."""
    try:
        return Decoded(raw.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    # Bytes that are not part of UTF-8 become lone surrogates (U+DC80..U+DCFF); each is then read as the Windows-1252
    # character of that byte. One pass in C, however many lines the file has.
    text = raw.decode("utf-8", "surrogateescape")
    mended = text.translate(_CP1252_OF_ESCAPED)
    undefined = _ESCAPED.search(mended)  # one of the five bytes Windows-1252 does not define
    if undefined:
        return Decoded(None, "unknown", _neither(text.count("\n", 0, undefined.start()) + 1))
    if _ESCAPED.sub("", text).isascii():  # nothing else was UTF-8: the whole file is Windows-1252
        return Decoded(mended, "Windows-1252")
    shown = [text.count("\n", 0, m.start()) + 1 for m in islice(_ESCAPED_LINE.finditer(text), 10)]
    note = (
        f"This file mixes two encodings: read the bytes that are not UTF-8 on "
        f"{_lines(shown, total=len(_ESCAPED_LINE.findall(text)))} as Windows-1252, and the rest as UTF-8. "
        "Check the accented letters on those lines, or save the whole file as UTF-8 CSV."
    )
    return Decoded(mended, "UTF-8 and Windows-1252", note=note)


_CP1252_OF_ESCAPED = {
    0xDC00 + b: bytes([b]).decode("cp1252") for b in range(0x80, 0x100) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_ESCAPED = re.compile("[\udc80-\udcff]+")
# A line holding an escaped byte. Anchored, and no backtracking: linear in the length of the text.
_ESCAPED_LINE = re.compile("^[^\n\udc80-\udcff]*[\udc80-\udcff][^\n]*", re.MULTILINE)


def _neither(line: int) -> str:
    return f"invalid bytes on line {line}: save the file as UTF-8 CSV (it is neither UTF-8 nor Windows-1252)"


def _lines(numbers: list[int], total: int | None = None) -> str:
    """`line 4`, `lines 4, 9 and 12`, or (when `total` says there are more than listed) `lines 4, 9, 12 and 37 more`."""
    total = len(numbers) if total is None else total
    if total == 1:
        return f"line {numbers[0]}"
    listed = ", ".join(str(n) for n in numbers)
    if total > len(numbers):
        return f"lines {listed} and {total - len(numbers):,} more"
    return f"lines {listed.rsplit(', ', 1)[0]} and {numbers[-1]}"


def _nul_refusal(data: str | bytes, shown: int = 3) -> str:
    """The refusal for text holding NUL characters, naming the first lines that do."""
    nul, newline = ("\x00", "\n") if isinstance(data, str) else (b"\x00", b"\n")
    lines: list[int] = []
    start = 0
    while len(lines) < shown and (at := data.find(nul, start)) >= 0:
        lines.append(data.count(newline, 0, at) + 1)
        start = (data.find(newline, at) + 1) or len(data)  # on to the next line
    more = " and later" if data.find(nul, start) >= 0 else ""
    return f"this looks like a binary file (it contains NUL bytes, on {_lines(lines)}{more}), not a CSV text file"


def _bad_bytes(raw: bytes, exc: UnicodeDecodeError) -> str:
    line = raw[: exc.start].count(b"\n") + 1
    return f"invalid bytes on line {line}: save the file as UTF-8 CSV"


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: whichever splits the header line into the most columns."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


# --------------------------------------------------------------------------------------------
# Cell clean-up before validation


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")


def _clean_numbers(rows: list[tuple[int, dict[str, str]]], columns: tuple[str, ...]) -> int:
    """Accept decimal commas (44,5) in number columns; returns how many were read so (the caller says so)."""
    fixed = 0
    for _, row in rows:
        for col in columns:
            value = row.get(col)
            if value and _DECIMAL_COMMA.match(value):
                row[col] = value.replace(",", ".")
                fixed += 1
    return fixed


def _swap_hint(row: dict[str, str]) -> str | None:
    try:
        lat, lon = float(row.get("lat", "")), float(row.get("lon", ""))
    except ValueError:
        return None
    if abs(lat) > 90 and abs(lon) <= 90 and abs(lat) <= 180:
        return "are lat and lon swapped? The longitude would be a valid latitude"
    return None


# --------------------------------------------------------------------------------------------
# ACLED


def is_acled(header: list[str]) -> bool:
    """True for ACLED's standard export columns."""
    names = {h.strip().lower() for h in header}
    return all(c in names for c in ACLED_REQUIRED)


@functools.lru_cache(maxsize=8192)
def _acled_date(value: str) -> str:
    """An ACLED event date (2022-02-24, 24 February 2022, ...) as YYYY-MM-DD; remembered, as an export has few dates."""
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value  # left as is: validation names it


@functools.lru_cache(maxsize=8192)
def _acled_timestamp(value: str) -> str:
    """ACLED's `timestamp` (Unix seconds when the record was last updated) as a date, or ''."""
    try:
        return datetime.fromtimestamp(int(value.strip()), tz=UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return ""


def _actor_matcher(actors: pd.DataFrame) -> Callable[[str, str, str], str]:
    """A function of (actor1, actor2, country) giving the `;`-joined ids of the actors named in them: each actor's
    name as a whole word in actor1 or actor2, or else the actor that is the country. An export repeats a few hundred
    combinations over hundreds of thousands of rows, so each is worked out once."""
    pairs = [
        (a, re.compile(rf"\b{re.escape(n.lower())}\b")) for a, n in zip(actors["actor_id"], actors["name"], strict=True) if n
    ]
    by_name = {str(n).lower(): a for a, n in zip(actors["actor_id"], actors["name"], strict=True) if n}

    @functools.cache
    def match(actor1: str, actor2: str, country: str) -> str:
        ids: list[str] = []
        for text in (actor1.lower(), actor2.lower()):
            ids.extend(a for a, pattern in pairs if a not in ids and pattern.search(text))
        if not ids and country.strip().lower() in by_name:
            ids.append(by_name[country.strip().lower()])
        return ";".join(ids)

    return match


def map_acled(
    rows: list[tuple[int, dict[str, str]]], actors: pd.DataFrame, match: Callable[[str, str, str], str] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """ACLED rows in our events columns (plus lat/lon). Unmatched actors are left empty for validation to name.
    `match` (from _actor_matcher) may be shared by the batches of one file."""
    match = match or _actor_matcher(actors)
    # (our name, the file's column) for the columns read, worked out once per batch rather than once per row.
    used = [(k.strip().lower(), k) for k in rows[0][1] if k.strip().lower() in _ACLED_USED] if rows else []
    out = []
    for line, raw in rows:
        row = {name: raw[key] or "" for name, key in used}
        location = ", ".join(p for p in (row.get("location", ""), row.get("admin1", ""), row.get("country", "")) if p.strip())
        sub = row.get("sub_event_type", "") or row.get("event_type", "")
        notes = row.get("notes", "").strip()
        fatalities = row.get("fatalities", "").strip()
        summary = notes or sub
        if fatalities and fatalities != "0":
            summary += f" (ACLED records {fatalities} fatalities.)"
        event_date = _acled_date(row.get("event_date", ""))
        out.append(
            (
                line,
                {
                    "event_id": f"acled-{row.get('event_id_cnty', '').strip()}" if row.get("event_id_cnty", "").strip() else "",
                    "date": event_date,
                    "title": f"{sub}: {location}" if location else sub,
                    "summary": summary,
                    "event_type": ACLED_EVENT_TYPES.get(row.get("event_type", "").strip().lower(), row.get("event_type", "")),
                    "actors": match(row.get("actor1", ""), row.get("actor2", ""), row.get("country", "")),
                    "place_id": "",
                    "source_title": row.get("source", "").strip() or "ACLED event record",
                    "source_publisher": "ACLED",
                    # ACLED's `timestamp` dates the record; without it the event date stands in.
                    "source_date": _acled_timestamp(row.get("timestamp", "")) or event_date,
                    "source_url": ACLED_URL,
                    "lat": row.get("latitude", ""),
                    "lon": row.get("longitude", ""),
                },
            )
        )
    return out


# The ACLED columns map_acled reads.
_ACLED_USED = frozenset(
    ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "country", "admin1", "location")
    + ("latitude", "longitude", "source", "notes", "fatalities", "timestamp")
)


# --------------------------------------------------------------------------------------------
# The whole pipeline


def _rejects_frame(problems: list[Problem], raw_rows: dict[int, dict[str, str]]) -> pd.DataFrame:
    records = []
    for p in problems:
        record = {"line": p.line if p.line is not None else "", "column": p.column or "", "reason": p.message}
        record.update({f"original_{k}": v for k, v in raw_rows.get(p.line or -1, {}).items()})
        records.append(record)
    return pd.DataFrame(records, columns=None if records else ["line", "column", "reason"])


def _with_table_fields(kind: str) -> schema.Table:
    table = _table(kind)
    if kind != "events":
        return table
    return schema.Table(table.name, table.file, table.description, (*table.fields, *EXTRA_EVENT_FIELDS))


# Rows checked at a time: a batch's rows are Python dicts while it is checked, so this bounds the memory a large
# file costs beyond its text and its accepted rows, and sets how often progress is reported.
BATCH_ROWS = 20_000
# progress(fraction of the file read, what is happening), for a page to show while a large file is read.
Progress = Callable[[float, str], None]


def read_upload(
    name: str,
    raw: bytes,
    kind: str,
    reference: Dataset,
    regions: gpd.GeoDataFrame,
    user_places: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> UploadResult:
    """Detect, parse and validate one uploaded file of `kind` (events, places or statements).

    `reference` supplies the ids that references must resolve to (curated actors, places, events),
    `regions` the polygons that give each row its region, and `user_places` places the reader uploaded
    earlier. Returns accepted rows, rejects (line, column, reason, original cells) and messages.
    Every check is linear in the size of the file; files over the `limits()` are refused whole, and reading
    stops as soon as a limit is passed. Rows are checked BATCH_ROWS at a time, `progress` told after each batch.
    """
    if kind not in KINDS:
        return _empty_result("events", f"Unknown kind of data “{kind}”: choose events, places or statements.")
    label = name or "upload.csv"
    report = progress or (lambda fraction, text: None)
    detected: dict[str, str] = {}
    notes: list[str] = []
    report(0.0, f"Unpacking and decoding {label}…")
    text, refusal = _upload_text(raw, label, detected, notes)
    batches, refusal = _upload_batches(text, label, detected) if refusal is None else (None, refusal)
    if batches is None:
        return _empty_result(kind, str(refusal), detected)
    reading = _Reading(kind, label, (reference, regions, user_places), detected, notes)
    total_lines = max(text.count("\n") + (not text.endswith("\n")), 1)
    try:
        for header, rows, problems in batches:
            refusal = reading.add_batch(header, rows, problems)
            if refusal is not None:
                return refusal
            if rows:
                report(min(rows[-1][0] / total_lines, 1.0), f"Checked {reading.rows_read:,} rows of {label}…")
        return reading.result()
    finally:
        # The remembered dates hold cells of the file: a few thousand small strings from every part of the read,
        # which kept about a hundred MB of Python's small-object memory from going back once the rows had gone.
        _acled_date.cache_clear()
        _acled_timestamp.cache_clear()


class _Reading:
    """One upload read batch by batch: the header's checks once, every row's checks per batch, ids across batches."""

    def __init__(self, kind: str, label: str, context: tuple, detected: dict[str, str], notes: list[str]) -> None:
        self.kind, self.label = kind, label
        self.reference, self.regions, self.user_places = context  # reference data set, regions, the reader's places
        self.detected, self.notes = detected, notes
        self.table = _with_table_fields(kind)
        self.floats = tuple(f.name for f in self.table.stored_fields if f.kind == "float")
        self.header: list[str] | None = None  # in the template's columns, set by the first batch
        self.acled = False
        self.match: Callable[[str, str, str], str] | None = None
        self.first_line: dict[str, int] = {}  # id -> the line that used it first, over every batch so far
        self.rows_read = 0  # data records read, good or not
        self.read_problems = 0  # problems of the reader itself (header, ragged rows, quotes)
        self.decimal_commas = 0
        self.unknown: list[Problem] = []
        self.missing: UploadResult | None = None  # the refusal of a header without a required column
        self.accepted: list[pd.DataFrame] = []
        self.rejects: list[pd.DataFrame] = []

    def add_batch(self, header: list[str], rows, problems: list[Problem]) -> UploadResult | None:
        """Check one batch; an UploadResult when the file is refused (its header, or too many rows so far)."""
        self.read_problems += len(problems)
        self.rows_read += len(rows) + sum(p.line != 1 for p in problems)
        lim = limits()
        if self.rows_read > lim.max_rows:
            return self._refuse(
                f"{self.label} has more than {lim.max_rows:,} rows; the limit is {lim.max_rows:,}. Split it into smaller files."
            )
        if self.missing is not None:
            return None  # refused for its header; read on only to refuse a file over the row limit for that first
        first = self.header is None
        rows = self._to_template_columns(header, rows)
        dupes = sorted(h for h, n in Counter(h for h in self.header or () if h).items() if n > 1) if first else []
        if dupes:
            return self._refuse(f"{self.label}: the column(s) {', '.join(dupes)} appear more than once in the header.")
        self.decimal_commas += _clean_numbers(rows, self.floats)
        raw_rows = {line: dict(row) for line, row in rows}
        frame, row_problems = validate_rows(self.table, self.header or [], rows, self.label)
        unknown, missing, row_problems = _split_header_problems(row_problems)
        if first and missing:
            self._add_decimal_note()
            messages = [str(p) for p in missing] + self.notes
            self.missing = UploadResult(self.kind, _empty_frame(self.kind), _rejects_frame([], raw_rows), messages, self.detected)
            return None
        self.unknown = unknown if first else self.unknown
        row_problems = _explain(row_problems, raw_rows, self.acled) + self._ids_used_before(rows)
        frame = frame[~frame["_line"].isin({p.line for p in row_problems if p.line})]
        frame, ref_problems = _check_upload_references(self.kind, frame, self.reference, self.user_places, self.label)
        self.accepted.append(_derive_upload(self.kind, frame, self.regions, self.reference, self.user_places))
        self.rejects.append(_rejects_frame([*problems, *row_problems, *ref_problems], raw_rows))
        return None

    def _to_template_columns(self, header: list[str], rows):
        """The batch's rows under the template's lower-case column names, an ACLED export mapped onto events."""
        if self.header is None:
            header = [h.strip().lstrip("\ufeff") for h in header]
            self.acled = self.kind == "events" and is_acled(header)
            self.detected["format"] = "ACLED export" if self.acled else "INF Watch template"
            if self.acled:
                self.match = _actor_matcher(self.reference.actors)
                self.notes.append(
                    "Read as an ACLED export: actors are matched by name, coordinates kept, and the record date is "
                    "ACLED's timestamp (or the event date where the file has none)."
                )
            self.header = [f.name for f in self.table.stored_fields] if self.acled else [h.lower() for h in header]
        if self.acled:
            return map_acled(rows, self.reference.actors, self.match)
        lower = {h: h.strip().lower() for h in header}  # once per column, not once per cell
        if any(h != low for h, low in lower.items()):
            rows = [(line, {lower.get(k, k): v for k, v in row.items()}) for line, row in rows]
        return rows

    def _ids_used_before(self, rows) -> list[Problem]:
        """Rows whose id an earlier batch used (validation finds repeats within a batch); remembers this batch's ids."""
        key = _table(self.kind).key
        problems = []
        for line, row in rows:
            value = (row.get(key) or "").strip()
            if value and value in self.first_line:
                message = f"'{value}' is already used on line {self.first_line[value]}; ids must be unique"
                problems.append(Problem(self.label, line, key, message))
        for line, row in rows:
            self.first_line.setdefault((row.get(key) or "").strip(), line)
        return problems

    def _add_decimal_note(self) -> None:
        if self.decimal_commas:
            self.notes.append(f"Read {self.decimal_commas} number(s) written with a decimal comma (e.g. 44,5 as 44.5).")
            self.decimal_commas = 0

    def _refuse(self, message: str) -> UploadResult:
        return _empty_result(self.kind, message, self.detected)

    def result(self) -> UploadResult:
        """Every batch's accepted rows and rejects, with the file's notes."""
        if self.missing is not None:
            return self.missing
        if self.rows_read == 0 and self.read_problems == 0:
            return self._refuse(f"{self.label} has a header row but no data rows.")
        self._add_decimal_note()
        if self.unknown:
            names = ", ".join(str(p.column) for p in self.unknown)
            self.notes.append(f"Ignored column(s) this dashboard does not use: {names}.")
        accepted = _share_repeated_values(_concat(self.accepted))
        return UploadResult(self.kind, accepted, _concat(self.rejects), self.notes, self.detected)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame of a file's batches (a single batch as it is; GeoDataFrames stay one)."""
    if len(frames) == 1:
        return frames[0]
    frame = pd.concat(frames, ignore_index=True)
    if isinstance(frames[0], gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=frames[0].crs)
    return frame


def _share_repeated_values(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with equal strings and lists in a column held once: an export repeats a few hundred titles, actor lists
    and sources over hundreds of thousands of rows, and each row had its own copy."""
    if len(frame) < 2 * BATCH_ROWS:
        return frame
    for col in frame.columns:
        if frame[col].dtype != object:
            continue
        first: dict = {}
        values = [first.setdefault(tuple(v) if isinstance(v, list) else v, v) for v in frame[col]]
        if len(first) <= len(frame) // 2:
            frame[col] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def size_refusal(label: str, size: int) -> str | None:
    """The refusal of a file of `size` bytes as uploaded when that is over the limit, else None: asked before the file is
    read (a page knows an upload's size before it reads its bytes)."""
    lim = limits()
    if size > lim.max_bytes:
        return f"{label} is {size:,} bytes; the limit is {_size_text(lim.max_bytes)}. Split it into smaller files."
    return None


def _upload_text(raw: bytes, label: str, detected: dict[str, str], notes: list[str]) -> tuple[str, str | None]:
    """The file as text with `\\n` line ends, or a refusal: empty, too big, binary or undecodable."""
    lim = limits()
    if len(raw) == 0:
        return "", f"{label} is empty."
    if too_big := size_refusal(label, len(raw)):
        return "", too_big
    raw, refusal = decompress(raw, label, lim.max_text_bytes, detected)
    if refusal:
        return "", refusal
    decoded = decode(raw)
    detected["encoding"] = decoded.encoding
    if decoded.text is None:
        return "", f"{label}: {decoded.error}."
    if decoded.note:
        notes.append(decoded.note)
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return "", f"{label} has no text in it."
    return text, None


def decompress(raw: bytes, label: str, max_text_bytes: int, detected: dict[str, str]) -> tuple[bytes, str | None]:
    """A gzip file or a zip archive of one CSV unpacked (at most `max_text_bytes`), other bytes as they are; or a refusal.

    Unpacking stops one byte past the cap, so an archive that claims little and holds much (a zip bomb) costs
    no more than the cap. An archive that is not one CSV (an Excel workbook is a zip of XML) is refused by name.
    """
    try:
        if raw.startswith(b"\x1f\x8b"):
            detected["compression"] = "gzip"
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
                data = fh.read(max_text_bytes + 1)
        elif raw.startswith(b"PK\x03\x04"):
            data, refusal = _unzip(raw, label, max_text_bytes, detected)
            if refusal:
                return b"", refusal
        else:
            return raw, None
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
        return b"", f"{label}: the {detected.get('compression', 'compressed')} file could not be unpacked ({exc})."
    if len(data) > max_text_bytes:
        return b"", (
            f"{label} holds more than {_size_text(max_text_bytes)} of text once unpacked; that is the limit. "
            "Split it into smaller files."
        )
    return data, None


def _unzip(raw: bytes, label: str, max_text_bytes: int, detected: dict[str, str]) -> tuple[bytes, str | None]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        return b"", f"{label}: this looks like a ZIP archive (or an Excel .xlsx workbook), not a CSV text file."
    members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
    csvs = [m for m in members if m.filename.lower().endswith((".csv", ".tsv", ".txt"))]
    if len(members) != 1 or len(csvs) != 1:
        names = ", ".join(m.filename for m in members[:5]) or "nothing"
        return b"", (
            f"{label}: this looks like a ZIP archive (or an Excel .xlsx workbook) holding {names}; "
            "a zip file must hold exactly one CSV file."
        )
    detected["compression"] = f"zip ({csvs[0].filename})"
    with archive.open(csvs[0]) as fh:
        return fh.read(max_text_bytes + 1), None


def _upload_batches(text: str, label: str, detected: dict[str, str]) -> tuple[Iterator | None, str | None]:
    """The text's rows in batches (any separator; data.iter_csv_rows), or a refusal: too many columns."""
    delimiter = sniff_delimiter(text)
    detected["delimiter"] = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    lim = limits()
    width = _header_width(text, delimiter)
    if width > lim.max_columns:
        return None, (
            f"{label} has {width:,} columns; the limit is {lim.max_columns:,}. Keep the template's columns "
            "(and a few of your own) and upload it again."
        )
    if delimiter != ",":
        text = _to_commas(text, delimiter)
    return iter_csv_rows(text, label, max_rows=lim.max_rows, batch_rows=BATCH_ROWS), None


def _header_width(text: str, delimiter: str) -> int:
    """Number of cells on the first line, read before anything else so that absurd widths cost nothing."""
    end = text.find("\n")
    try:
        return len(next(csv.reader([text[: end if end >= 0 else len(text)]], delimiter=delimiter), []))
    except csv.Error:
        return 0  # a header cell over the cell limit: read_csv_rows names it


def _split_header_problems(problems: list[Problem]) -> tuple[list[Problem], list[Problem], list[Problem]]:
    """(unknown columns, missing required columns, every other problem), in one pass."""
    unknown: list[Problem] = []
    missing: list[Problem] = []
    rest: list[Problem] = []
    for p in problems:
        if p.line == 1 and p.message.startswith("unknown column"):
            unknown.append(p)
        elif p.line == 1 and "missing from the header" in p.message:
            missing.append(p)
        else:
            rest.append(p)
    return unknown, missing, rest


def _explain(problems: list[Problem], raw_rows: dict[int, dict[str, str]], acled: bool) -> list[Problem]:
    """Swapped coordinates deserve a hint, not just "out of range"; an ACLED row without a known actor says so."""
    out = []
    for p in problems:
        hint = _swap_hint(raw_rows[p.line]) if p.column == "lat" and p.line in raw_rows else None
        if hint:
            p = Problem(p.file, p.line, p.column, f"{p.message}: {hint}")
        elif acled and p.column == "actors" and "required but empty" in p.message:
            p = Problem(p.file, p.line, p.column, "no actor this dashboard knows could be matched in actor1, actor2 or country")
        out.append(p)
    return out


def _to_commas(text: str, delimiter: str) -> str:
    """Re-write `;`- or tab-separated text as comma-separated CSV, keeping quoting intact."""
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            writer.writerow(record)
    except csv.Error:
        return text  # let the comma reader report the malformed quote with its line
    return out.getvalue()


def _unknown_references(frame: pd.DataFrame, col: str, known: set[str], what: str, label: str) -> list[Problem]:
    """One problem for every id in column `col` (a value or a list of values) that is not in `known`."""
    problems = []
    for line, value in zip(frame["_line"], frame[col], strict=True):
        values = value if isinstance(value, list) else ([value] if value else [])
        problems.extend(
            Problem(label, int(line), col, f"'{v}' does not match any {what} in the dashboard's data or your places")
            for v in values
            if v not in known
        )
    return problems


def _reference_checks(kind: str, reference: Dataset, user_places: pd.DataFrame | None) -> list[tuple[str, set[str], str]]:
    """(column, known ids, what they are) for each reference an uploaded row of `kind` makes."""
    actors = set(reference.actors["actor_id"])
    places = set(reference.places["place_id"])
    if user_places is not None and len(user_places):
        places |= set(user_places["place_id"])
    if kind == "events":
        return [("actors", actors, "actor_id"), ("place_id", places, "place_id")]
    if kind == "places":
        return [("operator", actors, "actor_id")]
    return [
        ("actor", actors, "actor_id"),
        ("place_id", places, "place_id"),
        ("event_id", set(reference.events["event_id"]), "event_id"),
    ]


def _check_upload_references(
    kind: str, frame: pd.DataFrame, reference: Dataset, user_places: pd.DataFrame | None, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    for col, known, what in _reference_checks(kind, reference, user_places):
        problems.extend(_unknown_references(frame, col, known, what, label))
    bad_lines = {p.line for p in problems}
    if kind == "events":
        for line, ids in zip(frame["_line"], frame["actors"], strict=True):
            if not ids and int(line) not in bad_lines:
                problems.append(Problem(label, int(line), "actors", "no actor this dashboard knows could be matched"))
    reserved = set(getattr(reference, kind)[_table(kind).key])
    key = _table(kind).key
    problems.extend(
        Problem(label, int(line), key, f"'{value}' is already used by the dashboard's own data; choose another id")
        for line, value in zip(frame["_line"], frame[key], strict=True)
        if value in reserved
    )
    return frame[~frame["_line"].isin({p.line for p in problems})], problems


def _derive_upload(
    kind: str, frame: pd.DataFrame, regions: gpd.GeoDataFrame, reference: Dataset, user_places: pd.DataFrame | None
) -> pd.DataFrame:
    frame = frame.drop(columns="_line")
    if kind == "places":
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
        gdf["region"] = place_regions(gdf, regions)
        gdf["is_user_data"] = True
        return gdf
    place_region = dict(zip(reference.places["place_id"], reference.places["region"], strict=True))
    if user_places is not None and len(user_places):
        place_region.update(zip(user_places["place_id"], user_places["region"], strict=True))
    if kind == "events":
        region = pd.Series(regions_of_places(frame["place_id"], place_region), index=frame.index, dtype=object)
        has_xy = frame["lat"].notna() & frame["lon"].notna()
        if has_xy.any():
            pts = gpd.GeoDataFrame(
                frame[has_xy], geometry=gpd.points_from_xy(frame.loc[has_xy, "lon"], frame.loc[has_xy, "lat"]), crs="EPSG:4326"
            )
            from_xy = assign_regions(pts, regions)
            use = has_xy & (frame["place_id"] == "")
            region[use] = from_xy[use[use].index]
        return frame.assign(region=region.astype(str), is_user_data=True)
    event_region = dict(zip(reference.events["event_id"], reference.events["region"], strict=True))
    return derive_statements(frame, place_region, event_region).assign(is_user_data=True)


def template_csv(kind: str, example: dict[str, str]) -> bytes:
    """A blank template for `kind`: the header row and one example row, as CSV bytes."""
    table = _with_table_fields(kind)
    cols = [f.name for f in table.stored_fields]
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerow({c: example.get(c, "") for c in cols})
    return out.getvalue().encode("utf-8")
