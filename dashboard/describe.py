"""Text versions of the maps and charts: the facts each figure shows, as a few sentences and a small table.

A screen reader cannot read a plotly figure, so every page offers beside it the same facts in words, built here
from the frames the figure is built from. Each function returns plain text and a table of strings; the page escapes
them for Markdown. Long lists are cut to a few rows with a count of the rest, so the text stays short and cheap
with 100,000 events (everything is counted with vectorised pandas, never row by row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import range_charts, schema
from dashboard.charts import humanise
from dashboard.map_figures import kind_label
from dashboard.sides import SIDES, side_of

MAX_ROWS = 40  # rows of a text version's table; the rest are counted
MAX_NAMES = 6  # names listed in one sentence or cell before "and N more"
SIDE_WORDS = {"NATO": "NATO side", "Russia": "Russia side", "Other": "other or no side"}


@dataclass(frozen=True)
class TextVersion:
    """A figure's facts: `sentences` (plain text), `table` (strings, reader-facing column names) and `note` on the table,
    such as how many rows were left out (empty when none were)."""

    sentences: str
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str = ""


def name_list(names: Sequence[str] | pd.Series, limit: int = MAX_NAMES, total: int | None = None) -> str:
    """`A, B and C`, or the first `limit` names and "and N more" (`total` counts the names when `names` is cut already)."""
    shown = [str(n) for n in list(names)[:limit]]
    rest = (len(names) if total is None else total) - len(shown)
    if rest > 0:
        return f"{', '.join(shown)} and {rest:,} more"
    if len(shown) > 1:
        return f"{', '.join(shown[:-1])} and {shown[-1]}"
    return shown[0] if shown else ""


def _short(text: object, width: int = 60) -> str:
    """`text` cut to `width` characters at a word, with an ellipsis when cut."""
    s = str(text)
    return s if len(s) <= width else s[:width].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _counted(counts: pd.Series) -> str:
    """`Deployment 12, Exercise 3`: a count per label, largest first."""
    return ", ".join(f"{label} {int(n):,}" for label, n in counts.sort_values(ascending=False, kind="stable").items())


def _cut(table: pd.DataFrame, noun: str, limit: int = MAX_ROWS) -> tuple[pd.DataFrame, str]:
    """The first `limit` rows and a note saying how many `noun` were left out."""
    if len(table) <= limit:
        return table.reset_index(drop=True), ""
    return table.head(limit).reset_index(drop=True), f"… and {len(table) - limit:,} more {noun}."


# ---- Timelines


def timeline_text(events: pd.DataFrame, actors: pd.DataFrame, colour_by: str = "event_type") -> TextVersion:
    """The events timeline (charts.events_timeline) as counts per year, by event type or by the actors' side.

    Table: Year, one column per event type (or side), All events. An event with several actors counts once on each
    of their sides, as on the chart, and once in All events.
    """
    if events.empty:
        return TextVersion("No events match the filters.")
    years = events["date"].dt.year
    if colour_by == "actor":
        rows = events[["date", "actors"]].explode("actors").dropna(subset=["actors"])
        groups = side_of(rows["actors"], actors)
        counts = pd.crosstab(rows["date"].dt.year, groups)
        counts = counts[[s for s in SIDES if s in counts.columns]]
        by = "By the side of the actors (an event with several actors counts on each of their sides)"
    else:
        groups = events["event_type"].map({t: humanise(t) for t in events["event_type"].unique()})
        counts = pd.crosstab(years, groups)
        by = "By type"
    totals = years.value_counts().sort_index()
    counts = counts.reindex(totals.index, fill_value=0)
    busiest = int(totals.idxmax())
    sentences = (
        f"{len(events):,} events from {int(totals.index.min())} to {int(totals.index.max())}, in {len(totals):,} years "
        f"with events; the most in {busiest} ({int(totals.max()):,}). {by}: {_counted(counts.sum())}."
    )
    table = counts.astype(int).map(lambda n: f"{n:,}").reset_index(drop=True)
    table.insert(0, "Year", [str(y) for y in totals.index])
    table["All events"] = [f"{n:,}" for n in totals.to_numpy()]
    table.columns = [str(c) for c in table.columns]
    table, note = _cut(table, "years")
    return TextVersion(sentences, table, note)


def statements_timeline_text(statements: pd.DataFrame, actors: pd.DataFrame) -> TextVersion:
    """The statements timeline (statement_charts.statements_timeline): statements per actor, with the side and years.

    Table: Actor, Side, Statements, Per year ("2019: 3, 2021: 1"), most statements first.
    """
    if statements.empty:
        return TextVersion("No statements match the search and filters.")
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    keys = pd.DataFrame(
        {
            "actor": statements["actor"].astype(str).to_numpy(),
            "year": pd.DatetimeIndex(statements["date"]).year.to_numpy(),
        }
    )
    per_year = keys.groupby(["actor", "year"], sort=True).size()
    per_actor = per_year.groupby(level="actor").sum().sort_values(ascending=False, kind="stable")
    sides = side_of(pd.Series(per_actor.index, index=per_actor.index), actors)
    by_side = per_actor.groupby(sides).sum()
    years = keys["year"]
    sentences = (
        f"{len(statements):,} statements by {len(per_actor):,} actors from {int(years.min())} to {int(years.max())}. "
        f"By side: {_counted(by_side.rename(SIDE_WORDS))}. Most from {name_list([names.get(a, a) for a in per_actor.index[:3]])}."
    )
    shown = per_actor.head(MAX_ROWS)
    table = pd.DataFrame(
        {
            "Actor": [str(names.get(a, a)) for a in shown.index],
            "Side": sides[shown.index].tolist(),
            "Statements": [f"{n:,}" for n in shown.to_numpy()],
            "Per year": [", ".join(f"{y}: {n:,}" for (_a, y), n in per_year[[a]].items()) for a in shown.index],
        }
    )
    note = f"… and {len(per_actor) - len(shown):,} more actors." if len(per_actor) > len(shown) else ""
    return TextVersion(sentences, table, note)


# ---- The map


def _kind_names(kinds: pd.Series) -> pd.Series:
    return kinds.map({k: kind_label(str(k)) for k in kinds.unique()})


def map_text(
    places: pd.DataFrame, actors: pd.DataFrame, view_title: str, asof: str, in_view: Sequence[bool] | None = None
) -> TextVersion:
    """The map of places (map_figures.build_map_figure): how many per side and kind, and each place's kind, side and country.

    `places` are the places the map draws (filtered, as of `asof`); `in_view` says which lie inside the view's extent
    (map_figures.in_view; all when None). Table: Place, Kind, Operator (side), Country, In this view; the places in
    view first, each part by name.
    """
    if places.empty:
        return TextVersion(f"{view_title}: no places match the filters on {asof}.")
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    # Counted by operator and by kind code first, then named: a lookup per distinct value, not per place.
    per_operator = places["operator"].fillna("").value_counts()
    by_side = per_operator.groupby(side_of(pd.Series(per_operator.index, index=per_operator.index), actors)).sum()
    by_side = by_side.reindex(list(SIDES)).dropna().rename(SIDE_WORDS)
    per_kind = places["kind"].value_counts()
    by_kind = per_kind.groupby(_kind_names(pd.Series(per_kind.index, index=per_kind.index))).sum()
    inside = np.ones(len(places), dtype=bool) if in_view is None else np.asarray(in_view, dtype=bool)
    n_outside = int((~inside).sum())
    outside = f" {n_outside:,} of them lie outside this view, listed last." if n_outside else ""
    sentences = (
        f"{view_title}, as of {asof}: {len(places):,} places.{outside} By the side operating them: {_counted(by_side)}. "
        f"By kind: {_counted(by_kind)}."
    )
    # By name as a reader looks one up: case and accents folded (Ämari under A).
    folded = pc.utf8_lower(
        pc.replace_substring_regex(pc.utf8_normalize(pa.array(places["name"].astype(str)), "NFKD"), r"\p{Mn}", "")
    )
    # The first MAX_ROWS by (outside the view, folded name), picked without sorting every name.
    keys = pa.table({"out": pa.array(~inside), "name": folded})
    order = pc.select_k_unstable(keys, MAX_ROWS, [("out", "ascending"), ("name", "ascending")]).to_numpy()
    picked = keys.take(order)
    order = order[np.lexsort((picked["name"].to_numpy(zero_copy_only=False), picked["out"].to_numpy(zero_copy_only=False)))]
    shown = places.iloc[order]
    sides = side_of(shown["operator"], actors)
    operators = [
        f"{names.get(op, op)} ({side})" if isinstance(op, str) and op else f"none ({side})"
        for op, side in zip(shown["operator"], sides, strict=True)
    ]
    countries = [c if isinstance(c, str) else "" for c in shown["country"]]
    table = pd.DataFrame(
        {
            "Place": shown["name"].astype(str).tolist(),
            "Kind": _kind_names(shown["kind"]).tolist(),
            "Operator (side)": operators,
            "Country": countries,
            "In this view": ["yes" if inside[i] else "no: pan to see it" for i in order],
        }
    )
    note = (
        f"… and {len(places) - len(shown):,} more places: the places CSV below lists them all."
        if len(places) > len(shown)
        else ""
    )
    return TextVersion(sentences, table, note)


def play_text(places: pd.DataFrame, actors: pd.DataFrame, labels: Sequence[str], standing) -> TextVersion:
    """The animated map (play mode): places standing per side at each step, named by `labels`. `standing` is
    timeline_map.standing_matrix (steps × places, True where a place stands). Table: Step, one column per side, All places."""
    if places.empty or not len(labels):
        return TextVersion("No places match the filters in this window.")
    sides = side_of(places["operator"], actors).to_numpy()
    rows = {"Step": list(labels)}
    for side in SIDES:
        rows[SIDE_WORDS[side]] = [f"{int(n):,}" for n in standing[:, sides == side].sum(axis=1)]
    totals = standing.sum(axis=1)
    rows["All places"] = [f"{int(n):,}" for n in totals]
    table, note = _cut(pd.DataFrame(rows), "steps")
    sentences = (
        f"The animation steps from {labels[0]} to {labels[-1]} ({len(labels):,} steps): {int(totals[0]):,} places stand at "
        f"the first step and {int(totals[-1]):,} at the last. Events appear as rings at their place."
    )
    return TextVersion(sentences, table, note)


# ---- The range-ring map


@dataclass(frozen=True)
class Ring:
    """One ring on the range map: what it is, its range (km), how it is drawn (line style) and whether it is one of
    the treaty's fixed thresholds (which reach nothing of their own)."""

    label: str
    range_km: float
    drawn_as: str
    is_threshold: bool = False


# plotly's dash names in words, for the line styles of the compared systems' rings (range_charts.OVERLAY_STYLES).
DASH_WORDS = {
    "solid": "solid",
    "dash": "dashed",
    "dot": "dotted",
    "dashdot": "dash-dot",
    "longdash": "long dashes",
    "longdashdot": "long dash-dot",
}


def ring_map_rings(
    range_label: str, range_km: float, claims: pd.DataFrame | None, overlays: Sequence[range_charts.OverlayRing]
) -> list[Ring]:
    """The rings range_charts.ring_map draws, in the same line styles: the treaty thresholds, the chosen range, each
    published claim (ranges.system_claims) and each compared system's ring."""
    rings = [Ring("Treaty threshold", km, "thin dashed grey", True) for km in range_charts.TREATY_RINGS_KM]
    rings.append(Ring(f"Range drawn: {range_label}", range_km, "thick solid"))
    if claims is not None and len(claims):
        for row in claims.itertuples(index=False):
            figure = schema.range_label(row.range_km, getattr(row, "is_lower_bound", False))
            rings.append(
                Ring(f"Claim of {figure} by {name_list([_short(c) for c in row.claimants], 3)}", float(row.range_km), "dotted")
            )
    for ring, (_colour, dash) in zip(overlays, range_charts.OVERLAY_STYLES, strict=False):
        rings.append(Ring(f"Compared: {ring.label}", ring.range_km, DASH_WORDS.get(dash, "dash-dot-dot")))
    return rings


def range_bands(range_km: float) -> list[tuple[str, float, float]]:
    """The treaty's bands (under 500, 500–1,000, 1,000–5,500 and beyond 5,500 km) that lie within `range_km`, the last
    cut at it: (label, from km, to km)."""
    lo_s, hi_s = schema.INF_SHORTER_RANGE_KM
    hi_i = schema.INF_BAND_KM[1]
    bands = [
        ("Under 500 km (below the treaty's band)", 0.0, lo_s),
        ("500–1,000 km (shorter-range class)", lo_s, hi_s),
        ("1,000–5,500 km (intermediate-range class)", hi_s, hi_i),
        ("Beyond 5,500 km (above the band)", hi_i, float("inf")),
    ]
    out = []
    for label, a, b in bands:
        if a >= range_km:
            break
        if b > range_km:
            label = f"{label}, up to the range of {range_km:,.0f} km"
        out.append((label, a, min(b, range_km)))
    return out


def ring_map_text(
    launch_name: str,
    range_km: float,
    rings: Iterable[Ring],
    places: pd.DataFrame,
    countries: pd.DataFrame,
) -> TextVersion:
    """The range-ring map (range_charts.ring_map): the rings drawn and, per treaty band within range, the places and
    countries in it.

    `places`: every place with distance_km, nearest first (ranges.places_in_reach); `countries`: country and nearest_km
    of the countries in range (ranges.countries_in_range). A country is listed in the band its nearest territory lies in.
    Table: Band, Places (count), Nearest places, Countries.
    """
    ring_list = sorted(rings, key=lambda r: r.range_km)
    in_range = places[places["distance_km"] <= range_km]
    ring_words = "; ".join(f"{r.label} at {r.range_km:,.0f} km ({r.drawn_as})" for r in ring_list)
    reach = [f"{r.label}: {int((places['distance_km'] <= r.range_km).sum()):,} places" for r in ring_list if not r.is_threshold]
    sentences = (
        f"Rings drawn round {launch_name}: {ring_words}. Within {range_km:,.0f} km lie {len(in_range):,} places and "
        f"{len(countries):,} countries. Places within each ring: {'; '.join(reach)}."
    )
    rows = []
    for label, a, b in range_bands(range_km):
        d, nearest = in_range["distance_km"], countries["nearest_km"]
        here = in_range[((d > a) | (a == 0)) & (d <= b)]  # the first band includes 0 km
        states = countries[((nearest > a) | (a == 0)) & (nearest <= b)]
        rows.append(
            {
                "Band": label,
                "Places": f"{len(here):,}",
                "Nearest places": name_list(here["name"].head(MAX_NAMES).astype(str).tolist(), total=len(here)) or "none",
                "Countries (nearest territory)": name_list(
                    states["country"].head(MAX_NAMES * 2).astype(str).tolist(), MAX_NAMES * 2, len(states)
                )
                or "none",
            }
        )
    return TextVersion(sentences, pd.DataFrame(rows))


# ---- The range chart of the catalogue


def range_chart_text(catalogue: pd.DataFrame) -> TextVersion:
    """The catalogue's range chart (range_charts.range_chart): each system's range from its lowest to its headline
    figure, by treaty class. Table: System, Operator (side), Range, Treaty class, shortest first."""
    if catalogue.empty:
        return TextVersion("No missile systems match the filters.")
    by_class = catalogue["inf_class"].value_counts()
    sentences = f"{len(catalogue):,} missile systems. By treaty class of the headline range: {_counted(by_class)}."
    ordered = catalogue.sort_values("range_km_max", kind="stable")
    spans = [
        head if lo >= hi else f"{lo:,.0f} km to {head}"
        for lo, hi, head in zip(ordered["range_km_min"], ordered["range_km_max"], ordered["headline_range"], strict=True)
    ]
    table = pd.DataFrame(
        {
            "System": ordered["name"].astype(str).tolist(),
            "Operator (side)": [f"{o} ({s})" for o, s in zip(ordered["operator_name"], ordered["side"], strict=True)],
            "Range (lowest figure to headline)": spans,
            "Treaty class": ordered["inf_class"].astype(str).tolist(),
        }
    )
    table, note = _cut(table, "systems")
    return TextVersion(sentences, table, note)


def basket_text(target_name: str, range_label: str, territory: str, area_km2: float, sites: pd.DataFrame) -> TextVersion:
    """The launch-basket map (range_charts.basket_map): the basket's land and area and the known launch sites in it.

    `territory` names the launch territory in words; `sites`: name, kind, country, distance_km, nearest first.
    Table: Known site, Kind, Country, Distance (km).
    """
    if area_km2 <= 0:
        return TextVersion(f"No launch territory ({territory}) lies within reach of {target_name} for {range_label}.")
    sentences = (
        f"The launch basket for {range_label} against {target_name}: the land of {territory} within range of the target, "
        f"{area_km2:,.0f} km². Known launch sites inside: {len(sites):,}."
    )
    if sites.empty:
        return TextVersion(sentences)
    table = pd.DataFrame(
        {
            "Known site": sites["name"].astype(str).tolist(),
            "Kind": sites["kind"].astype(str).str.replace("_", " ").tolist(),
            "Country": [c if isinstance(c, str) else "" for c in sites["country"]],
            f"Distance to {target_name} (km)": [f"{d:,.0f}" for d in sites["distance_km"]],
        }
    )
    table, note = _cut(table, "sites")
    return TextVersion(sentences, table, note)
