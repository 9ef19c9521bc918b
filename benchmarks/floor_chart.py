"""The floor for a page with a chart: a title and one small plotly line chart (benchmarks/page_ready.py)."""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor: a title and one chart")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(10)), y=[3, 1, 4, 1, 5, 9, 2, 6, 5, 3], mode="lines")), width="stretch")
