"""Placeholder while the map page is built."""

import streamlit as st

st.title("map")
st.info("This page is being built.")
