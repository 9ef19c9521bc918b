"""Placeholder while the ranges page is built."""

import streamlit as st

st.title("ranges")
st.info("This page is being built.")
