"""Streamlit-side code: cached data access, the shared sidebar and small safe widgets."""
