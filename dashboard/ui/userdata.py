"""The reader's own uploaded rows: kept in this browser session only and merged into every page's data."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.data import Dataset
from dashboard.ui import cache

# Session keys owned by this module.
_KEY_ROWS = "userdata_rows"  # kind -> DataFrame of accepted rows
_KEY_VERSION = "userdata_version"
_KEY_MERGED = "userdata_merged"  # (version, Dataset)


def user_rows(kind: str) -> pd.DataFrame | None:
    """The reader's accepted rows of one kind (events, places, statements), or None."""
    return st.session_state.get(_KEY_ROWS, {}).get(kind)


def add_rows(kind: str, frame: pd.DataFrame) -> int:
    """Add accepted rows; a row with the same id as an earlier upload replaces it. Returns rows held."""
    rows = dict(st.session_state.get(_KEY_ROWS, {}))
    key = {"events": "event_id", "places": "place_id", "statements": "statement_id"}[kind]
    old = rows.get(kind)
    if old is not None and len(old):
        frame = pd.concat([old[~old[key].isin(frame[key])], frame], ignore_index=True)
        if kind == "places":
            frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    rows[kind] = frame.reset_index(drop=True)
    st.session_state[_KEY_ROWS] = rows
    st.session_state[_KEY_VERSION] = st.session_state.get(_KEY_VERSION, 0) + 1
    return len(rows[kind])


def clear() -> None:
    """Forget every uploaded row in this session."""
    for key in (_KEY_ROWS, _KEY_MERGED):
        st.session_state.pop(key, None)
    st.session_state[_KEY_VERSION] = st.session_state.get(_KEY_VERSION, 0) + 1


def counts() -> dict[str, int]:
    """Uploaded rows held per kind."""
    return {k: len(v) for k, v in st.session_state.get(_KEY_ROWS, {}).items()}


def _merge(curated: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    base = curated.assign(is_user_data=False)
    if extra is None or extra.empty:
        return base
    merged = pd.concat([base, extra[[c for c in extra.columns if c in base.columns or c in ("lat", "lon")]]], ignore_index=True)
    merged["is_user_data"] = merged["is_user_data"].astype(bool)
    if isinstance(curated, gpd.GeoDataFrame):
        return gpd.GeoDataFrame(merged, geometry="geometry", crs=curated.crs)
    return merged


def current_dataset() -> Dataset:
    """The curated data plus this session's uploads (marked `is_user_data`); the curated frames when none."""
    curated = cache.get_dataset()
    rows = st.session_state.get(_KEY_ROWS)
    if not rows:
        return curated
    version = st.session_state.get(_KEY_VERSION, 0)
    cached = st.session_state.get(_KEY_MERGED)
    if cached and cached[0] == version:
        return cached[1]
    merged = replace(
        curated,
        events=_merge(curated.events, rows.get("events")),
        places=_merge(curated.places, rows.get("places")),
        statements=_merge(curated.statements, rows.get("statements")),
    )
    st.session_state[_KEY_MERGED] = (version, merged)
    return merged
