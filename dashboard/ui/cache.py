"""The one place caching lives: read-only frames shared by every session of the server."""

from __future__ import annotations

import streamlit as st

from dashboard import data


@st.cache_resource(show_spinner="Loading the data…")
def get_dataset() -> data.Dataset:
    """Every curated table, validated once per server process. Never mutate the frames."""
    return data.load_dataset()


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
def get_sources():
    """Provenance of each data file."""
    return data.load_sources()


@st.cache_resource(show_spinner="Indexing the statements for search…")
def _statement_search_index(data_dir: str):
    """Normalised search text of every statement in `data_dir`, in date order (see dashboard.search.build_search_index)."""
    from dashboard import search

    return search.build_search_index(get_statements_by_date())


def get_statement_search_index():
    """The search index of get_statements_by_date(), built once per server process and data folder.

    Rebuilt when the dataset was reloaded with different statements (the ids no longer line up).
    """
    from dashboard import search

    statements = get_statements_by_date()
    key = str(data.default_data_dir())
    index = _statement_search_index(key)
    if not search.index_matches(index, statements):
        _statement_search_index.clear()
        index = _statement_search_index(key)
    return index


@st.cache_resource(show_spinner=False)
def get_map_basemap(view_key: str):
    """The map's base layer for one view (countries clipped and simplified to its scale), built once per view."""
    from dashboard import basemap

    places = get_dataset().places
    seas = places.loc[places["kind"] == "sea_or_strait", ["name", "lon", "lat"]]
    return basemap.build_basemap(get_countries(), get_occupied_areas(), get_regions(), seas, view_key)


@st.cache_resource(show_spinner="Indexing country boundaries…")
def get_country_index():
    """Densified country boundary vertices for range queries (ranges.CountryIndex), built once per process."""
    from dashboard import ranges

    return ranges.build_country_index(get_countries())


@st.cache_resource(show_spinner=False)
def get_range_outlines(tolerance_deg: float):
    """Simplified country outlines (lon, lat arrays with NaN breaks) for the range maps, per tolerance in degrees."""
    from dashboard import range_charts

    return range_charts.outline_lines(get_countries(), tolerance_deg=tolerance_deg)


@st.cache_resource(show_spinner=False)
def _statements_by_date(data_dir: str):
    """get_dataset().statements sorted oldest first, so that the statements page only slices it."""
    from dashboard import search

    return search.sort_statements(get_dataset().statements, search.SORT_OLDEST)


def get_statements_by_date():
    """The statements, oldest first (stable), the same rows and columns as get_dataset().statements. Never mutate."""
    statements = get_dataset().statements
    key = str(data.default_data_dir())
    ordered = _statements_by_date(key)
    if len(ordered) != len(statements) or not ordered.index.sort_values().equals(statements.index.sort_values()):
        _statements_by_date.clear()
        ordered = _statements_by_date(key)
    return ordered


# ---- Missile ranges: the work for one launch point, shared by every session that asks for the same view.

PLACE_KEY_COLUMNS = ("place_id", "name", "kind", "country", "operator", "lat", "lon")


def place_rows_key(places) -> tuple:
    """The reader's uploaded places as a hashable tuple of PLACE_KEY_COLUMNS rows, for the cached range functions."""
    if places is None or len(places) == 0:
        return ()
    cols = [places[c] if c in places.columns else [None] * len(places) for c in PLACE_KEY_COLUMNS]
    return tuple(zip(*cols, strict=True))


@st.cache_resource(show_spinner=False, max_entries=64)
def _places_in_reach(data_dir: str, lat: float, lon: float, speed_kmh: float, exclude_id: str, user_places: tuple):
    import pandas as pd

    from dashboard import ranges

    ds = get_dataset()
    curated = ds.places.copy(deep=False)
    frames = [curated.assign(is_user_data=False)]
    if user_places:
        frames.append(pd.DataFrame(list(user_places), columns=list(PLACE_KEY_COLUMNS)).assign(is_user_data=True))
    places = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    everywhere = ranges.add_flight_times(ranges.place_distances(lat, lon, places), speed_kmh)
    everywhere = everywhere.assign(side=ranges.place_sides(everywhere, ds.actors).to_numpy())
    everywhere["is_user_data"] = everywhere["is_user_data"].astype(bool)
    return everywhere[everywhere["place_id"] != exclude_id].reset_index(drop=True)


def get_places_in_reach(lat: float, lon: float, speed_kmh: float, exclude_id: str = "", user_places: tuple = ()):
    """Every place (curated plus `user_places`, see place_rows_key) with distance_km, bearing_deg, ballistic_min,
    cruise_min, side and is_user_data from one launch point, nearest first, without `exclude_id`. Cached; never mutate.
    """
    return _places_in_reach(str(data.default_data_dir()), float(lat), float(lon), float(speed_kmh), exclude_id, user_places)


@st.cache_resource(show_spinner=False, max_entries=32)
def _ring_map(data_dir: str, launch_name: str, lat: float, lon: float, system: str, range_km: float, range_label: str,
              side: str, view: str, speed_kmh: float, exclude_id: str, user_places: tuple):
    from dashboard import range_charts, ranges

    claims = None if system == ranges.CUSTOM else ranges.system_claims(get_dataset().range_claims, system)
    reach = max([range_km, *([] if claims is None else claims["range_km"].tolist())])
    # About half a pixel at the map's usual width: finer detail costs the browser time and shows nothing.
    tolerance = 0.04 if view == "launch" and reach < 1500 else 0.1
    return range_charts.ring_map(
        launch_name=launch_name, lat=lat, lon=lon, range_km=range_km, range_label=range_label, side=side,
        places=_places_in_reach(data_dir, lat, lon, speed_kmh, exclude_id, user_places), outlines=get_range_outlines(tolerance),
        claims=claims, view=view, speed_kmh=speed_kmh,
    )


def get_ring_map(*, launch_name: str, lat: float, lon: float, system: str, range_km: float, range_label: str, side: str,
                 view: str, speed_kmh: float, exclude_id: str = "", user_places: tuple = ()):
    """The range-ring map (range_charts.ring_map) for one view, built once per view and shared. Never mutate the figure."""
    return _ring_map(str(data.default_data_dir()), launch_name, float(lat), float(lon), system, float(range_km), range_label,
                     side, view, float(speed_kmh), exclude_id, user_places)


@st.cache_resource(show_spinner=False, max_entries=64)
def _range_chart(data_dir: str, operators: tuple, missile_types: tuple, basings: tuple):
    from dashboard import range_charts, ranges

    ds = get_dataset()
    catalogue = ranges.missile_catalogue(ds.missiles, ds.actors, operators, missile_types, basings)
    return catalogue, range_charts.range_chart(catalogue, ds.range_claims)


def get_missile_catalogue(operators: tuple = (), missile_types: tuple = (), basings: tuple = ()):
    """(catalogue frame, range chart) for the filters (ranges.missile_catalogue, range_charts.range_chart). Never mutate."""
    return _range_chart(str(data.default_data_dir()), tuple(operators), tuple(missile_types), tuple(basings))


@st.cache_resource(show_spinner=False, max_entries=64)
def get_countries_in_range(lat: float, lon: float, range_km: float):
    """ranges.countries_in_range on the cached country index (country, nearest_km), once per point and range. Never mutate."""
    from dashboard import ranges

    return ranges.countries_in_range(lat, lon, range_km, get_country_index())


def _dataset_key(ds: data.Dataset) -> tuple[int, int, int, int]:
    # id() alone could be reused by a later data set once the old one is gone; the row counts make that harmless.
    return (id(ds), len(ds.places), len(ds.events), len(ds.statements))


@st.cache_resource(show_spinner=False, max_entries=2)
def _map_tables(data_dir: str, dataset_key: tuple[int, int, int, int]):
    """MapTables of get_dataset() (see get_map_frames); keyed by data folder and data set so a reload rebuilds them."""
    from dashboard.map_figures import prepare_map_tables

    ds = get_dataset()
    return prepare_map_tables(ds.places, ds.events, ds.statements, ds.actors)


def get_map_frames():
    """The curated frames for the map page and their lookups (map_figures.MapTables), built once per server and data set. Never mutate.

    This follows get_dataset() when it is reloaded from another data folder.
    """
    return _map_tables(str(data.default_data_dir()), _dataset_key(get_dataset()))


# ---- About: tables and charts of the whole data set, which no filter changes.


def _coverage(ds: data.Dataset) -> dict:
    from dashboard import charts, reports

    return {
        "events_per_year": charts.counts_by_year(ds.events, "date", "Events per year"),
        "statements_per_year": charts.counts_by_year(ds.statements, "date", "Statements per year"),
        "by_region": reports.coverage_by(ds, "region"),
        "by_actor": reports.coverage_by(ds, "actor"),
    }


@st.cache_resource(show_spinner=False, max_entries=2)
def _about_overview(data_dir: str, dataset_key: tuple[int, int, int, int]) -> dict:
    from dashboard import reports, schema

    ds = get_dataset()
    return {
        "inventory": reports.file_inventory(ds, get_sources(), get_countries(), get_regions(), get_occupied_areas()),
        "cited": reports.sources_cited(ds),
        "dictionary": {name: reports.data_dictionary(table) for name, table in schema.TABLES.items()},
        **_coverage(ds),
    }


def get_about_overview(ds: data.Dataset) -> dict:
    """The About page's filter-free parts: inventory, cited sources, data dictionary (by table name), coverage charts
    (events_per_year, statements_per_year) and tables (by_region, by_actor) of `ds`.

    Built once per server for the curated data; a session with uploads gets its own coverage. Never mutate.
    """
    curated = get_dataset()
    overview = _about_overview(str(data.default_data_dir()), _dataset_key(curated))
    return overview if ds is curated else {**overview, **_coverage(ds)}


# ---- Statements: the curated index is built once per server; a session's uploads are indexed on their own.

_KEY_USER_STATEMENTS = "stm_user_statements"  # (uploaded frame, curated frame, combined frame, combined index)


def get_statements_with_uploads(user) -> tuple:
    """(statements oldest first, their search index): get_statements_by_date() and its cached index, plus `user`.

    `user` is the reader's uploaded statements (userdata.user_rows("statements")) or None. With uploads, only
    they are indexed (a few rows) and joined to the curated index; the result is kept for the session until
    the uploads change. Every row has `is_user_data` then (False for curated rows). Never mutate.
    """
    statements = get_statements_by_date()
    index = get_statement_search_index()
    if user is None or len(user) == 0:
        return statements, index
    cached = st.session_state.get(_KEY_USER_STATEMENTS)
    if cached and cached[0] is user and cached[1] is statements:
        return cached[2], cached[3]
    import pandas as pd

    from dashboard import search

    start = int(statements.index.max()) + 1 if len(statements) else 0
    mine = user.reindex(columns=list(statements.columns)).assign(is_user_data=True)
    mine.index = pd.RangeIndex(start, start + len(mine))
    combined = search.sort_statements(
        pd.concat([statements.assign(is_user_data=False), mine]), search.SORT_OLDEST
    )
    combined_index = pd.concat([index, search.build_search_index(mine)]).loc[combined.index]
    st.session_state[_KEY_USER_STATEMENTS] = (user, statements, combined, combined_index)
    return combined, combined_index


@st.cache_resource(show_spinner=False)
def _statement_lookups(data_dir: str) -> dict:
    ds = get_dataset()
    return {
        "actors": dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True)),
        "sides": dict(zip(ds.actors["actor_id"], ds.actors["side"], strict=True)),
        "events": dict(zip(ds.events["event_id"], ds.events["title"], strict=True)),
        "places": dict(zip(ds.places["place_id"], ds.places["name"], strict=True)),
        "speakers": sorted(ds.statements["speaker"].unique(), key=str.casefold),
    }


def get_statement_lookups(user_events=None, user_places=None, user_statements=None) -> dict:
    """Names by id for the statement cards (actors, sides, events, places) and the sorted speakers.

    The curated part is built once per server; the reader's uploaded events, places and statements are laid over it.
    """
    from collections import ChainMap

    base = _statement_lookups(str(data.default_data_dir()))
    out = dict(base)
    if user_events is not None and len(user_events):
        out["events"] = ChainMap(dict(zip(user_events["event_id"], user_events["title"], strict=True)), base["events"])
    if user_places is not None and len(user_places):
        out["places"] = ChainMap(dict(zip(user_places["place_id"], user_places["name"], strict=True)), base["places"])
    if user_statements is not None and len(user_statements):
        out["speakers"] = sorted(set(base["speakers"]) | set(user_statements["speaker"]), key=str.casefold)
    return out
