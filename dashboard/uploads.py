"""Reading a reader's own CSV (events, places, statements, or an ACLED export): detected, validated, never lost.

`read_upload(name, raw_bytes, kind, reference)` returns an `UploadResult`: the accepted rows in the
curated table's columns (plus `is_user_data`), every rejected row with its line, column and reason,
and file-level messages. Nothing raises for bad input and nothing is written to disk.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd

from dashboard import schema
from dashboard.data import Dataset, Problem, assign_regions, read_csv_rows, validate_rows

MAX_BYTES = 5 * 1024 * 1024  # matches server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 50_000
KINDS = ("events", "places", "statements")
USER_SOURCE_PUBLISHER = "your data"

# Uploaded events may carry their own coordinates instead of (or as well as) a curated place.
EXTRA_EVENT_FIELDS = (
    schema.Field("lat", "float", "Latitude of the event, WGS84 (uploads only).", required=False, unit="degrees north", min_value=-90, max_value=90),
    schema.Field("lon", "float", "Longitude of the event, WGS84 (uploads only).", required=False, unit="degrees east", min_value=-180, max_value=180),
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


def _table(kind: str) -> schema.Table:
    return schema.TABLES[kind]


def _empty_frame(kind: str) -> pd.DataFrame:
    cols = [f.name for f in _table(kind).fields] + ["is_user_data"]
    return pd.DataFrame(columns=cols)


# --------------------------------------------------------------------------------------------
# Bytes to text


def decode(raw: bytes) -> tuple[str | None, str, str | None]:
    """Decode uploaded bytes: (text, encoding name, error message)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 with BOM", None
        except UnicodeDecodeError as exc:
            return None, "UTF-8 with BOM", _bad_bytes(raw[3:], exc)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16", None
        except UnicodeDecodeError:
            return None, "UTF-16", "the file says it is UTF-16 but contains invalid bytes"
    for label, magic in ((lbl, m) for m, lbl in _MAGIC):
        if raw.startswith(magic):
            return None, "binary", f"this looks like {label}, not a CSV text file"
    if b"\x00" in raw[:4096]:
        return None, "binary", "this looks like a binary file (it contains NUL bytes), not a CSV text file"
    try:
        return raw.decode("utf-8"), "UTF-8", None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return raw.decode("cp1252"), "Windows-1252", None
    except UnicodeDecodeError:
        return None, "unknown", _bad_bytes(raw, utf8_error) + " (it is neither UTF-8 nor Windows-1252)"


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


def _clean_numbers(rows: list[tuple[int, dict[str, str]]], columns: tuple[str, ...], notes: list[str]) -> None:
    """Accept decimal commas (44,5) in number columns, saying so."""
    fixed = 0
    for _, row in rows:
        for col in columns:
            value = row.get(col)
            if value and _DECIMAL_COMMA.match(value):
                row[col] = value.replace(",", ".")
                fixed += 1
    if fixed:
        notes.append(f"Read {fixed} number(s) written with a decimal comma (e.g. 44,5 as 44.5).")


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


def _acled_date(value: str) -> str:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value  # left as is: validation names it


def _acled_timestamp(value: str) -> str:
    """ACLED's `timestamp` (Unix seconds when the record was last updated) as a date, or ''."""
    try:
        return datetime.fromtimestamp(int(value.strip()), tz=UTC).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return ""


def _match_actors(texts: list[str], country: str, actors: pd.DataFrame) -> list[str]:
    ids: list[str] = []
    pairs = list(zip(actors["actor_id"], actors["name"], strict=True))
    for text in texts:
        low = text.lower()
        for actor_id, name in pairs:
            if name and re.search(rf"\b{re.escape(name.lower())}\b", low) and actor_id not in ids:
                ids.append(actor_id)
    if not ids and country:
        ids += [a for a, n in pairs if n.lower() == country.strip().lower()]
    return ids


def map_acled(rows: list[tuple[int, dict[str, str]]], actors: pd.DataFrame) -> list[tuple[int, dict[str, str]]]:
    """ACLED rows in our events columns (plus lat/lon). Unmatched actors are left empty for validation to name."""
    out = []
    for line, raw in rows:
        row = {k.strip().lower(): (v or "") for k, v in raw.items()}
        location = ", ".join(p for p in (row.get("location", ""), row.get("admin1", ""), row.get("country", "")) if p.strip())
        sub = row.get("sub_event_type", "") or row.get("event_type", "")
        notes = row.get("notes", "").strip()
        fatalities = row.get("fatalities", "").strip()
        summary = notes or sub
        if fatalities and fatalities != "0":
            summary += f" (ACLED records {fatalities} fatalities.)"
        ids = _match_actors([row.get("actor1", ""), row.get("actor2", "")], row.get("country", ""), actors)
        out.append(
            (
                line,
                {
                    "event_id": f"acled-{row.get('event_id_cnty', '').strip()}" if row.get("event_id_cnty", "").strip() else "",
                    "date": _acled_date(row.get("event_date", "")),
                    "title": f"{sub}: {location}" if location else sub,
                    "summary": summary,
                    "event_type": ACLED_EVENT_TYPES.get(row.get("event_type", "").strip().lower(), row.get("event_type", "")),
                    "actors": ";".join(ids),
                    "place_id": "",
                    "source_title": row.get("source", "").strip() or "ACLED event record",
                    "source_publisher": "ACLED",
                    # ACLED's `timestamp` dates the record; without it the event date stands in.
                    "source_date": _acled_timestamp(row.get("timestamp", "")) or _acled_date(row.get("event_date", "")),
                    "source_url": ACLED_URL,
                    "lat": row.get("latitude", ""),
                    "lon": row.get("longitude", ""),
                },
            )
        )
    return out


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


def read_upload(
    name: str,
    raw: bytes,
    kind: str,
    reference: Dataset,
    regions: gpd.GeoDataFrame,
    user_places: pd.DataFrame | None = None,
) -> UploadResult:
    """Detect, parse and validate one uploaded file of `kind` (events, places or statements).

    `reference` supplies the ids that references must resolve to (curated actors, places, events),
    `regions` the polygons that give each row its region, and `user_places` places the reader uploaded
    earlier. Returns accepted rows, rejects (line, column, reason, original cells) and messages.
    """
    if kind not in KINDS:
        return _empty_result("events", f"Unknown kind of data “{kind}”: choose events, places or statements.")
    label = name or "upload.csv"
    if len(raw) == 0:
        return _empty_result(kind, f"{label} is empty.")
    if len(raw) > MAX_BYTES:
        return _empty_result(kind, f"{label} is {len(raw) / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB. Split it into smaller files.")
    text, encoding, error = decode(raw)
    detected = {"encoding": encoding}
    if text is None:
        return _empty_result(kind, f"{label}: {error}.", detected)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return _empty_result(kind, f"{label} has no text in it.", detected)
    delimiter = sniff_delimiter(text)
    detected["delimiter"] = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    if delimiter != ",":
        text = _to_commas(text, delimiter)
    header, rows, read_problems = read_csv_rows(text, label)
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not rows and not read_problems:
        return _empty_result(kind, f"{label} has a header row but no data rows.", detected)
    if len(rows) > MAX_ROWS:
        return _empty_result(kind, f"{label} has {len(rows):,} rows; the limit is {MAX_ROWS:,}. Split it into smaller files.", detected)
    notes: list[str] = []
    acled = kind == "events" and is_acled(header)
    if acled:
        detected["format"] = "ACLED export"
        rows = map_acled(rows, reference.actors)
        header = list(rows[0][1]) if rows else [f.name for f in _with_table_fields("events").stored_fields]
        notes.append(
            "Read as an ACLED export: actors are matched by name, coordinates kept, and the record date is ACLED's "
            "timestamp (or the event date where the file has none)."
        )
    else:
        detected["format"] = "INF Watch template"
        lower = {h.lower(): h for h in header}
        rows = [(line, {k.strip().lower() if k.strip().lower() in lower else k: v for k, v in row.items()}) for line, row in rows]
        header = [h.lower() for h in header]
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if dupes:
        return _empty_result(kind, f"{label}: the column(s) {', '.join(dupes)} appear more than once in the header.", detected)
    table = _with_table_fields(kind)
    float_cols = tuple(f.name for f in table.stored_fields if f.kind == "float")
    _clean_numbers(rows, float_cols, notes)
    raw_rows = {line: dict(row) for line, row in rows}
    frame, row_problems = validate_rows(table, header, rows, label)
    unknown = [p for p in row_problems if p.line == 1 and p.message.startswith("unknown column")]
    missing = [p for p in row_problems if p.line == 1 and "missing from the header" in p.message]
    row_problems = [p for p in row_problems if p not in unknown and p not in missing]
    if unknown:
        notes.append("Ignored column(s) this dashboard does not use: " + ", ".join(str(p.column) for p in unknown) + ".")
    if missing:
        return UploadResult(kind, _empty_frame(kind), _rejects_frame([], raw_rows), [str(p) for p in missing] + notes, detected)
    # Swapped coordinates deserve a hint, not just "out of range".
    row_problems = [
        Problem(p.file, p.line, p.column, f"{p.message}: {_swap_hint(raw_rows[p.line])}")
        if p.column == "lat" and p.line in raw_rows and _swap_hint(raw_rows[p.line])
        else Problem(p.file, p.line, p.column, "no actor this dashboard knows could be matched in actor1, actor2 or country")
        if acled and p.column == "actors" and "required but empty" in p.message
        else p
        for p in row_problems
    ]
    frame = frame[~frame["_line"].isin({p.line for p in row_problems if p.line})]
    frame, ref_problems = _check_upload_references(kind, frame, reference, user_places, label)
    accepted = _derive_upload(kind, frame, regions, reference, user_places)
    rejects = _rejects_frame([*read_problems, *row_problems, *ref_problems], raw_rows)
    return UploadResult(kind, accepted, rejects, notes, detected)


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


def _check_upload_references(
    kind: str, frame: pd.DataFrame, reference: Dataset, user_places: pd.DataFrame | None, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    actors = set(reference.actors["actor_id"])
    places = set(reference.places["place_id"]) | (set(user_places["place_id"]) if user_places is not None and len(user_places) else set())
    events = set(reference.events["event_id"])
    checks: list[tuple[str, set[str], str]] = []
    if kind == "events":
        checks = [("actors", actors, "actor_id"), ("place_id", places, "place_id")]
    elif kind == "places":
        checks = [("operator", actors, "actor_id")]
    else:
        checks = [("actor", actors, "actor_id"), ("place_id", places, "place_id"), ("event_id", events, "event_id")]
    problems: list[Problem] = []
    bad_lines: set[int] = set()
    for col, known, what in checks:
        for line, value in zip(frame["_line"], frame[col], strict=True):
            values = value if isinstance(value, list) else ([value] if value else [])
            for v in values:
                if v not in known:
                    problems.append(Problem(label, int(line), col, f"'{v}' does not match any {what} in the dashboard's data or your places"))
                    bad_lines.add(int(line))
    if kind == "events":
        for line, ids in zip(frame["_line"], frame["actors"], strict=True):
            if not ids and int(line) not in bad_lines:
                problems.append(Problem(label, int(line), "actors", "no actor this dashboard knows could be matched"))
                bad_lines.add(int(line))
    reserved = {"places": set(reference.places["place_id"]), "events": events, "statements": set(reference.statements["statement_id"])}[kind]
    key = _table(kind).key
    for line, value in zip(frame["_line"], frame[key], strict=True):
        if value in reserved:
            problems.append(Problem(label, int(line), key, f"'{value}' is already used by the dashboard's own data; choose another id"))
            bad_lines.add(int(line))
    return frame[~frame["_line"].isin(bad_lines)], problems


def _derive_upload(
    kind: str, frame: pd.DataFrame, regions: gpd.GeoDataFrame, reference: Dataset, user_places: pd.DataFrame | None
) -> pd.DataFrame:
    frame = frame.drop(columns="_line")
    if kind == "places":
        gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
        gdf["region"] = assign_regions(gdf, regions)
        gdf["is_user_data"] = True
        return gdf
    place_region = dict(zip(reference.places["place_id"], reference.places["region"], strict=True))
    if user_places is not None and len(user_places):
        place_region.update(zip(user_places["place_id"], user_places["region"], strict=True))
    if kind == "events":
        has_xy = frame["lat"].notna() & frame["lon"].notna()
        region = pd.Series([place_region.get(p, schema.REGION_ELSEWHERE) for p in frame["place_id"]], index=frame.index, dtype=object)
        if has_xy.any():
            pts = gpd.GeoDataFrame(frame[has_xy], geometry=gpd.points_from_xy(frame.loc[has_xy, "lon"], frame.loc[has_xy, "lat"]), crs="EPSG:4326")
            from_xy = assign_regions(pts, regions)
            use = has_xy & (frame["place_id"] == "")
            region[use] = from_xy[use[use].index]
        return frame.assign(region=region.astype(str), is_user_data=True)
    event_region = dict(zip(reference.events["event_id"], reference.events["region"], strict=True))
    region = [
        next((r for r in (place_region.get(p), event_region.get(e)) if r and r != schema.REGION_ELSEWHERE), schema.REGION_ELSEWHERE)
        for p, e in zip(frame["place_id"], frame["event_id"], strict=True)
    ]
    return frame.assign(is_verbatim=frame["quote_type"] != "paraphrase", region=region, is_user_data=True)


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
