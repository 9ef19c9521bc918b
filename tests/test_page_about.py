"""The About page under AppTest: files and sources, filtered downloads written on click, the shared overview."""

from __future__ import annotations

from dashboard.ui import cache
from tests import fixtures
from tests.pages import open_page


def test_about_page_lists_every_data_file_and_offers_downloads():
    at = open_page("views/about.py")
    assert at.title[0].value == "About the data"
    inventory = at.dataframe[0].value
    assert {"events.csv", "places.csv", "statements.csv", "missiles.csv", "countries.geojson"} <= set(inventory["file"])
    assert (inventory.set_index("file").loc["events.csv", "rows"]) >= 60
    assert at.get("download_button"), "no downloads offered"


def test_about_downloads_are_written_on_click_and_follow_the_filters(monkeypatch):
    """Nothing is written until a button is clicked; what is written is the filtered table, spreadsheet-safe."""
    import io

    import pandas as pd

    from dashboard.data import load_data_version, load_dataset

    downloads = fixtures.capture_downloads(monkeypatch)
    at = open_page("views/about.py", {"region": "Baltic"})
    v = load_data_version()
    assert v != "unversioned"
    names = {f"inf_watch_{t}_{v}.csv" for t in ("events", "statements", "places")} | {f"inf_watch_places_{v}.geojson"}
    assert names <= set(downloads)
    assert any(f"Data version {v}" in m for m in (e.value for e in at.markdown))
    ds = load_dataset()
    baltic_events = ds.events.loc[ds.events["region"] == "Baltic", "event_id"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"events.csv ({len(baltic_events):,})" in labels
    events = pd.read_csv(io.BytesIO(downloads[f"inf_watch_events_{v}.csv"]()), encoding="utf-8-sig")
    assert set(events["event_id"]) == set(baltic_events)
    assert (events["region"] == "Baltic").all()
    geojson = downloads[f"inf_watch_places_{v}.geojson"]().decode("utf-8")
    assert '"FeatureCollection"' in geojson and f'"data_version": "{v}"' in geojson
    import csv

    rows = list(csv.reader(io.StringIO(downloads[f"inf_watch_statements_{v}.csv"]().decode("utf-8-sig"))))
    assert len(rows) == 1 + int((ds.statements["region"] == "Baltic").sum())
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for row in rows for cell in row)


def test_about_page_lists_the_sources_cited():
    from dashboard.data import load_dataset
    from dashboard.reports import sources_cited

    cited = sources_cited(load_dataset())
    assert cited["url"].is_unique
    assert cited["records"].sum() >= 60 + 50 + 40 + 20
    at = open_page("views/about.py")
    shown = next(df.value for df in at.dataframe if "records" in df.value.columns and "publisher" in df.value.columns)
    assert len(shown) == len(cited)


def test_about_overview_is_built_once_for_the_curated_data_and_per_session_with_uploads():
    from dataclasses import replace

    import pandas as pd

    curated = cache.get_dataset()
    first = cache.get_about_overview(curated)
    assert cache.get_about_overview(curated) is first  # cached: no work on a rerun
    assert int(first["by_region"]["events"].sum()) == len(curated.events)
    extra = curated.events.head(3).assign(event_id=["u1", "u2", "u3"], region="Baltic")
    mine = replace(curated, events=pd.concat([curated.events, extra], ignore_index=True))
    theirs = cache.get_about_overview(mine)
    assert int(theirs["by_region"]["events"].sum()) == len(curated.events) + 3
    assert theirs["inventory"] is first["inventory"]  # the file inventory is the curated files' either way


def test_every_data_file_in_the_inventory_has_its_row_count():
    at = open_page("views/about.py")
    inventory = at.dataframe[0].value.set_index("file")
    assert {"cities.csv", "country_codes.csv", "regions.geojson"} <= set(inventory.index)
    assert (inventory["rows"] > 0).all(), inventory.loc[inventory["rows"] == 0, "rows"]


def test_the_sources_cited_download_holds_every_source(monkeypatch):
    import csv
    import io

    from dashboard.data import load_dataset
    from dashboard.reports import sources_cited

    downloads = fixtures.capture_downloads(monkeypatch)
    open_page("views/about.py")
    name = next(n for n in downloads if n.startswith("inf_watch_sources_cited_"))
    rows = list(csv.DictReader(io.StringIO(downloads[name]().decode("utf-8-sig"))))
    assert len(rows) == len(sources_cited(load_dataset()))
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())


def test_coverage_is_charted_per_year_and_the_dictionary_opens_on_demand():
    import json

    from dashboard import reports
    from dashboard.data import load_dataset

    at = open_page("views/about.py")
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2 and not at.get("plotly_chart")  # no plotly code for two bar charts
    spec = json.loads(charts[0].proto.spec)
    assert "Records (count)" in json.dumps(spec) and "Year" in json.dumps(spec)
    assert any(m.value == "**Events per year**" for m in at.markdown)
    per_year = reports.counts_per_year(load_dataset().events)
    assert per_year["records"].sum() == len(load_dataset().events)
    assert per_year["year"].is_monotonic_increasing
    # One bar per year with its count, read and labelled in UTC (no time zone moves 1 January into the year before).
    values = reports.per_year_bars(per_year, "#000000")["data"]["values"]
    assert [v["records"] for v in values] == per_year["records"].tolist()
    assert [v["year"] for v in values] == [f"{y:%Y}-01-01" for y in per_year["year"]]
    assert spec["encoding"]["x"]["timeUnit"] == "utcyear" and spec["encoding"]["tooltip"][0]["format"] == "%Y"
    assert charts[0].proto.alt == "Events per year: a bar chart of records per year"
    # The rows go as Arrow bytes made once (cache.with_arrow_data): the very rows of the chart's inline values.
    import pyarrow as pa

    (sent,) = charts[0].proto.datasets
    assert spec["data"] == {"name": sent.name}
    assert pa.ipc.open_stream(sent.data.data).read_all().to_pylist() == reports.per_year_bars(per_year, "#000")["data"]["values"]
    # The spec is built once and shared: drawing it must leave it whole for the next reader.
    again = open_page("views/about.py").get("vega_lite_chart")[0].proto
    assert again.datasets[0].data.data == sent.data.data and len(sent.data.data) > 0
    # The data dictionary: six expanders; a table is drawn when its expander is opened.
    assert len(at.expander) == 6
    shown = len(at.dataframe)
    at.session_state["about_dict_events"] = True
    at.run()
    assert not at.exception
    assert len(at.dataframe) == shown + 1
    assert "event_id" in set(at.dataframe[-1].value["column"])
