"""The map page in AppTest: filters and the as-of date change the markers; the link round-trips; bad links get a notice."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests import fixtures
from tests.pages import open_page

PAGE = "views/map.py"


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


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
    at = open_page(PAGE)
    ids = _marker_ids(at)
    closed = set(ds.places.loc[ds.places["end_date"].notna(), "place_id"])
    assert ids == set(ds.places["place_id"]) - closed
    roles = [(t.get("meta") or {}).get("role") for t in _spec(at)["data"]]
    assert "land" in roles and "occupied" in roles and roles.count("region") == 2
    assert at.session_state["map_view"] == "europe"
    assert not at.warning
    assert "place" not in at.query_params and "view" not in at.query_params  # defaults keep the link short


def test_sidebar_filters_change_the_markers(ds):
    at = open_page(PAGE)
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
    at = open_page(PAGE, {"asof": "2015-01-01"})
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
    at = open_page(PAGE, {"view": "black_sea", "event": event, "asof": "2019-08-02"})
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
    at = open_page(PAGE, {"place": "deveselu"})
    links = [pl.proto for pl in at.get("page_link")]
    hrefs = [(p.page, p.query_string if hasattr(p, "query_string") else "") for p in links]
    assert any("ranges" in page for page, _ in hrefs)
    assert any("statements" in page for page, _ in hrefs)
    assert "Statements" in _text(at)


def test_bad_link_values_give_notices_and_defaults():
    at = open_page(PAGE, {"view": "atlantis", "place": "nowhere", "event": "no-such-event", "asof": "last-tuesday"})
    notices = " ".join(w.value for w in at.warning)
    for fragment in ("atlantis", "nowhere", "no\\-such\\-event", "YYYY\\-MM\\-DD"):
        assert fragment in notices
    assert at.session_state["map_view"] == "europe"
    assert at.session_state["map_selected"] == ()
    assert at.session_state["map_asof"] == date.today()
    assert "view" not in at.query_params and "asof" not in at.query_params
    assert _marker_ids(at)  # the map is still drawn


def test_a_link_with_20000_unknown_places_gives_one_counted_notice():
    at = open_page(PAGE, {"place": ",".join(f"v{i}" for i in range(20_000)), "event": "\u202eevil\u2066"})
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert len(warnings) == 2
    assert "Ignored unknown places “v0”, “v1”, “v2” in the link, and 19,997 more ignored." in warnings[0]
    assert "Ignored the unknown event “evil” in the link." in warnings[1]  # no invisible character echoed
    assert at.session_state["map_selected"] == () and "place" not in at.query_params
    assert _marker_ids(at)


def test_statements_beside_the_map_follow_the_date():
    later = open_page(PAGE, {"place": "deveselu"})
    earlier = open_page(PAGE, {"place": "deveselu", "asof": "2019-08-02"})
    assert "2021\\-06\\-14" in _text(later) or "2021-06-14" in _text(later)
    assert "2021-06-14" not in _text(earlier) and "2021\\-06\\-14" not in _text(earlier)


# --------------------------------------------------------------------------------------------
# The reader's own uploads on the map (issue 7)

PLACES_CSV = (
    "place_id,name,country,kind,operator,lat,lon,start_date,end_date,description,source_title,source_publisher,source_date,source_url\n"
    'my-site,<b>My</b> *site*,Romania,air_base,rou,44.36,28.49,,,"A site, [click](javascript:alert(1)).",Report,Paper,,https://example.org/p\n'
)
EVENTS_CSV = (
    "event_id,date,title,summary,event_type,actors,place_id,source_title,source_publisher,source_date,source_url,lat,lon\n"
    "my-1,2020-05-01,Drill at my site,A drill.,exercise,rou,my-site,Report,Paper,2020-05-02,https://example.org/a,,\n"
    "my-2,2021-06-01,Patrol <i>off</i> Crimea,A patrol.,incident,rus,,Report,Paper,2021-06-02,https://example.org/b,44.6,33.5\n"
)


MY_FILES = (("places", "p.csv", PLACES_CSV.encode()), ("events", "e.csv", EVENTS_CSV.encode()))


def _open_app_with_uploads(**session) -> AppTest:
    """The map in a session that has already uploaded MY_FILES, with `session` values then set (e.g. a selection)."""
    at = open_page(PAGE, uploads=MY_FILES)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _traces(at: AppTest, role: str) -> list[dict]:
    return [t for t in _spec(at)["data"] if (t.get("meta") or {}).get("role") == role]


def test_uploaded_place_and_event_appear_on_the_map_tagged_as_your_data(ds):
    at = open_page(PAGE, uploads=MY_FILES)
    mine = _traces(at, "user_places")
    assert [row[0] for t in mine for row in t["customdata"]] == ["my-site"]
    assert mine[0]["marker"]["line"]["color"] == "#C51B8A"
    hover = mine[0]["hovertext"][0]
    assert "your data" in hover and "&lt;b&gt;My&lt;/b&gt;" in hover and "<b>My</b>" not in hover
    assert "Drill at my site" in hover  # its uploaded event is counted at it
    # The curated places are all still there, unchanged.
    closed = set(ds.places.loc[ds.places["end_date"].notna(), "place_id"])
    assert _marker_ids(at) == set(ds.places["place_id"]) - closed
    # The event with its own coordinates and no place: its own marker, tagged and escaped.
    own = _traces(at, "user_events")
    assert [row[0] for row in own[0]["customdata"]] == ["my-2"]
    assert "your data" in own[0]["hovertext"][0] and "&lt;i&gt;off&lt;/i&gt;" in own[0]["hovertext"][0]
    legend = [t["name"] for t in _spec(at)["data"] if t.get("showlegend") and t.get("legend") == "legend2"]
    assert "Your data (magenta)" in legend


def test_selecting_an_uploaded_place_and_event_lists_them_safely():
    at = _open_app_with_uploads(map_selected=("my-site", "my-2"))
    text = _text(at)
    # Markup in the reader's text is escaped (shown as typed, never live); the "your data" tag is ours.
    assert "**\\<b\\>My\\<\\/b\\> \\*site\\*** · *your data*" in text
    assert "\\[click\\]\\(javascript\\:alert\\(1\\)\\)" in text and "](javascript" not in text
    assert "Drill at my site · *your data*" in text and "**Patrol \\<i\\>off\\<\\/i\\> Crimea** · *your data*" in text
    assert "its own coordinates" in text
    # Session-only rows stay out of the shareable link.
    assert "place" not in at.query_params


def test_filters_and_date_apply_to_uploaded_rows():
    at = _open_app_with_uploads()
    at.session_state["map_asof"] = date(2020, 1, 1)
    at.run()
    assert not _traces(at, "user_events")  # the patrol is dated 2021
    assert "Drill at my site" not in _traces(at, "user_places")[0]["hovertext"][0]
    at.multiselect(key="flt_regions").set_value(["Baltic"]).run()
    assert not at.exception
    assert not _traces(at, "user_places")


def test_the_count_of_events_includes_the_readers_own_and_follows_the_date():
    """The reader's event at its own coordinates (my-2, 2021) is drawn apart from the places' and still counted; so is
    the one at their place (my-1, 2020); each only once the date reaches it."""
    import re

    def count(at: AppTest, asof: date) -> int:
        at.session_state["map_asof"] = asof
        at.run()
        assert not at.exception, at.exception
        said = next(str(c.value) for c in at.caption if "match the filters" in str(c.value))
        return int(re.search(r"and ([\d,]+) events? up to", said).group(1).replace(",", ""))

    curated, mine = open_page(PAGE), _open_app_with_uploads()
    for asof, uploaded in ((date(2020, 1, 1), 0), (date(2021, 1, 1), 1), (date(2021, 7, 1), 2)):
        assert count(mine, asof) == count(curated, asof) + uploaded


def test_exports_include_uploaded_rows_with_their_flag(monkeypatch):
    """The download buttons hand over the filtered frames with the reader's rows in them, flagged `is_user_data`."""
    import io

    import pandas as pd

    from dashboard.data import load_data_version

    v = load_data_version()
    generators = fixtures.capture_downloads(monkeypatch)
    open_page(PAGE, uploads=MY_FILES)
    places = pd.read_csv(io.BytesIO(generators[f"inf_watch_places_{v}.csv"]()), encoding="utf-8-sig")
    events = pd.read_csv(io.BytesIO(generators[f"inf_watch_events_{v}.csv"]()), encoding="utf-8-sig")
    assert places.loc[places["place_id"] == "my-site", "is_user_data"].tolist() == [True]
    assert not places.loc[places["place_id"] != "my-site", "is_user_data"].any()
    assert set(events.loc[events["is_user_data"], "event_id"]) == {"my-1", "my-2"}
    assert b"my-site" in generators[f"inf_watch_places_{v}.geojson"]()


def test_places_can_be_chosen_by_name_as_a_click_on_a_marker_does(ds):
    """The keyboard's route to a place's details: the list beside the map selects, and mirrors the map's selection."""
    from dashboard.text import escape_markdown

    at = open_page(PAGE, {"region": "Baltic"})
    assert at.multiselect(key="map_pick").value == []
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    labels = at.multiselect(key="map_pick").options
    assert any(label.startswith(names["chernyakhovsk"] + " (Missile brigade") for label in labels)
    assert not any(label.startswith(names["sevastopol"]) for label in labels)  # only places the map shows
    at.multiselect(key="map_pick").set_value(["chernyakhovsk"]).run()
    assert not at.exception
    assert at.session_state["map_selected"] == ("chernyakhovsk",)
    assert f"**{escape_markdown(names['chernyakhovsk'])}**" in _text(at) and _qp(at, "place") == ["chernyakhovsk"]
    # A selection made elsewhere (here the link's) shows in the list.
    linked = open_page(PAGE, {"place": "baltiysk,kaliningrad"})
    assert linked.multiselect(key="map_pick").value == ["baltiysk", "kaliningrad"]
