"""Small reusable widgets: URL-backed choices, the events table, filter summaries."""

from __future__ import annotations

import base64
import functools
import mimetypes
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io
import pyarrow as pa
import streamlit as st
from plotly.basedatatypes import BaseFigure
from streamlit import runtime
from streamlit.runtime.scriptrunner import ScriptRunContext, add_script_run_ctx, get_script_run_ctx

from dashboard import schema
from dashboard.charts import DrawnFigure, drawn_figure
from dashboard.data import Dataset
from dashboard.export import export_file_name, to_csv_bytes
from dashboard.filters import Filters
from dashboard.links import LinkReader
from dashboard.text import escape_markdown
from dashboard.ui import cache


def describe_filters(filters: Filters, actors: pd.DataFrame) -> str:
    """One plain sentence saying what the current filters select."""
    if filters.is_default():
        return "Showing all records."
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    parts = []
    if filters.regions:
        parts.append("region " + " or ".join(filters.regions))
    if filters.actors:
        parts.append("actor " + " or ".join(names.get(a, a) for a in filters.actors))
    if filters.date_from or filters.date_to:
        lo = filters.date_from.isoformat() if filters.date_from else "the start"
        hi = filters.date_to.isoformat() if filters.date_to else "today"
        parts.append(f"dates {lo} to {hi}")
    return "Filtered to " + "; ".join(parts) + "."


def query_params_as_lists() -> dict[str, list[str]]:
    """The current URL's query parameters, every key as a list of values: what the link parsers read."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def write_query_params(keys: Iterable[str], wanted: Mapping[str, str | list[str]]) -> None:
    """Make the URL hold exactly `wanted` for the parameters in `keys` (others untouched); defaults are absent."""
    for key in keys:
        if key in wanted:
            value = wanted[key]
            if st.query_params.get_all(key) != (list(value) if isinstance(value, list | tuple) else [value]):
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]


def url_radio(label: str, options: dict[str, str], param: str, key: str) -> str:
    """A horizontal radio whose choice lives in the URL as `param` (first option is the default)."""
    values = list(options)
    if key not in st.session_state:
        link = LinkReader({param: st.query_params.get_all(param)})
        st.session_state[key] = link.one(param, values, param) or values[0]
        for notice in link.notices:
            st.warning(escape_markdown(notice), icon=":material/warning:")
    choice = st.radio(label, values, format_func=options.get, key=key, horizontal=True)
    if choice == values[0]:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != choice:
        st.query_params[param] = choice
    return choice


def lazy_tabs(labels: list[str], key: str) -> list:
    """Tabs of which only the chosen one is built: choosing a tab reruns the page, and `tab.open` says which is chosen.

    Streamlit draws every tab's content in the browser, hidden or not, so a map or table in a hidden tab costs a
    visitor's browser as much as a shown one. When a label changes (a count in it, a place's name), the reader's
    choice is kept by its position.
    """
    labels_key = f"{key}_labels"
    chosen, previous = st.session_state.get(key), st.session_state.get(labels_key, ())
    position = labels.index(chosen) if chosen in labels else previous.index(chosen) if chosen in previous else 0
    st.session_state[labels_key] = tuple(labels)
    return list(st.tabs(labels, key=key, on_change="rerun", default=labels[position]))


TABLE_MAX_ROWS = 500


def events_table(events: pd.DataFrame, ds: Dataset) -> None:
    """The newest filtered events (at most TABLE_MAX_ROWS), sources as links, plain text everywhere else."""
    total = len(events)
    if total > TABLE_MAX_ROWS:
        # nlargest(keep="first") without its pass over every column: the newest rows' positions, then only those rows.
        dates = events["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
        events = events.iloc[np.argsort(-dates, kind="stable")[:TABLE_MAX_ROWS]]
    names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
    # Plain lists first: iterating Arrow-backed columns cell by cell is slow with many places.
    place_names = dict(zip(ds.places["place_id"].tolist(), ds.places["name"].tolist(), strict=True))
    view = pd.DataFrame(
        {
            "date": events["date"],
            "event": events["title"],
            "type": events["event_type"].str.replace("_", " "),
            "actors": [", ".join(names.get(a, a) for a in ids) for ids in events["actors"]],
            "place": [place_names.get(p, "") for p in events["place_id"]],
            "region": events["region"],
            "source": events["source_publisher"] + ": " + events["source_title"],
            "link": events["source_url"],
        }
    ).sort_values("date", ascending=False)
    if "is_user_data" in events and events["is_user_data"].any():
        view.insert(1, "origin", events["is_user_data"].map({True: "your data", False: "curated"}))
    st.dataframe(
        view,
        hide_index=True,
        width="stretch",
        column_config={
            "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "link": st.column_config.LinkColumn("Link", display_text="open source ↗"),
            "region": st.column_config.TextColumn("Region", help=", ".join(schema.REGIONS)),
        },
    )
    if total > TABLE_MAX_ROWS:
        st.caption(f"Showing the newest {TABLE_MAX_ROWS:,} of {total:,} events; the About page downloads them all.")


def shared_dataframe(frame: pd.DataFrame, view: Hashable, shown: Callable[[pd.DataFrame], pd.DataFrame], container=st, **kwargs):
    """st.dataframe of shown(frame), for a frame that is never changed once made (a cached one, shared by every session).

    Streamlit converts a pandas frame to Arrow on every rerun, a few ms for a table of a few dozen rows and columns, and
    choosing the columns to show costs as much again: the Arrow table of the shown columns is made once per frame and
    `view` (which names what `shown` does and every value it depends on) and kept with it (cache.derived). Other
    keyword arguments go to st.dataframe.
    """
    table = cache.derived(frame, ("arrow", view), lambda f: pa.Table.from_pandas(shown(f), preserve_index=False))
    return container.dataframe(table, **kwargs)


def csv_download(label: str, frame: Callable[[], pd.DataFrame], stem: str, key: str, container=st, **kwargs) -> None:
    """A button that downloads `frame()` as spreadsheet-safe CSV named inf_watch_<stem>_<data version>.csv.

    The file is written only when the button is clicked (see download_on_click). `container` is where the button
    goes (a column, say); other keyword arguments go to st.download_button.
    """
    download_on_click(
        label,
        lambda: to_csv_bytes(frame()),
        export_file_name(stem, cache.get_data_version()),
        "text/csv",
        key,
        container,
        **kwargs,
    )


def download_on_click(label: str, make: Callable[[], bytes], file_name: str, mime: str, key: str, container=st, **kwargs) -> None:
    """A button that downloads `make()`, written only when it is clicked; clicking does not rerun the page.

    Every download of the app that is written on click goes through here. Streamlit stores such a file without tying
    it to a session, and the end of any script run on the server prunes the files no session holds (the first run
    marks them, the second deletes them: MediaFileManager.remove_orphaned_files). With many readers the browser's
    fetch came after two other readers' runs and got 404. So the file is also held for this session, as a file drawn
    by the run is, and let go by the session's next run (tests/test_protocol_load.py guards it).
    """
    ctx = get_script_run_ctx()

    def write() -> bytes:
        data = make()
        if ctx is not None and runtime.exists():
            _hold_for_session(ctx, data, file_name, mime, key)
        return data

    container.download_button(label, write, file_name=file_name, mime=mime, key=key, on_click="ignore", **kwargs)


def _hold_for_session(ctx: ScriptRunContext, data: bytes, file_name: str, mime: str, key: str) -> None:
    # The click is served on a worker thread without the session's context, and MediaFileManager.add holds a file
    # for the context's session: so it runs on a thread given that context. Files are stored by their content, name
    # and type, so this is the very file the button then stores and serves.
    holder = threading.Thread(
        target=runtime.get_instance().media_file_mgr.add,
        args=(data, mime, f"download_on_click:{key}", file_name, True),
        name="inf-watch-download",
    )
    add_script_run_ctx(holder, ctx)
    holder.start()
    holder.join()


@functools.cache
def image_data_url(path: str) -> str:
    """The image file at `path` as a data: URL, read once per process. Given a file's path, st.logo and
    st.set_page_config read it (and a PNG's pixels) again on every rerun of every page; a data: URL they pass on as it
    is. For small images only (the logo and icon: under 1 kB), which every rerun then carries."""
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as fh:
        return f"data:{mime};base64,{base64.b64encode(fh.read()).decode('ascii')}"


class _StandIn(BaseFigure):
    """What plotly_chart hands st.plotly_chart: Streamlit only asks a figure for its dict, and this one answers with the
    DrawnFigure it was made for (never initialised as a figure: it holds nothing else)."""

    def __init__(self, drawn: DrawnFigure) -> None:  # not BaseFigure.__init__: nothing to validate
        object.__setattr__(self, "_stand_in_for", drawn)

    def to_dict(self) -> DrawnFigure:
        return self._stand_in_for


def plotly_chart(figure: go.Figure | DrawnFigure, **kwargs):
    """st.plotly_chart of a figure that is not changed once drawn (the cached ones are shared by every session), or of
    a DrawnFigure (charts.drawn_figure: only the JSON of one, as the ring maps are cached).

    Streamlit turns the figure into a dict (a deep copy of every trace) and the dict into JSON on every rerun, even for
    the same cached figure: for the map and the range map, tens of thousands of outline vertices, several ms of each of
    their reruns. The JSON is made once per figure and kept with it, and Streamlit is handed a stand-in that gives only
    that (the figure itself is not changed: anything else, a briefing image say, still gets its full dict). Returns
    what st.plotly_chart returns (the selection, with on_select).
    """
    drawn = figure if isinstance(figure, DrawnFigure) else figure.__dict__.get("_drawn")
    if drawn is None:
        drawn = drawn_figure(figure)
        object.__setattr__(figure, "_drawn", drawn)
    return st.plotly_chart(_StandIn(drawn), **kwargs)


def _to_json_once(fig, *args, **kwargs):
    # plotly.io.to_json, which st.plotly_chart calls as to_json(figure.to_dict(), validate=False): the dict of a figure
    # drawn by plotly_chart above is its DrawnFigure, which gives the JSON made once; any other call is plotly's own.
    if isinstance(fig, DrawnFigure) and not args and kwargs == {"validate": False}:
        return fig.json
    return _plotly_to_json(fig, *args, **kwargs)


_plotly_to_json = getattr(plotly.io.to_json, "__wrapped__", plotly.io.to_json)  # plotly's own, if this module is reloaded
_to_json_once.__wrapped__ = _plotly_to_json
plotly.io.to_json = _to_json_once
