"""The map page's pure logic: posture as of a date, the marker table, the plotly map figure and its legends, link parameters."""

from __future__ import annotations

import textwrap
from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import basemap as bm
from dashboard.charts import (
    FONT,
    MODEBAR_ROW_PX,
    SIDE_COLOURS,
    USER_COLOUR,
    USER_COLOUR_NAME,
    USER_TAG,
    plotly_text,
    title_below_toolbar,
)
from dashboard.links import LinkReader, echo
from dashboard.sides import side_of

# Link (query-string) keys owned by the map page; the shared sidebar owns region, actor, from and to.
PARAM_VIEW = "view"
PARAM_PLACE = "place"
PARAM_EVENT = "event"
PARAM_ASOF = "asof"
MAP_PARAMS = (PARAM_VIEW, PARAM_PLACE, PARAM_EVENT, PARAM_ASOF)

LAND_COLOUR = "#F1EFE8"
SEA_COLOUR = "#D9E7F1"
BORDER_COLOUR = "#8A8A8A"
REGION_COLOUR = "#009E73"  # Okabe–Ito bluish green: apart from both side colours
SEA_LABEL_COLOUR = "#2F5F8A"
EVENT_RING_COLOUR = "#3A3A3A"
SELECTED_COLOUR = "#000000"
NO_OPERATOR = "No operator"
SIDE_CODES = {"NATO": 0, "Russia": 1, "Other": 2}
HOVER_EVENTS = 3  # latest events listed in a marker's hover box

# The reader's own uploads: outlined in USER_COLOUR (charts.py), with their own legend entry and a tag in every text.
USER_LEGEND = f"Your data ({USER_COLOUR_NAME})"
USER_PLACES = "Your places"
USER_EVENTS = "Your events"

# Above this many places (or uploaded events) in a view, markers are aggregated into grid cells: thousands of
# individual markers overlap into an unreadable blot and their hover text alone runs to megabytes.
MAX_MARKERS = 400
CLUSTER_CELLS = 18  # grid cells across the wider side of a view's initial extent
CLUSTER_MAX_KINDS = 6  # kinds listed by name in a cluster's hover box
CLUSTER_OUTSIDE_SCALE = 3  # cells outside a view's extent are this many times wider: seen only after panning
CURATED_PLACES = "Places"
# Where each group sits inside its grid cell (fractions of the cell), so that groups in one cell do not overlap.
CLUSTER_SLOTS: dict[str, tuple[float, float]] = {CURATED_PLACES: (0.0, 0.0), USER_PLACES: (0.3, -0.3), USER_EVENTS: (-0.3, -0.3)}
CLUSTER_MAJORITY = 0.6  # a group takes a side's colour when at least this share of its places is on that side
MIXED_COLOUR = "#4D4D4D"


@dataclass(frozen=True)
class KindStyle:
    """How one kind of place is drawn: legend label, plotly marker symbol and size (px)."""

    label: str
    symbol: str
    size: int


# One distinct symbol per kind (colour is kept for the operating side), so kinds read without colour.
KIND_STYLES: dict[str, KindStyle] = {
    "capital": KindStyle("Capital", "star", 15),
    "city": KindStyle("City", "circle", 9),
    "alliance_hq": KindStyle("Alliance HQ", "hexagram", 16),
    "command_hq": KindStyle("Command HQ", "hexagon", 13),
    "forward_presence": KindStyle("Forward-presence base", "square", 12),
    "missile_defence": KindStyle("Missile-defence site", "triangle-down", 14),
    "naval_base": KindStyle("Naval base", "diamond", 14),
    "air_base": KindStyle("Air base", "bowtie", 14),
    "army_base": KindStyle("Army base", "pentagon", 13),
    "missile_brigade": KindStyle("Missile brigade", "triangle-up", 14),
    "test_range": KindStyle("Test range", "cross", 13),
    "elimination_site": KindStyle("INF elimination site", "x", 13),
    "sea_or_strait": KindStyle("Sea or strait", "circle-open", 9),
    "land_corridor": KindStyle("Land corridor", "hourglass", 13),
    "territory": KindStyle("Territory", "diamond-wide", 14),
}


def side_colour_scale() -> list[list]:
    """A stepped plotly colour scale that maps each side's code (SIDE_CODES, cmin 0 to cmax 2) to its colour."""
    n = len(SIDE_CODES)
    scale: list[list] = []
    for side, code in SIDE_CODES.items():
        scale += [[code / n if code else 0.0, SIDE_COLOURS[side]], [(code + 1) / n if code < n - 1 else 1.0, SIDE_COLOURS[side]]]
    return scale


def kind_label(kind: str) -> str:
    """The reader-facing name of a place kind (`naval_base` → `Naval base`)."""
    style = KIND_STYLES.get(kind)
    return style.label if style else kind.replace("_", " ").capitalize()


# --------------------------------------------------------------------------------------------
# Posture as of a date


@dataclass(frozen=True)
class MapTables:
    """The frames the map page reads and its lookups: places indexed by place_id, event_id → place_id."""

    places: pd.DataFrame
    events: pd.DataFrame
    statements: pd.DataFrame
    actors: pd.DataFrame
    place_by_id: pd.DataFrame
    event_places: Mapping[str, str]


def prepare_map_tables(places: pd.DataFrame, events: pd.DataFrame, statements: pd.DataFrame, actors: pd.DataFrame) -> MapTables:
    """MapTables for the given frames; built once per data set (the lookups take a pass over every event)."""
    return MapTables(
        places,
        events,
        statements,
        actors,
        places.set_index("place_id"),
        dict(zip(events["event_id"], events["place_id"], strict=True)),
    )


def add_user_rows(curated: MapTables, places: pd.DataFrame, events: pd.DataFrame, statements: pd.DataFrame) -> MapTables:
    """`curated` with the reader's rows merged in: `places`, `events`, `statements` are the merged frames (`is_user_data`).

    Only the reader's rows are indexed again, so this stays cheap however large the curated data is.
    """
    mine_p, mine_e = places[_is_user(places)], events[_is_user(events)]
    index = pd.concat([curated.place_by_id, mine_p.set_index("place_id")]) if len(mine_p) else curated.place_by_id
    lookup = ChainMap(dict(zip(mine_e["event_id"], mine_e["place_id"], strict=True)), curated.event_places)
    return replace(curated, places=places, events=events, statements=statements, place_by_id=index, event_places=lookup)


def places_as_of(places: pd.DataFrame, asof: date) -> pd.DataFrame:
    """Places that existed on `asof`: started on or before it (or undated) and not yet closed (end after it)."""
    ts = pd.Timestamp(asof)
    started = places["start_date"].isna() | (places["start_date"] <= ts)
    open_ = places["end_date"].isna() | (places["end_date"] > ts)
    return places[started & open_]


def events_as_of(events: pd.DataFrame, asof: date) -> pd.DataFrame:
    """Events (or statements: any frame with a `date` column) dated on or before `asof`."""
    return events[events["date"] <= pd.Timestamp(asof)]


def events_for_places(events: pd.DataFrame, place_ids: Iterable[str]) -> pd.DataFrame:
    """Events at any of `place_ids`, newest first."""
    ids = list(place_ids)
    return events[events["place_id"].isin(ids)].sort_values("date", ascending=False)


def statements_for_places(statements: pd.DataFrame, events: pd.DataFrame, place_ids: Iterable[str]) -> pd.DataFrame:
    """Statements about any of `place_ids`, or belonging to an event there (`events` = all events), newest first."""
    ids = list(place_ids)
    event_ids = events.loc[events["place_id"].isin(ids), "event_id"]
    mask = statements["place_id"].isin(ids) | statements["event_id"].isin(event_ids)
    return statements[mask].sort_values("date", ascending=False)


# --------------------------------------------------------------------------------------------
# Markers


def _is_user(frame: pd.DataFrame) -> np.ndarray:
    """The frame's `is_user_data` flags as a bool array (all False for curated-only frames without the column)."""
    if "is_user_data" not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame["is_user_data"].fillna(False).to_numpy(dtype=bool)


def _latest_events_text(events: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """Per place: (number of events, hover lines of the latest few), already escaped for plotly."""
    if events.empty:
        return {}
    # One sort and one vectorised head() instead of a Python pass per place: only the few listed rows are formatted.
    ordered = events.sort_values("date", ascending=False, kind="stable")
    counts = ordered["place_id"].astype(str).value_counts()
    top = ordered.groupby("place_id", sort=False).head(HOVER_EVENTS)
    lines: dict[str, list[str]] = {}
    for pid, d, t in zip(top["place_id"].astype(str), top["date"], top["title"], strict=True):
        lines.setdefault(pid, []).append(f"{d:%Y-%m-%d} · {plotly_text(t, 70)}")
    out: dict[str, tuple[int, str]] = {}
    for pid, listed in lines.items():
        n = int(counts[pid])
        if n > HOVER_EVENTS:
            listed.append(f"… and {n - HOVER_EVENTS} more (select the place to list them)")
        out[pid] = (n, "<br>".join(listed))
    return out


def build_marker_table(places: pd.DataFrame, events: pd.DataFrame, actors: pd.DataFrame, base: bm.Basemap) -> pd.DataFrame:
    """One row per place to draw: place_id, name, kind, side, x, y (km in the view's plane), n_events, hover, is_user_data.

    `base` is the view's basemap (for its projection). `hover` is plotly-safe text (data escaped) with name, kind, operator and side, country and the latest events;
    the reader's own places (`is_user_data`) are tagged "your data" in it.
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    x, y = base.project(places["lon"].to_numpy(), places["lat"].to_numpy())
    latest = _latest_events_text(events[events["place_id"].isin(places["place_id"])])
    sides = side_of(places["operator"], actors)
    user = _is_user(places)
    hovers, counts = [], []
    for pid, name, kind, op, side, country, mine in zip(
        places["place_id"], places["name"], places["kind"], places["operator"], sides, places["country"], user, strict=True
    ):
        n, lines = latest.get(str(pid), (0, ""))
        operator = f"{plotly_text(names.get(op, op))} ({side})" if op else NO_OPERATOR
        tag = f" · <i>{USER_TAG}</i>" if mine else ""
        parts = [f"<b>{plotly_text(name)}</b>{tag}", f"{kind_label(kind)} · {operator}"]
        if isinstance(country, str) and country:
            parts.append(plotly_text(country))
        parts.append(f"<i>Latest events ({n}):</i><br>{lines}" if n else "<i>No events in the selection</i>")
        hovers.append("<br>".join(parts))
        counts.append(n)
    return pd.DataFrame(
        {
            "place_id": places["place_id"].astype(str).to_numpy(),
            "name": places["name"].astype(str).to_numpy(),
            "kind": places["kind"].astype(str).to_numpy(),
            "side": sides.to_numpy(),
            "x": x,
            "y": y,
            "n_events": np.asarray(counts, dtype=int),
            "hover": hovers,
            "is_user_data": user,
        }
    )


# What the map needs of an event drawn at its own coordinates (build_map_layers' `own_events`).
OWN_EVENT_COLUMNS = ["event_id", "title", "date", "event_type", "lat", "lon"]


def own_coordinates_mask(events: pd.DataFrame, place_ids: Iterable[str]) -> np.ndarray:
    """Which events are the reader's with lat/lon but no known place (`place_ids` = every place), as a bool array."""
    if "lat" not in events or "lon" not in events or not len(events):
        return np.zeros(len(events), dtype=bool)
    placed = events["place_id"].isin(list(place_ids)).to_numpy(dtype=bool) & (events["place_id"].astype(str) != "").to_numpy()
    located = events["lat"].notna().to_numpy(dtype=bool) & events["lon"].notna().to_numpy(dtype=bool)
    return _is_user(events) & located & ~placed


def events_with_own_coordinates(events: pd.DataFrame, place_ids: Iterable[str]) -> pd.DataFrame:
    """The reader's events that carry lat/lon but no known place (`place_ids` = every place): drawn as their own markers."""
    return events[own_coordinates_mask(events, place_ids)]


def own_event_rows(events: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The OWN_EVENT_COLUMNS of the events at positions `rows`: only these columns are copied (an uploaded export has
    thirty, and copying them all for 300,000 rows was most of a Map rerun)."""
    return events[OWN_EVENT_COLUMNS].iloc[rows]


def build_event_markers(events: pd.DataFrame, base: bm.Basemap) -> pd.DataFrame:
    """One row per event with its own coordinates: event_id, title, x, y (km), hover (escaped, tagged "your data"), kind (event type)."""
    if not len(events):
        return pd.DataFrame(columns=["event_id", "title", "x", "y", "kind", "hover"])
    x, y = base.project(events["lon"].to_numpy(dtype=float), events["lat"].to_numpy(dtype=float))
    types = event_kinds(events)
    # Each distinct title and type made safe once: an uploaded export repeats a few hundred over 300,000 rows.
    titles = events["title"].astype(str)
    title_text = {t: plotly_text(t, 70) for t in titles.unique()}
    type_text = {k: plotly_text(k) for k in types.unique()}
    hovers = (
        "<b>"
        + titles.map(title_text).astype(str)
        + f"</b> · <i>{USER_TAG}</i><br>"
        + events["date"].dt.strftime("%Y-%m-%d").astype(str)
        + " · "
        + types.map(type_text).astype(str)
    ).to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "event_id": events["event_id"].astype(str).to_numpy(),
            "title": events["title"].astype(str).to_numpy(),
            "x": x,
            "y": y,
            "kind": types.to_numpy(dtype=object),
            "hover": hovers,
        }
    )


def event_kinds(events: pd.DataFrame) -> pd.Series:
    """Each event's type as a reader reads it ("missile_test" -> "Missile test"), worked out once per distinct type:
    a categorical Series (for 300,000 uploaded events, codes instead of as many strings)."""
    codes, types = pd.factorize(events["event_type"].astype(str), use_na_sentinel=False)
    labels, code_of_label = np.unique(
        np.array([str(t).replace("_", " ").capitalize() for t in types], dtype=object), return_inverse=True
    )
    kinds = pd.Categorical.from_codes(code_of_label[codes] if len(codes) else codes, categories=labels)
    return pd.Series(kinds, index=events.index, name="event_type")


def _constant(value: str, n: int) -> pd.Categorical:
    """`value` n times, as a categorical (codes, not n references to a string)."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def _factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column and its distinct values: a categorical's own codes, else pd.factorize of its values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:
            return codes, values.cat.categories.to_numpy(dtype=object)
    return pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)


def _inside(x: np.ndarray, y: np.ndarray, base: bm.Basemap) -> np.ndarray:
    (x0, x1), (y0, y1) = base.x_range, base.y_range
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def in_view(places: pd.DataFrame, base: bm.Basemap) -> np.ndarray:
    """Whether each place (lon, lat) lies inside the view's initial extent, as the map opens."""
    x, y = base.project(places["lon"].to_numpy(dtype=float), places["lat"].to_numpy(dtype=float))
    return _inside(x, y, base)


def cluster_points(points: pd.DataFrame, base: bm.Basemap, noun: str = "places") -> pd.DataFrame:
    """build_clusters on the view's grid inside its extent and on a coarser grid outside it (fewer, bigger groups off-screen)."""
    inside = _inside(points["x"].to_numpy(dtype=float), points["y"].to_numpy(dtype=float), base)
    parts = [build_clusters(points[inside], base, noun)]
    if not inside.all():
        parts.append(build_clusters(points[~inside], base, noun, scale=CLUSTER_OUTSIDE_SCALE))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def individual_mask(x: np.ndarray, y: np.ndarray, base: bm.Basemap, limit: int = MAX_MARKERS) -> np.ndarray:
    """Which points to draw one by one: all of them up to `limit`; else those in the view's extent if they are at most `limit`; else none."""
    if len(x) <= limit:
        return np.ones(len(x), dtype=bool)
    inside = _inside(x, y, base)
    return inside if inside.sum() <= limit else np.zeros(len(x), dtype=bool)


def cluster_cell_km(base: bm.Basemap) -> float:
    """The side of one aggregation cell (km) for a view: its wider side split into CLUSTER_CELLS."""
    (x0, x1), (y0, y1) = base.x_range, base.y_range
    return max(x1 - x0, y1 - y0) / CLUSTER_CELLS


def build_clusters(points: pd.DataFrame, base: bm.Basemap, noun: str = "places", scale: float = 1.0) -> pd.DataFrame:
    """Aggregate points into grid cells: one row per (cell, slot) with x, y (km), slot, n, n_events, hover.

    `points` has x, y (km), slot (a key of CLUSTER_SLOTS: the curated places, your places or your events), side
    (of the operator), kind (a label counted in the hover) and n_events (events at the point). Each group is drawn
    at its cell's centre plus its slot's offset. `colour` is the side colour of a clear majority (CLUSTER_MAJORITY)
    of its points, else MIXED_COLOUR. `scale` widens the cells. Hover text (counts by side and kind) is plotly-safe.
    """
    columns = ["x", "y", "slot", "n", "n_events", "colour", "hover"]
    if points.empty:
        return pd.DataFrame(columns=columns)
    cell = cluster_cell_km(base) * scale
    (x0, _), (y0, _) = base.x_range, base.y_range
    # Grouped by integer codes of slot, side and kind (named again below): grouping 300,000 uploaded events by their
    # text three times over took most of the time.
    slot_codes, slot_names = _factorized(points["slot"])
    side_codes, side_names_all = _factorized(points["side"])
    kind_codes, kind_names = _factorized(points["kind"])
    grid = pd.DataFrame(
        {
            "i": np.floor((points["x"].to_numpy(dtype=float) - x0) / cell).astype(np.int64),
            "j": np.floor((points["y"].to_numpy(dtype=float) - y0) / cell).astype(np.int64),
            "slot": slot_codes,
            "side": side_codes,
            "kind": kind_codes,
            "n_events": points["n_events"].to_numpy(dtype=np.int64),
        }
    )
    keys = ["i", "j", "slot"]
    per_side = grid.groupby([*keys, "side"], sort=False).size().unstack("side", fill_value=0)
    per_side.columns = pd.Index(np.asarray(side_names_all, dtype=object)[per_side.columns.to_numpy()], name="side")
    totals = grid.groupby(keys, sort=False).agg(n=("kind", "size"), n_events=("n_events", "sum")).reset_index()
    per_kind = grid.groupby([*keys, "kind"], sort=False).size().rename("k").reset_index()
    per_kind["kind"] = np.asarray(kind_names, dtype=object)[per_kind["kind"].to_numpy()]
    per_kind = per_kind.sort_values([*keys, "k", "kind"], ascending=[True, True, True, False, True])
    # The kind breakdown of each cluster, formatted once per (cluster, kind) row: a few thousand rows at most.
    listed: dict[tuple, list[str]] = {}
    for i, j, slot, kind, k in zip(per_kind["i"], per_kind["j"], per_kind["slot"], per_kind["kind"], per_kind["k"], strict=True):
        lines = listed.setdefault((i, j, slot), [])
        if len(lines) < CLUSTER_MAX_KINDS:
            lines.append(f"{plotly_text(kind)}: {k:,}")
        elif len(lines) == CLUSTER_MAX_KINDS:
            lines.append("…")
    per_side = per_side.reindex(pd.MultiIndex.from_frame(totals[keys])).fillna(0)
    side_names = [s for s in SIDE_CODES if s in per_side.columns]
    shares = per_side[side_names].to_numpy(dtype=float) / totals["n"].to_numpy(dtype=float)[:, None]
    top = shares.argmax(axis=1) if side_names else np.zeros(len(totals), dtype=int)
    colours = [
        SIDE_COLOURS[side_names[t]] if side_names and row[t] >= CLUSTER_MAJORITY else MIXED_COLOUR
        for t, row in zip(top, shares, strict=True)
    ]
    hovers = []
    for row, (i, j, slot, n, n_ev) in enumerate(
        zip(totals["i"], totals["j"], totals["slot"], totals["n"], totals["n_events"], strict=True)
    ):
        tag = f" · <i>{USER_TAG}</i>" if slot_names[slot] in (USER_PLACES, USER_EVENTS) else ""
        sides = (
            " · ".join(f"{s}: {int(per_side.iloc[row][s]):,}" for s in side_names if per_side.iloc[row][s])
            if noun == "places"
            else ""
        )
        evs = f"<br>{n_ev:,} events at them" if noun == "places" else ""
        hovers.append(
            f"<b>{n:,} {noun}</b>{tag}<br>{sides + '<br>' if sides else ''}{'<br>'.join(listed[(i, j, slot)])}{evs}"
            "<br><i>Filter, or pick a regional view, to see each one</i>"
        )
    slots = np.asarray(slot_names, dtype=object)[totals["slot"].to_numpy()]
    offsets = np.array([CLUSTER_SLOTS.get(slot, (0.0, 0.0)) for slot in slots], dtype=float).reshape(-1, 2)
    return pd.DataFrame(
        {
            "x": x0 + (totals["i"].to_numpy() + 0.5 + offsets[:, 0]) * cell,
            "y": y0 + (totals["j"].to_numpy() + 0.5 + offsets[:, 1]) * cell,
            "slot": slots,
            "n": totals["n"].to_numpy(dtype=np.int64),
            "n_events": totals["n_events"].to_numpy(dtype=np.int64),
            "colour": colours,
            "hover": hovers,
        },
        columns=columns,
    )


@dataclass
class MapLayers:
    """What the map draws on top of the base map for one view.

    `markers`: places drawn one by one (build_marker_table); `clusters`: the rest, aggregated (build_clusters,
    places and the reader's events together); `event_markers`: the reader's events with their own coordinates drawn
    one by one (build_event_markers). `n_places` and `n_outside` count every matched place, drawn singly or not.
    """

    markers: pd.DataFrame
    clusters: pd.DataFrame
    event_markers: pd.DataFrame
    n_places: int
    n_outside: int

    @property
    def n_clustered(self) -> int:
        """Places drawn inside clusters (the reader's clustered events not counted)."""
        return int(self.clusters.loc[self.clusters["slot"] != USER_EVENTS, "n"].sum()) if len(self.clusters) else 0


def build_map_layers(
    places: pd.DataFrame,
    events: pd.DataFrame,
    actors: pd.DataFrame,
    base: bm.Basemap,
    selected: Iterable[str] = (),
    own_events: pd.DataFrame | None = None,
    limit: int = MAX_MARKERS,
) -> MapLayers:
    """Split what matches the filters into individual markers and grid clusters (see individual_mask, build_clusters).

    `places` and `events` are already filtered and dated; `own_events` are the reader's events with their own
    coordinates (events_with_own_coordinates). Selected places are always drawn individually. Up to `limit` places the
    result is exactly build_marker_table's, so small data sets look as they always did.
    """
    x, y = base.project(places["lon"].to_numpy(dtype=float), places["lat"].to_numpy(dtype=float))
    n_outside = int((~_inside(x, y, base)).sum())
    single = individual_mask(x, y, base, limit)
    if not single.all():
        single |= places["place_id"].isin(list(selected)).to_numpy()
    markers = build_marker_table(places[single], events, actors, base)
    rest = ~single
    if rest.any():
        counts = events["place_id"].value_counts()
        grouped = places[rest]
        sides = side_of(grouped["operator"], actors).to_numpy(dtype=object)
        slots = np.where(_is_user(grouped), USER_PLACES, CURATED_PLACES)
        points = pd.DataFrame(
            {
                "x": x[rest],
                "y": y[rest],
                "slot": slots,
                "side": sides,
                "kind": grouped["kind"].map(kind_label).to_numpy(dtype=object),
                "n_events": grouped["place_id"].map(counts).fillna(0).to_numpy(dtype=np.int64),
            }
        )
        clusters = cluster_points(points, base)
    else:
        clusters = build_clusters(pd.DataFrame(columns=["x", "y", "slot", "side", "kind", "n_events"]), base)
    own = own_events if own_events is not None else events.iloc[0:0]
    ox, oy = base.project(own["lon"].to_numpy(dtype=float), own["lat"].to_numpy(dtype=float)) if len(own) else ([], [])
    ev_single = individual_mask(np.asarray(ox, dtype=float), np.asarray(oy, dtype=float), base, limit)
    # Hover texts only for the events drawn one by one: with 300,000 uploaded events, writing one for each event that
    # is then counted into a circle was most of a Map rerun.
    event_markers = build_event_markers(own if ev_single.all() else own[ev_single], base)
    if not ev_single.all():
        rest = ~ev_single
        n_rest = int(rest.sum())
        points = pd.DataFrame(
            {
                "x": np.asarray(ox, dtype=float)[rest],
                "y": np.asarray(oy, dtype=float)[rest],
                "slot": _constant(USER_EVENTS, n_rest),
                "side": _constant("Other", n_rest),
                "kind": event_kinds(own).array[rest],
                "n_events": np.zeros(n_rest, dtype=np.int64),
            }
        )
        clusters = pd.concat([clusters, cluster_points(points, base, noun="events")], ignore_index=True)
    return MapLayers(markers, clusters, event_markers, len(places), n_outside)


# --------------------------------------------------------------------------------------------
# The figure


def _scatter(**props) -> dict:
    # Traces are plain dicts, validated once when the figure is made (plotly validates per assignment).
    return {"type": "scatter", **props}


# Text colours of the base map's labels: at least 4.5:1 against the land (LAND_COLOUR) and the sea (SEA_COLOUR).
COUNTRY_LABEL_COLOUR = "#595959"
REGION_LABEL_COLOUR = "#00694D"  # a darker REGION_COLOUR: the outline's green is too light for small text
OCCUPIED_LABEL_COLOUR = "#9A4300"  # a darker Russia orange, for the same reason
# Labels are planned for the smallest plot area the map gets: about 358 × 357 px on a 390 px phone (377 × 386 px
# beside the selection column in a 1,024 px window, 667 × 530 px at 1,440). Plotly writes text at a fixed pixel
# size, so a plan that is clear at the smallest scale stays clear at every larger one; the browser test
# tests/browser/test_legibility_browser.py measures the drawn labels at all three widths.
LABEL_PLOT_PX = (350.0, 350.0)
MARKER_BOX_PX = 16.0  # a place's marker, with a little room round it
LABEL_PAD_PX = 2.0  # kept free round every label
SEA_LABEL_OFFSET_PX = 11.0  # a sea's name is written beside its own marker, not on it
# Candidate spots, best first: (plotly textposition, shift right, shift up), in px at the planned scale.
_REGION_SPOTS = tuple(
    (position, dx, dy)
    for dx, dy in ((0, 0), (0, -18), (0, 18), (30, 0), (-30, 0), (30, -18), (-30, 18))
    for position in ("bottom right", "top right", "bottom left", "top left")
)
# The occupation note stays beside the area it names: in full where there is room, else in short.
_NOTE_SPOTS = (("middle left", 0, 0), ("top left", 0, 6), ("bottom left", 0, -6), ("top center", 0, 8), ("bottom center", 0, -8))
_SEA_SPOTS = (
    ("bottom center", 0, -SEA_LABEL_OFFSET_PX),
    ("top center", 0, SEA_LABEL_OFFSET_PX),
    ("middle right", SEA_LABEL_OFFSET_PX, 0),
    ("middle left", -SEA_LABEL_OFFSET_PX, 0),
)
_COUNTRY_SPOTS = tuple(("middle center", dx, dy) for dy in (0, -16, 16, -32, 32) for dx in (0, -24, 24))


@dataclass(frozen=True)
class MapLabel:
    """One label of the base map and the forms it may take: `forms` are (text as plotly draws it, lines as plain
    text, for their width), tried in order, each at every spot of `spots` (textposition, dx px, dy px). When no spot is
    fully clear, a label that `must` show takes the spot clear of every label before it that covers fewest markers."""

    x: float
    y: float
    forms: tuple[tuple[str, tuple[str, ...]], ...]
    size: float
    char_em: float  # average character width in ems (measured on the map's font and rounded up)
    spots: tuple[tuple[str, float, float], ...]
    must: bool = False


def label_box(x: float, y: float, lines: Iterable[str], size: float, position: str, km_per_px: float, char_em: float) -> tuple:
    """The box (x0, y0, x1, y1, km) a text label covers, from its anchor, its plotly textposition and font size (px),
    with LABEL_PAD_PX round it."""
    lines = list(lines)
    pad = LABEL_PAD_PX * km_per_px
    w = max(len(line) for line in lines) * size * char_em * km_per_px
    h = len(lines) * size * 1.25 * km_per_px
    vertical, horizontal = position.split()
    x0 = x - w / 2 if horizontal == "center" else (x if horizontal == "right" else x - w)
    y0 = y - h / 2 if vertical == "middle" else (y - h if vertical == "bottom" else y)
    return (x0 - pad, y0 - pad, x0 + w + pad, y0 + h + pad)


def _hits(boxes: np.ndarray, box: tuple) -> int:
    return int(((boxes[:, 0] < box[2]) & (boxes[:, 2] > box[0]) & (boxes[:, 1] < box[3]) & (boxes[:, 3] > box[1])).sum())


def plan_labels(
    labels: list[MapLabel], points: np.ndarray, km_per_px: float, frame: tuple | None = None
) -> list[tuple[float, float, str, str] | None]:
    """Where to write each label (most important first): (x, y, text, textposition), or None to leave it out.

    Each label takes the first form and spot inside `frame` (x0, y0, x1, y1 in km: the map's extent) that overlaps
    neither a label placed before it nor a marker (`points`: x, y in km, each a MARKER_BOX_PX square); a label that
    `must` show falls back to the spot clear of the labels that covers fewest markers; any other is left out (its
    place still has its marker and hover text)."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    half = MARKER_BOX_PX / 2 * km_per_px
    markers = np.column_stack([pts[:, 0] - half, pts[:, 1] - half, pts[:, 0] + half, pts[:, 1] + half])
    placed: list[tuple] = []
    plan: list[tuple[float, float, str, str] | None] = []
    for label in labels:
        taken = np.asarray(placed, dtype=float).reshape(-1, 4)
        fallback, choice = None, None
        for text, lines in label.forms:
            for position, dx, dy in label.spots:
                x, y = label.x + dx * km_per_px, label.y + dy * km_per_px
                box = label_box(x, y, lines, label.size, position, km_per_px, label.char_em)
                outside = frame is not None and (box[0] < frame[0] or box[1] < frame[1] or box[2] > frame[2] or box[3] > frame[3])
                if outside or _hits(taken, box):
                    continue
                covered = _hits(markers, box)
                if not covered:
                    choice = (box, (x, y, text, position))
                    break
                if label.must and (fallback is None or covered < fallback[0]):
                    fallback = (covered, box, (x, y, text, position))
            if choice:
                break
        if choice is None and fallback is not None:
            choice = fallback[1:]
        if choice is None:
            plan.append(None)
        else:
            placed.append(choice[0])
            plan.append(choice[1])
    return plan


def _region_anchor(region, base: bm.Basemap) -> tuple[float, float]:
    """Where a region's name is written: its label point, or, when that lies outside the view, the north-western-most
    point of its outline inside the view (a regional view shows only part of the other region)."""
    (x0, x1), (y0, y1) = base.x_range, base.y_range
    if x0 <= region.label_x <= x1 and y0 <= region.label_y <= y1:
        return region.label_x, region.label_y
    x, y = np.asarray(region.x, dtype=float), np.asarray(region.y, dtype=float)
    margin_x, margin_y = (x1 - x0) * 0.05, (y1 - y0) * 0.05
    inside = (x > x0 + margin_x) & (x < x1 - margin_x) & (y > y0 + margin_y) & (y < y1 - margin_y)
    if not inside.any():
        return region.label_x, region.label_y
    corner = int(np.argmax(np.where(inside, y - 0.3 * x, -np.inf)))
    return float(x[corner]), float(y[corner])


def _base_labels(base: bm.Basemap) -> tuple[list[MapLabel], list[MapLabel], list[MapLabel]]:
    """The base map's labels by priority: the regions' names, then the occupied areas' notes (in full, else in short),
    then seas and straits, then countries (those the notes name first). Returns (regions and notes, seas, countries)."""
    first = [
        MapLabel(
            *_region_anchor(row, base),
            ((f"<b>{plotly_text(row.region)} region</b>", (f"{row.region} region",)),),
            13,
            0.55,
            _REGION_SPOTS,
            must=True,
        )
        for row in base.regions.itertuples(index=False)
    ]
    for row in base.occupied.itertuples(index=False):
        name, by, since = plotly_text(row.name), plotly_text(row.occupied_by), str(row.occupied_since)[:4]
        full = (
            f"<b>{name}</b><br>occupied by {by}<br>since {since}",
            (row.name, f"occupied by {row.occupied_by}", f"since {since}"),
        )
        short = (f"<b>{name}</b> (occupied)", (f"{row.name} (occupied)",))
        first.append(MapLabel(row.label_x, row.label_y, (full, short), 11, 0.52, _NOTE_SPOTS, must=True))
    seas = [
        MapLabel(x, y, ((plotly_text(n, 24), tuple(textwrap.wrap(str(n), 24)) or ("",)),), 12, 0.55, _SEA_SPOTS)
        for n, x, y in zip(base.sea_labels["name"], base.sea_labels["x"], base.sea_labels["y"], strict=True)
    ]
    named = set(base.occupied["country"]) | set(base.occupied["occupied_by"])
    countries = [
        MapLabel(x, y, ((plotly_text(n).upper(), (str(n).upper(),)),), 11, 0.66, _COUNTRY_SPOTS, must=n in named)
        for n, x, y in zip(base.country_labels["name"], base.country_labels["x"], base.country_labels["y"], strict=True)
    ]
    return first, seas, countries


def _label_plan(base: bm.Basemap, obstacles: np.ndarray | None) -> tuple[list, list, list]:
    """plan_labels for the base map's labels (_base_labels) at the planned scale (LABEL_PLOT_PX), clear of the markers
    (`obstacles`: x, y in km). Countries the occupation notes name (Ukraine, Russia) are placed before the others: the
    note reads with them. Returns the plans of (regions and notes, seas, countries), each in its labels' order."""
    span_x = base.x_range[1] - base.x_range[0]
    span_y = base.y_range[1] - base.y_range[0]
    km_per_px = max(span_x / LABEL_PLOT_PX[0], span_y / LABEL_PLOT_PX[1])
    first, seas, countries = _base_labels(base)
    order = sorted(range(len(countries)), key=lambda i: not countries[i].must)
    points = np.empty((0, 2)) if obstacles is None else obstacles
    frame = (base.x_range[0], base.y_range[0], base.x_range[1], base.y_range[1])
    plan = plan_labels([*first, *seas, *(countries[i] for i in order)], points, km_per_px, frame)
    country_plan: list = [None] * len(countries)
    for k, i in enumerate(order):
        country_plan[i] = plan[len(first) + len(seas) + k]
    return plan[: len(first)], plan[len(first) : len(first) + len(seas)], country_plan


def _basemap_traces(base: bm.Basemap, obstacles: np.ndarray | None = None) -> list[dict]:
    """Land, Crimea, regions and the labels, placed by priority clear of each other and of the markers (`obstacles`:
    x, y in km) where they can be, and left out where they cannot (_label_plan)."""
    traces: list[dict] = [
        _scatter(
            x=base.land_x,
            y=base.land_y,
            mode="lines",
            fill="toself",
            fillcolor=LAND_COLOUR,
            line={"color": BORDER_COLOUR, "width": 0.6},
            hoverinfo="skip",
            showlegend=False,
            name="Countries",
            meta={"role": "land"},
        )
    ]
    for row in base.occupied.itertuples(index=False):
        since = str(row.occupied_since)[:10]
        label = f"{plotly_text(row.name)}: part of {plotly_text(row.country)}, occupied by {plotly_text(row.occupied_by)} since {since[:4]}"
        traces.append(
            _scatter(
                x=row.x,
                y=row.y,
                mode="lines",
                fill="toself",
                fillcolor="rgba(213, 94, 0, 0.10)",
                fillpattern={"shape": "/", "fgcolor": SIDE_COLOURS["Russia"], "size": 7, "solidity": 0.18, "fillmode": "overlay"},
                line={"color": SIDE_COLOURS["Russia"], "width": 1.4, "dash": "dot"},
                name=f"Occupied by Russia (since {since[:4]})",
                legend="legend2",
                hoveron="fills",
                hoverinfo="name",
                hoverlabel={"namelength": -1},
                meta={"role": "occupied", "label": label},
            )
        )
    for i, row in enumerate(base.regions.itertuples(index=False)):
        traces.append(
            _scatter(
                x=row.x,
                y=row.y,
                mode="lines",
                line={"color": REGION_COLOUR, "width": 2, "dash": "dash"},
                hoverinfo="skip",
                name="Region outline",
                legend="legend2",
                legendgroup="regions",
                showlegend=i == 0,
                meta={"role": "region", "region": row.region},
            )
        )
    first, seas, countries = _label_plan(base, obstacles)
    n_r = len(base.regions)
    styles = [(COUNTRY_LABEL_COLOUR, 11)] * len(countries) + [(REGION_LABEL_COLOUR, 13)] * n_r
    styles += [(OCCUPIED_LABEL_COLOUR, 11)] * len(base.occupied)
    anchors = [
        *zip(base.country_labels["x"], base.country_labels["y"], strict=True),
        *zip(base.regions["label_x"], base.regions["label_y"], strict=True),
        *zip(base.occupied["label_x"], base.occupied["label_y"], strict=True),
    ]
    traces.append(_label_trace([*countries, *first], anchors, styles, "labels", "Labels", {}))
    if len(base.sea_labels):
        sea_anchors = list(zip(base.sea_labels["x"], base.sea_labels["y"], strict=True))
        traces.append(
            _label_trace(
                seas, sea_anchors, [(SEA_LABEL_COLOUR, 12)] * len(seas), "sea_labels", "Seas and straits", {"style": "italic"}
            )
        )
    return traces


def _label_trace(plan: list, anchors: list, styles: list[tuple[str, float]], role: str, name: str, font: dict) -> dict:
    """A text trace of planned labels (plan_labels): each at its spot, or left empty at its anchor when left out."""
    placed = [p if p else (x, y, "", "middle center") for p, (x, y) in zip(plan, anchors, strict=True)]
    return _scatter(
        x=[p[0] for p in placed],
        y=[p[1] for p in placed],
        mode="text",
        text=[p[2] for p in placed],
        textposition=[p[3] for p in placed],
        textfont={"color": [c for c, _ in styles], "size": [s for _, s in styles], "family": FONT, **font},
        hoverinfo="skip",
        showlegend=False,
        name=name,
        meta={"role": role},
        unselected={"textfont": {"color": styles[0][0] if styles else COUNTRY_LABEL_COLOUR}},
    )


def _legend_only(
    name: str, legend: str, marker: dict, group: str | None = None, mode: str = "markers", line: dict | None = None
) -> dict:
    return _scatter(
        x=[None],
        y=[None],
        mode=mode,
        marker=marker,
        line=line or {},
        name=name,
        legend=legend,
        legendgroup=group,
        showlegend=True,
        hoverinfo="skip",
        meta={"role": "legend"},
    )


def _has_rows(frame: pd.DataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour_on(fill: str, opacity: float = 1.0, under: str = LAND_COLOUR) -> str:
    """Black or white, whichever contrasts more (WCAG) with `fill` drawn at `opacity` over `under`."""
    top = [int(fill.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    bottom = [int(under.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    seen = "#" + "".join(f"{round(opacity * t + (1 - opacity) * b):02x}" for t, b in zip(top, bottom, strict=True))
    lum = _luminance(seen)
    return "#FFFFFF" if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 else "#000000"


def _cluster_trace(clusters: pd.DataFrame, slot: str) -> dict:
    """One group's clusters (curated places, your places or your events): a circle per cell sized by its count, the count on it."""
    mask = clusters["slot"].to_numpy(dtype=object) == slot
    n = clusters["n"].to_numpy(dtype=float)[mask]
    mine = slot in (USER_PLACES, USER_EVENTS)
    fills = [USER_COLOUR] * int(mask.sum()) if mine else clusters["colour"].to_numpy(dtype=object)[mask].tolist()
    return _scatter(
        x=clusters["x"].to_numpy(dtype=float)[mask],
        y=clusters["y"].to_numpy(dtype=float)[mask],
        mode="markers+text",
        marker={
            "symbol": "diamond" if slot == USER_EVENTS else "circle",
            "size": np.minimum(10 + 3.5 * np.log2(n), 30).round(1),
            "color": fills,
            "opacity": 0.85,
            "line": {"width": 1.5, "color": "black"} if mine else {"width": 1, "color": "white"},
        },
        text=[f"{int(k):,}" if k < 1000 else f"{k / 1000:.0f}k" for k in n],
        textposition="middle center",
        # The count in black or white, whichever reads better on its circle (at least 4.5:1 on every side's colour).
        textfont={"color": [text_colour_on(c, 0.85) for c in fills], "size": 9, "family": FONT},
        hovertext=clusters["hover"].to_numpy(dtype=object)[mask].tolist(),
        hovertemplate="%{hovertext}<extra></extra>",
        name=f"Clustered: {slot}",
        showlegend=False,
        meta={"role": "clusters", "slot": slot},
        unselected={"marker": {"opacity": 0.5}},
    )


def _cluster_traces(clusters: pd.DataFrame | None) -> list[dict]:
    """The clusters of build_clusters, one trace per group present, in CLUSTER_SLOTS order."""
    if not _has_rows(clusters):
        return []
    present = set(clusters["slot"])
    return [_cluster_trace(clusters, slot) for slot in CLUSTER_SLOTS if slot in present]


def _event_ring_traces(markers: pd.DataFrame) -> list[dict]:
    """A grey ring round each place with events, growing with their number (no trace when no place has any)."""
    with_events = markers[markers["n_events"] > 0]
    if not len(with_events):
        return []
    return [
        _scatter(
            x=with_events["x"].to_numpy(),
            y=with_events["y"].to_numpy(),
            mode="markers",
            marker={
                "symbol": "circle-open",
                "size": 16 + 5 * np.sqrt(with_events["n_events"].to_numpy()),
                "color": EVENT_RING_COLOUR,
                "line": {"width": 1.3},
                "opacity": 0.7,
            },
            customdata=with_events[["place_id"]].to_numpy(dtype=object),
            hoverinfo="skip",
            showlegend=False,
            name="Events",
            meta={"role": "events"},
        )
    ]


def _kind_trace(kind: str, style: KindStyle, columns: dict[str, np.ndarray], mask: np.ndarray, mine: bool) -> dict:
    """The places of one kind (`mask` of the marker `columns`): the kind's symbol, the side's colour, the reader's own outlined."""
    codes = columns["codes"][mask]
    colour = {"color": codes, "cmin": 0, "cmax": len(SIDE_CODES) - 1, "colorscale": side_colour_scale()}
    symbol: str | np.ndarray = style.symbol
    if mine:
        line = {"width": 2.5, "color": USER_COLOUR}
    elif style.symbol.endswith("-open"):
        line = {"width": 2, **colour}
    else:
        # The side shows in the outline and fill too, not in colour alone (SIDE_MARKS).
        line = {"width": SIDE_LINE_WIDTHS[codes.astype(int)], "color": SIDE_LINE_COLOURS[codes.astype(int)]}
    if not style.symbol.endswith("-open"):
        symbol = np.where(codes == SIDE_CODES["Other"], f"{style.symbol}-open", style.symbol)
    return _scatter(
        x=columns["x"][mask],
        y=columns["y"][mask],
        mode="markers",
        name=f"{style.label} ({USER_TAG})" if mine else style.label,
        legendgroup=kind,
        showlegend=False,
        marker={"symbol": symbol, "size": style.size + (3 if mine else 0), "opacity": 1, **colour, "line": line},
        customdata=columns["ids"][mask].reshape(-1, 1),
        hovertext=columns["hover"][mask].tolist(),
        hovertemplate="%{hovertext}<extra></extra>",
        meta={"role": "user_places" if mine else "places", "kind": kind},
        unselected={"marker": {"opacity": 0.35}},
    )


def _kind_legend(kind: str, style: KindStyle) -> dict:
    """The kind's entry in the legend of kinds: its symbol in dark grey (colour belongs to the sides)."""
    width = 1.5 if style.symbol.endswith("-open") else 0
    return _legend_only(
        style.label,
        "legend",
        {"symbol": style.symbol, "size": 11, "color": "#333333", "line": {"width": width, "color": "#333333"}},
        group=kind,
    )


def _place_traces(markers: pd.DataFrame) -> list[dict]:
    """Per kind of place present: the curated places, the reader's own (same legend group), then the kind's legend entry."""
    # Plain arrays once: per-kind pandas indexing cost more than the whole figure.
    kinds = markers["kind"].to_numpy(dtype=object)
    columns = {
        "x": markers["x"].to_numpy(dtype=float),
        "y": markers["y"].to_numpy(dtype=float),
        "ids": markers["place_id"].to_numpy(dtype=object),
        "hover": np.asarray(markers["hover"].tolist(), dtype=object),
        # Colours as side codes on a stepped colour scale: plotly validates numbers far faster than colour strings.
        "codes": np.array([SIDE_CODES.get(side, SIDE_CODES["Other"]) for side in markers["side"].tolist()], dtype=float),
    }
    user = _is_user(markers)
    traces: list[dict] = []
    for kind, style in KIND_STYLES.items():
        of_kind = kinds == kind
        if not of_kind.any():
            continue
        for mine, mask in ((False, of_kind & ~user), (True, of_kind & user)):
            if mask.any():
                traces.append(_kind_trace(kind, style, columns, mask, mine))
        traces.append(_kind_legend(kind, style))
    return traces


def _own_event_traces(own: pd.DataFrame) -> list[dict]:
    """The reader's events with their own coordinates (build_event_markers): small diamonds in the reader's colour."""
    if not len(own):
        return []
    return [
        _scatter(
            x=own["x"].to_numpy(dtype=float),
            y=own["y"].to_numpy(dtype=float),
            mode="markers",
            marker={"symbol": "diamond", "size": 9, "color": USER_COLOUR, "line": {"width": 1, "color": "black"}},
            customdata=own[["event_id"]].to_numpy(dtype=object),
            hovertext=own["hover"].tolist(),
            hovertemplate="%{hovertext}<extra></extra>",
            name=USER_EVENTS,
            showlegend=False,
            meta={"role": "user_events"},
            unselected={"marker": {"opacity": 0.35}},
        )
    ]


def _selected_traces(markers: pd.DataFrame, own: pd.DataFrame, selected: Iterable[str]) -> list[dict]:
    """A black square round each selected place or own-coordinates event (customdata = its id)."""
    chosen_ids = set(selected)
    chosen = (
        pd.concat(
            [
                markers.loc[markers["place_id"].isin(chosen_ids), ["place_id", "x", "y"]],
                own.loc[own["event_id"].isin(chosen_ids), ["event_id", "x", "y"]].rename(columns={"event_id": "place_id"}),
            ],
            ignore_index=True,
        )
        if len(own)
        else markers[markers["place_id"].isin(chosen_ids)]
    )
    if not len(chosen):
        return []
    return [
        _scatter(
            x=chosen["x"].to_numpy(dtype=float),
            y=chosen["y"].to_numpy(dtype=float),
            mode="markers",
            marker={"symbol": "square-open", "size": 26, "color": SELECTED_COLOUR, "line": {"width": 2.5}},
            customdata=chosen[["place_id"]].to_numpy(dtype=object),
            hoverinfo="skip",
            name="Selected",
            legend="legend2",
            meta={"role": "selected"},
        )
    ]


SIDE_LEGEND = {
    "NATO": "Operator: NATO or a member (filled)",
    "Russia": "Russia or an ally (dark outline)",
    "Other": "Other or none (hollow)",
}
# Besides its colour, a marker's side shows in its outline (per side code): NATO filled with a thin white edge, Russia
# filled with a dark outline, other or no operator hollow (the kind's open symbol, outlined in grey).
SIDE_LINE_WIDTHS = np.array([1.0, 2.0, 2.0])
SIDE_LINE_COLOURS = np.array(["#FFFFFF", "#1A1A1A", SIDE_COLOURS["Other"]], dtype=object)
SIDE_MARKS = {
    "NATO": {"symbol": "circle", "line": {"width": 1, "color": "#FFFFFF"}},
    "Russia": {"symbol": "circle", "line": {"width": 2, "color": "#1A1A1A"}},
    "Other": {"symbol": "circle-open", "line": {"width": 2, "color": SIDE_COLOURS["Other"]}},
}


def _colour_legend_traces(markers: pd.DataFrame, own: pd.DataFrame, clusters: pd.DataFrame | None) -> list[dict]:
    """The colour legend (top left): the sides, then the reader's data, event rings and clusters when the map shows them."""
    traces = [
        _legend_only(SIDE_LEGEND[side], "legend2", {"size": 11, "color": SIDE_COLOURS[side], **SIDE_MARKS[side]})
        for side in SIDE_LEGEND
    ]
    user_clusters = _has_rows(clusters) and clusters["slot"].isin([USER_PLACES, USER_EVENTS]).any()
    if _is_user(markers).any() or len(own) or user_clusters:
        traces.append(
            _legend_only(
                USER_LEGEND,
                "legend2",
                {"symbol": "circle", "size": 11, "color": "white", "line": {"width": 2.5, "color": USER_COLOUR}},
            )
        )
    if (markers["n_events"] > 0).any():
        traces.append(
            _legend_only(
                "Events here (ring size: count)",
                "legend2",
                {"symbol": "circle-open", "size": 15, "color": EVENT_RING_COLOUR, "line": {"width": 1.3}},
            )
        )
    if _has_rows(clusters):
        traces.append(
            _legend_only(
                "Grouped places: count; colour of most, dark grey if mixed",
                "legend2",
                {"symbol": "circle", "size": 15, "color": MIXED_COLOUR, "opacity": 0.85},
            )
        )
    return traces


def _map_layout(base: bm.Basemap, title: str, height: int) -> dict:
    """The map's layout: km axes hidden at equal scale on the view's extent, the legend of kinds below, the colour legend on top."""
    return {
        "title": title_below_toolbar(title, 16),
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 58 + MODEBAR_ROW_PX if title else MODEBAR_ROW_PX, "b": 0},
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": SEA_COLOUR,
        "hovermode": "closest",
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "align": "left", "bgcolor": "white"},
        "dragmode": "pan",
        "uirevision": base.view.key,
        "showlegend": True,
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.01,
            "yanchor": "top",
            "title": {"text": ""},  # as legend2's: the symbols and their names say they are kinds of place
            "font": {"size": 12},
            "itemclick": "toggle",
            "itemdoubleclick": "toggleothers",
        },
        "legend2": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # At the top, below the toolbar's row (and the title): plotly makes room for it above the plot area.
            "yref": "container",
            "y": 1 - ((58 if title else 0) + MODEBAR_ROW_PX) / height,
            "yanchor": "top",
            "font": {"size": 12},
            # No title: plotly.js indents every row of a horizontal legend by its title's width but wraps the rows as
            # if it did not, and so cut off the last entry of a row on a narrow map. The entries say what they are.
            "title": {"text": ""},
            "itemclick": False,
            "itemdoubleclick": False,
        },
        "xaxis": {"visible": False, "range": list(base.x_range), "showgrid": False, "zeroline": False},
        "yaxis": {
            "visible": False,
            "range": list(base.y_range),
            "showgrid": False,
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": 1,
        },
    }


_NO_EVENT_MARKERS = ("event_id", "x", "y", "hover")


def _marker_points(markers: pd.DataFrame, clusters: pd.DataFrame | None) -> np.ndarray:
    """x, y (km) of every marker and cluster drawn, for labels to keep clear of."""
    parts = [markers[["x", "y"]].to_numpy(dtype=float)]
    if _has_rows(clusters):
        parts.append(clusters[["x", "y"]].to_numpy(dtype=float))
    return np.vstack(parts)


def build_map_figure(
    base: bm.Basemap,
    markers: pd.DataFrame,
    selected: Iterable[str] = (),
    title: str = "",
    height: int = 680,
    clusters: pd.DataFrame | None = None,
    event_markers: pd.DataFrame | None = None,
) -> go.Figure:
    """The map: land and borders, Crimea, regions, labels, then one marker trace per kind of place.

    Marker symbol = kind, colour = the operator's side (Okabe–Ito), a grey ring grows with the number of
    events at the place, and selected places get a black square. Two legends: kinds (below the map)
    and sides and overlays (top left). Every marker carries its place_id as customdata for selection.
    The reader's own places (`is_user_data`) get a USER_COLOUR outline and their own legend entry; their events
    with own coordinates (`event_markers`, customdata = event_id) are small USER_COLOUR diamonds. `clusters`
    (build_clusters) are drawn as one circle per cell and group, sized by count, with the count written on it.
    """
    own = event_markers if event_markers is not None else pd.DataFrame(columns=list(_NO_EVENT_MARKERS))
    traces = [
        *_basemap_traces(base, _marker_points(markers, clusters)),
        *_cluster_traces(clusters),
        *_event_ring_traces(markers),
        *_place_traces(markers),
        *_own_event_traces(own),
        *_selected_traces(markers, own, selected),
        *_colour_legend_traces(markers, own, clusters),
    ]
    return go.Figure(data=traces, layout=_map_layout(base, title, height))


# --------------------------------------------------------------------------------------------
# Shared with the map through time (dashboard/timeline_map.py): one base map, layout and legend for both.


def base_traces(base: bm.Basemap) -> list[dict]:
    """The base map's traces (land, Crimea, regions, labels) as plain dicts, in drawing order."""
    return _basemap_traces(base)


def map_layout(base: bm.Basemap, title: str, height: int) -> dict:
    """The map's layout (see build_map_figure): hidden km axes on the view's extent and its two legends."""
    return _map_layout(base, title, height)


def kind_legend_entry(kind: str) -> dict:
    """The legend entry of a kind of place (its symbol in dark grey)."""
    return _kind_legend(kind, KIND_STYLES[kind])


def legend_entry(name: str, legend: str, marker: dict) -> dict:
    """A legend-only entry (no points) in `legend` ("legend" for kinds, "legend2" for colours)."""
    return _legend_only(name, legend, marker)


# --------------------------------------------------------------------------------------------
# Selection and links


def place_ids_from_selection(selection: Mapping | None) -> tuple[str, ...]:
    """Place ids of the points selected on the chart (click, box or lasso), in order, without repeats."""
    if not selection:
        return ()
    points = selection.get("points", []) if isinstance(selection, Mapping) else getattr(selection, "points", [])
    ids: list[str] = []
    for point in points or []:
        data = point.get("customdata") if isinstance(point, Mapping) else None
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, str) and data and data not in ids:
            ids.append(data)
    return tuple(ids)


@dataclass
class MapParams:
    """The map's state read from a link, with notices saying what in the link was ignored or changed."""

    view: str = bm.DEFAULT_VIEW
    places: tuple[str, ...] = ()
    event: str | None = None
    asof: date | None = None
    notices: list[str] = field(default_factory=list)


def parse_map_params(
    params: Mapping[str, Iterable[str]],
    place_ids: Iterable[str],
    event_places: Mapping[str, str],
    date_bounds: tuple[date, date],
) -> MapParams:
    """Read view, place, event and asof from query parameters (each key → list of values) by the rules of dashboard.links.

    Unknown views, places and events and malformed dates are dropped with a notice; an event selects its
    place; a date outside `date_bounds` is moved to the nearest bound with a notice. Never raises.
    """
    link = LinkReader(params)
    valid_places = set(place_ids)
    view = link.one(PARAM_VIEW, bm.VIEWS, "map view", hint=f"; showing {bm.VIEWS[bm.DEFAULT_VIEW].title}")
    places = list(link.many(PARAM_PLACE, valid_places, "place"))
    event = link.one(PARAM_EVENT, event_places, "event")
    if event is not None and event_places[event] not in valid_places:
        link.note(f"The event “{echo(event)}” has no place on the map, so it cannot be shown there.")
        event = None
    if event is not None and event_places[event] not in places:
        places.insert(0, event_places[event])
    asof = link.date(PARAM_ASOF, date_bounds, "map date")
    return MapParams(view or bm.DEFAULT_VIEW, tuple(places), event, asof, link.notices)


def map_params_to_query(view: str, places: Iterable[str], event: str | None, asof: date, today: date) -> dict[str, list[str]]:
    """Query parameters that reproduce the map's state; defaults (wider Europe, nothing selected, today) are left out."""
    query: dict[str, list[str]] = {}
    if view != bm.DEFAULT_VIEW:
        query[PARAM_VIEW] = [view]
    places = list(places)
    if places:
        query[PARAM_PLACE] = places
    if event:
        query[PARAM_EVENT] = [event]
    if asof != today:
        query[PARAM_ASOF] = [asof.isoformat()]
    return query
