"""Home and the app shell under AppTest: no exception, filters change what is shown, links round-trip, broken data."""

from __future__ import annotations

import unicodedata

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import DATA_DIR_ENV
from dashboard.ui import cache
from tests import fixtures
from tests.pages import APP, open_page

TABLE = "home_events_table"  # the expander that holds the events table

# The link /?actor=%E2%80%AE.knil… : a right-to-left override before text written backwards.
RLO_ACTOR = "\u202e.knil siht tsurt nac uoY .OTAN yb deifirev ataD"


def as_list(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def open_home(params=None) -> AppTest:
    """Home from a link, with the events table opened as a reader clicking its expander (the page reruns)."""
    at = open_page(None, params)
    at.session_state[TABLE] = True
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_headline_figures_timeline_and_table():
    at = open_page()
    assert at.title[0].value == "INF Watch"
    assert int(metric(at, "Events").replace(",", "")) >= 60
    assert at.get("plotly_chart"), "no timeline"
    assert any(e.label.startswith("The events as a table") for e in at.expander)
    assert not at.dataframe, "the table is built when its expander is opened"
    at.session_state[TABLE] = True
    at.run()
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == int(metric(at, "Events").replace(",", ""))
    at.sidebar.multiselect[0].select("Black Sea").run()
    assert at.dataframe and set(at.dataframe[0].value["region"]) == {"Black Sea"}  # it stays open


def test_region_filter_changes_what_is_shown_and_the_url():
    at = open_home()
    all_events = int(metric(at, "Events").replace(",", ""))
    at.sidebar.multiselect[0].select("Black Sea").run()
    assert not at.exception
    black_sea = int(metric(at, "Events").replace(",", ""))
    assert 0 < black_sea < all_events
    assert as_list(at.query_params["region"]) == ["Black Sea"]
    assert set(at.dataframe[0].value["region"]) == {"Black Sea"}


def test_link_with_filters_reproduces_the_view():
    at = open_home({"region": ["Black Sea"], "actor": ["nato"]})
    assert at.sidebar.multiselect[0].value == ["Black Sea"]
    assert at.sidebar.multiselect[1].value == ["nato"]
    shown = at.dataframe[0].value
    assert set(shown["region"]) == {"Black Sea"}
    assert all("NATO" in a for a in shown["actors"])
    assert as_list(at.query_params["region"]) == ["Black Sea"] and as_list(at.query_params["actor"]) == ["nato"]


def test_date_range_in_the_link_filters_events():
    at = open_home({"from": "2014-01-01", "to": "2016-12-31"})
    dates = at.dataframe[0].value["date"]
    assert len(dates) > 0
    assert dates.min().year >= 2014 and dates.max().year <= 2016


def test_bad_link_values_are_ignored_with_a_notice():
    at = open_page(None, {"region": "Atlantis", "actor": "martians", "from": "2019-99-99"})
    warnings = " ".join(w.value for w in at.warning)
    assert "Atlantis" in warnings and "martians" in warnings and "start date" in warnings
    assert int(metric(at, "Events").replace(",", "")) >= 60


@pytest.mark.parametrize(
    "link", [",".join(f"v{i}" for i in range(20_000)), [f"v{i}" for i in range(999)]], ids=["commas", "repeated"]
)
def test_a_link_with_thousands_of_unknown_regions_gives_one_counted_notice(link):
    at = open_page(None, {"region": link})
    warnings = [w.value.replace("\\", "") for w in at.warning]
    more = 20_000 - 3 if isinstance(link, str) else 999 - 3
    assert len(warnings) == 1 and f"“v0”, “v1”, “v2” in the link, and {more:,} more ignored." in warnings[0]
    assert at.sidebar.multiselect[0].value == [] and "region" not in at.query_params
    assert int(metric(at, "Events").replace(",", "")) >= 60


def test_a_right_to_left_override_in_a_link_cannot_turn_the_warning_round():
    at = open_page(None, {"actor": RLO_ACTOR})
    (warning,) = [w.value for w in at.warning]
    assert not [ch for ch in warning if unicodedata.category(ch) in ("Cf", "Cc")]
    shown = warning.replace("\\", "")
    assert "“.knil siht tsurt nac uoY .OTAN yb deifirev ataD”" in shown  # read as written: backwards, not as a claim
    assert "verified by NATO" not in shown


def test_timeline_colour_choice_is_in_the_url():
    at = open_page(None, {"colour": "actor"})
    assert at.radio(key="home_colour").value == "actor"
    at.radio(key="home_colour").set_value("event_type").run()
    assert "colour" not in at.query_params


@pytest.fixture
def broken_data(tmp_path, monkeypatch):
    rows = fixtures.events()
    rows[0]["date"] = "1987-02-30"
    folder = fixtures.write_dataset(tmp_path / "data", events=rows)
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    cache.get_dataset.clear()
    yield folder
    cache.get_dataset.clear()


def test_a_broken_data_file_gives_one_readable_message(broken_data):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "failed validation" in at.error[0].value
    assert "events.csv, line 2, column 'date': '1987-02-30' is not a real calendar date" in at.code[0].value


def test_the_app_logs_each_script_run_when_asked(tmp_path, monkeypatch):
    log = tmp_path / "runs.tsv"
    monkeypatch.setenv("INF_WATCH_RUN_LOG", str(log))  # dashboard.app.RUN_LOG_ENV (importing the app would run it)
    at = open_page()
    at.sidebar.multiselect[0].set_value(["Baltic"]).run()
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    for line in lines:
        stamp, seconds = line.split("\t")
        assert float(stamp) > 1.7e9 and 0 < float(seconds) < 60


def test_a_missing_sources_file_stops_the_app_with_its_name_and_no_server_path(tmp_path, monkeypatch):
    folder = fixtures.write_dataset(tmp_path / "data")
    (folder / "sources.csv").unlink()
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    cache.get_dataset.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert "failed validation" in at.error[0].value
        assert "data/sources.csv: the file is missing" in at.code[0].value
        shown = " ".join([e.value for e in at.error] + [c.value for c in at.code])
        assert str(tmp_path) not in shown and str(folder) not in shown
    finally:
        cache.get_dataset.clear()
