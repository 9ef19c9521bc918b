"""The shared region / actor / date filters: parsing them from a URL, writing them back, applying them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.links import LinkReader

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
    """Filters read from a query string, plus notices saying what in it was ignored or changed."""

    filters: Filters
    notices: list[str] = field(default_factory=list)


def parse_filters(
    params: Mapping[str, Iterable[str]],
    regions: Iterable[str],
    actors: Iterable[str],
    date_bounds: tuple[date, date],
) -> ParsedFilters:
    """Read filters from query parameters (each key → list of values) by the rules of dashboard.links; never raises.

    Unknown regions or actors, malformed dates and a reversed range are dropped with a notice; a date outside
    `date_bounds` is moved to the nearest bound with a notice.
    """
    link = LinkReader(params)
    chosen_regions = link.many(PARAM_REGION, regions, "region")
    chosen_actors = link.many(PARAM_ACTOR, actors, "actor")
    date_from = link.date(PARAM_FROM, date_bounds, "start date")
    date_to = link.date(PARAM_TO, date_bounds, "end date")
    if date_from and date_to and date_from > date_to:
        link.note("The start date in the link was after the end date; showing all dates.")
        date_from = date_to = None
    return ParsedFilters(Filters(chosen_regions, chosen_actors, date_from, date_to), link.notices)


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


def _kept(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """The rows of `frame` where `mask` holds; `frame` itself when that is every row (a copy of 100,000 rows costs a
    tenth of a second on every rerun with the default filters). Never mutate the result."""
    return frame if bool(mask.all()) else frame[mask]


def _in_dates(dates: pd.Series, filters: Filters) -> pd.Series:
    mask = pd.Series(True, index=dates.index)
    if filters.date_from:
        mask &= dates >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        mask &= dates <= pd.Timestamp(filters.date_to)
    return mask


def event_mask(events: pd.DataFrame, filters: Filters) -> pd.Series:
    """Which events filter_events keeps (a boolean Series on the frame's index)."""
    mask = _in_dates(events["date"], filters)
    if filters.regions:
        mask &= events["region"].isin(filters.regions)
    if filters.actors:
        exploded = events["actors"].explode()
        hit = exploded.isin(filters.actors)
        mask &= hit.groupby(level=0).any().reindex(events.index, fill_value=False)
    return mask


def filter_events(events: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Events in the chosen regions, involving any chosen actor, dated within the range."""
    return _kept(events, event_mask(events, filters))


def filter_statements(statements: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Statements by speakers for any chosen actor, about the chosen regions, within the range."""
    mask = _in_dates(statements["date"], filters)
    if filters.regions:
        mask &= statements["region"].isin(filters.regions)
    if filters.actors:
        mask &= statements["actor"].isin(filters.actors)
    return _kept(statements, mask)


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
    return _kept(places, mask)
