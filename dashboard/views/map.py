"""Map: places, posture as of a date and events in the Black Sea and Baltic regions, with details of a selected place."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import basemap, briefing, describe, export
from dashboard import map_figures as mf
from dashboard.charts import USER_COLOUR_NAME, USER_TAG
from dashboard.citations import markdown_source_link, quote_label, quoted_markdown
from dashboard.filters import event_mask, filter_events, filter_places, filter_statements
from dashboard.text import counted, escape_markdown
from dashboard.ui import cache, map_time, range_products, userdata, widgets
from dashboard.ui.sidebar import current_filters, date_bounds
from dashboard.ui.text_version import MAP_LABEL, show_text_version

# Keys owned by this page.
KEY_VIEW = "map_view"
KEY_ASOF = "map_asof"
KEY_CHART = "map_chart"
KEY_SELECTED = "map_selected"
KEY_EVENT = "map_event"
KEY_LAST_CHART = "map_last_chart_selection"
KEY_PICK = "map_pick"  # the list of places: the keyboard's way to select what a click on a marker selects
MAX_PICK_OPTIONS = 1_000  # places listed in it (each run sends every label); past that the filters must narrow the map
MAX_DETAILS = 8  # places described beside the map at once
MAX_STATEMENTS = 6  # statements listed on a place's card; the Statements page has the rest

PRESETS = (
    ("1987", date(1987, 12, 8), "8 December 1987: the INF Treaty is signed"),
    ("Before 2014", date(2013, 12, 31), "31 December 2013: before Russia's occupation of Crimea"),
    ("2017", date(2017, 7, 1), "1 July 2017: NATO's battlegroups are in place in the Baltic states and Poland"),
    ("2019", date(2019, 8, 2), "2 August 2019: the United States withdraws and the treaty ends"),
)


def _set_asof(value: date) -> None:
    st.session_state[KEY_ASOF] = value


def _select_event(event_id: str, place_id: str) -> None:
    st.session_state[KEY_EVENT] = event_id
    if place_id not in st.session_state.get(KEY_SELECTED, ()):
        st.session_state[KEY_SELECTED] = (place_id,)


def _clear_selection() -> None:
    st.session_state[KEY_SELECTED] = ()
    st.session_state[KEY_EVENT] = None


def _pick_places() -> None:
    st.session_state[KEY_SELECTED] = tuple(st.session_state.get(KEY_PICK, ()))


def _place_label(name: object, kind: object, country: object) -> str:
    where = f", {country}" if isinstance(country, str) and country else ""
    return f"{name} ({mf.kind_label(str(kind))}{where})"


def pick_places(places: pd.DataFrame, selected: tuple[str, ...], place_by_id: pd.DataFrame, own: pd.DataFrame | None) -> None:
    """A list of the places on the map, kept in step with the selection: choosing one there is clicking its marker."""
    # Plain lists: labels for a few thousand places in a few ms. "Name (kind, country)".
    rows = sorted(
        zip(
            (str(n).casefold() for n in places["name"].tolist()),
            places["place_id"].tolist(),
            places["name"].tolist(),
            places["kind"].tolist(),
            places["country"].tolist(),
            strict=True,
        )
    )
    labels = {pid: _place_label(name, kind, country) for _, pid, name, kind, country in rows[:MAX_PICK_OPTIONS]}
    for pid in selected:  # selected elsewhere (a link, the box tool) but not listed: one of the reader's events, say
        if pid in labels:
            continue
        if own is not None and pid in own.index:
            labels[pid] = f"{own.at[pid, 'title']} ({USER_TAG})"
        elif pid in place_by_id.index:
            labels[pid] = _place_label(*place_by_id.loc[pid, ["name", "kind", "country"]])
        else:
            labels[pid] = pid
    options = list(labels)
    st.session_state[KEY_PICK] = list(selected)  # what the map selected shows here too
    st.multiselect(
        "Places to show here",
        options,
        key=KEY_PICK,
        format_func=labels.get,
        on_change=_pick_places,
        placeholder="Type a place's name",
        help="Without the map: choose places by name to list their events and statements, as a click on a marker does.",
    )
    if len(rows) > MAX_PICK_OPTIONS:
        st.caption(
            f"Listing the first {MAX_PICK_OPTIONS:,} of {len(rows):,} places by name: narrow the filters to list the rest."
        )


def show_selection_head(selected: tuple[str, ...]) -> None:
    """The heading of the selection column: a hint while nothing is selected, else a Clear button and how many are shown."""
    if not selected:
        st.subheader("Selected places")
        st.info(
            "Click a marker, use the box or lasso tool, or choose places by name below to list their events and statements here.",
            icon=":material/ads_click:",
        )
        return
    head = st.columns([3, 1])
    head[0].subheader("Selected places" if len(selected) > 1 else "Selected place")
    head[1].button("Clear", on_click=_clear_selection, key="map_clear", width="stretch")
    if len(selected) > MAX_DETAILS:
        st.caption(f"Showing the first {MAX_DETAILS} of {len(selected)} selected places.")


def show_own_event(event: pd.Series) -> None:
    """The card of one of the reader's events drawn at its own coordinates (no place): title, date, type, summary, source."""
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(event['title'])}** · *{USER_TAG}*")
        st.caption(
            escape_markdown(
                f"{event['date']:%Y-%m-%d} · {str(event['event_type']).replace('_', ' ')} · "
                f"{event['lat']:.4f}, {event['lon']:.4f} (its own coordinates)"
            )
        )
        st.markdown(escape_markdown(event["summary"]))
        st.caption(markdown_source_link(event["source_title"], event["source_publisher"], event["source_url"]))


def show_place(place_id: str, place: pd.Series, operator_name: str, *, mine: bool, on_map: bool) -> None:
    """The head of a place's card: name (tagged when the reader's own), kind, operator, country, description, source, rings."""
    operator = f"operated by {operator_name}" if operator_name else "no operator"
    st.markdown(f"**{escape_markdown(place['name'])}**" + (f" · *{USER_TAG}*" if mine else ""))
    country = f" · {place['country']}" if isinstance(place["country"], str) and place["country"] else ""
    st.caption(escape_markdown(f"{mf.kind_label(place['kind'])} · {operator}{country}"))
    if not on_map:
        st.caption("Not on the map with the current filters and date.")
    if isinstance(place["description"], str) and place["description"]:
        st.markdown(escape_markdown(place["description"]))
    st.caption(markdown_source_link(place["source_title"], place["source_publisher"], place["source_url"]))
    st.page_link(
        "views/ranges.py", label="Range rings from here", icon=":material/track_changes:", query_params={"launch": place_id}
    )


def show_place_events(here: pd.DataFrame, place_id: str, chosen_id: str | None) -> None:
    """The events at a place, newest first: the chosen one (▶) with its summary, each other with a button to show and link it."""
    st.markdown(f"**Events here** ({len(here)})" if len(here) else "*No events here match the filters and date.*")
    for ev in here.itertuples(index=False):
        is_chosen = ev.event_id == chosen_id
        marker = "▶ " if is_chosen else ""
        tag = f" · *{USER_TAG}*" if getattr(ev, "is_user_data", False) else ""
        st.markdown(f"{marker}**{ev.date:%Y-%m-%d}** · {escape_markdown(ev.title)}{tag}")
        if is_chosen:
            st.markdown(escape_markdown(ev.summary))
        st.caption(markdown_source_link(ev.source_title, ev.source_publisher, ev.source_url))
        if not is_chosen:
            st.button(
                "Show and link this event",
                key=f"map_event_{ev.event_id}",
                on_click=_select_event,
                args=(ev.event_id, place_id),
                type="tertiary",
            )


def show_place_statements(said: pd.DataFrame) -> None:
    """The latest MAX_STATEMENTS statements about a place or its events, each with its source and a link to open it."""
    if len(said):
        st.markdown(f"**Statements** ({len(said)})")
    for s in said.head(MAX_STATEMENTS).itertuples(index=False):
        st.markdown(
            f"**{s.date:%Y-%m-%d}** · {escape_markdown(s.speaker)}: {quoted_markdown(escape_markdown(s.text), s.quote_type)}"
        )
        # Say how the words were recorded, as the Statements page does: a translation names its translator.
        recorded = escape_markdown(quote_label(s.quote_type, getattr(s, "translated_by", "")))
        st.caption(f"{recorded} · {markdown_source_link(s.source_title, s.source_publisher, s.source_url)}")
        st.page_link(
            "views/statements.py",
            label="Open in Statements",
            icon=":material/format_quote:",
            query_params={"open": s.statement_id},
        )
    if len(said) > MAX_STATEMENTS:
        st.caption(f"… and {len(said) - MAX_STATEMENTS} earlier statements: see the Statements page.")


def own_ids(ids: Iterable[str | None], places: pd.DataFrame, events: pd.DataFrame) -> set[str]:
    """Which of `ids` (a few: the selection) are the reader's own places or events. Looked up on each run: a set of
    every id in an export of 300,000 events would hold tens of MB in the session for a handful of lookups."""
    ids = [i for i in ids if i]
    if not ids:
        return set()
    places_hit = places.loc[places["is_user_data"] & places["place_id"].isin(ids), "place_id"]
    events_hit = events.loc[events["is_user_data"] & events["event_id"].isin(ids), "event_id"]
    return set(places_hit) | set(events_hit)


tables = cache.get_map_frames()
has_uploads = bool(userdata.counts())
if has_uploads:  # the reader's own rows beside the curated ones, tagged `is_user_data`, joined once per session
    merged = userdata.current_dataset()
    tables = cache.session_value(
        "map_tables", (), lambda: mf.add_user_rows(tables, merged.places, merged.events, merged.statements)
    )
places_all, events_all, statements_all, actors = tables.places, tables.events, tables.statements, tables.actors
place_by_id, event_places = tables.place_by_id, tables.event_places
ds = cache.get_dataset()
filters = current_filters()
lo, today = date_bounds(ds)
actor_names = dict(zip(actors["actor_id"], actors["name"], strict=True))

st.title("Map of the missile balance")
st.markdown(
    "Capitals, headquarters, bases, missile brigades and ranges around the Black Sea and the Baltic, "
    "coloured by the side that operates them. Choose a view and a date; click a marker or drag a box to "
    "list its events and statements."
)

# First run on this page: take the view, selection and date from the link; say what was ignored.
if KEY_VIEW not in st.session_state:
    parsed = mf.parse_map_params(widgets.query_params_as_lists(), place_by_id.index, event_places, (lo, today))
    st.session_state[KEY_VIEW] = parsed.view
    st.session_state[KEY_ASOF] = parsed.asof or today
    st.session_state[KEY_SELECTED] = parsed.places
    st.session_state[KEY_EVENT] = parsed.event
    st.session_state[KEY_LAST_CHART] = ()
    for notice in parsed.notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")
map_time.read_link((lo, today))
mode = map_time.mode_control()

# The view beside the date where both fit (accessibility.css: at least 300 and 480 px), else one above the other: in
# columns of fixed shares the view's buttons and the date presets were cut off in a 1,024 px window.
controls = st.container(horizontal=True, gap="medium")
with controls.container(key="map_controls_view"):
    view_key = (
        st.segmented_control(
            "View",
            list(basemap.VIEWS),
            format_func=lambda k: basemap.VIEWS[k].title,
            key=KEY_VIEW,
            required=True,
            help="Zoom with the mouse wheel, pan by dragging; the box and lasso tools in the chart's toolbar select places.",
        )
        or basemap.DEFAULT_VIEW
    )
with controls.container(key="map_controls_time"):
    if mode == "compare":  # the two dates replace the one
        time_choice = map_time.time_controls(mode, (lo, today))
        map_time.keep_widget_values(KEY_ASOF)
        asof = st.session_state[KEY_ASOF]
    else:
        asof = st.slider(
            "Posture as of" if mode == "single" else "Posture as of (the step shown when paused, and in the link)",
            min_value=lo,
            max_value=today,
            key=KEY_ASOF,
            format="YYYY-MM-DD",
            help="Hides places not yet built or already closed on this date, and events after it.",
        )
        presets = st.columns(len(PRESETS) + 1)
        for col, (label, when, why) in zip(presets, PRESETS, strict=False):
            col.button(label, on_click=_set_asof, args=(when,), width="stretch", key=f"map_preset_{when.isoformat()}", help=why)
        presets[-1].button(
            "Today", on_click=_set_asof, args=(today,), width="stretch", key="map_preset_today", help="Posture today"
        )
if mode != "compare":
    time_choice = map_time.time_controls(mode, (lo, today))
map_time.write_link(time_choice, (lo, today))

# What the reader picked on the chart on the previous interaction (click, box or lasso).
chart_ids = mf.place_ids_from_selection((st.session_state.get(KEY_CHART) or {}).get("selection"))
if chart_ids != st.session_state.get(KEY_LAST_CHART, ()):
    st.session_state[KEY_LAST_CHART] = chart_ids
    if chart_ids:  # an empty selection (e.g. after the figure redraws) keeps the current choice
        st.session_state[KEY_SELECTED] = chart_ids
selected: tuple[str, ...] = tuple(st.session_state.get(KEY_SELECTED, ()))
event_id = st.session_state.get(KEY_EVENT)
if event_id and event_places.get(event_id) not in selected:
    event_id = st.session_state[KEY_EVENT] = None
mine = own_ids((*selected, event_id), places_all, events_all) if has_uploads else set()  # the reader's, of these

if mode != "single":
    # Play and compare draw their own maps; the link keeps the view and, in play, the step shown when paused.
    asof_linked = asof if mode == "play" else today
    widgets.write_query_params(mf.MAP_PARAMS, mf.map_params_to_query(view_key, (), None, asof_linked, today))
    st.caption(escape_markdown(widgets.describe_filters(filters, actors)))
    if mode == "play":
        map_time.show_play(view_key, filters, time_choice, asof, _set_asof, tables if has_uploads else None)
    else:
        inputs = map_time.CompareInputs(
            filter_places(places_all, filters), filter_events(events_all, filters), actors, place_by_id, has_uploads
        )
        map_time.show_compare(view_key, time_choice, inputs)
    st.stop()

places = mf.places_as_of(filter_places(places_all, filters), asof)
statements = mf.events_as_of(filter_statements(statements_all, filters), asof)
if has_uploads:
    # The reader's events at their own coordinates are drawn apart from the places' and never copied whole: for an
    # export of 300,000 events, copying every column of every row shown cost most of a rerun. `events` is the rest.
    own_all = cache.session_value("map_own_mask", (), lambda: mf.own_coordinates_mask(events_all, place_by_id.index))
    shown = (event_mask(events_all, filters) & (events_all["date"] <= pd.Timestamp(asof))).to_numpy(dtype=bool)
    events = events_all[shown & ~own_all]
    own_rows = np.flatnonzero(shown & own_all)
    n_events = len(events) + len(own_rows)
else:
    shown, own_rows = None, None
    events = mf.events_as_of(filter_events(events_all, filters), asof)
    n_events = len(events)
# Built once per view, filters, date and selection (a sidebar change back to an earlier choice costs nothing).
layers, figure = cache.get_map_figure(
    view_key, filters, asof, selected, places, events, tables if has_uploads else None, own_rows
)
view_title = basemap.VIEWS[view_key].title
# Only the selected ones of the reader's events are ever looked up (and only when some are selected).
user_events = None
if own_rows is not None:
    chosen = np.zeros(len(events_all), dtype=bool)
    if mine:
        chosen = events_all["event_id"].isin([i for i in selected if i in mine]).to_numpy(dtype=bool) & shown & own_all
    user_events = events_all[chosen].set_index("event_id")

# Keep the link in step with the widgets so it can be copied and shared. The reader's own rows live in this
# session only, so they stay out of the link (anyone else opening it would get "unknown place" notices).
if has_uploads:
    linked = tuple(pid for pid in selected if pid not in mine)
    wanted = mf.map_params_to_query(view_key, linked, event_id if event_id not in mine else None, asof, today)
else:
    wanted = mf.map_params_to_query(view_key, selected, event_id, asof, today)
widgets.write_query_params(mf.MAP_PARAMS, wanted)

st.caption(escape_markdown(widgets.describe_filters(filters, actors)))
left, right = st.columns([2.3, 1], gap="medium")
with left:
    st.markdown(f"**{escape_markdown(view_title)}: {counted(layers.n_places, 'place')} as of {asof.isoformat()}**")
    widgets.plotly_chart(
        figure,
        key=KEY_CHART,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
        config={"scrollZoom": True, "displaylogo": False},
        alt=f"Map of {view_title} with {counted(layers.n_places, 'place')} as of {asof.isoformat()}",
    )
    outside = layers.n_outside
    note = f" {outside:,} more lie outside this view: pan, or switch to another view." if outside else ""
    if layers.n_clustered:
        note += (
            f" {layers.n_clustered:,} places are grouped into circles by area (hover for counts by side and kind): "
            "narrow the filters or pick the Black Sea or Baltic view to see each place."
        )
    if has_uploads:
        note += (
            f" Your own places have a {USER_COLOUR_NAME} outline; your events with their own coordinates are "
            f"{USER_COLOUR_NAME} diamonds."
        )
    st.caption(
        escape_markdown(
            f"{counted(layers.n_places, 'place')} and {counted(n_events, 'event')} up to {asof.isoformat()} match the filters.{note} "
            "Crimea is part of Ukraine, occupied by Russia since 2014 (hatched). Boundaries: Natural Earth."
        )
    )
    show_text_version(
        lambda: describe.map_text(
            places, actors, view_title, asof.isoformat(), mf.in_view(places, cache.get_map_basemap(view_key))
        ),
        "map_text",
        MAP_LABEL,
    )
    with st.expander("Download what the map shows"):
        cols = st.columns(3)
        version = cache.get_data_version()
        widgets.csv_download("Places (CSV)", lambda: places, "places", key="map_dl_places", container=cols[0])
        widgets.download_on_click(
            "Places (GeoJSON)",
            partial(export.to_geojson_bytes, places, version),
            export.export_file_name("places", version, "geojson"),
            "application/geo+json",
            "map_dl_geojson",
            cols[1],
        )
        every_event = (lambda: events_all[shown]) if shown is not None else (lambda: events)
        widgets.csv_download("Events (CSV)", every_event, "events", key="map_dl_events", container=cols[2])
        st.markdown("**Briefing image** of this map: A4 landscape with title, legend, sources, date, projection and datum.")
        centre_lon, centre_lat = basemap.VIEWS[view_key].centre
        range_products.show_briefing_downloads(
            lambda: figure,
            briefing.BriefingNotes(
                title=f"{view_title}: {counted(layers.n_places, 'place')} as of {asof.isoformat()}",
                sources="places and events: INF Watch (each record cites its own source); boundaries: Natural Earth 1:10m",
                as_of=asof.isoformat(),
                projection=f"Lambert azimuthal equal-area projection centred on {centre_lat:.1f}°N {centre_lon:.1f}°E",
            ),
            f"map_{view_key}_{asof.isoformat()}",
            version,
            "map_dl_image",
        )

with right:
    show_selection_head(selected)
    pick_places(places, selected, place_by_id, user_events)
    on_map = set(places["place_id"])
    for pid in selected[:MAX_DETAILS]:
        if user_events is not None and pid in user_events.index:
            show_own_event(user_events.loc[pid])
        elif pid in place_by_id.index:
            place = place_by_id.loc[pid]
            op = place["operator"] if isinstance(place["operator"], str) else ""
            with st.container(border=True):
                show_place(pid, place, actor_names.get(op, op), mine=pid in mine, on_map=pid in on_map)
                show_place_events(mf.events_for_places(events, [pid]), pid, event_id)
                show_place_statements(mf.statements_for_places(statements, events_all, [pid]))
