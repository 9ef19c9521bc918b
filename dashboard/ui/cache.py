"""The one place caching lives: what every session shares, and what one reader's uploads add to it.

Shared objects are built once per server from the curated data and keyed one way: by `dataset_key()`,
which names the data set `get_dataset()` holds, so a reload rebuilds everything made from it. They are
read-only: never mutate what these functions return.

Anything built from a reader's own uploads lives in that reader's session (`session_value`) and is
forgotten when the uploads change or the session ends: a server-wide cache never holds a reader's rows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import (
    basemap,
    baskets,
    charts,
    citations,
    data,
    disk_cache,
    origin,
    population,
    range_charts,
    ranges,
    reports,
    schema,
    search,
    systems,
    timeline_map,
)
from dashboard import map_figures as mf
from dashboard.filters import Filters, filter_events, filter_places, filter_statements
from dashboard.map_figures import MapTables, prepare_map_tables
from dashboard.memory import release_memory
from dashboard.sides import side_of

T = TypeVar("T")
# Launch points whose results warm_launch_points builds when the server starts: every curated one (70), or the first
# this many places of a larger data set (a ring map and what goes with it take about 0.5 MB, and 0.3 s of CPU).
WARM_LAUNCH_POINTS = 100
# Entries kept by each cache keyed by a launch point: the warmed ones and 50 other views. A miss costs 0.3 s of CPU,
# 0.5-1 s under load, which made a launch point the slowest action under load while these caches held 32.
LAUNCH_POINT_ENTRIES = WARM_LAUNCH_POINTS + 50
DatasetKey = tuple[str, int, int, int, int]
_KEY_SESSION_VALUES = "cache_session_values"  # name -> (key, value), owned by session_value
_KEY_OLDER_SESSION_VALUES = "cache_older_session_values"  # name -> [(key, value), ...], the latest first


@st.cache_resource(show_spinner="Loading the data…")
def get_dataset() -> data.Dataset:
    """Every curated table, validated once per server process (and read back from the disk cache while no byte of the
    data files has changed since); events, places and statements carry `is_user_data` (False). Never mutate the frames."""
    dataset = origin.mark_curated(disk_cache.load_dataset())
    release_memory()  # the parse buffers of a large load, which the allocators would otherwise keep
    return dataset


def dataset_key() -> DatasetKey:
    """Names the data set get_dataset() holds now; every shared cache built from it takes this as its first argument."""
    ds = get_dataset()
    # id() alone could be reused by a later data set once the old one is gone; the row counts make that harmless.
    return (str(data.default_data_dir()), id(ds), len(ds.places), len(ds.events), len(ds.statements))


@st.cache_resource(show_spinner=False)
def get_countries():
    """Country boundaries (GeoDataFrame), loaded once per server process."""
    return data.load_countries()


@st.cache_resource(show_spinner=False)
def get_occupied_areas():
    """Occupied areas (Crimea), loaded once per server process."""
    return data.load_occupied_areas()


@st.cache_resource(show_spinner=False)
def get_regions():
    """Region polygons, loaded once per server process."""
    return data.load_regions()


@st.cache_resource(show_spinner=False)
def get_data_version() -> str:
    """The data version (YYYY-MM-DD, from data/CHANGELOG.md): shown on About and put in every download's name."""
    return data.load_data_version()


@st.cache_resource(show_spinner=False)
def get_sources():
    """Provenance of each data file."""
    return data.load_sources()


@st.cache_resource(show_spinner="Indexing country boundaries…")
def get_country_index():
    """Densified country boundary vertices for range queries (ranges.CountryIndex), built once per process."""
    return ranges.build_country_index(get_countries())


@st.cache_resource(show_spinner=False)
def get_range_outlines(tolerance_deg: float):
    """Simplified country outlines (lon, lat arrays with NaN breaks) for the range maps, per tolerance in degrees."""
    return range_charts.outline_lines(get_countries(), tolerance_deg=tolerance_deg)


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def get_countries_in_range(lat: float, lon: float, range_km: float):
    """ranges.countries_in_range on the cached country index (country, nearest_km), once per point and range."""
    return ranges.countries_in_range(lat, lon, range_km, get_country_index())


# ---- A reader's own values: kept in the session, forgotten when the uploads change.


def session_value(name: str, key: Hashable, build: Callable[[], T], keep: int = 1) -> T:
    """build(), kept in this session under `name` while `key` (and the curated data set) stay the same.

    For anything made from the reader's uploads: the key holds only cheap values (a view, never a frame),
    `keep` values are kept per name (the latest; one unless said), and forget_session_values() drops them all
    when the uploads change.
    """
    values = st.session_state.setdefault(_KEY_SESSION_VALUES, {})
    full_key = (dataset_key(), key)
    hit = values.get(name)
    if hit is not None and hit[0] == full_key:
        return hit[1]
    older = st.session_state.setdefault(_KEY_OLDER_SESSION_VALUES, {}).setdefault(name, []) if keep > 1 else []
    for i, (old_key, old_value) in enumerate(older):
        if old_key == full_key:
            value = old_value
            del older[i]
            break
    else:
        value = build()
    if keep > 1 and hit is not None:
        older.insert(0, hit)
        del older[keep - 1 :]
    values[name] = (full_key, value)
    return value


def derived(frame: pd.DataFrame, key: Hashable, make: Callable[[pd.DataFrame], T]) -> T:
    """make(frame), kept on `frame` under `key`: for what a page takes from a frame that is never changed once made (one
    this module returns), so that a rerun does not select or filter the same rows again. `key` names what `make` does
    and every value it depends on; the value goes with the frame (evicted, forgotten or collected with it)."""
    kept = frame.__dict__.get("_derived")
    if kept is None:
        kept = {}
        object.__setattr__(frame, "_derived", kept)  # DataFrame.__setattr__ would warn of a new column
    if key not in kept:
        kept[key] = make(frame)
    return kept[key]


def forget_session_values() -> None:
    """Drop every value session_value() kept for this session (call it when the reader's uploads change)."""
    st.session_state.pop(_KEY_SESSION_VALUES, None)
    st.session_state.pop(_KEY_OLDER_SESSION_VALUES, None)


# ---- Statements: the curated frame and its search index once per server; a reader's uploads joined in the session.


@st.cache_resource(show_spinner=False, max_entries=2)
def _statements_by_date(key: DatasetKey):
    return search.sort_statements(get_dataset().statements, search.SORT_OLDEST)


def get_statements_by_date():
    """The statements, oldest first (stable), the same rows and columns as get_dataset().statements."""
    return _statements_by_date(dataset_key())


@st.cache_resource(show_spinner="Indexing the statements for search…", max_entries=2)
def _statement_search_index(key: DatasetKey):
    index = disk_cache.search_index(_statements_by_date(key))  # built once, then read back after a restart
    release_memory()  # the normalisation's scratch buffers
    return index


def get_statement_search_index():
    """The search index (search.build_search_index) of get_statements_by_date()."""
    return _statement_search_index(dataset_key())


def get_statements_with_uploads(user: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(statements oldest first, their search index), with the reader's uploaded statements `user` joined in
    (search.join_statements) and kept for the session."""
    statements, index = get_statements_by_date(), get_statement_search_index()
    if user is None or user.empty:
        return statements, index
    return session_value("statements", (), lambda: search.join_statements(statements, index, user))


@st.cache_resource(show_spinner=False, max_entries=2)
def _statement_lookups(key: DatasetKey) -> dict:
    ds = get_dataset()
    return citations.statement_lookups(ds.actors, ds.events, ds.places, ds.statements)


def get_statement_lookups(user_events=None, user_places=None, user_statements=None) -> dict:
    """Names by id for the statement cards (citations.statement_lookups), with the reader's uploads laid over them."""
    base = _statement_lookups(dataset_key())
    if all(f is None or f.empty for f in (user_events, user_places, user_statements)):
        return base
    return session_value(
        "statement_lookups", (), lambda: citations.overlay_lookups(base, user_events, user_places, user_statements)
    )


# ---- Home


@dataclasses.dataclass(frozen=True)
class Filtered:
    """A data set's events, statements and places under one set of filters (read-only)."""

    events: pd.DataFrame
    statements: pd.DataFrame
    places: pd.DataFrame


def _filter_all(ds: data.Dataset, filters: Filters) -> Filtered:
    return Filtered(
        filter_events(ds.events, filters), filter_statements(ds.statements, filters), filter_places(ds.places, filters)
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _filtered(key: DatasetKey, filters: Filters) -> Filtered:
    return _filter_all(get_dataset(), filters)


def get_filtered(ds: data.Dataset, filters: Filters) -> Filtered:
    """`ds`'s tables under `filters`: shared for the curated data (every reader with the same filters gets the same
    frames), filtered on each call for a session with uploads, whose copies would be its rows held twice."""
    if ds is get_dataset():
        return _filtered(dataset_key(), filters)
    return _filter_all(ds, filters)


@st.cache_resource(show_spinner=False, max_entries=32)
def _events_timeline(key: DatasetKey, filters: Filters, colour_by: str, _events: pd.DataFrame):
    # `_events` (not hashed) is the curated events under `filters`: the key names it.
    return charts.events_timeline(_events, get_dataset().actors, colour_by=colour_by)


def get_events_timeline(ds: data.Dataset, filters: Filters, colour_by: str, events: pd.DataFrame):
    """charts.events_timeline of `events` (ds.events under `filters`), built once per filters and colouring: shared for
    the curated data, kept in the session when `ds` holds the reader's uploads."""
    if ds is get_dataset():
        return _events_timeline(dataset_key(), filters, colour_by, events)
    return session_value("events_timeline", (filters, colour_by), lambda: charts.events_timeline(events, ds.actors, colour_by))


# ---- Map


@st.cache_resource(show_spinner=False, max_entries=16)
def _map_basemap(key: DatasetKey, view_key: str):
    seas = basemap.seas_of(get_dataset().places)
    return basemap.build_basemap(get_countries(), get_occupied_areas(), get_regions(), seas, view_key)


def get_map_basemap(view_key: str):
    """The map's base layer for one view (countries clipped and simplified to its scale)."""
    return _map_basemap(dataset_key(), view_key)


@st.cache_resource(show_spinner=False, max_entries=2)
def _map_tables(key: DatasetKey) -> MapTables:
    ds = get_dataset()
    return prepare_map_tables(ds.places, ds.events, ds.statements, ds.actors)


def get_map_frames() -> MapTables:
    """The curated frames for the map page and their lookups (map_figures.MapTables)."""
    return _map_tables(dataset_key())


def _build_map_figure(view_key: str, places, events, actors, selected: tuple[str, ...], own_layers=None):
    base = get_map_basemap(view_key)
    layers = mf.build_map_layers(places, events, actors, base, selected)
    if own_layers is not None:
        layers = _with_own_events(layers, own_layers)
    figure = mf.build_map_figure(base, layers.markers, selected, clusters=layers.clusters, event_markers=layers.event_markers)
    return layers, figure


def _own_event_layers(view_key: str, places, events, actors, own_events) -> mf.MapLayers:
    """build_map_layers of the reader's events with their own coordinates alone, without any place."""
    return mf.build_map_layers(places.iloc[0:0], events.iloc[0:0], actors, get_map_basemap(view_key), (), own_events)


def _with_own_events(layers: mf.MapLayers, own: mf.MapLayers) -> mf.MapLayers:
    """The places' layers with the reader's own events laid over them: what build_map_layers draws with both."""
    clusters = pd.concat([layers.clusters, own.clusters], ignore_index=True) if len(own.clusters) else layers.clusters
    return dataclasses.replace(layers, clusters=clusters, event_markers=own.event_markers)


@st.cache_resource(show_spinner=False, max_entries=32)
def _map_figure(key: DatasetKey, view_key: str, filters: Filters, asof, selected: tuple[str, ...], _places, _events):
    # `_places` and `_events` (not hashed) are the curated rows under `filters` as of `asof`: the key names them.
    return _build_map_figure(view_key, _places, _events, _map_tables(key).actors, selected, None)


def get_map_figure(
    view_key: str,
    filters: Filters,
    asof,
    selected: tuple[str, ...],
    places: pd.DataFrame,
    events: pd.DataFrame,
    user_tables: MapTables | None = None,
    own_rows: np.ndarray | None = None,
):
    """(map_figures.MapLayers, figure) of the map for one view, filters, date and selection; `places` and `events` are
    the rows it shows (filtered, as of `asof`). Shared for the curated data; with the reader's uploads (`user_tables`;
    `own_rows`: the positions in its events of those shown at their own coordinates, which `events` then leaves out)
    it is kept in the session instead."""
    selected = tuple(selected)
    if user_tables is None:
        return _map_figure(dataset_key(), view_key, filters, asof, selected, places, events)
    own_layers, actors = None, user_tables.actors
    if own_rows is not None and len(own_rows):
        # The reader's events are drawn again only when which of them are shown changes, not when a filter that leaves
        # them as they were (a region they are not in, the selection) does: for an export of 300,000 events this part
        # is most of the page's work, and their rows are not even copied while it is kept.
        rows = hashlib.blake2b(np.ascontiguousarray(own_rows, dtype=np.int64).tobytes(), digest_size=16).hexdigest()
        own_layers = session_value(
            "map_own_events",
            (view_key, rows),
            lambda: _own_event_layers(view_key, places, events, actors, mf.own_event_rows(user_tables.events, own_rows)),
            keep=4,  # a reader going back and forth between filters; each is a few hundred rows at most
        )
    return session_value(
        "map_figure",
        (view_key, filters, asof, selected),
        lambda: _build_map_figure(view_key, places, events, actors, selected, own_layers),
    )


def _build_play_figure(tables: MapTables, view_key: str, filters: Filters, dates: tuple, fade: int, step: str, start: int):
    base = get_map_basemap(view_key)
    frames = timeline_map.build_play_frames(
        filter_places(tables.places, filters),
        filter_events(tables.events, filters),
        tables.actors,
        tables.place_by_id,
        base,
        list(dates),
        fade,
        step,
    )
    return timeline_map.play_figure(base, frames, start)


@st.cache_resource(show_spinner="Drawing the frames…", max_entries=8)
def _play_figure(key: DatasetKey, view_key: str, filters: Filters, dates: tuple, fade: int, step: str, start: int):
    return _build_play_figure(get_map_frames(), view_key, filters, dates, fade, step, start)


def get_play_figure(
    view_key: str, filters: Filters, dates: tuple, fade: int, step: str, start: int, user_tables: MapTables | None = None
):
    """The animated map (timeline_map.play_figure) for a view, filters and frame dates, opened on frame `start`;
    with the reader's uploads (`user_tables`, their rows merged in) it is kept in the session instead."""
    if user_tables is not None:
        key = (view_key, filters, dates, fade, step, start)
        return session_value("map_play", key, lambda: _build_play_figure(user_tables, *key))
    return _play_figure(dataset_key(), view_key, filters, dates, fade, step, start)


# ---- Missile ranges: the work for one launch point, shared by every session that asks for the same view.


def _excluded(view: ranges.RangeView) -> str:
    """The launch place itself is not a target."""
    return "" if view.launch == ranges.CUSTOM else view.launch


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def _curated_reach(key: DatasetKey, lat: float, lon: float, speed_kmh: float, exclude_id: str):
    ds = get_dataset()
    return ranges.places_in_reach(lat, lon, speed_kmh, ds.places, ds.actors, exclude_id)


def get_places_in_reach(view: ranges.RangeView, user_places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every place but the launch place as seen from the view's launch point (ranges.places_in_reach), nearest first.

    The curated places are shared by every session; the reader's `user_places` are joined in their session only.
    """
    curated = _curated_reach(dataset_key(), view.lat, view.lon, view.speed_kmh, _excluded(view))
    if user_places is None or user_places.empty:
        return curated
    point = (view.lat, view.lon, view.speed_kmh, _excluded(view))

    def join():
        mine = ranges.places_in_reach(*point[:3], user_places, get_dataset().actors, point[3])
        return ranges.join_reach(curated, mine)

    return session_value("places_in_reach", point, join)


def _overlay_rings(view: ranges.RangeView) -> list[range_charts.OverlayRing]:
    """The compared systems' rings of a view, labelled with their names and headline ranges."""
    catalogue = get_full_catalogue().set_index("system_id")
    return [
        range_charts.OverlayRing(
            f"{catalogue.at[s, 'name']}, {catalogue.at[s, 'headline_range']}", float(catalogue.at[s, "range_km_max"])
        )
        for s in view.overlay
        if s in catalogue.index
    ]


def _build_ring_map(view: ranges.RangeView, launch_name: str, range_label: str, side: str, places: pd.DataFrame):
    claims = None if view.system == ranges.CUSTOM else get_system_claims(view.system)
    return range_charts.ring_map(
        overlays=_overlay_rings(view),
        launch_name=launch_name,
        lat=view.lat,
        lon=view.lon,
        range_km=view.range_km,
        range_label=range_label,
        side=side,
        places=places,
        outlines=get_range_outlines(range_charts.outline_tolerance(view.view, view.range_km, claims)),
        claims=claims,
        view=view.view,
        speed_kmh=view.speed_kmh,
    )


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def _ring_map(key: DatasetKey, view: ranges.RangeView, launch_name: str, range_label: str, side: str) -> charts.DrawnFigure:
    places = _curated_reach(key, view.lat, view.lon, view.speed_kmh, _excluded(view))
    return charts.drawn_figure(_build_ring_map(view, launch_name, range_label, side, places))


def get_ring_map(
    view: ranges.RangeView, launch_name: str, range_label: str, side: str, user_places: pd.DataFrame | None = None
) -> charts.DrawnFigure:
    """The range-ring map (range_charts.ring_map) for one view, as drawn (charts.DrawnFigure: its JSON only): shared,
    or in the session with the reader's places. get_ring_map_figure gives the figure itself."""
    if user_places is None or user_places.empty:
        return _ring_map(dataset_key(), view, launch_name, range_label, side)
    places = get_places_in_reach(view, user_places)
    return session_value(
        "ring_map",
        (view, launch_name, range_label, side),
        lambda: charts.drawn_figure(_build_ring_map(view, launch_name, range_label, side, places)),
    )


def get_ring_map_figure(
    view: ranges.RangeView, launch_name: str, range_label: str, side: str, user_places: pd.DataFrame | None = None
) -> go.Figure:
    """The figure of get_ring_map, built afresh (for a briefing image: a click, not every rerun)."""
    return _build_ring_map(view, launch_name, range_label, side, get_places_in_reach(view, user_places))


@st.cache_resource(show_spinner=False, max_entries=64)
def _system_claims(key: DatasetKey, system_id: str) -> pd.DataFrame:
    return ranges.system_claims(get_dataset().range_claims, system_id)


def get_system_claims(system_id: str) -> pd.DataFrame:
    """ranges.system_claims of one catalogued system (uploads never add claims), once per system."""
    return _system_claims(dataset_key(), system_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def _range_chart(key: DatasetKey, operators: tuple, missile_types: tuple, basings: tuple):
    ds = get_dataset()
    catalogue = ranges.missile_catalogue(ds.missiles, ds.actors, operators, missile_types, basings)
    return catalogue, range_charts.range_chart(catalogue, ds.range_claims)


@st.cache_resource(show_spinner=False, max_entries=2)
def _full_catalogue(key: DatasetKey) -> pd.DataFrame:
    return ranges.missile_catalogue(get_dataset().missiles, get_dataset().actors)


def get_full_catalogue() -> pd.DataFrame:
    """ranges.missile_catalogue of every curated system, built once (a launch point's rerun asked for it twice, 35 ms
    each). Never mutate it."""
    return _full_catalogue(dataset_key())


def get_missile_catalogue(operators: tuple = (), missile_types: tuple = (), basings: tuple = ()):
    """(catalogue frame, range chart) for the filters (ranges.missile_catalogue, range_charts.range_chart)."""
    return _range_chart(dataset_key(), tuple(operators), tuple(missile_types), tuple(basings))


# ---- Range products: people in range, launch baskets, every system at once. The reference tables (cities,
# country codes) are not part of the data set but are read from the same folder, so they follow dataset_key() too.


@st.cache_resource(show_spinner="Loading population figures…", max_entries=2)
def _city_index(key: DatasetKey) -> population.CityIndex:
    return population.build_city_index(data.load_cities())


@st.cache_resource(show_spinner=False, max_entries=2)
def _country_codes(key: DatasetKey) -> pd.DataFrame:
    return data.load_country_codes()


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def _people_in_range(key: DatasetKey, lat: float, lon: float, range_km: float, speed_kmh: float):
    index = _city_index(key)
    people = population.people_in_range(lat, lon, range_km, index)
    return people, population.largest_cities_in_range(lat, lon, range_km, index, n=10, speed_kmh=speed_kmh)


def get_people_in_range(lat: float, lon: float, range_km: float, speed_kmh: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(population.people_in_range, population.largest_cities_in_range with n=10) for one ring; raises
    data.DataValidationError when data/cities.csv is missing or broken."""
    return _people_in_range(dataset_key(), float(lat), float(lon), float(range_km), float(speed_kmh))


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def _people_totals(key: DatasetKey, lat: float, lon: float, range_km: float, speed_kmh: float):
    people, _ = _people_in_range(key, lat, lon, range_km, speed_kmh)
    return population.people_by_band(people), population.people_by_country(people)


def get_people_totals(lat: float, lon: float, range_km: float, speed_kmh: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(population.people_by_band, population.people_by_country) of get_people_in_range for one ring."""
    return _people_totals(dataset_key(), float(lat), float(lon), float(range_km), float(speed_kmh))


def get_cities_source_title() -> str:
    """The sources.csv title of data/cities.csv (it names the GeoNames vintage), or '' without a record."""
    sources = get_sources()
    row = sources.loc[sources["file"] == schema.CITIES.file, "title"]
    return str(row.iloc[0]) if len(row) else ""


@st.cache_resource(show_spinner="Drawing the launch territory…", max_entries=16)
def _launch_territory(key: DatasetKey, operators: tuple[str, ...]) -> baskets.LaunchTerritory:
    ds = get_dataset()
    return baskets.build_launch_territory(
        operators,
        actors=ds.actors,
        places=ds.places,
        country_codes=_country_codes(key),
        countries=get_countries(),
        occupied=get_occupied_areas(),
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def _launch_basket(key: DatasetKey, lat: float, lon: float, range_km: float, operators: tuple[str, ...]):
    territory = _launch_territory(key, operators)
    basket, area = baskets.measure_basket(lat, lon, range_km, territory)
    return basket, area, baskets.sites_in_basket(basket, get_dataset().places, lat, lon, territory.states)


def get_launch_basket(
    lat: float, lon: float, range_km: float, operators: tuple[str, ...], user_places: pd.DataFrame | None = None
):
    """(territory, basket geometry, area_km2, known sites inside nearest the target first) for one target, range and
    operators (baskets.*). The reader's `user_places` that are launch sites join the sites in their session only."""
    key = dataset_key()
    point = (float(lat), float(lon), float(range_km), tuple(operators))
    territory = _launch_territory(key, point[3])
    basket, area, sites = _launch_basket(key, *point)
    if user_places is None or user_places.empty:
        return territory, basket, area, sites

    def join():
        mine = baskets.sites_in_basket(basket, user_places, point[0], point[1], territory.states)
        return pd.concat([sites, mine], ignore_index=True).sort_values("distance_km", kind="stable").reset_index(drop=True)

    return territory, basket, area, session_value("basket_sites", point, join)


@st.cache_resource(show_spinner=False, max_entries=32)
def _basket_map(key: DatasetKey, point: tuple, target_name: str, range_label: str, territory_label: str, side: str):
    basket, _, sites = _launch_basket(key, *point)
    return _build_basket_map(point, target_name, range_label, territory_label, side, basket, sites)


def _build_basket_map(point: tuple, target_name: str, range_label: str, territory_label: str, side: str, basket, sites):
    return range_charts.basket_map(
        target_name=target_name,
        lat=point[0],
        lon=point[1],
        range_km=point[2],
        range_label=range_label,
        basket=basket,
        territory_label=territory_label,
        sites=sites,
        side=side,
        outlines=get_range_outlines(range_charts.outline_tolerance("launch", point[2])),
    )


def get_basket_map(
    lat: float, lon: float, range_km: float, operators: tuple[str, ...], labels: tuple[str, str, str], side: str, sites
):
    """The launch-basket map (range_charts.basket_map); `labels` are (target name, range label, territory label);
    `sites` from get_launch_basket. Shared for the curated sites, kept in the session when the reader's join them."""
    key = dataset_key()
    point = (float(lat), float(lon), float(range_km), tuple(operators))
    basket, _, curated = _launch_basket(key, *point)
    if len(sites) == len(curated):
        return _basket_map(key, point, *labels, side)
    return session_value("basket_map", (point, labels, side), lambda: _build_basket_map(point, *labels, side, basket, sites))


@st.cache_resource(show_spinner=False, max_entries=16)
def _flight_times_between(key: DatasetKey, target_id: str, launch_ids: tuple[str, ...], speed_kmh: float) -> pd.DataFrame | None:
    return ranges.flight_times_between(get_dataset().places, target_id, launch_ids, speed_kmh)


def get_flight_times_between(
    target_id: str, launch_ids: tuple[str, ...], speed_kmh: float, merged_places: pd.DataFrame | None = None
) -> pd.DataFrame | None:
    """ranges.flight_times_between over the curated places, shared once per speed; over `merged_places` (the curated
    places and the reader's, when they have uploaded any) in their session."""
    if merged_places is None:
        return _flight_times_between(dataset_key(), target_id, tuple(launch_ids), float(speed_kmh))
    return session_value(
        "flight_times_between",
        (target_id, tuple(launch_ids), float(speed_kmh)),
        lambda: ranges.flight_times_between(merged_places, target_id, launch_ids, speed_kmh),
    )


@st.cache_resource(show_spinner=False, max_entries=LAUNCH_POINT_ENTRIES)
def _every_system(key: DatasetKey, lat: float, lon: float, speed_kmh: float, exclude_id: str, target: tuple[float, float]):
    ds = get_dataset()
    places = _curated_reach(key, lat, lon, speed_kmh, exclude_id)
    return systems.every_system(lat, lon, ds.missiles, ds.actors, ds.range_claims, places, target, speed_kmh)


def get_every_system(
    view: ranges.RangeView, target: tuple[float, float], user_places: pd.DataFrame | None = None
) -> pd.DataFrame:
    """systems.every_system from the view's launch point to `target` (lat, lon); with the reader's places in their session."""
    point = (view.lat, view.lon, view.speed_kmh, _excluded(view))
    target = (float(target[0]), float(target[1]))
    if user_places is None or user_places.empty:
        return _every_system(dataset_key(), *point, target)

    def build():
        ds = get_dataset()
        places = get_places_in_reach(view, user_places)
        return systems.every_system(view.lat, view.lon, ds.missiles, ds.actors, ds.range_claims, places, target, view.speed_kmh)

    return session_value("every_system", (point, target), build)


# ---- Warming: what a reader who picks a curated launch point is shown, built when the server starts.

WARM_ENV = "INF_WATCH_WARM"  # "off": build a launch point's results only when a reader first asks for them
_warm = {"thread": None}  # the warm-up thread, once started
_warm_lock = threading.Lock()


def warm_launch_points(limit: int | None = None, pause_s: float = 0.0) -> int:
    """Build the shared results of the ranges page for every curated place as its launch point, with the page's default
    system, view and speed, and its default target: the ring map, the places and countries in range, the people in
    range and every system against the target. Returns how many launch points were built: the first `limit` places,
    and at most WARM_LAUNCH_POINTS (the caches keep those and 50 more).

    A reader's first pick of a launch point otherwise cost 0.3 s of CPU for its ring map alone (0.5-1 s under load,
    the slowest action of the load test), and every entry made while readers come leaves the server a little larger
    for good (long-lived objects scattered among the readers' short-lived ones): made at the start, the 50 readers of
    a first load test grew the server by half as much. Keys are those the page uses (ranges.ring_names), so the page
    finds each entry. `pause_s` is slept between launch points, so that readers' runs come first.
    """
    ds = get_dataset()
    default, target_view = ranges.RangeView(), ranges.TargetView()
    missiles = ds.missiles.reset_index(drop=True)
    chosen = missiles.index[missiles["system_id"] == default.system]
    if len(chosen) == 0:
        return 0
    row = chosen[0]
    range_km = float(missiles.at[row, "range_km_max"])
    floor = bool(ranges.lower_bound_flags(missiles)[row])
    side = str(side_of(missiles["operator"], ds.actors)[row])
    places = ds.places.head(WARM_LAUNCH_POINTS if limit is None else min(limit, WARM_LAUNCH_POINTS))
    at_target = ds.places[ds.places["place_id"] == target_view.target]
    target = (target_view.lat, target_view.lon)
    if len(at_target):
        target = (float(at_target["lat"].iloc[0]), float(at_target["lon"].iloc[0]))
    built = 0
    for place_id, name, lat, lon in zip(places["place_id"], places["name"], places["lat"], places["lon"], strict=True):
        view = dataclasses.replace(default, launch=place_id, lat=float(lat), lon=float(lon), range_km=range_km)
        launch_name, label = ranges.ring_names(view, str(name), str(missiles.at[row, "name"]), floor)
        get_places_in_reach(view)
        get_countries_in_range(view.lat, view.lon, view.range_km)
        get_ring_map(view, launch_name, label, side)
        with contextlib.suppress(data.DataValidationError):  # no cities file: the page says so, nothing to build
            get_people_in_range(view.lat, view.lon, view.range_km, view.speed_kmh)
        get_every_system(view, target)
        built += 1
        time.sleep(pause_s)
    return built


def start_warming(pause_s: float = 0.01) -> bool:
    """Start, once per process, a daemon thread running warm_launch_points, unless $INF_WATCH_WARM is "off"; True if
    this call started it. The server's first run calls it, once the data set is loaded."""
    if os.environ.get(WARM_ENV, "").strip().lower() == "off":
        return False
    with _warm_lock:
        if _warm["thread"] is not None:
            return False
        thread = threading.Thread(target=_warm_quietly, args=(pause_s,), name="inf-watch-warm", daemon=True)
        _warm["thread"] = thread
    thread.start()
    return True


def _warm_quietly(pause_s: float) -> None:
    # A fault here must not reach the reader: the page builds whatever is missing, and says what is wrong, itself.
    with contextlib.suppress(Exception):
        warm_launch_points(pause_s=pause_s)


# ---- About: tables and charts of the whole data set, which no filter changes.


def _reference_file_rows(key: DatasetKey) -> dict[str, int]:
    """Rows (features) of every data file outside the data set's tables, by file name."""
    return {
        "countries.geojson": len(get_countries()),
        "regions.geojson": len(get_regions()),
        "occupied_areas.geojson": len(get_occupied_areas()),
        schema.CITIES.file: len(_city_index(key)),
        schema.COUNTRY_CODES.file: len(_country_codes(key)),
    }


def with_arrow_data(spec: dict, name: str = "values") -> dict:
    """A Vega-Lite spec whose rows are inline (`data.values`) with those rows as a named dataset of Arrow bytes instead,
    as st.vega_lite_chart sends them: given rows, it makes a frame of them and converts it to Arrow on every rerun (a
    tenth of the About page's CPU for two small charts); given bytes, it sends them as they are. Draws the same chart."""
    from streamlit import dataframe_util

    rows = pd.DataFrame(spec["data"]["values"])
    rest = {k: v for k, v in spec.items() if k != "data"}
    return {**rest, "data": {"name": name}, "datasets": {name: dataframe_util.convert_anything_to_arrow_bytes(rows)}}


def _coverage(ds: data.Dataset) -> dict:
    """reports.coverage of `ds`, its charts as st.vega_lite_chart draws them fastest (with_arrow_data)."""
    found = reports.coverage(ds)
    return {k: with_arrow_data(v) if k.endswith("_chart") else v for k, v in found.items()}


@st.cache_resource(show_spinner=False, max_entries=2)
def _about_overview(key: DatasetKey) -> dict:
    ds = get_dataset()
    return {
        "inventory": reports.file_inventory(ds, get_sources(), _reference_file_rows(key)),
        "cited": reports.sources_cited(ds),
        "dictionary": {name: reports.data_dictionary(table) for name, table in schema.TABLES.items()},
        **_coverage(ds),
    }


def get_about_overview(ds: data.Dataset) -> dict:
    """The About page's filter-free parts: inventory, cited sources, data dictionary (by table name) and
    coverage (reports.coverage) of `ds`. Shared for the curated data; a session with uploads gets its own coverage."""
    overview = _about_overview(dataset_key())
    if ds is get_dataset():
        return overview
    return {**overview, **session_value("about_coverage", (), lambda: _coverage(ds))}
