"""Exports that are safe to open in a spreadsheet: CSV with formula cells neutralised, and GeoJSON."""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import pandas as pd

# OWASP "CSV injection": a text cell starting with one of these may be run as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: str) -> str:
    """Prefix a text cell that a spreadsheet would treat as a formula with a single quote."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _plain(value: object) -> object:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def to_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of `frame` ready for CSV: lists joined with '; ', dates as YYYY-MM-DD, text neutralised.

    Numeric and boolean columns are left as they are, so numbers stay numbers.
    """
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:
        series = frame[col]
        if col == "geometry" or isinstance(series.dtype, gpd.array.GeometryDtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = series.dt.strftime("%Y-%m-%d").fillna("")
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            out[col] = series
        else:
            out[col] = series.map(_plain).map(lambda v: "" if v is None or v is pd.NA else neutralise_cell(str(v)))
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM so spreadsheets detect the encoding) with formula cells neutralised."""
    # Quote every text cell so that line breaks (even a lone CR) stay inside their cell.
    return to_safe_frame(frame).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8-sig")


def export_file_name(stem: str, data_version: str, ext: str = "csv") -> str:
    """Download name that carries the data version: ('events', '2026-12-01') → 'inf_watch_events_2026-12-01.csv'.

    The version goes in the name, not in the file: a comment line would break CSV readers.
    """
    return f"inf_watch_{stem}_{data_version}.{ext}"


def to_geojson_bytes(places: gpd.GeoDataFrame, data_version: str | None = None) -> bytes:
    """GeoJSON FeatureCollection of the places: plain properties, dates as YYYY-MM-DD, lists joined.

    With `data_version`, the collection carries it as a top-level `data_version` member.
    """
    out = places.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
        elif out[col].dtype == object:
            out[col] = out[col].map(_plain)
    text = out.to_json(na="null", ensure_ascii=False, drop_id=True)
    if data_version is None:
        return text.encode("utf-8")
    collection = {"type": "FeatureCollection", "data_version": data_version, **json.loads(text)}
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
