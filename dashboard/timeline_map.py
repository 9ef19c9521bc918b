"""The map through time: the dates to step through, the animated posture (plotly frames), and what changed between two dates.

Rules, the same for the page and for analysts:

- A place stands on a date when it started on or before it (or is undated) and had not yet closed (places_as_of).
- A frame by year shows the posture on 31 December of that year; by month, on the last day of the month; the last
  frame is never later than the window's end. At most MAX_FRAMES frames: a longer window keeps its latest frames.
- An event shows at its place (or, for the reader's own, at its own coordinates) from its date until `fade` years
  later, fading as it ages. Many places or event locations are grouped by grid cell (map_figures.cluster_cell_km).
- Between dates A and B (A earlier): a site *opened* if it started after A and on or before B, *closed* if it
  closed after A and on or before B; a closed and an opened site within CHANGE_HANDS_KM of each other with
  different operators *changed hands*. The events in between are those dated after A and on or before B.

Only the marker traces change from frame to frame: each frame carries their x positions (None where nothing
stands that day) and, for event rings and grouped places, sizes and colours; the base map is sent once.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import basemap as bm
from dashboard import map_figures as mf
from dashboard.charts import FONT, MODEBAR_ROW_PX, SIDE_COLOURS, USER_COLOUR, USER_TAG, plotly_text, title_below_toolbar
from dashboard.links import LinkReader
from dashboard.sides import side_of

# Link keys owned by the map's time controls (the map itself owns view, place, event and asof).
PARAM_MODE = "mode"
PARAM_A = "a"
PARAM_B = "b"
PARAM_STEP = "step"
PARAM_FADE = "fade"
TIME_PARAMS = (PARAM_MODE, PARAM_A, PARAM_B, PARAM_STEP, PARAM_FADE)

MODES = {"single": "One date", "play": "Play through time", "compare": "Compare two dates"}
STEPS = {"year": "By year", "month": "By month"}
FADES = (1, 3, 5)  # years an event stays on the animated map, offered as choices
FADE_BOUNDS = (1, 10)  # what a link may ask for
DEFAULT_FADE = 3
MAX_FRAMES = 120  # ten years by month; every year since 1979 by year fits easily
FRAME_MS = 900  # a readable pace: long enough to read the date and the counts
PLAY_TITLE_PX = 80  # the two lines of counts above the legend, below the toolbar's row
COMPARE_A = date(2013, 12, 31)  # the default earlier date: before Russia's occupation of Crimea
CHANGE_HANDS_KM = 5.0  # a site closed and one opened this close, under other operators, is one site changing hands
MIXED_CODE = len(mf.SIDE_CODES)  # colour code of a group with no clear majority
EVENT_HOVER_MAX = 3000  # up to this many events, each frame's rings list their latest titles in the hover box


# --------------------------------------------------------------------------------------------
# Link parameters


@dataclass
class TimeParams:
    """The map's time controls read from a link: mode, dates A and B, step and fade, with notices."""

    mode: str = "single"
    a: date | None = None
    b: date | None = None
    step: str = "year"
    fade: int = DEFAULT_FADE
    notices: list[str] = field(default_factory=list)


def default_dates(mode: str, bounds: tuple[date, date]) -> tuple[date, date]:
    """Dates A and B when the link gives none: the whole record to play; before Crimea and today to compare."""
    lo, hi = bounds
    return (max(lo, min(COMPARE_A, hi)) if mode == "compare" else lo), hi


def parse_time_params(params: Mapping, bounds: tuple[date, date]) -> TimeParams:
    """Read mode, a, b, step and fade by the rules of dashboard.links; a later A than B is swapped, with a notice."""
    link = LinkReader(params)
    mode = link.one(PARAM_MODE, MODES, "map mode", hint="; showing one date") or "single"
    a = link.date(PARAM_A, bounds, "first date (a)")
    b = link.date(PARAM_B, bounds, "second date (b)")
    step = link.one(PARAM_STEP, STEPS, "step", hint="; stepping by year") or "year"
    fade = link.whole_number(PARAM_FADE, FADE_BOUNDS, "fade in years", hint=f"; events fade after {DEFAULT_FADE} years")
    if a is not None and b is not None and a > b:
        link.note(f"The first date {a.isoformat()} is after the second {b.isoformat()}; they were swapped.")
        a, b = b, a
    return TimeParams(mode, a, b, step, fade or DEFAULT_FADE, link.notices)


def time_params_to_query(mode: str, a: date, b: date, step: str, fade: int, bounds: tuple[date, date]) -> dict[str, list[str]]:
    """Query parameters for the time controls; nothing in single-date mode, and defaults left out."""
    if mode == "single":
        return {}
    query = {PARAM_MODE: [mode]}
    default_a, default_b = default_dates(mode, bounds)
    if a != default_a:
        query[PARAM_A] = [a.isoformat()]
    if b != default_b:
        query[PARAM_B] = [b.isoformat()]
    if mode == "play" and step != "year":
        query[PARAM_STEP] = [step]
    if mode == "play" and fade != DEFAULT_FADE:
        query[PARAM_FADE] = [str(fade)]
    return query


# --------------------------------------------------------------------------------------------
# Frames


def frame_dates(start: date, end: date, step: str) -> list[date]:
    """The dates of the frames from `start` to `end`: year ends (step "year") or month ends, the last cut to `end`."""
    if step == "year":
        dates = [date(y, 12, 31) for y in range(start.year, end.year + 1)]
    else:
        months = range(start.year * 12 + start.month - 1, end.year * 12 + end.month)
        dates = [date(m // 12, m % 12 + 1, calendar.monthrange(m // 12, m % 12 + 1)[1]) for m in months]
    return [min(d, end) for d in dates][-MAX_FRAMES:]


def frame_label(day: date, step: str) -> str:
    """How a frame is named on the slider: the year, or year-month; a frame cut short by its window ends in its date."""
    full = day.month == 12 and day.day == 31 if step == "year" else day.day == calendar.monthrange(day.year, day.month)[1]
    if not full:
        return day.isoformat()
    return str(day.year) if step == "year" else f"{day:%Y-%m}"


def nearest_frame(dates: list[date], day: date) -> int:
    """Index of the frame shown for `day`: the last frame on or before it, so the map never runs ahead (the first if none)."""
    return max(int(np.searchsorted(np.array(dates, dtype="datetime64[D]"), np.datetime64(day, "D"), side="right")) - 1, 0)


def standing_matrix(places: pd.DataFrame, dates: list[date]) -> np.ndarray:
    """Bool matrix (frames × places): does each place stand on each frame's date (the rule of places_as_of)."""
    days = np.array([np.datetime64(d, "ns") for d in dates])[:, None]
    start = places["start_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    end = places["end_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    return (np.isnat(start) | (start <= days)) & (np.isnat(end) | (end > days))


@dataclass(frozen=True)
class PlayFrames:
    """Everything the animated map draws, built once for a set of frames; play_figure assembles it from any start frame.

    `static`: the marker traces (their values at frame 0 are replaced per frame); `per_frame[i]`: the updates
    of those traces in frame i; `titles[i]`: the counts line of frame i; `legend`: legend-only traces.
    """

    dates: tuple[date, ...]
    labels: tuple[str, ...]
    static: tuple[dict, ...]
    per_frame: tuple[tuple[dict, ...], ...]
    titles: tuple[str, ...]
    legend: tuple[dict, ...]
    clustered: bool
    fade: int


def _place_hover(places: pd.DataFrame, sides: np.ndarray, actor_names: Mapping[str, str], user: np.ndarray) -> list[str]:
    out = []
    for name, kind, op, side, start, end, mine in zip(
        places["name"], places["kind"], places["operator"], sides, places["start_date"], places["end_date"], user, strict=True
    ):
        operator = f"{plotly_text(actor_names.get(op, op))} ({side})" if isinstance(op, str) and op else mf.NO_OPERATOR
        since = f"since {start:%Y-%m-%d}" if pd.notna(start) else "undated"
        until = f", closed {end:%Y-%m-%d}" if pd.notna(end) else ""
        tag = f" · <i>{USER_TAG}</i>" if mine else ""
        out.append(f"<b>{plotly_text(name)}</b>{tag}<br>{mf.kind_label(kind)} · {operator}<br>{since}{until}")
    return out


def _xs(x: np.ndarray, shown: np.ndarray) -> list:
    """Positions of one frame: the point's x where it is shown, None (not drawn, no hover) elsewhere."""
    return [round(float(v), 1) if s else None for v, s in zip(x, shown, strict=True)]


def _kind_traces(places: pd.DataFrame, x: np.ndarray, y: np.ndarray, standing: np.ndarray, actors: pd.DataFrame):
    """One trace per kind of place present (colour = side, the reader's own outlined) and its x per frame."""
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    sides = side_of(places["operator"], actors).to_numpy(dtype=object)
    codes = np.array([mf.SIDE_CODES.get(s, mf.SIDE_CODES["Other"]) for s in sides], dtype=float)
    user = mf._is_user(places)
    hover = np.asarray(_place_hover(places, sides, names, user), dtype=object)
    kinds = places["kind"].to_numpy(dtype=object)
    traces, updates, legend = [], [], []
    for kind, style in mf.KIND_STYLES.items():
        mask = kinds == kind
        if not mask.any():
            continue
        # The side also shows in the outline and fill (map_figures.SIDE_MARKS); the reader's own places are outlined.
        side_codes = codes[mask].astype(int)
        line_colour = np.where(user[mask], USER_COLOUR, mf.SIDE_LINE_COLOURS[side_codes]).tolist()
        line_width = np.where(user[mask], 2.5, mf.SIDE_LINE_WIDTHS[side_codes])
        symbol = style.symbol
        if not symbol.endswith("-open"):
            symbol = np.where(side_codes == mf.SIDE_CODES["Other"], f"{style.symbol}-open", style.symbol)
        traces.append(
            {
                "type": "scatter",
                "x": x[mask],
                "y": np.round(y[mask], 1),
                "mode": "markers",
                "name": style.label,
                "legendgroup": kind,
                "showlegend": False,
                "marker": {
                    "symbol": symbol,
                    "size": style.size,
                    "color": codes[mask],
                    "cmin": 0,
                    "cmax": len(mf.SIDE_CODES) - 1,
                    "colorscale": mf.side_colour_scale(),
                    "line": {"width": line_width, "color": line_colour},
                },
                "customdata": places["place_id"].to_numpy(dtype=object)[mask].reshape(-1, 1),
                "hovertext": hover[mask].tolist(),
                "hovertemplate": "%{hovertext}<extra></extra>",
                "meta": {"role": "play_places", "kind": kind},
            }
        )
        updates.append([{"x": _xs(x[mask], row[mask])} for row in standing])
        legend.append(mf.kind_legend_entry(kind))
    return traces, updates, legend


def _group_scale() -> list[list]:
    """A stepped colour scale for grouped places: the three sides (SIDE_CODES) and MIXED_CODE."""
    colours = [*(SIDE_COLOURS[s] for s in mf.SIDE_CODES), mf.MIXED_COLOUR]
    n = len(colours)
    return [pair for i, c in enumerate(colours) for pair in ([i / n, c], [(i + 1) / n, c])]


def _cells(x: np.ndarray, y: np.ndarray, base: bm.Basemap) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's grid cell (index into the returned centres) and the cells' centres (km)."""
    cell = mf.cluster_cell_km(base)
    (x0, _), (y0, _) = base.x_range, base.y_range
    i, j = np.floor((x - x0) / cell).astype(np.int64), np.floor((y - y0) / cell).astype(np.int64)
    keys, code = np.unique(np.stack([i, j], axis=1), axis=0, return_inverse=True)
    return code.reshape(-1), x0 + (keys[:, 0] + 0.5) * cell, y0 + (keys[:, 1] + 0.5) * cell


def _group_traces(places: pd.DataFrame, x: np.ndarray, y: np.ndarray, standing: np.ndarray, actors: pd.DataFrame, base):
    """Places grouped by grid cell: one circle per cell sized and numbered by the places standing on each frame's date."""
    code, cx, cy = _cells(x, y, base)
    sides = side_of(places["operator"], actors).to_numpy(dtype=object)
    side_code = np.array([mf.SIDE_CODES.get(s, mf.SIDE_CODES["Other"]) for s in sides])
    updates = []
    for row in standing:
        n = np.bincount(code[row], minlength=len(cx))
        per_side = np.stack([np.bincount(code[row & (side_code == k)], minlength=len(cx)) for k in range(MIXED_CODE)])
        top = per_side.argmax(axis=0)
        share = per_side.max(axis=0) / np.maximum(n, 1)
        colour = np.where(share >= mf.CLUSTER_MAJORITY, top, MIXED_CODE)
        updates.append(
            {
                "x": _xs(cx, n > 0),
                "text": [f"{k:,}" if k < 1000 else f"{k / 1000:.0f}k" for k in n],
                "marker": {
                    "size": np.round(np.minimum(10 + 3.5 * np.log2(np.maximum(n, 1)), 30), 1).tolist(),
                    "color": colour.tolist(),
                    "cmin": 0,
                    "cmax": MIXED_CODE,
                    "colorscale": _group_scale(),
                    "opacity": 0.85,
                    "line": {"width": 1, "color": "white"},
                },
            }
        )
    trace = {
        "type": "scatter",
        "x": cx,
        "y": np.round(cy, 1),
        "mode": "markers+text",
        "textposition": "middle center",
        "textfont": {"color": "white", "size": 9, "family": FONT},
        "hovertemplate": "Places in this area on the date shown: %{text}<extra></extra>",
        "name": "Grouped places",
        "showlegend": False,
        "meta": {"role": "play_clusters"},
    }
    return [trace], [updates]


def event_points(events: pd.DataFrame, place_by_id: pd.DataFrame, base: bm.Basemap) -> pd.DataFrame:
    """Events with a position: date, x, y (km; their place's, else their own lat/lon), title, is_user_data; oldest first."""
    lat = events["place_id"].map(place_by_id["lat"]) if len(place_by_id) else pd.Series(np.nan, index=events.index)
    lon = events["place_id"].map(place_by_id["lon"]) if len(place_by_id) else pd.Series(np.nan, index=events.index)
    if "lat" in events and "lon" in events:
        lat, lon = lat.fillna(events["lat"]), lon.fillna(events["lon"])
    lat, lon = pd.to_numeric(lat, errors="coerce"), pd.to_numeric(lon, errors="coerce")
    known = (lat.notna() & lon.notna()).to_numpy()
    x, y = base.project(lon.to_numpy(dtype=float)[known], lat.to_numpy(dtype=float)[known])
    located = events[known]
    out = pd.DataFrame(
        {
            "date": located["date"].to_numpy(dtype="datetime64[ns]"),
            "x": x,
            "y": y,
            "title": located["title"].astype(str).to_numpy(dtype=object),
            "is_user_data": mf._is_user(located),
        }
    )
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def _event_hover(titles: np.ndarray, dates: np.ndarray, loc: np.ndarray, lo: int, hi: int, n_locations: int) -> list:
    """Per location, the latest few events of one frame's window (rows lo:hi of the date-sorted events), else None."""
    lines: list[list[str]] = [[] for _ in range(n_locations)]
    for k in range(hi - 1, lo - 1, -1):
        if len(lines[loc[k]]) < mf.HOVER_EVENTS:
            lines[loc[k]].append(f"{pd.Timestamp(dates[k]):%Y-%m-%d} · {plotly_text(titles[k], 60)}")
    return ["<br>".join(x) if x else None for x in lines]


def _event_traces(points: pd.DataFrame, dates: list[date], fade: int, base, mine: bool):
    """Rings where events happened within `fade` years before each frame's date, fading with age and growing with count."""
    if not len(points):
        return [], [], np.zeros(len(dates), dtype=int)
    x, y = points["x"].to_numpy(dtype=float), points["y"].to_numpy(dtype=float)
    if len(points) > mf.MAX_MARKERS:
        loc, lx, ly = _cells(x, y, base)
    else:
        keys, loc = np.unique(np.round(np.stack([x, y], axis=1), 1), axis=0, return_inverse=True)
        loc, lx, ly = loc.reshape(-1), keys[:, 0], keys[:, 1]
    when = points["date"].to_numpy(dtype="datetime64[ns]")
    titles = points["title"].to_numpy(dtype=object)
    hover = len(points) <= EVENT_HOVER_MAX
    colour = USER_COLOUR if mine else mf.EVENT_RING_COLOUR
    updates, counts = [], []
    for day in dates:
        end = np.datetime64(day, "ns") + np.timedelta64(1, "D")
        start = np.datetime64(date(day.year - fade, day.month, min(day.day, 28)), "ns")
        lo, hi = np.searchsorted(when, start, side="right"), np.searchsorted(when, end, side="left")
        n = np.bincount(loc[lo:hi], minlength=len(lx))
        newest = np.full(len(lx), np.datetime64("NaT", "ns"))
        if hi > lo:
            np.maximum.at(newest.view("i8"), loc[lo:hi], when[lo:hi].view("i8"))
        age = (end - newest) / np.timedelta64(365, "D")
        opacity = np.clip(1 - 0.75 * np.nan_to_num(age, nan=fade) / fade, 0.2, 1)
        update = {
            "x": _xs(lx, n > 0),
            "marker": {
                "symbol": "circle-open",
                "size": np.round(np.minimum(14 + 5 * np.sqrt(n), 60), 1).tolist(),
                "opacity": np.round(opacity, 2).tolist(),
                "color": colour,
                "line": {"width": 2},
            },
        }
        if hover:
            update["hovertext"] = _event_hover(titles, when, loc, lo, hi, len(lx))
        updates.append(update)
        counts.append(hi - lo)
    tag = f" · <i>{USER_TAG}</i>" if mine else ""
    trace = {
        "type": "scatter",
        "x": lx,
        "y": np.round(ly, 1),
        "mode": "markers",
        "name": "Your events" if mine else "Events",
        "showlegend": False,
        "hovertemplate": f"<b>Events here in the last {fade} years</b>{tag}<br>%{{hovertext}}<extra></extra>"
        if hover
        else f"Events in this area in the last {fade} years{tag}<extra></extra>",
        "meta": {"role": "play_user_events" if mine else "play_events"},
    }
    return [trace], [updates], np.asarray(counts)


def _legend(kind_legend: list[dict], clustered: bool, has_user: bool, fade: int) -> list[dict]:
    entries = [
        mf.legend_entry(mf.SIDE_LEGEND[s], "legend2", {"size": 11, "color": SIDE_COLOURS[s], **mf.SIDE_MARKS[s]})
        for s in mf.SIDE_LEGEND
    ]
    ring = {"symbol": "circle-open", "size": 15, "color": mf.EVENT_RING_COLOUR, "line": {"width": 2}}
    entries.append(mf.legend_entry(f"Events of the last {fade} years (fading with age)", "legend2", ring))
    if has_user:
        marker = {"symbol": "circle", "size": 11, "color": "white", "line": {"width": 2.5, "color": USER_COLOUR}}
        entries.append(mf.legend_entry(mf.USER_LEGEND, "legend2", marker))
    if clustered:
        marker = {"symbol": "circle", "size": 15, "color": mf.MIXED_COLOUR, "opacity": 0.85}
        entries.append(mf.legend_entry("Grouped places: count; colour of most, dark grey if mixed", "legend2", marker))
    return entries + ([] if clustered else kind_legend)


def build_play_frames(
    places: pd.DataFrame, events: pd.DataFrame, actors: pd.DataFrame, place_by_id: pd.DataFrame, base: bm.Basemap,
    dates: list[date], fade: int, step: str = "year",
) -> PlayFrames:  # fmt: skip
    """The animated map's traces and frames for `dates` (frame_dates): places (filtered, not yet dated) standing on
    each date and the events (filtered) of the `fade` years before it; `place_by_id` gives events their positions."""
    x, y = base.project(places["lon"].to_numpy(dtype=float), places["lat"].to_numpy(dtype=float))
    standing = standing_matrix(places, dates)
    clustered = len(places) > mf.MAX_MARKERS
    if clustered:
        traces, updates = _group_traces(places, x, y, standing, actors, base)
        kind_legend: list[dict] = []
    else:
        traces, updates, kind_legend = _kind_traces(places, x, y, standing, actors)
    points = event_points(events, place_by_id, base)
    user = points["is_user_data"].to_numpy(dtype=bool)
    # Curated event rings under the places, the reader's own events on top of them.
    ring_traces, ring_updates, n_curated = _event_traces(points[~user], dates, fade, base, mine=False)
    own_traces, own_updates, n_own = _event_traces(points[user], dates, fade, base, mine=True)
    traces, updates = ring_traces + traces + own_traces, ring_updates + updates + own_updates
    n_events = n_curated + n_own
    n_places = standing.sum(axis=1)
    labels = tuple(frame_label(d, step) for d in dates)
    titles = tuple(
        # Two lines: on one, the counts ran off a phone's screen.
        f"<b>{label}</b> · {int(p):,} places standing<br>{int(e):,} events in the {fade} years before"
        for label, p, e in zip(labels, n_places, n_events, strict=True)
    )
    has_user = bool(mf._is_user(places).any() or user.any())
    return PlayFrames(
        tuple(dates),
        labels,
        tuple(traces),
        tuple(tuple(u[i] for u in updates) for i in range(len(dates))),
        titles,
        tuple(_legend(kind_legend, clustered, has_user, fade)),
        clustered,
        fade,
    )


def _controls(frames: PlayFrames, start: int) -> dict:
    """Play and pause buttons and a slider of frames, below the map; Play runs from frame `start` to the end.

    Plotly's "from current" knows no current frame until one has been animated to, so Play on a freshly opened
    figure would start at frame 0: the button lists the frames from `start` on instead (after a step picked on
    the slider, "from current" continues from there when that step is among them). Opened on the last frame,
    there is nothing left to play, so Play starts over from the first.
    """
    first = 0 if start >= len(frames.labels) - 1 else start
    play = {"frame": {"duration": FRAME_MS, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    jump = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate", "transition": {"duration": 0}}
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0.0,
                "xanchor": "left",
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": 38, "r": 10},
                "bgcolor": "white",
                "font": {"size": 13},
                "buttons": [
                    {"label": "▶ Play", "method": "animate", "args": [list(frames.labels[first:]), play]},
                    {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
                ],
            }
        ],
        "sliders": [
            {
                "active": start,
                "x": 0.19,
                "len": 0.81,
                "y": 0.0,
                "yanchor": "top",
                "pad": {"t": 30, "b": 5},
                # At the slider's right end: at its left, Play and Pause covered it.
                "currentvalue": {"prefix": "Posture as of ", "font": {"size": 14}, "xanchor": "right"},
                "font": {"size": 10},
                "steps": [{"label": label, "method": "animate", "args": [[label], jump]} for label in frames.labels],
            }
        ],
    }


def play_figure(base: bm.Basemap, frames: PlayFrames, start: int, height: int = 900) -> go.Figure:
    """The animated map opened on frame `start`: the base map once, marker traces set to that frame, plotly frames
    (only marker updates and the counts line) with Play, Pause and a slider of dates."""
    background = mf.base_traces(base)
    first = len(background)
    animated = [{**trace, **_merged(trace, update)} for trace, update in zip(frames.static, frames.per_frame[start], strict=True)]
    indices = list(range(first, first + len(animated)))
    layout = mf.map_layout(base, frames.titles[start], height)
    # The two lines of counts, then one legend of colours and kinds above the map, and only Play, Pause and the slider
    # below it: plotly places a slider by the plot area and a legend below it by its own height, which changes with the
    # width, so a legend below the map sat under the slider in a 1,024 px window and on phones.
    layout["title"] = title_below_toolbar(frames.titles[start], 16)
    layout["margin"] = {**layout["margin"], "t": PLAY_TITLE_PX + MODEBAR_ROW_PX, "b": 10}
    layout["legend2"] = {
        **layout["legend2"],
        "y": 1 - (PLAY_TITLE_PX + MODEBAR_ROW_PX) / height,
        "itemclick": "toggle",  # a kind of place can be hidden, as on the one-date map
        "itemdoubleclick": "toggleothers",
    }
    layout.update(_controls(frames, start))
    plotly_frames = [
        {"name": label, "data": list(update), "traces": indices, "layout": {"title": {"text": title}}}
        for label, update, title in zip(frames.labels, frames.per_frame, frames.titles, strict=True)
    ]
    legend = [  # the kinds join the colours (a picture for print puts them back on their own: animated_gif)
        {**entry, "legend": "legend2", "meta": {**entry["meta"], "kind_legend": True}}
        if entry.get("legend") == "legend"
        else entry
        for entry in frames.legend
    ]
    fig = go.Figure(data=[*background, *animated, *legend], layout=layout, frames=plotly_frames)
    return fig


def _merged(trace: dict, update: dict) -> dict:
    """A trace's properties after one frame's update (marker dicts merged, other keys replaced)."""
    merged = dict(update)
    if "marker" in update and "marker" in trace:
        merged["marker"] = {**trace["marker"], **update["marker"]}
    return merged


# --------------------------------------------------------------------------------------------
# Compare two dates


@dataclass(frozen=True)
class Changes:
    """What changed between dates A and B (see the module's rules): places opened, closed and changed hands
    (closed_id, opened_id, distance_km), and the events in between, newest first."""

    opened: pd.DataFrame
    closed: pd.DataFrame
    changed_hands: pd.DataFrame
    events: pd.DataFrame


def _in_window(column: pd.Series, a: date, b: date) -> pd.Series:
    return (column > pd.Timestamp(a)) & (column <= pd.Timestamp(b))


def _pairs_changing_hands(closed: pd.DataFrame, opened: pd.DataFrame) -> pd.DataFrame:
    """Pairs (closed_id, opened_id, distance_km) within CHANGE_HANDS_KM under different operators; each place once."""
    rows, used = [], set()
    for c in closed.itertuples(index=False):
        if not len(opened):
            break
        lat1, lon1 = np.radians(c.lat), np.radians(c.lon)
        lat2, lon2 = np.radians(opened["lat"].to_numpy(float)), np.radians(opened["lon"].to_numpy(float))
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        km = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
        for k in np.argsort(km):
            o = opened.iloc[k]
            if km[k] > CHANGE_HANDS_KM:
                break
            if o["place_id"] not in used and str(o["operator"]) != str(c.operator):
                rows.append((c.place_id, o["place_id"], round(float(km[k]), 1)))
                used.add(o["place_id"])
                break
    return pd.DataFrame(rows, columns=["closed_id", "opened_id", "distance_km"])


def changes_between(places: pd.DataFrame, events: pd.DataFrame, a: date, b: date) -> Changes:
    """Changes from `a` to `b` (a ≤ b; swapped if not) in `places` and `events` (both already filtered)."""
    a, b = min(a, b), max(a, b)
    opened = places[_in_window(places["start_date"], a, b)].sort_values("start_date")
    closed = places[_in_window(places["end_date"], a, b)].sort_values("end_date")
    hands = _pairs_changing_hands(closed, opened)
    opened = opened[~opened["place_id"].isin(hands["opened_id"])]
    closed = closed[~closed["place_id"].isin(hands["closed_id"])]
    between = events[_in_window(events["date"], a, b)].sort_values("date", ascending=False)
    return Changes(opened, closed, hands, between)


def comparison_figure(fig_a: go.Figure, fig_b: go.Figure, label_a: str, label_b: str) -> go.Figure:
    """Two maps of one view side by side in one figure (for a briefing image): same extent, one legend, dates above."""
    out = go.Figure(layout=fig_a.layout)
    for trace in fig_a.data:
        out.add_trace(trace)
    for trace in fig_b.data:
        copy = go.Scatter(trace)
        copy.update(xaxis="x2", yaxis="y2", showlegend=False)
        out.add_trace(copy)
    x_range, y_range = list(fig_a.layout.xaxis.range), list(fig_a.layout.yaxis.range)
    out.update_layout(
        xaxis={"domain": [0, 0.49], "range": x_range},
        yaxis={"range": y_range, "scaleanchor": "x"},
        xaxis2={"domain": [0.51, 1], "range": x_range, "visible": False, "showgrid": False, "zeroline": False},
        yaxis2={"range": y_range, "anchor": "x2", "scaleanchor": "x2", "visible": False, "showgrid": False, "zeroline": False},
        title={"text": ""},
        annotations=[
            {
                "text": f"<b>{plotly_text(t)}</b>",
                "x": x,
                "xref": "paper",
                "y": 1.0,
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 13},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
            for t, x in ((label_a, 0.0), (label_b, 0.51))
        ],  # fmt: skip
    )
    return out
