"""The floor for a page's cost in the browser: a Streamlit page with only a title (benchmarks/page_ready.py)."""

import streamlit as st

st.title("Floor: a title only")
