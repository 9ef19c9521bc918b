"""The text version offered beside every map and chart: an expander with its facts in sentences and a small table."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.describe import TextVersion
from dashboard.text import escape_markdown

LABEL = "Text version of this chart"
MAP_LABEL = "Text version of this map"


def _escaped(table: pd.DataFrame) -> pd.DataFrame:
    # st.table renders each cell and heading as Markdown: data must never become a link, emphasis or HTML.
    out = table.map(escape_markdown)
    out.columns = [escape_markdown(c) for c in table.columns]
    return out


def show_text_version(build: Callable[[], TextVersion], key: str, label: str = LABEL) -> None:
    """The figure's facts (describe.py) in a collapsed expander placed right below the figure.

    `build` runs only while the expander is open (opening it reruns the page, and it stays open across reruns): a
    reader who does not open it costs neither the server the summary nor the browser its table.
    """
    section = st.expander(label, icon=":material/description:", key=key, on_change="rerun")
    if not section.open:
        return
    text = build()
    with section:
        st.markdown(escape_markdown(text.sentences))
        if len(text.table):
            st.table(_escaped(text.table), hide_index=True)
        if text.note:
            st.caption(escape_markdown(text.note))
