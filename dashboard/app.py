"""The only script Streamlit runs: page config, the shared sidebar and navigation."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# Streamlit puts this file's folder on sys.path, not the repo root: add the root so that
# `import dashboard` works on Community Cloud and from a plain checkout alike.
_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from dashboard.memory import before_each_collection, script_run_ended, start_collector, tune_allocator  # noqa: E402
from dashboard.ui.sessions import close_expired_sessions  # noqa: E402

tune_allocator()  # before the data is loaded: see dashboard/memory.py
before_each_collection(close_expired_sessions)
start_collector()  # in place of Streamlit's collection after every run, switched off in .streamlit/config.toml

import streamlit as st  # noqa: E402

from dashboard.data import DataValidationError  # noqa: E402
from dashboard.ui import accessibility, cache, widgets  # noqa: E402
from dashboard.ui.sidebar import render_filters, show_notices  # noqa: E402

_VIEWS = Path(__file__).resolve().parent / "views"
# For benchmarks: when set, every script run appends "<unix time>\t<seconds it took>" to this file.
RUN_LOG_ENV = "INF_WATCH_RUN_LOG"

PAGES = [
    st.Page(_VIEWS / "home.py", title="Home", icon=":material/home:", default=True),
    st.Page(_VIEWS / "map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page(_VIEWS / "ranges.py", title="Missile ranges", icon=":material/track_changes:", url_path="ranges"),
    st.Page(_VIEWS / "statements.py", title="Statements", icon=":material/format_quote:", url_path="statements"),
    st.Page(_VIEWS / "upload.py", title="Your data", icon=":material/upload_file:", url_path="your-data"),
    st.Page(_VIEWS / "about.py", title="About the data", icon=":material/dataset:", url_path="about"),
]


def main() -> None:
    favicon = widgets.image_data_url(str(_ROOT / "assets" / "favicon.png"))
    st.set_page_config(page_title="INF Watch", page_icon=favicon, layout="wide")
    accessibility.add_style_sheet()
    try:
        ds = cache.get_dataset()
    except DataValidationError as exc:
        st.title("INF Watch")
        st.error("The dashboard's data files failed validation, so nothing can be shown. Details:")
        st.code(str(exc), language=None)
        st.stop()
    cache.start_warming()  # once per server: every curated launch point's ring map and tables, on a thread of its own
    # With the sidebar closed (as on a phone) the header shows the square icon: the wide logo pushed the main menu
    # off a 390 px screen.
    st.logo(widgets.image_data_url(str(_ROOT / "assets" / "logo.svg")), size="large", icon_image=favicon)
    nav = st.navigation(PAGES)
    render_filters(ds)
    show_notices()
    try:
        nav.run()
    except Exception as exc:  # one readable message instead of a traceback for any page fault
        st.error(
            "Something went wrong while drawing this page. The rest of the dashboard still works; "
            "please report the address of this page and the message below."
        )
        st.code(f"{type(exc).__name__}: {exc}", language=None)


_started = time.perf_counter()
try:
    main()
finally:
    script_run_ended()  # a large upload's garbage is collected at once, not at the collector's next round
    if os.environ.get(RUN_LOG_ENV):
        with open(os.environ[RUN_LOG_ENV], "a", encoding="utf-8") as _log:
            _log.write(f"{time.time():.3f}\t{time.perf_counter() - _started:.4f}\n")
