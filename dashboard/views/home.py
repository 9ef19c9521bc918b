"""Home: what INF Watch is for, headline figures for the current filters, and the events timeline."""

import streamlit as st

from dashboard import describe
from dashboard.ui import cache, userdata, widgets
from dashboard.ui.sidebar import current_filters
from dashboard.ui.text_version import show_text_version

KEY_TABLE = "home_events_table"

ds = userdata.current_dataset()
filters = current_filters()
shown = cache.get_filtered(ds, filters)
events, statements, places = shown.events, shown.statements, shown.places

st.title("INF Watch")
st.markdown(
    "The 1987 INF Treaty banned US and Soviet land-based missiles with ranges of 500–5,500 km; it ended "
    "in 2019 amid a dispute over Russia's 9M729 missile. INF Watch lays out that story as sourced data — "
    "events, places, statements and missile systems — with a focus on the Black Sea and Baltic regions."
)
st.caption(widgets.describe_filters(filters, ds.actors))
if events["is_user_data"].any():
    st.info(
        f"Including {int(events['is_user_data'].sum()):,} of your own events, tagged “your data” in the table.",
        icon=":material/upload_file:",
    )

cols = st.columns(4)
cols[0].metric("Events", f"{len(events):,}", help="Dated events matching the filters")
cols[1].metric("Statements", f"{len(statements):,}", help="Statements matching the filters")
cols[2].metric("Places", f"{len(places):,}", help="Places matching the region and actor filters")
span = f"{events['date'].min():%Y}–{events['date'].max():%Y}" if len(events) else "—"
cols[3].metric("Years covered", span, help="First and last event year in the selection")


# A fragment: changing the colouring reruns only the timeline, not the figures and table around it.
@st.fragment
def show_timeline() -> None:
    """The events timeline, coloured as the reader chooses (kept in the link)."""
    colour_by = widgets.url_radio(
        "Colour the timeline by",
        {"event_type": "Event type", "actor": "Actor (coloured by side)"},
        param="colour",
        key="home_colour",
    )
    widgets.plotly_chart(cache.get_events_timeline(ds, filters, colour_by, events), width="stretch")
    show_text_version(lambda: describe.timeline_text(events, ds.actors, colour_by), "home_timeline_text")


show_timeline()

st.subheader("Events")
# Built when opened (opening it reruns the page): a table's code and grid are a large part of what a visitor's browser
# does for this page, and the table sits below the timeline, out of sight when the page opens.
# The label stays the same whatever the filters, so the table stays open when they change.
table = st.expander(
    "The events as a table, newest first, with their sources", key=KEY_TABLE, icon=":material/table:", on_change="rerun"
)
if table.open:
    with table:
        widgets.events_table(events, ds)
