"""The map page's pure logic: posture as of a date, the marker table, the plotly map figure and its legends, link parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import basemap as bm
from dashboard.charts import FONT, SIDE_COLOURS, plotly_text

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


def without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy without `attrs`: pandas deep-copies attrs on every operation, which dominated the page's run time."""
    out = frame.copy(deep=False)
    out.attrs = {}
    return out


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


def side_of(operators: pd.Series, actors: pd.DataFrame) -> pd.Series:
    """The side (NATO, Russia, Other) of each operator id; places without an operator count as Other."""
    sides = dict(zip(actors["actor_id"], actors["side"], strict=True))
    return operators.map(lambda a: sides.get(a, "Other")).astype(str)


def _latest_events_text(events: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """Per place: (number of events, hover lines of the latest few), already escaped for plotly."""
    out: dict[str, tuple[int, str]] = {}
    ordered = events.sort_values("date", ascending=False)
    for place_id, group in ordered.groupby("place_id", sort=False):
        lines = [f"{d:%Y-%m-%d} · {plotly_text(t, 70)}" for d, t in zip(group["date"].head(HOVER_EVENTS), group["title"], strict=False)]
        more = len(group) - HOVER_EVENTS
        if more > 0:
            lines.append(f"… and {more} more (select the place to list them)")
        out[str(place_id)] = (len(group), "<br>".join(lines))
    return out


def build_marker_table(places: pd.DataFrame, events: pd.DataFrame, actors: pd.DataFrame, base: bm.Basemap) -> pd.DataFrame:
    """One row per place to draw: place_id, name, kind, side, x, y (km in the view's plane), n_events, hover.

    `base` is the view's basemap (for its projection). `hover` is plotly-safe text (data escaped) with name, kind, operator and side, country and the latest events.
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    x, y = base.project(places["lon"].to_numpy(), places["lat"].to_numpy())
    latest = _latest_events_text(events[events["place_id"].isin(places["place_id"])])
    sides = side_of(places["operator"], actors)
    hovers, counts = [], []
    for pid, name, kind, op, side, country in zip(
        places["place_id"], places["name"], places["kind"], places["operator"], sides, places["country"], strict=True
    ):
        n, lines = latest.get(str(pid), (0, ""))
        operator = f"{plotly_text(names.get(op, op))} ({side})" if op else NO_OPERATOR
        parts = [f"<b>{plotly_text(name)}</b>", f"{kind_label(kind)} · {operator}"]
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
        }
    )


def count_outside_view(markers: pd.DataFrame, base: bm.Basemap) -> int:
    """How many markers fall outside the view's initial extent (reachable by panning or another view)."""
    (x0, x1), (y0, y1) = base.x_range, base.y_range
    inside = markers["x"].between(x0, x1) & markers["y"].between(y0, y1)
    return int((~inside).sum())


# --------------------------------------------------------------------------------------------
# The figure


def _scatter(**props) -> dict:
    # Traces are plain dicts, validated once when the figure is made (plotly validates per assignment).
    return {"type": "scatter", **props}


def _basemap_traces(base: bm.Basemap) -> list[dict]:
    traces: list[dict] = [
        _scatter(
            x=base.land_x, y=base.land_y, mode="lines", fill="toself", fillcolor=LAND_COLOUR,
            line={"color": BORDER_COLOUR, "width": 0.6}, hoverinfo="skip", showlegend=False,
            name="Countries", meta={"role": "land"},
        )
    ]
    for row in base.occupied.itertuples(index=False):
        since = str(row.occupied_since)[:10]
        label = f"{plotly_text(row.name)}: part of {plotly_text(row.country)}, occupied by {plotly_text(row.occupied_by)} since {since[:4]}"
        traces.append(
            _scatter(
                x=row.x, y=row.y, mode="lines", fill="toself",
                fillcolor="rgba(213, 94, 0, 0.10)",
                fillpattern={"shape": "/", "fgcolor": SIDE_COLOURS["Russia"], "size": 7, "solidity": 0.18, "fillmode": "overlay"},
                line={"color": SIDE_COLOURS["Russia"], "width": 1.4, "dash": "dot"},
                name=f"Occupied by Russia (since {since[:4]})", legend="legend2", hoveron="fills", hoverinfo="name",
                hoverlabel={"namelength": -1}, meta={"role": "occupied", "label": label},
            )
        )
    for i, row in enumerate(base.regions.itertuples(index=False)):
        traces.append(
            _scatter(
                x=row.x, y=row.y, mode="lines", line={"color": REGION_COLOUR, "width": 2, "dash": "dash"},
                hoverinfo="skip", name="Region outline", legend="legend2", legendgroup="regions",
                showlegend=i == 0, meta={"role": "region", "region": row.region},
            )
        )
    labels = pd.DataFrame(
        {
            "x": [*base.country_labels["x"], *base.regions["label_x"], *base.occupied["label_x"]],
            "y": [*base.country_labels["y"], *base.regions["label_y"], *base.occupied["label_y"]],
        }
    )
    texts = [
        *(plotly_text(n).upper() for n in base.country_labels["name"]),
        *(f"<b>{plotly_text(r)} region</b>" for r in base.regions["region"]),
        *(f"<b>{plotly_text(n)}</b><br>occupied by {plotly_text(o)}<br>since {str(s)[:4]}" for n, o, s in
          zip(base.occupied["name"], base.occupied["occupied_by"], base.occupied["occupied_since"], strict=True)),
    ]
    n_c, n_r = len(base.country_labels), len(base.regions)
    colours = ["#6B6B6B"] * n_c + [REGION_COLOUR] * n_r + [SIDE_COLOURS["Russia"]] * len(base.occupied)
    positions = ["middle center"] * n_c + ["bottom right"] * n_r + ["middle left"] * len(base.occupied)
    sizes = [11] * n_c + [13] * n_r + [11] * len(base.occupied)
    traces.append(
        _scatter(
            x=labels["x"], y=labels["y"], mode="text", text=texts, textposition=positions,
            textfont={"color": colours, "size": sizes, "family": FONT}, hoverinfo="skip", showlegend=False,
            name="Labels", meta={"role": "labels"}, unselected={"textfont": {"color": "#6B6B6B"}},
        )
    )
    if len(base.sea_labels):
        traces.append(
            _scatter(
                x=base.sea_labels["x"], y=base.sea_labels["y"], mode="text",
                text=[plotly_text(n, 24) for n in base.sea_labels["name"]], textposition="bottom center",
                textfont={"color": SEA_LABEL_COLOUR, "size": 12, "family": FONT, "style": "italic"},
                hoverinfo="skip", showlegend=False, name="Seas and straits", meta={"role": "sea_labels"},
                unselected={"textfont": {"color": SEA_LABEL_COLOUR}},
            )
        )
    return traces


def _legend_only(name: str, legend: str, marker: dict, group: str | None = None, mode: str = "markers", line: dict | None = None) -> dict:
    return _scatter(
        x=[None], y=[None], mode=mode, marker=marker, line=line or {}, name=name, legend=legend,
        legendgroup=group, showlegend=True, hoverinfo="skip", meta={"role": "legend"},
    )


def build_map_figure(
    base: bm.Basemap,
    markers: pd.DataFrame,
    selected: Iterable[str] = (),
    title: str = "",
    height: int = 680,
) -> go.Figure:
    """The map: land and borders, Crimea, regions, labels, then one marker trace per kind of place.

    Marker symbol = kind, colour = the operator's side (Okabe–Ito), a grey ring grows with the number of
    events at the place, and selected places get a black square. Two legends: kinds (below the map)
    and sides and overlays (top left). Every marker carries its place_id as customdata for selection.
    """
    traces = _basemap_traces(base)
    with_events = markers[markers["n_events"] > 0]
    if len(with_events):
        traces.append(
            _scatter(
                x=with_events["x"].to_numpy(), y=with_events["y"].to_numpy(), mode="markers",
                marker={"symbol": "circle-open", "size": 16 + 5 * np.sqrt(with_events["n_events"].to_numpy()),
                        "color": EVENT_RING_COLOUR, "line": {"width": 1.3}, "opacity": 0.7},
                customdata=with_events[["place_id"]].to_numpy(dtype=object), hoverinfo="skip", showlegend=False,
                name="Events", meta={"role": "events"},
            )
        )
    # Plain arrays once: per-kind pandas indexing cost more than the whole figure.
    kinds = markers["kind"].to_numpy(dtype=object)
    xs, ys = markers["x"].to_numpy(dtype=float), markers["y"].to_numpy(dtype=float)
    ids = markers["place_id"].to_numpy(dtype=object)
    hovers = np.asarray(markers["hover"].tolist(), dtype=object)
    # Colours as side codes on a stepped colour scale: plotly validates numbers far faster than colour strings.
    codes = np.array([SIDE_CODES.get(side, SIDE_CODES["Other"]) for side in markers["side"].tolist()], dtype=float)
    for kind, style in KIND_STYLES.items():
        mask = kinds == kind
        if not mask.any():
            continue
        open_symbol = style.symbol.endswith("-open")
        colour = {"color": codes[mask], "cmin": 0, "cmax": len(SIDE_CODES) - 1, "colorscale": side_colour_scale()}
        traces.append(
            _scatter(
                x=xs[mask], y=ys[mask], mode="markers", name=style.label, legendgroup=kind, showlegend=False,
                marker={
                    "symbol": style.symbol, "size": style.size, "opacity": 1, **colour,
                    "line": {"width": 2, **colour} if open_symbol else {"width": 1, "color": "white"},
                },
                customdata=ids[mask].reshape(-1, 1), hovertext=hovers[mask].tolist(),
                hovertemplate="%{hovertext}<extra></extra>", meta={"role": "places", "kind": kind},
                unselected={"marker": {"opacity": 0.35}},
            )
        )
        traces.append(_legend_only(style.label, "legend", {"symbol": style.symbol, "size": 11, "color": "#333333",
                                                           "line": {"width": 1.5 if open_symbol else 0, "color": "#333333"}}, group=kind))
    chosen = markers[markers["place_id"].isin(list(selected))]
    if len(chosen):
        traces.append(
            _scatter(
                x=chosen["x"].to_numpy(), y=chosen["y"].to_numpy(), mode="markers",
                marker={"symbol": "square-open", "size": 26, "color": SELECTED_COLOUR, "line": {"width": 2.5}},
                customdata=chosen[["place_id"]].to_numpy(dtype=object), hoverinfo="skip", name="Selected", legend="legend2",
                meta={"role": "selected"},
            )
        )
    for side in ("NATO", "Russia", "Other"):
        name = {"NATO": "Operated by NATO or a member", "Russia": "Operated by Russia or an ally", "Other": "Other or no operator"}[side]
        traces.append(_legend_only(name, "legend2", {"symbol": "circle", "size": 11, "color": SIDE_COLOURS[side]}))
    if len(with_events):
        traces.append(_legend_only("Events here (ring grows with count)", "legend2",
                                   {"symbol": "circle-open", "size": 15, "color": EVENT_RING_COLOUR, "line": {"width": 1.3}}))
    layout = {
        "title": {"text": title, "x": 0.005, "xanchor": "left", "y": 0.995, "yref": "container", "yanchor": "top", "font": {"size": 16}},
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 58 if title else 5, "b": 0},
        "font": {"family": FONT, "size": 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": SEA_COLOUR,
        "hovermode": "closest",
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "align": "left", "bgcolor": "white"},
        "dragmode": "pan",
        "uirevision": base.view.key,
        "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.01, "yanchor": "top", "title": {"text": "<b>Kind of place</b>  "},
                "font": {"size": 12}, "itemclick": "toggle", "itemdoubleclick": "toggleothers"},
        "legend2": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "font": {"size": 12},
                    "title": {"text": "<b>Colour</b>  "}, "itemclick": False, "itemdoubleclick": False},
        "xaxis": {"visible": False, "range": list(base.x_range), "showgrid": False, "zeroline": False},
        "yaxis": {"visible": False, "range": list(base.y_range), "showgrid": False, "zeroline": False, "scaleanchor": "x", "scaleratio": 1},
    }
    return go.Figure(data=traces, layout=layout)


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
    """The map's state read from a link, with a notice for every value that was ignored or changed."""

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
    """Read view, place, event and asof from query parameters (each key → list of values); never raises.

    Unknown views, places and events and malformed dates are dropped with a notice; an event selects its
    place; a date outside `date_bounds` is clamped with a notice.
    """
    out = MapParams()
    valid_places = set(place_ids)
    views = list(params.get(PARAM_VIEW, []))
    if views:
        raw = str(views[-1]).strip()
        if raw in bm.VIEWS:
            out.view = raw
        else:
            out.notices.append(f"Ignored the unknown map view “{raw[:40]}” in the link; showing {bm.VIEWS[bm.DEFAULT_VIEW].title}.")
    places: list[str] = []
    for raw in params.get(PARAM_PLACE, []):
        for value in str(raw).split(","):
            value = value.strip()
            if not value:
                continue
            if value in valid_places:
                if value not in places:
                    places.append(value)
            else:
                out.notices.append(f"Ignored the unknown place “{value[:60]}” in the link.")
    events = list(params.get(PARAM_EVENT, []))
    if events:
        raw = str(events[-1]).strip()
        if raw not in event_places:
            out.notices.append(f"Ignored the unknown event “{raw[:80]}” in the link.")
        elif not event_places[raw] or event_places[raw] not in valid_places:
            out.notices.append(f"The event “{raw[:80]}” has no place on the map, so it cannot be shown there.")
        else:
            out.event = raw
            if event_places[raw] not in places:
                places.insert(0, event_places[raw])
    out.places = tuple(places)
    dates = list(params.get(PARAM_ASOF, []))
    if dates:
        raw = str(dates[-1]).strip()
        try:
            parsed = date.fromisoformat(raw)
        except ValueError:
            parsed = None
            out.notices.append(f"Ignored the date “{raw[:40]}” for “{PARAM_ASOF}” in the link: use YYYY-MM-DD.")
        if parsed is not None:
            lo, hi = date_bounds
            if parsed < lo or parsed > hi:
                clamped = min(max(parsed, lo), hi)
                out.notices.append(f"The map date {parsed.isoformat()} is outside {lo.isoformat()} to {hi.isoformat()}; using {clamped.isoformat()}.")
                parsed = clamped
            out.asof = parsed
    return out


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
