"""The app's style sheet for accessibility (focus rings, room for the sticky header, target sizes), added on every run."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# A static file from the repository, never data: st.html wraps a .css path in <style> and draws nothing on the page.
STYLE_SHEET = Path(__file__).resolve().parent / "accessibility.css"


def add_style_sheet() -> None:
    """Add the accessibility style sheet to the page (once per script run, from the entry script)."""
    st.html(STYLE_SHEET)
