"""The map's time controls: one date, play through time, or compare two dates; their widgets, link and views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import animated_gif, basemap, briefing, describe, export
from dashboard import map_figures as mf
from dashboard import timeline_map as tm
from dashboard.charts import USER_TAG
from dashboard.citations import markdown_source_link
from dashboard.filters import Filters, filter_places
from dashboard.text import counted, escape_markdown
from dashboard.ui import cache, widgets
from dashboard.ui.text_version import MAP_LABEL, show_text_version

# Keys owned by these controls.
KEY_MODE = "map_mode"
KEY_A = "map_time_a"
KEY_B = "map_time_b"
KEY_STEP = "map_time_step"
KEY_FADE = "map_time_fade"
MAX_LISTED_EVENTS = 30  # events listed between two dates; the CSV has them all
# Each compare map is as tall as the one-date map, and as wide as accessibility.css lets it be: side by side only
# where both get at least 460 px (at a 1,440 px window), else one above the other, full width (1,024 px and phones).
# Their labels are planned for the smallest of these (map_figures.LABEL_PLOT_PX).
COMPARE_HEIGHT = 680
COMPARE_MIN_PX = 460
SOURCES = "places and events: INF Watch (each record cites its own source); boundaries: Natural Earth 1:10m"


@dataclass(frozen=True)
class TimeChoice:
    """What the reader chose: the mode, dates A and B (A ≤ B), the step and how many years events stay on the map."""

    mode: str
    a: date
    b: date
    step: str
    fade: int


def read_link(bounds: tuple[date, date]) -> None:
    """On the page's first run, set the time controls from the link and say what in it was ignored."""
    if KEY_MODE in st.session_state:
        return
    parsed = tm.parse_time_params(widgets.query_params_as_lists(), bounds)
    default_a, default_b = tm.default_dates(parsed.mode, bounds)
    st.session_state[KEY_MODE] = parsed.mode
    st.session_state[KEY_A] = parsed.a or default_a
    st.session_state[KEY_B] = parsed.b or default_b
    st.session_state[KEY_STEP] = parsed.step
    st.session_state[KEY_FADE] = parsed.fade
    for notice in parsed.notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")


def mode_control() -> str:
    """The mode toggle: One date, Play through time, Compare two dates."""
    return (
        st.segmented_control(
            "Map mode",
            list(tm.MODES),
            format_func=tm.MODES.get,
            key=KEY_MODE,
            required=True,
            label_visibility="collapsed",
        )
        or "single"
    )


def keep_widget_values(*keys: str) -> None:
    # A widget's value is dropped when it is not drawn on a run; writing it back keeps it for when it returns.
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _dates_inputs(bounds: tuple[date, date], labels: tuple[str, str]) -> tuple[date, date]:
    lo, hi = bounds
    cols = st.columns(2)
    a = cols[0].date_input(labels[0], min_value=lo, max_value=hi, key=KEY_A, format="YYYY-MM-DD")
    b = cols[1].date_input(labels[1], min_value=lo, max_value=hi, key=KEY_B, format="YYYY-MM-DD")
    return min(a, b), max(a, b)


def time_controls(mode: str, bounds: tuple[date, date]) -> TimeChoice:
    """The controls of the mode (dates A and B; for play also the step and the fade), read into a TimeChoice."""
    if mode == "single":
        keep_widget_values(KEY_A, KEY_B, KEY_STEP, KEY_FADE)
        return TimeChoice(
            mode, st.session_state[KEY_A], st.session_state[KEY_B], st.session_state[KEY_STEP], st.session_state[KEY_FADE]
        )
    if mode == "compare":
        keep_widget_values(KEY_STEP, KEY_FADE)
        a, b = _dates_inputs(bounds, ("Date A", "Date B"))
        return TimeChoice(mode, a, b, st.session_state[KEY_STEP], st.session_state[KEY_FADE])
    cols = st.columns([2, 1, 1])
    with cols[0]:
        a, b = _dates_inputs(bounds, ("Play from", "Play to"))
    step = cols[1].segmented_control("Step", list(tm.STEPS), format_func=tm.STEPS.get, key=KEY_STEP, required=True) or "year"
    fade = (
        cols[2].segmented_control(
            "Events stay for",
            sorted({*tm.FADES, st.session_state[KEY_FADE]}),
            format_func=lambda n: f"{n} yr",
            key=KEY_FADE,
            required=True,
            help="Years an event stays on the map after its date, fading as it ages.",
        )
        or tm.DEFAULT_FADE
    )
    return TimeChoice(mode, a, b, step, fade)


def write_link(choice: TimeChoice, bounds: tuple[date, date]) -> None:
    """Keep the link's mode, a, b, step and fade in step with the controls (nothing of them in one-date mode)."""
    wanted = tm.time_params_to_query(choice.mode, choice.a, choice.b, choice.step, choice.fade, bounds)
    widgets.write_query_params(tm.TIME_PARAMS, wanted)


# --------------------------------------------------------------------------------------------
# Play


def frame_dates(choice: TimeChoice) -> list[date]:
    """The frames' dates for the chosen window and step (timeline_map.frame_dates)."""
    return tm.frame_dates(choice.a, choice.b, choice.step)


def show_play(
    view_key: str,
    filters: Filters,
    choice: TimeChoice,
    asof: date,
    set_asof: Callable[[date], None],
    user_tables: mf.MapTables | None,
) -> None:
    """The animated map opened on the frame of `asof`, step buttons that move `asof` (and so the link), and a caption."""
    dates = frame_dates(choice)
    start = tm.nearest_frame(dates, asof)
    cols = st.columns([1, 1, 4])
    cols[0].button(
        "Step back", icon=":material/skip_previous:", on_click=set_asof, args=(dates[max(start - 1, 0)],),
        disabled=start == 0, width="stretch", key="map_play_back",
    )  # fmt: skip
    cols[1].button(
        "Step forward", icon=":material/skip_next:", on_click=set_asof, args=(dates[min(start + 1, len(dates) - 1)],),
        disabled=start == len(dates) - 1, width="stretch", key="map_play_forward",
    )  # fmt: skip
    cols[2].caption(
        f"{len(dates)} frames, {tm.STEPS[choice.step].lower()}, from {dates[0].isoformat()} to {dates[-1].isoformat()}. "
        "Press ▶ Play on the map, or drag its slider. To share a step, pick it with Step back/forward or "
        "“Posture as of”: the link then opens the animation there."
    )
    figure = cache.get_play_figure(view_key, filters, tuple(dates), choice.fade, choice.step, start, user_tables)
    view_title = basemap.VIEWS[view_key].title
    widgets.plotly_chart(
        figure,
        key="map_play_chart",
        config={"scrollZoom": True, "displaylogo": False},
        alt=f"Animated map of {view_title} from {dates[0].isoformat()} to {dates[-1].isoformat()}",
    )
    st.caption(
        f"Places appear on the date they opened and go when they close; an event shows as a ring at its place for "
        f"{choice.fade} years after its date, fading as it ages. Crimea is part of Ukraine, occupied by Russia since "
        "2014 (hatched). Boundaries: Natural Earth."
    )
    tables = user_tables or cache.get_map_frames()
    places = filter_places(tables.places, filters)
    labels = [tm.frame_label(d, choice.step) for d in dates]
    show_text_version(
        lambda: describe.play_text(places, tables.actors, labels, tm.standing_matrix(places, dates)), "map_play_text", MAP_LABEL
    )
    _show_play_download(view_key, choice, figure, dates)


def _projection(view_key: str) -> str:
    centre_lon, centre_lat = basemap.VIEWS[view_key].centre
    return f"Lambert azimuthal equal-area projection centred on {centre_lat:.1f}°N {centre_lon:.1f}°E"


def _show_play_download(view_key: str, choice: TimeChoice, figure, dates: list[date]) -> None:
    problem = briefing.renderer_problem()
    if problem:
        st.info(escape_markdown(problem), icon=":material/print_disabled:")
        return
    first, last = dates[0].isoformat(), dates[-1].isoformat()
    notes = briefing.BriefingNotes(
        title=f"{basemap.VIEWS[view_key].title}: {first} to {last}",
        sources=SOURCES,
        as_of=f"each frame's date, {tm.STEPS[choice.step].lower()} from {first} to {last}",
        projection=_projection(view_key),
    )
    n_pictures = len(animated_gif.picked_frames(len(dates)))
    skipped = f" (every frame would be {len(dates)}: some are skipped, evenly)" if n_pictures < len(dates) else ""
    widgets.download_on_click(
        "Animation as a GIF",
        lambda: animated_gif.render_gif(figure, notes),
        export.export_file_name(f"map_{view_key}_{first}_{last}", cache.get_data_version(), "gif"),
        "image/gif",
        "map_play_gif",
        icon=":material/movie:",
        help=f"{n_pictures} frames{skipped}, {animated_gif.GIF_PX[0]} × {animated_gif.GIF_PX[1]} px, with the "
        f"legend, each frame's date and the sources; made when you click (about {_gif_seconds(n_pictures)} seconds).",
    )


def _gif_seconds(n_pictures: int) -> int:
    # Starting Chromium and drawing each frame, as timed on a two-core server.
    return int(round(8 + 0.7 * n_pictures, -1))


# --------------------------------------------------------------------------------------------
# Compare


@dataclass(frozen=True)
class CompareInputs:
    """The filtered (undated) frames the two maps are drawn from, and their lookups."""

    places: pd.DataFrame
    events: pd.DataFrame
    actors: pd.DataFrame
    place_by_id: pd.DataFrame
    has_uploads: bool


def _date_map(inputs: CompareInputs, base: basemap.Basemap, day: date, title: str):
    places = mf.places_as_of(inputs.places, day)
    events = mf.events_as_of(inputs.events, day)
    own = mf.events_with_own_coordinates(events, inputs.place_by_id.index) if inputs.has_uploads else None
    layers = mf.build_map_layers(places, events, inputs.actors, base, (), own)
    figure = mf.build_map_figure(
        base, layers.markers, (), title, COMPARE_HEIGHT, clusters=layers.clusters, event_markers=layers.event_markers
    )
    return figure, layers.n_places, len(events)


def _operator(place, actor_names: dict[str, str]) -> str:
    op = place.operator if isinstance(place.operator, str) else ""
    return actor_names.get(op, op) or "no operator"


def _place_line(place, actor_names: dict[str, str], what: str) -> None:
    tag = f" · *{USER_TAG}*" if getattr(place, "is_user_data", False) else ""
    st.markdown(
        f"**{escape_markdown(place.name)}**{tag} · "
        + escape_markdown(f"{mf.kind_label(place.kind)} · {_operator(place, actor_names)} · {what}")
    )
    st.caption(markdown_source_link(place.source_title, place.source_publisher, place.source_url))


def _show_places_changed(changes: tm.Changes, place_by_id: pd.DataFrame, actor_names: dict[str, str]) -> None:
    st.markdown(f"**Opened** ({len(changes.opened)})" if len(changes.opened) else "*No site opened.*")
    for p in changes.opened.itertuples(index=False):
        _place_line(p, actor_names, f"opened {p.start_date:%Y-%m-%d}")
    st.markdown(f"**Closed** ({len(changes.closed)})" if len(changes.closed) else "*No site closed.*")
    for p in changes.closed.itertuples(index=False):
        _place_line(p, actor_names, f"closed {p.end_date:%Y-%m-%d}")
    if len(changes.changed_hands):
        st.markdown(f"**Changed hands** ({len(changes.changed_hands)})")
    for pair in changes.changed_hands.itertuples(index=False):
        old, new = place_by_id.loc[pair.closed_id], place_by_id.loc[pair.opened_id]
        st.markdown(
            escape_markdown(
                f"{old['name']} ({_operator(old, actor_names)}) → {new['name']} ({_operator(new, actor_names)}), "
                f"{new['start_date']:%Y-%m-%d}"
            )
        )
        st.caption(markdown_source_link(new["source_title"], new["source_publisher"], new["source_url"]))


def _show_events_between(events: pd.DataFrame, a: date, b: date) -> None:
    st.markdown(f"**Events in between** ({len(events):,})" if len(events) else "*No events in between.*")
    for ev in events.head(MAX_LISTED_EVENTS).itertuples(index=False):
        tag = f" · *{USER_TAG}*" if getattr(ev, "is_user_data", False) else ""
        st.markdown(f"**{ev.date:%Y-%m-%d}** · {escape_markdown(ev.title)}{tag}")
        st.caption(markdown_source_link(ev.source_title, ev.source_publisher, ev.source_url))
    if len(events) > MAX_LISTED_EVENTS:
        st.caption(f"… and {len(events) - MAX_LISTED_EVENTS:,} earlier: download them all below.")
    if len(events):
        widgets.csv_download(
            "Events in between (CSV)", lambda: events, f"events_{a.isoformat()}_{b.isoformat()}", key="map_cmp_events_csv"
        )


def show_compare(view_key: str, choice: TimeChoice, inputs: CompareInputs) -> None:
    """Two maps of one view and extent side by side (one above the other in a narrower window), what changed between
    them, and a PNG."""
    base = cache.get_map_basemap(view_key)
    view_title = basemap.VIEWS[view_key].title
    maps = []
    # Side by side where each map gets at least COMPARE_MIN_PX (accessibility.css); one above the other where not.
    row = st.container(horizontal=True, gap="small")
    for day, side in zip((choice.a, choice.b), ("A", "B"), strict=True):
        figure, n_places, n_events = _date_map(inputs, base, day, "")
        maps.append(figure)
        with row.container(key=f"map_compare_{side.lower()}_column"):
            st.markdown(f"**{side} · as of {day.isoformat()}**")
            widgets.plotly_chart(
                figure,
                key=f"map_compare_{side.lower()}",
                config={"scrollZoom": True, "displaylogo": False},
                alt=f"Map of {view_title} as of {day.isoformat()} with {counted(n_places, 'place')}",
            )
            st.caption(f"{counted(n_places, 'place')} standing and {counted(n_events, 'event')} up to {day.isoformat()}.")

            def text(day=day, base=base):
                standing = mf.places_as_of(inputs.places, day)
                return describe.map_text(standing, inputs.actors, view_title, day.isoformat(), mf.in_view(standing, base))

            show_text_version(text, f"map_compare_text_{side.lower()}", MAP_LABEL)
    changes = tm.changes_between(inputs.places, inputs.events, choice.a, choice.b)
    actor_names = dict(zip(inputs.actors["actor_id"], inputs.actors["name"], strict=True))
    st.subheader(f"What changed from {choice.a.isoformat()} to {choice.b.isoformat()}")
    left, right = st.columns([1, 1.3], gap="medium")
    with left:
        _show_places_changed(changes, inputs.place_by_id, actor_names)
    with right:
        _show_events_between(changes.events, choice.a, choice.b)
    _show_compare_download(view_key, choice, maps)


def _show_compare_download(view_key: str, choice: TimeChoice, maps: list) -> None:
    problem = briefing.renderer_problem()
    if problem:
        st.info(escape_markdown(problem), icon=":material/print_disabled:")
        return
    view_title = basemap.VIEWS[view_key].title
    notes = briefing.BriefingNotes(
        title=f"{view_title}: {choice.a.isoformat()} and {choice.b.isoformat()}",
        sources=SOURCES,
        as_of=f"{choice.a.isoformat()} (left) and {choice.b.isoformat()} (right)",
        projection=_projection(view_key),
    )
    widgets.download_on_click(
        "Both maps as a briefing image (PNG)",
        lambda: briefing.render_briefing(
            tm.comparison_figure(maps[0], maps[1], f"A: {choice.a.isoformat()}", f"B: {choice.b.isoformat()}"), notes, "png"
        ),
        export.export_file_name(f"map_{view_key}_{choice.a.isoformat()}_{choice.b.isoformat()}", cache.get_data_version(), "png"),
        "image/png",
        "map_cmp_png",
        icon=":material/image:",
        help="A4 landscape, made when you click (a few seconds).",
    )
