"""The shared region / actor / date filters: parsing them from a URL, writing them back, applying them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

# Query-string keys owned by the shared sidebar.
PARAM_REGION = "region"
PARAM_ACTOR = "actor"
PARAM_FROM = "from"
PARAM_TO = "to"
SHARED_PARAMS = (PARAM_REGION, PARAM_ACTOR, PARAM_FROM, PARAM_TO)


@dataclass(frozen=True)
class Filters:
    """What the reader chose: empty tuples mean "all"; dates are inclusive."""

    regions: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def is_default(self) -> bool:
        return not (self.regions or self.actors or self.date_from or self.date_to)


@dataclass
class ParsedFilters:
    """Filters read from a query string, plus a notice for every value that was ignored."""

    filters: Filters
    notices: list[str] = field(default_factory=list)


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_filters(
    params: Mapping[str, Iterable[str]],
    regions: Iterable[str],
    actors: Iterable[str],
    date_bounds: tuple[date, date],
) -> ParsedFilters:
    """Read filters from query parameters (each key → list of values), ignoring bad values with a notice.

    Unknown regions or actors, malformed or out-of-bounds dates and a reversed range are dropped and
    reported; nothing raises.
    """
    valid_regions = list(regions)
    valid_actors = list(actors)
    notices: list[str] = []

    def pick(key: str, allowed: list[str], what: str) -> tuple[str, ...]:
        chosen: list[str] = []
        lookup = {a.casefold(): a for a in allowed}
        for raw in params.get(key, []):
            for value in str(raw).split(","):
                value = value.strip()
                if not value:
                    continue
                match = lookup.get(value.casefold())
                if match is None:
                    notices.append(f"Ignored unknown {what} “{value[:60]}” in the link.")
                elif match not in chosen:
                    chosen.append(match)
        return tuple(chosen)

    sel_regions = pick(PARAM_REGION, valid_regions, "region")
    sel_actors = pick(PARAM_ACTOR, valid_actors, "actor")
    lo, hi = date_bounds

    def pick_date(key: str, label: str) -> date | None:
        values = list(params.get(key, []))
        if not values:
            return None
        raw = str(values[-1])
        parsed = _parse_date(raw)
        if parsed is None:
            notices.append(f"Ignored the {label} date “{raw[:40]}” in the link: use YYYY-MM-DD.")
            return None
        if parsed < lo or parsed > hi:
            clamped = min(max(parsed, lo), hi)
            notices.append(f"The {label} date {parsed.isoformat()} is outside the data ({lo.isoformat()} to {hi.isoformat()}); using {clamped.isoformat()}.")
            return clamped
        return parsed

    date_from = pick_date(PARAM_FROM, "start")
    date_to = pick_date(PARAM_TO, "end")
    if date_from and date_to and date_from > date_to:
        notices.append("The start date in the link was after the end date; showing all dates.")
        date_from = date_to = None
    return ParsedFilters(Filters(sel_regions, sel_actors, date_from, date_to), notices)


def filters_to_params(filters: Filters) -> dict[str, list[str]]:
    """Query parameters that reproduce `filters`; defaults are left out to keep links short."""
    params: dict[str, list[str]] = {}
    if filters.regions:
        params[PARAM_REGION] = list(filters.regions)
    if filters.actors:
        params[PARAM_ACTOR] = list(filters.actors)
    if filters.date_from:
        params[PARAM_FROM] = [filters.date_from.isoformat()]
    if filters.date_to:
        params[PARAM_TO] = [filters.date_to.isoformat()]
    return params


def _in_dates(dates: pd.Series, filters: Filters) -> pd.Series:
    mask = pd.Series(True, index=dates.index)
    if filters.date_from:
        mask &= dates >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        mask &= dates <= pd.Timestamp(filters.date_to)
    return mask


def filter_events(events: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Events in the chosen regions, involving any chosen actor, dated within the range."""
    mask = _in_dates(events["date"], filters)
    if filters.regions:
        mask &= events["region"].isin(filters.regions)
    if filters.actors:
        exploded = events["actors"].explode()
        hit = exploded.isin(filters.actors)
        mask &= hit.groupby(level=0).any().reindex(events.index, fill_value=False)
    return events[mask]


def filter_statements(statements: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Statements by speakers for any chosen actor, about the chosen regions, within the range."""
    mask = _in_dates(statements["date"], filters)
    if filters.regions:
        mask &= statements["region"].isin(filters.regions)
    if filters.actors:
        mask &= statements["actor"].isin(filters.actors)
    return statements[mask]


def filter_places(places: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Places in the chosen regions, operated or hosted by a chosen actor, existing during the range."""
    mask = pd.Series(True, index=places.index)
    if filters.regions:
        mask &= places["region"].isin(filters.regions)
    if filters.actors:
        mask &= places["operator"].isin(filters.actors)
    if filters.date_to:
        mask &= places["start_date"].isna() | (places["start_date"] <= pd.Timestamp(filters.date_to))
    if filters.date_from:
        mask &= places["end_date"].isna() | (places["end_date"] >= pd.Timestamp(filters.date_from))
    return places[mask]
