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
