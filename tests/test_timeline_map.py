"""The map through time: frame dates, the animated figure's frames, link parameters and what changed between two dates."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import basemap, data
from dashboard import map_figures as mf
from dashboard import timeline_map as tm
from dashboard.charts import MODEBAR_ROW_PX

BOUNDS = (date(1979, 12, 12), date(2026, 1, 31))


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


@pytest.fixture(scope="module")
def europe(ds):
    seas = basemap.seas_of(ds.places)
    return basemap.build_basemap(data.load_countries(), data.load_occupied_areas(), data.load_regions(), seas, "europe")


def _places(rows):
    """rows: (place_id, operator, start, end, lat, lon)."""
    frame = pd.DataFrame(rows, columns=["place_id", "operator", "start_date", "end_date", "lat", "lon"])
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["name"] = frame["place_id"].str.upper()
    frame["kind"] = "army_base"
    return frame


def _events(rows):
    return pd.DataFrame(
        {
            "event_id": [r[0] for r in rows],
            "date": pd.to_datetime([r[1] for r in rows]),
            "place_id": [r[2] for r in rows],
            "title": [f"Event {r[0]}" for r in rows],
        }
    )


def test_frame_dates_by_year_and_month_end_at_the_window_and_are_capped():
    years = tm.frame_dates(date(2014, 3, 1), date(2017, 6, 30), "year")
    assert years == [date(2014, 12, 31), date(2015, 12, 31), date(2016, 12, 31), date(2017, 6, 30)]
    assert [tm.frame_label(d, "year") for d in years] == ["2014", "2015", "2016", "2017-06-30"]
    months = tm.frame_dates(date(2019, 1, 15), date(2019, 3, 10), "month")
    assert months == [date(2019, 1, 31), date(2019, 2, 28), date(2019, 3, 10)]
    assert tm.frame_label(months[1], "month") == "2019-02"
    long = tm.frame_dates(date(1980, 1, 1), date(2025, 12, 31), "month")
    assert len(long) == tm.MAX_FRAMES and long[-1] == date(2025, 12, 31)  # the latest frames are kept


def test_nearest_frame_never_runs_ahead_of_the_date():
    dates = [date(2015, 12, 31), date(2016, 12, 31), date(2017, 12, 31)]
    assert tm.nearest_frame(dates, date(2016, 1, 1)) == 0
    assert tm.nearest_frame(dates, date(2016, 12, 31)) == 1
    assert tm.nearest_frame(dates, date(2010, 1, 1)) == 0
    assert tm.nearest_frame(dates, date(2030, 1, 1)) == 2


def _shown(frames: tm.PlayFrames, frame: int, role: str = "play_places") -> set[str]:
    ids = set()
    for trace, update in zip(frames.static, frames.per_frame[frame], strict=True):
        if trace["meta"]["role"] == role:
            ids |= {row[0] for row, x in zip(trace["customdata"], update["x"], strict=True) if x is not None}
    return ids


def test_deveselu_is_absent_in_2015_and_present_in_2017(ds, europe):
    assert ds.places.set_index("place_id").loc["deveselu", "start_date"] == pd.Timestamp("2016-05-12")
    dates = tm.frame_dates(date(2014, 1, 1), date(2018, 1, 1), "year")
    frames = tm.build_play_frames(ds.places, ds.events, ds.actors, ds.places.set_index("place_id"), europe, dates, 3)
    assert "deveselu" not in _shown(frames, dates.index(date(2015, 12, 31)))
    assert "deveselu" in _shown(frames, dates.index(date(2017, 12, 31)))
    assert _shown(frames, 1) == set(mf.places_as_of(ds.places, date(2015, 12, 31))["place_id"])


def test_only_marker_traces_change_per_frame_and_the_figure_stays_light(ds, europe):
    dates = tm.frame_dates(BOUNDS[0], BOUNDS[1], "year")
    frames = tm.build_play_frames(ds.places, ds.events, ds.actors, ds.places.set_index("place_id"), europe, dates, 3)
    fig = tm.play_figure(europe, frames, len(dates) - 1)
    n_base = len(mf.base_traces(europe))
    assert len(fig.frames) == len(dates)
    for frame in fig.frames:
        assert min(frame.traces) >= n_base  # the base map is never repeated in a frame
        assert all(set(t.to_plotly_json()) <= {"type", "x", "marker", "text", "hovertext"} for t in frame.data)
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert fig.layout.sliders[0].active == len(dates) - 1 and len(fig.layout.sliders[0].steps) == len(dates)
    assert len(fig.to_json()) < 2_000_000


def test_a_figure_opened_on_a_step_shows_it_and_plays_on_from_it(ds, europe):
    dates = tm.frame_dates(date(2010, 1, 1), date(2020, 12, 31), "year")
    frames = tm.build_play_frames(ds.places, ds.events, ds.actors, ds.places.set_index("place_id"), europe, dates, 3)
    start = dates.index(date(2016, 12, 31))
    fig = tm.play_figure(europe, frames, start)
    assert fig.layout.sliders[0].active == start
    assert fig.layout.title.text == frames.titles[start] and fig.layout.title.text.startswith("<b>2016</b>")
    play = fig.layout.updatemenus[0].buttons[0]
    assert play.label == "▶ Play" and list(play.args[0]) == ["2016", "2017", "2018", "2019", "2020"]
    assert play.args[1]["fromcurrent"] is True  # a step picked on the slider later plays on from there
    shown = {
        row[0]
        for t in fig.data
        if (t.meta or {}).get("role") == "play_places"
        for row, x in zip(t.customdata, t.x)
        if x is not None
    }
    assert shown == _shown(frames, start) and "deveselu" in shown
    at_end = tm.play_figure(europe, frames, len(dates) - 1)
    assert list(at_end.layout.updatemenus[0].buttons[0].args[0]) == list(frames.labels)  # nothing left: play from the start


def test_events_appear_at_their_place_and_fade_after_the_window(europe):
    places = _places([("p", "rus", None, None, 54.7, 20.5), ("q", "usa", None, None, 44.1, 24.4)])
    events = _events([("e1", "2016-10-08", "p"), ("e2", "2019-08-02", "q")])
    actors = pd.DataFrame(
        {"actor_id": ["rus", "usa"], "name": ["Russia", "United States"], "kind": "state", "side": ["Russia", "NATO"]}
    )
    dates = [date(2015, 12, 31), date(2016, 12, 31), date(2018, 12, 31), date(2020, 12, 31)]
    frames = tm.build_play_frames(places, events, actors, places.set_index("place_id"), europe, dates, 2)
    ring = [i for i, t in enumerate(frames.static) if t["meta"]["role"] == "play_events"][0]
    shown = [sum(x is not None for x in frames.per_frame[k][ring]["x"]) for k in range(len(dates))]
    assert shown == [0, 1, 0, 1]  # e1 appears in 2016 and is gone two years later; e2 appears in 2019
    assert "Event e1" in frames.per_frame[1][ring]["hovertext"][0] or "Event e1" in frames.per_frame[1][ring]["hovertext"][1]
    assert "1 events in the 2 years before" in frames.titles[1]


def test_many_places_are_grouped_per_frame(europe):
    rows = [
        (f"s{i}", "rus" if i % 2 else "usa", f"{2000 + i % 20}-01-01", None, 45 + (i % 30) * 0.5, 10 + i % 40) for i in range(900)
    ]
    places = _places(rows)
    actors = pd.DataFrame(
        {"actor_id": ["rus", "usa"], "name": ["Russia", "United States"], "kind": "state", "side": ["Russia", "NATO"]}
    )
    dates = tm.frame_dates(date(1999, 1, 1), date(2021, 1, 1), "year")
    frames = tm.build_play_frames(places, _events([]), actors, places.set_index("place_id"), europe, dates, 3)
    assert frames.clustered and [t["meta"]["role"] for t in frames.static] == ["play_clusters"]
    counts = [sum(int(n) for n, x in zip(u[0]["text"], u[0]["x"], strict=True) if x is not None) for u in frames.per_frame]
    assert counts[0] == 0 and counts[-1] == 900 and counts == sorted(counts)


def test_user_rows_are_tagged_in_the_frames(ds, europe):
    places = _places([("mine", "rus", "2018-01-01", None, 54.7, 20.5)]).assign(is_user_data=True)
    events = _events([("my-ev", "2019-01-01", "mine")]).assign(is_user_data=True)
    frames = tm.build_play_frames(places, events, ds.actors, places.set_index("place_id"), europe, [date(2019, 12, 31)], 3)
    roles = [t["meta"]["role"] for t in frames.static]
    assert "play_user_events" in roles
    assert "your data" in frames.static[roles.index("play_places")]["hovertext"][0]
    assert any(e["name"] == mf.USER_LEGEND for e in frames.legend)


def test_changes_between_lists_opened_closed_changed_hands_and_events():
    places = _places(
        [
            ("old", "ukr", "1990-01-01", "2014-03-20", 44.6, 33.5),
            ("new", "rus", "2014-03-20", None, 44.61, 33.52),  # the same base, under another operator
            ("shut", "usa", "1983-01-01", "2015-01-01", 50.0, 8.0),
            ("built", "usa", "2016-05-12", None, 44.1, 24.4),
            ("later", "usa", "2020-01-01", None, 54.5, 17.0),
        ]
    )
    events = _events([("before", "2013-01-01", "x"), ("in", "2016-05-12", "built"), ("after", "2019-01-01", "x")])
    changes = tm.changes_between(places, events, date(2017, 1, 1), date(2013, 12, 31))  # swapped: earlier date first
    assert list(changes.opened["place_id"]) == ["built"]
    assert list(changes.closed["place_id"]) == ["shut"]
    assert changes.changed_hands[["closed_id", "opened_id"]].values.tolist() == [["old", "new"]]
    assert list(changes.events["event_id"]) == ["in"]


def test_time_params_read_good_and_bad_values_and_round_trip():
    good = tm.parse_time_params({"mode": ["Compare"], "a": ["2015-01-01"], "b": ["2017-12-31"]}, BOUNDS)
    assert (good.mode, good.a, good.b, good.notices) == ("compare", date(2015, 1, 1), date(2017, 12, 31), [])
    bad = tm.parse_time_params({"mode": ["x"], "a": ["2019-02-30"], "step": ["week"], "fade": ["99"]}, BOUNDS)
    assert (bad.mode, bad.a, bad.step, bad.fade) == ("single", None, "year", 10)
    assert len(bad.notices) == 4
    swapped = tm.parse_time_params({"a": ["2020-01-01"], "b": ["2010-01-01"]}, BOUNDS)
    assert (swapped.a, swapped.b) == (date(2010, 1, 1), date(2020, 1, 1)) and "swapped" in swapped.notices[0]
    query = tm.time_params_to_query("play", date(2010, 1, 1), BOUNDS[1], "month", 5, BOUNDS)
    assert query == {"mode": ["play"], "a": ["2010-01-01"], "step": ["month"], "fade": ["5"]}
    back = tm.parse_time_params(query, BOUNDS)
    assert (back.mode, back.a, back.b, back.step, back.fade) == ("play", date(2010, 1, 1), None, "month", 5)
    assert tm.time_params_to_query("single", *BOUNDS, "year", 3, BOUNDS) == {}
    assert tm.time_params_to_query("compare", tm.COMPARE_A, BOUNDS[1], "year", 3, BOUNDS) == {"mode": ["compare"]}


def test_comparison_figure_puts_both_maps_side_by_side_with_one_legend(ds, europe):
    layers = mf.build_map_layers(ds.places, ds.events, ds.actors, europe)
    fig = mf.build_map_figure(europe, layers.markers)
    both = tm.comparison_figure(fig, fig, "A: 2015", "B: 2017")
    assert len(both.data) == 2 * len(fig.data)
    assert {t.xaxis for t in both.data[len(fig.data) :]} == {"x2"}
    assert not any(t.showlegend for t in both.data[len(fig.data) :])
    assert list(both.layout.xaxis2.range) == list(fig.layout.xaxis.range)
    assert [a.text for a in both.layout.annotations] == ["<b>A: 2015</b>", "<b>B: 2017</b>"]


def test_the_counts_take_two_lines_and_one_legend_above_the_map_leaves_the_slider_alone(ds, europe):
    """Below the map only Play, Pause and the slider: a legend there sat under the slider on narrow windows."""
    dates = tm.frame_dates(date(2010, 1, 1), date(2020, 12, 31), "year")
    frames = tm.build_play_frames(ds.places, ds.events, ds.actors, ds.places.set_index("place_id"), europe, dates, 3)
    fig = tm.play_figure(europe, frames, len(dates) - 1)
    assert all(
        title.count("<br>") == 1 and title.startswith(f"<b>{label}</b>") for title, label in zip(frames.titles, frames.labels)
    )
    shown = [t for t in fig.data if t.showlegend is not False and t.name]
    assert shown and {t.legend for t in shown} == {"legend2"}
    kinds = [t for t in shown if (t.meta or {}).get("kind_legend")]
    assert kinds and len(kinds) == sum(1 for e in frames.legend if e.get("legend") == "legend")
    assert fig.layout.legend2.itemclick == "toggle"  # a kind can still be hidden
    assert fig.layout.sliders[0].currentvalue.xanchor == "right"  # clear of the buttons at the slider's left
    top = fig.layout.margin.t
    assert top == tm.PLAY_TITLE_PX + MODEBAR_ROW_PX and fig.layout.legend2.y == 1 - top / fig.layout.height
