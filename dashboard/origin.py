"""Whose a row is: the curated data's or the reader's own upload, marked the same way on every table.

Every frame that reaches a page carries a boolean `is_user_data` column (False for curated rows), so
no page has to ask whether the column is there. The curated data set is marked once, when the server
loads it; a reader's uploads are joined to it here and live only in that reader's session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import geopandas as gpd
import pandas as pd

from dashboard.data import Dataset

IS_USER_DATA = "is_user_data"
# The tables a reader can upload rows to, with the id that identifies a row in each.
UPLOAD_KEYS = {"events": "event_id", "places": "place_id", "statements": "statement_id"}


def mark(frame: pd.DataFrame, is_user: bool) -> pd.DataFrame:
    """`frame` with `is_user_data` set to `is_user` on every row (a GeoDataFrame stays one)."""
    return frame.assign(**{IS_USER_DATA: is_user})


def mark_curated(ds: Dataset) -> Dataset:
    """The curated data set with `is_user_data` = False on the tables a reader can add to."""
    return replace(ds, **{name: mark(getattr(ds, name), False) for name in UPLOAD_KEYS})


def merge_frames(curated: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    """The curated rows and then the reader's rows (only the columns the curated table has, plus lat/lon)."""
    base = curated if IS_USER_DATA in curated.columns else mark(curated, False)
    if extra is None or extra.empty:
        return base
    keep = [c for c in extra.columns if c in base.columns or c in ("lat", "lon")]
    merged = pd.concat([base, mark(extra[keep], True)], ignore_index=True)
    merged[IS_USER_DATA] = merged[IS_USER_DATA].astype(bool)
    if isinstance(curated, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(merged, geometry="geometry", crs=curated.crs)
    return merged


def merge_dataset(curated: Dataset, uploads: Mapping[str, pd.DataFrame]) -> Dataset:
    """`curated` with the reader's uploaded events, places and statements added to their tables."""
    if not uploads:
        return curated
    return replace(curated, **{name: merge_frames(getattr(curated, name), uploads.get(name)) for name in UPLOAD_KEYS})


def replace_rows(old: pd.DataFrame | None, new: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The reader's rows of one kind after a new upload: a row with the same id as an earlier one replaces it."""
    if old is None or old.empty:
        return new.reset_index(drop=True)
    key = UPLOAD_KEYS[kind]
    frame = pd.concat([old[~old[key].isin(new[key])], new], ignore_index=True)
    if isinstance(new, gpd.GeoDataFrame):
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    return frame


def rows_of(frame: pd.DataFrame, is_user: bool = True) -> pd.DataFrame:
    """The reader's own rows of `frame` (or, with is_user=False, the curated ones)."""
    return frame[frame[IS_USER_DATA] == is_user]
