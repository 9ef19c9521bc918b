"""Your data: upload events, places or statements (or an ACLED export) for this browser session only."""

import streamlit as st

from dashboard import uploads
from dashboard.templates import TEMPLATE_EXAMPLES
from dashboard.text import counted
from dashboard.ui import upload_flow, userdata

st.title("Your data")
st.markdown(
    "Add your own events, places or statements to every page of the dashboard, beside the curated data. "
    "They stay in this browser session only: nothing is stored on the server, and closing the tab or "
    "pressing **Clear my data** removes them. Uploaded rows are checked against the same rules as the "
    "curated data and are tagged *your data* wherever they appear."
)

KIND_LABELS = {"events": "Events (or an ACLED export)", "places": "Places", "statements": "Statements"}
kind = st.radio("What does the file hold?", list(KIND_LABELS), format_func=KIND_LABELS.get, horizontal=True, key="upload_kind")

with st.expander("Templates and format", expanded=False):
    st.markdown(
        "Use the template's columns (names are matched without regard to case; other columns are ignored). "
        "Comma, semicolon and tab separators, UTF-8 (with or without BOM), UTF-16 (with or without BOM) and Windows-1252 are "
        "recognised. Dates are YYYY-MM-DD; coordinates are decimal degrees (WGS84). Lists such as `actors` "
        "and `topics` are separated by `;`. Events may give `lat`/`lon` instead of a `place_id`. ACLED's "
        "standard export (event_id_cnty, event_date, event_type, actor1, actor2, country, latitude, "
        "longitude, ...) is recognised and mapped onto events. " + uploads.limits_text()
    )
    cols = st.columns(3)
    for col, k in zip(cols, uploads.KINDS, strict=True):
        col.download_button(
            f"Template: {k}.csv",
            uploads.template_csv(k, TEMPLATE_EXAMPLES[k]),
            file_name=f"inf_watch_{k}_template.csv",
            mime="text/csv",
            key=f"tpl_{k}",
            on_click="ignore",  # no rerun: during one, no session holds the file the browser is fetching
        )

file = st.file_uploader(
    "Upload a CSV file (or a .gz or .zip of one)", type=["csv", "tsv", "txt", "gz", "zip"], key=f"uploader_{kind}"
)
if file is not None:
    upload_flow.process_file(kind, file)
if upload_flow.last_upload_name() is not None:  # the server has let go of the file itself once it was read
    upload_flow.render_report(kind, upload_flow.last_upload_name())

held = userdata.counts()
st.subheader("Held in this session")
if held:
    st.write(", ".join(counted(n, k.removesuffix("s"), k) for k, n in held.items()))
    if st.button("Clear my data", type="primary"):
        userdata.clear()
        upload_flow.forget_reports()
        st.rerun()
else:
    st.write("No uploaded data.")
