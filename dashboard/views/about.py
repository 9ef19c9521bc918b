"""About the data: every file with its source, licence and size; the data dictionary; coverage; downloads."""

import streamlit as st

from dashboard import schema
from dashboard.export import export_file_name, to_geojson_bytes
from dashboard.ui import cache, userdata, widgets
from dashboard.ui.sidebar import current_filters

ds = userdata.current_dataset()
filters = current_filters()
version = cache.get_data_version()

st.title("About the data")
st.markdown(
    "Every record carries its own source (publisher, title, date and address). Quotes are verbatim "
    "unless marked as a paraphrase or as a named translation. Tables are plain CSV files in the "
    "repository's `data/` folder, validated when the app first reads them and again whenever a file changes."
)
st.markdown(
    f"**Data version {version}.** What changed, when and why is listed in the repository's `data/CHANGELOG.md`; "
    "every download below carries the version in its file name."
)

st.subheader("Data files")
overview = cache.get_about_overview(ds)
st.dataframe(
    overview["inventory"],
    hide_index=True,
    width="stretch",
    column_config={
        "url": st.column_config.LinkColumn("Source", display_text=r"https?://(?:www\.)?([^/]+)"),
        "rows": st.column_config.NumberColumn("Rows", format="%d"),
    },
)

st.subheader("Sources cited")
cited = overview["cited"]
st.caption(f"{len(cited):,} distinct sources from {cited['publisher'].nunique():,} publishers back the curated records.")
st.dataframe(
    cited,
    hide_index=True,
    width="stretch",
    column_config={
        "url": st.column_config.LinkColumn("Link", display_text="open ↗"),
        "records": st.column_config.NumberColumn("Records", format="%d"),
    },
)
widgets.csv_download("Download the sources cited (CSV)", lambda: cited, "sources_cited", key="dl_sources_cited")

st.subheader("Download the filtered tables")
st.caption(
    widgets.describe_filters(filters, ds.actors)
    + " CSV cells that a spreadsheet would run as formulas are prefixed with an apostrophe."
)
# The files are written when a button is clicked, not on every visit: at 100,000 rows that is seconds
# of work, and megabytes held for each session, for a download that most visits never make.
shown = cache.get_filtered(ds, filters)
tables = {
    "events": shown.events,
    "statements": shown.statements,
    "places": shown.places,  # the CSV leaves out its geometry (export.to_safe_frame); the GeoJSON below has it
    "missiles": ds.missiles,
    "missile_range_claims": ds.range_claims,
    "actors": ds.actors,
}
dl_cols = [*st.columns(4), *st.columns(4)]  # two rows, so that no file name is cut short
for col, (name, table) in zip(dl_cols, tables.items(), strict=False):
    widgets.csv_download(f"{name}.csv ({len(table):,})", lambda table=table: table, name, key=f"dl_{name}", container=col)
widgets.download_on_click(
    "places.geojson",
    lambda: to_geojson_bytes(shown.places, version),
    export_file_name("places", version, "geojson"),
    "application/geo+json",
    "dl_places_geojson",
    dl_cols[len(tables)],
)

st.subheader("Coverage")
# Vega-Lite bar charts: plotly's 4.7 MB of code took more of a visitor's browser than the rest of this page together.
for col, key, title in zip(
    st.columns(2), ("events_per_year", "statements_per_year"), ("Events per year", "Statements per year"), strict=True
):
    col.markdown(f"**{title}**")
    col.vega_lite_chart(spec=overview[f"{key}_chart"], width="stretch", alt=f"{title}: a bar chart of records per year")
c3, c4 = st.columns(2)
c3.markdown("**Records by region**")
c3.dataframe(overview["by_region"], hide_index=True, width="stretch")
c4.markdown("**Records by actor**")
c4.dataframe(overview["by_actor"], hide_index=True, width="stretch")

st.subheader("Data dictionary")
# A table's dictionary is drawn when its expander is opened (opening one reruns the page), not hidden in every visit.
for name, table in schema.TABLES.items():
    section = st.expander(f"{table.name} — `data/{table.file}`: {table.description}", key=f"about_dict_{name}", on_change="rerun")
    if section.open:
        section.dataframe(overview["dictionary"][name], hide_index=True, width="stretch")

st.subheader("Known gaps")
st.markdown(
    "- Coverage is curated, not exhaustive: exercises, incidents and deployments are a selection of the "
    "best-documented.\n"
    "- Place coordinates are those of the site as published; a few sites are known only to within a few "
    "kilometres.\n"
    "- Range figures for many systems are estimates; where claims differ, each is listed with its source.\n"
    "- Regions are this project's analytical outlines, not official boundaries (definitions below)."
)

st.subheader("Regions")
for name, definition in schema.REGION_DEFINITIONS.items():
    st.markdown(f"- **{name}**: {definition}")
