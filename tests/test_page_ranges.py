"""The missile-ranges page under AppTest: what it shows, links in and out, and every kind of bad input."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from dashboard.text import escape_markdown
from tests.pages import choose_tab, open_page

PAGE = "views/ranges.py"


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def texts(at: AppTest, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind))


def params(at: AppTest) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_default_view_shows_rings_tables_flight_times_and_catalogue():
    at = open_page(PAGE)
    assert at.title[0].value == "Missile ranges"
    assert not at.error and not at.warning
    assert metric(at, "Range drawn") == "2,500 km"
    assert int(metric(at, "Places in range")) > 20 and int(metric(at, "Countries in range")) > 20
    assert len(at.get("plotly_chart")) == 2  # the ring map and the catalogue chart (the launch basket's tab is closed)
    tables = {len(d.value.columns): d.value for d in at.dataframe}
    places = next(d.value for d in at.dataframe if "distance_km" in d.value.columns and "bearing_deg" in d.value.columns)
    assert places["distance_km"].is_monotonic_increasing and places["distance_km"].max() <= 2500
    assert "Moscow" in set(places["name"]) and "Shuya" not in " ".join(places["name"])  # the launch site itself is left out
    assert tables  # catalogue, Moscow table
    md = texts(at, "markdown")
    assert "500 to 5,500 km" in md and "minimum-energy ellipse" in md
    said = data.load_dataset().statements.set_index("statement_id").loc["2019-02-20-putin-10-12-minutes"]
    assert "10-12 minutes" in said["text"]
    if said["quote_type"] == "paraphrase":  # a paraphrase is never shown in quotation marks
        assert f"> Paraphrase: {escape_markdown(said['text'])}" in md
    else:
        assert f"> “{escape_markdown(said['text'])}”" in md
        assert escape_markdown(f"({said['quote_type']} by {said['translated_by']})") in texts(at, "caption")
    assert params(at) == {}  # defaults are left out of the link


def test_only_the_chosen_tab_is_built_and_it_stays_chosen_when_its_label_changes():
    at = open_page(PAGE)
    assert not any("nearest_km" in d.value.columns for d in at.dataframe)  # the Countries tab is closed
    choose_tab(at, "rng_reach_tab", "Countries")
    countries = next(d.value for d in at.dataframe if "nearest_km" in d.value.columns)
    assert countries.iloc[0]["country"] == "Russia" and countries.iloc[0]["nearest_km"] == 0
    assert not any("bearing_deg" in d.value.columns for d in at.dataframe)  # the places tab is closed now
    at.selectbox(key="rng_launch").set_value("deveselu").run()  # new counts in every label
    assert not at.exception and at.session_state["rng_reach_tab"].startswith("Countries (")
    assert any("nearest_km" in d.value.columns for d in at.dataframe)
    choose_tab(at, "rng_target_tab", "Launch basket")
    assert len(at.get("plotly_chart")) == 3 and "Launch basket" in at.get("plotly_chart")[1].proto.spec
    assert not any("claims_spread" in d.value.columns for d in at.dataframe)  # every system's tab is closed now


def test_link_opens_the_same_view_and_the_url_follows_the_widgets():
    at = open_page(PAGE, {"launch": "deveselu", "system": "kalibr", "speed": "900", "view": "region"})
    assert not at.warning and not at.error
    assert at.selectbox(key="rng_launch").value == "deveselu"
    assert at.selectbox(key="rng_system").value == "kalibr"
    assert at.number_input(key="rng_speed").value == 900
    assert at.radio(key="rng_view").value == "region"
    assert metric(at, "Range drawn") == "2,500 km"
    assert params(at) == {"launch": "deveselu", "system": "kalibr", "speed": "900", "view": "region"}
    at.selectbox(key="rng_system").set_value("9m729").run()
    assert not at.exception
    assert "system" not in params(at) and params(at)["launch"] == "deveselu"
    at.selectbox(key="rng_system").set_value("custom").run()
    at.number_input(key="rng_range").set_value(1234).run()
    assert params(at)["system"] == "custom" and params(at)["range"] == "1234"
    assert metric(at, "Range drawn") == "1,234 km"


def test_custom_point_across_the_antimeridian():
    at = open_page(PAGE, {"launch": "custom", "lat": "53.017", "lon": "158.65", "system": "custom", "range": "2000"})
    assert not at.warning and not at.error
    choose_tab(at, "rng_reach_tab", "Countries")
    countries = next(d.value for d in at.dataframe if "nearest_km" in d.value.columns)
    assert {"Russia", "Japan", "United States of America"} <= set(countries["country"])
    assert params(at)["lat"] == "53.017" and params(at)["lon"] == "158.65"


@pytest.mark.parametrize(
    ("link", "phrase"),
    [
        ({"launch": "custom", "lat": "95", "lon": "20"}, "Latitude must be between −90 and 90"),
        ({"launch": "custom", "lat": "50", "lon": "200"}, "Longitude must be between −180 and 180"),
        ({"launch": "custom", "lat": "north", "lon": "20"}, "Latitude must be a number"),
        ({"system": "custom", "range": "-500"}, "The range must be more than 0 km"),
        ({"system": "custom", "range": "99999999"}, "The range must be at most 19,000 km"),
        ({"speed": "0"}, "The cruise speed must be more than 0 km/h"),
        ({"speed": "-800"}, "The cruise speed must be more than 0 km/h"),
        ({"launch": "atlantis"}, "unknown launch site"),
        ({"system": "ss-99"}, "unknown missile system"),
        ({"view": "globe"}, "unknown view"),
    ],
)
def test_bad_link_values_give_a_notice_and_the_default(link, phrase):
    at = open_page(PAGE, link)
    assert phrase in texts(at, "warning").replace("\\", "")  # shown escaped: compare without the backslashes
    assert not at.error  # fell back to the default view, which works
    assert metric(at, "Range drawn") == "2,500 km"


def test_hostile_link_values_are_echoed_short_and_without_invisible_characters():
    at = open_page(
        PAGE, {"launch": "\u202e" + "etis" * 10_000, "system": ",".join(f"m{i}" for i in range(20_000)), "speed": "\u2066fast"}
    )
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert len(warnings) == 3 and all(len(w) < 200 for w in warnings)
    assert "“etisetis" in warnings[0] and "…”" in warnings[0] and "\u202e" not in warnings[0]
    assert "“fast”" in warnings[2]
    assert metric(at, "Range drawn") == "2,500 km"


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("rng_lat", 100.0, "Latitude must be between −90 and 90 degrees"),
        ("rng_lon", -190.0, "Longitude must be between −180 and 180 degrees"),
        ("rng_range", -10.0, "The range must be more than 0 km"),
        ("rng_range", 50000.0, "The range must be at most 19,000 km"),
        ("rng_speed", 0.0, "The cruise speed must be more than 0 km/h"),
    ],
)
def test_bad_widget_input_gives_a_clear_error_not_an_exception(key, value, phrase):
    at = open_page(PAGE, {"launch": "custom", "lat": "50", "lon": "10", "system": "custom", "range": "1000"})
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    errors = texts(at, "error").replace("\\", "")
    assert phrase in errors
    assert "Something went wrong" not in errors
    assert not any(m.label == "Places in range" for m in at.metric)  # nothing computed from bad input
    assert len(at.get("plotly_chart")) == 1  # the catalogue still shows


def test_sidebar_actor_filter_and_widgets_filter_the_catalogue():
    at = open_page(PAGE, {"actor": "rus"})
    catalogue = next(d.value for d in at.dataframe if "inf_class" in d.value.columns)
    assert set(catalogue["operator_name"]) == {"Russia"}
    at.multiselect(key="rng_basings").select("sea").run()
    catalogue = next(d.value for d in at.dataframe if "inf_class" in d.value.columns)
    assert set(catalogue["basing"]) == {"sea"} and len(catalogue) >= 1


# ---- The reader's own places (uploaded this session) alongside the curated ones


def _uploaded_places() -> bytes:
    from tests.upload_corpus import PL_HEADER, PL_ROW, _csv

    hostile = (
        PL_ROW.replace("my-site", "my-xss")
        .replace("My site", "<img src=x onerror=alert(1)>")
        .replace("44.36,28.49", "50.45,30.52")
    )
    return _csv(PL_HEADER, PL_ROW, hostile)


def test_uploaded_places_are_launch_points_and_targets_tagged_as_your_data():
    at = open_page(PAGE, uploads=[("places", "p.csv", _uploaded_places())])
    assert not at.exception, at.exception
    labels = at.selectbox(key="rng_launch").options  # AppTest gives the labels the reader sees
    assert "My site (your data)" in labels and "<img src=x onerror=alert(1)> (your data)" in labels
    assert "Moscow" in labels  # curated places are still there, untagged
    places = next(d.value for d in at.dataframe if "distance_km" in d.value.columns and "bearing_deg" in d.value.columns)
    mine = places[places["origin"] == "your data"]
    assert set(mine["name"]) == {"My site", "<img src=x onerror=alert(1)>"}  # plain data in a table cell, never HTML
    assert (places["origin"] == "curated").sum() == len(places) - 2
    fig = at.get("plotly_chart")[0].proto.spec
    assert "Your data: places" in fig
    assert "<img src=x" not in fig and "&lt;img src=x onerror=alert(1)&gt;" in fig

    at.selectbox(key="rng_launch").set_value("my-site").run()
    assert not at.exception, at.exception
    assert at.query_params["launch"] in ("my-site", ["my-site"])
    places = next(d.value for d in at.dataframe if "distance_km" in d.value.columns and "bearing_deg" in d.value.columns)
    assert "My site" not in set(places["name"]) and "<img src=x onerror=alert(1)>" in set(places["name"])
    assert not at.error


def test_places_table_is_capped_with_a_count_and_a_full_download(tmp_path, monkeypatch):
    from benchmarks.synthetic import generate
    from dashboard.ui import cache

    monkeypatch.setenv(data.DATA_DIR_ENV, str(generate(tmp_path / "many", 10, n_statements=10, n_places=700)))
    cache.get_dataset.clear()
    try:
        at = open_page(PAGE, {"system": "custom", "range": "19000"})
        places = next(d.value for d in at.dataframe if "distance_km" in d.value.columns and "bearing_deg" in d.value.columns)
        total = int(metric(at, "Places in range").replace(",", ""))
        assert total > 700 and len(places) == 500 and places["distance_km"].is_monotonic_increasing
        assert any(f"The nearest 500 of {total:,} places in range" in c.value for c in at.caption)
        assert "Download places in range (CSV)" in [b.label for b in at.get("download_button")]
    finally:
        cache.get_dataset.clear()


def test_a_range_that_is_only_a_floor_is_shown_as_more_than():
    """Zircon's headline range is "more than 1,000 km": the metric, the system's label and its claims say so."""
    at = open_page(PAGE, {"system": "zircon"})
    assert not at.exception
    assert metric(at, "Range drawn") == "more than 1,000 km"
    assert metric(at, "Range used") == "more than 1,000 km"
    assert "**more than 1,000 km**" in texts(at, "markdown")
