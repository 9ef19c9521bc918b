"""The reader's own uploaded rows: kept in this browser session only and joined to every page's data."""

from __future__ import annotations

import sys
import threading

import pandas as pd
import streamlit as st

from dashboard import memory, origin
from dashboard.data import Dataset
from dashboard.ui import cache

# Session keys owned by this module.
_KEY_ROWS = "userdata_rows"  # kind -> DataFrame of accepted rows
_KEY_RELEASE = "userdata_release"  # a _ReleaseOnDrop, dropped with the session's rows


class _ReleaseOnDrop:
    """Kept in the session beside the reader's rows. A session ends some time after its tab closes (Streamlit keeps it
    for server.disconnectedSessionTTL seconds in case the tab reconnects) and is then dropped with its state: this hands
    the memory its rows held back to the system a moment later, when they are gone too."""

    def __del__(self) -> None:
        if sys.is_finalizing():  # at exit no new thread runs: Thread.start would wait for it, and the process with it
            return
        timer = threading.Timer(2.0, memory.return_freed_memory)
        timer.daemon = True
        timer.start()


def user_rows(kind: str) -> pd.DataFrame | None:
    """The reader's accepted rows of one kind (events, places, statements), or None."""
    return st.session_state.get(_KEY_ROWS, {}).get(kind)


def add_rows(kind: str, frame: pd.DataFrame) -> int:
    """Add accepted rows; a row with the same id as an earlier upload replaces it. Returns rows held."""
    rows = dict(st.session_state.get(_KEY_ROWS, {}))
    rows[kind] = origin.replace_rows(rows.get(kind), frame, kind)
    st.session_state[_KEY_ROWS] = rows
    st.session_state.setdefault(_KEY_RELEASE, _ReleaseOnDrop())
    cache.forget_session_values()  # everything built from the old rows
    return len(rows[kind])


def clear() -> None:
    """Forget every uploaded row in this session, and everything built from them."""
    st.session_state.pop(_KEY_ROWS, None)
    cache.forget_session_values()
    st.session_state.pop(_KEY_RELEASE, None)  # hands back what the rows held


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
