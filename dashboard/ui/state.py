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


@st.cache_resource(show_spinner=False)
def get_map_tables():
    """Places, events, statements and actors without pandas `attrs` (which pandas deep-copies on every operation)."""
    from dashboard.map_figures import without_attrs

    ds = get_dataset()
    return tuple(without_attrs(frame) for frame in (ds.places, ds.events, ds.statements, ds.actors))


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
