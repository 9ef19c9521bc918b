"""The map page in AppTest: filters and the as-of date change the markers; the link round-trips; bad links get a notice."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data

APP = "../dashboard/app.py"


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


def _open(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("views/map.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def _marker_ids(at: AppTest) -> set[str]:
    ids: set[str] = set()
    for trace in _spec(at)["data"]:
        if (trace.get("meta") or {}).get("role") == "places":
            ids |= {row[0] for row in trace["customdata"]}
    return ids


def _qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in [*at.markdown, *at.caption])


def test_default_map_shows_every_current_place_and_the_base_map(ds):
    at = _open()
    ids = _marker_ids(at)
    closed = set(ds.places.loc[ds.places["end_date"].notna(), "place_id"])
    assert ids == set(ds.places["place_id"]) - closed
    roles = [(t.get("meta") or {}).get("role") for t in _spec(at)["data"]]
    assert "land" in roles and "occupied" in roles and roles.count("region") == 2
    assert at.session_state["map_view"] == "europe"
    assert not at.warning
    assert "place" not in at.query_params and "view" not in at.query_params  # defaults keep the link short


def test_sidebar_filters_change_the_markers(ds):
    at = _open()
    at.multiselect(key="flt_regions").set_value(["Baltic"]).run()
    assert not at.exception
    ids = _marker_ids(at)
    baltic = set(ds.places.loc[ds.places["region"] == "Baltic", "place_id"])
    assert ids and ids <= baltic and "kaliningrad" in ids and "sevastopol" not in ids
    at.multiselect(key="flt_regions").set_value([]).run()
    at.multiselect(key="flt_actors").set_value(["nato"]).run()
    ids = _marker_ids(at)
    assert ids == set(ds.places.loc[ds.places["operator"] == "nato", "place_id"])


def test_as_of_date_hides_places_not_yet_built():
    at = _open(asof="2015-01-01")
    ids = _marker_ids(at)
    assert "efp_tapa" not in ids and "deveselu" not in ids and "redzikowo" not in ids
    assert "sevastopol" in ids
    at.session_state["map_asof"] = date(2017, 7, 1)
    at.run()
    ids = _marker_ids(at)
    assert {"efp_tapa", "deveselu"} <= ids and "redzikowo" not in ids
    assert _qp(at, "asof") == ["2017-07-01"]
    # Before 1991 the US missile bases of the 1980s are on the map, after that they are not.
    at.button(key="map_preset_1987-12-08").click().run()
    assert "greenham_common" in _marker_ids(at)
    assert _qp(at, "asof") == ["1987-12-08"]


def test_link_round_trip_view_place_event_and_date(ds):
    event = ds.events[ds.events["place_id"] == "deveselu"].iloc[0]["event_id"]
    at = _open(view="black_sea", event=event, asof="2019-08-02")
    assert at.session_state["map_view"] == "black_sea"
    assert at.session_state["map_selected"] == ("deveselu",)
    assert _qp(at, "place") == ["deveselu"] and _qp(at, "event") == [event]
    assert _qp(at, "view") == ["black_sea"] and _qp(at, "asof") == ["2019-08-02"]
    text = _text(at)
    assert "Aegis Ashore Romania" in text and "▶" in text  # the place's details with the event highlighted
    selected = [t for t in _spec(at)["data"] if (t.get("meta") or {}).get("role") == "selected"]
    assert [row[0] for row in selected[0]["customdata"]] == ["deveselu"]
    # Changing the widgets rewrites the link.
    at.session_state["map_view"] = "baltic"
    at.run()
    assert _qp(at, "view") == ["baltic"]
    at.button(key="map_clear").click().run()
    assert "place" not in at.query_params and "event" not in at.query_params


def test_selected_place_lists_statements_with_links_to_other_pages():
    at = _open(place="deveselu")
    links = [pl.proto for pl in at.get("page_link")]
    hrefs = [(p.page, p.query_string if hasattr(p, "query_string") else "") for p in links]
    assert any("ranges" in page for page, _ in hrefs)
    assert any("statements" in page for page, _ in hrefs)
    assert "Statements" in _text(at)


def test_bad_link_values_give_notices_and_defaults():
    at = _open(view="atlantis", place="nowhere", event="no-such-event", asof="last-tuesday")
    notices = " ".join(w.value for w in at.warning)
    for fragment in ("atlantis", "nowhere", "no\\-such\\-event", "YYYY\\-MM\\-DD"):
        assert fragment in notices
    assert at.session_state["map_view"] == "europe"
    assert at.session_state["map_selected"] == ()
    assert at.session_state["map_asof"] == date.today()
    assert "view" not in at.query_params and "asof" not in at.query_params
    assert _marker_ids(at)  # the map is still drawn


def test_statements_beside_the_map_follow_the_date():
    later = _open(place="deveselu")
    earlier = _open(place="deveselu", asof="2019-08-02")
    assert "2021\\-06\\-14" in _text(later) or "2021-06-14" in _text(later)
    assert "2021-06-14" not in _text(earlier) and "2021\\-06\\-14" not in _text(earlier)
