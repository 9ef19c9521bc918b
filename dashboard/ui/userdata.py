"""The reader's own uploaded rows: kept in this browser session only and joined to every page's data."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import origin
from dashboard.data import Dataset
from dashboard.ui import cache

# Session keys owned by this module.
_KEY_ROWS = "userdata_rows"  # kind -> DataFrame of accepted rows


def user_rows(kind: str) -> pd.DataFrame | None:
    """The reader's accepted rows of one kind (events, places, statements), or None."""
    return st.session_state.get(_KEY_ROWS, {}).get(kind)


def add_rows(kind: str, frame: pd.DataFrame) -> int:
    """Add accepted rows; a row with the same id as an earlier upload replaces it. Returns rows held."""
    rows = dict(st.session_state.get(_KEY_ROWS, {}))
    rows[kind] = origin.replace_rows(rows.get(kind), frame, kind)
    st.session_state[_KEY_ROWS] = rows
    cache.forget_session_values()  # everything built from the old rows
    return len(rows[kind])


def clear() -> None:
    """Forget every uploaded row in this session, and everything built from them."""
    st.session_state.pop(_KEY_ROWS, None)
    cache.forget_session_values()


def counts() -> dict[str, int]:
    """Uploaded rows held per kind."""
    return {k: len(v) for k, v in st.session_state.get(_KEY_ROWS, {}).items()}


def current_dataset() -> Dataset:
    """The curated data plus this session's uploads; every event, place and statement has `is_user_data`."""
    curated = cache.get_dataset()
    rows = st.session_state.get(_KEY_ROWS)
    if not rows:
        return curated
    return cache.session_value("dataset", (), lambda: origin.merge_dataset(curated, rows))
