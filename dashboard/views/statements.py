"""Placeholder while the statements page is built."""

import streamlit as st

st.title("statements")
st.info("This page is being built.")
