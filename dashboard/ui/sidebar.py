"""The sidebar shared by every page: region, actor and date filters, kept in the URL."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard import data, schema
from dashboard.filters import SHARED_PARAMS, Filters, filters_to_params, parse_filters
from dashboard.text import escape_markdown
from dashboard.ui.widgets import query_params_as_lists, write_query_params

# Widget keys owned by this module.
KEY_REGIONS = "flt_regions"
KEY_ACTORS = "flt_actors"
KEY_DATES = "flt_dates"
_KEY_INIT = "flt_initialised"
_KEY_NOTICES = "flt_notices"
_KEY_CURRENT = "flt_current"


def date_bounds(ds: data.Dataset) -> tuple[date, date]:
    """Earliest dated record to today."""
    earliest = min(ds.events["date"].min(), ds.statements["date"].min())
    first = earliest.date() if earliest == earliest else date(1979, 1, 1)
    return first, date.today()


def _initialise_from_url(ds: data.Dataset) -> None:
    """On a session's first run, set the widgets from the link it was opened with."""
    if st.session_state.get(_KEY_INIT):
        return
    lo, hi = date_bounds(ds)
    parsed = parse_filters(query_params_as_lists(), schema.REGIONS, ds.actors["actor_id"], (lo, hi))
    f = parsed.filters
    st.session_state[KEY_REGIONS] = list(f.regions)
    st.session_state[KEY_ACTORS] = list(f.actors)
    st.session_state[KEY_DATES] = (f.date_from or lo, f.date_to or hi)
    st.session_state[_KEY_NOTICES] = parsed.notices
    st.session_state[_KEY_INIT] = True


def _reset() -> None:
    for key in (KEY_REGIONS, KEY_ACTORS, KEY_DATES):
        st.session_state.pop(key, None)
    for key in SHARED_PARAMS:
        st.query_params.pop(key, None)
    st.session_state[_KEY_INIT] = False


def render_filters(ds: data.Dataset) -> Filters:
    """Draw the shared filters in the sidebar and keep the URL in step with them."""
    _initialise_from_url(ds)
    lo, hi = date_bounds(ds)
    actor_names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
    with st.sidebar:
        st.subheader("Filters")
        regions = st.multiselect(
            "Region",
            options=list(schema.REGIONS),
            key=KEY_REGIONS,
            placeholder="All regions",
            help="Places are assigned to a region by where they lie; events and statements by their place.",
        )
        actors = st.multiselect(
            "Actor",
            options=sorted(actor_names, key=lambda a: actor_names[a].casefold()),
            format_func=lambda a: actor_names.get(a, a),
            key=KEY_ACTORS,
            placeholder="All actors",
            help="Events involving, statements made on behalf of, and places operated by these actors.",
        )
        picked = st.date_input("Dates", min_value=lo, max_value=hi, key=KEY_DATES, format="YYYY-MM-DD")
        st.button("Reset filters", on_click=_reset, width="stretch")
        st.caption("The address bar always holds the current view: copy it to share exactly what you see.")
    start, end = lo, hi
    if isinstance(picked, tuple | list) and len(picked) == 2:
        start, end = picked
    filters = Filters(
        regions=tuple(regions),
        actors=tuple(actors),
        date_from=start if start != lo else None,
        date_to=end if end != hi else None,
    )
    _write_url(filters)
    st.session_state[_KEY_CURRENT] = filters
    return filters


def current_filters() -> Filters:
    """The filters the sidebar drew on this run (all data if it has not run)."""
    return st.session_state.get(_KEY_CURRENT, Filters())


def _write_url(filters: Filters) -> None:
    write_query_params(SHARED_PARAMS, filters_to_params(filters))


def show_notices() -> None:
    """Show, once, what was ignored in the link the session was opened with."""
    notices = st.session_state.pop(_KEY_NOTICES, None)
    for notice in notices or []:
        st.warning(escape_markdown(notice), icon=":material/warning:")
