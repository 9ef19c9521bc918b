"""Chart builders: titles, units, escaped hover text, and aggregation when there are many events."""

from __future__ import annotations

import json

import pandas as pd

from dashboard import charts
from dashboard.data import load_dataset
from tests import fixtures


def _ds(tmp_path):
    return load_dataset(fixtures.write_dataset(tmp_path / "data"))


def test_timeline_has_one_trace_per_event_type_and_units(tmp_path):
    ds = _ds(tmp_path)
    fig = charts.events_timeline(ds.events, ds.actors)
    assert {t.name for t in fig.data} == {"Treaty milestone", "Diplomacy", "Deployment"}
    assert fig.layout.xaxis.title.text == "Date (year)"
    assert "3 events" in fig.layout.title.text


def test_timeline_by_actor_colours_by_side(tmp_path):
    ds = _ds(tmp_path)
    fig = charts.events_timeline(ds.events, ds.actors, colour_by="actor")
    assert {t.name for t in fig.data} == {"NATO", "Russia"}
    colours = {t.name: t.marker.color for t in fig.data}
    assert colours["Russia"] == charts.SIDE_COLOURS["Russia"]


def test_hover_text_from_data_is_escaped(tmp_path):
    rows = fixtures.events()
    rows[0]["title"] = "<a href='javascript:alert(1)'>x</a><script>"
    ds = load_dataset(fixtures.write_dataset(tmp_path / "data", events=rows))
    fig_json = charts.events_timeline(ds.events, ds.actors).to_json()
    assert "<script>" not in fig_json and "<a href" not in fig_json
    assert "&lt;script&gt;" in json.loads(fig_json)["data"][-1]["customdata"][0][0] or any(
        "&lt;script&gt;" in str(t["customdata"]) for t in json.loads(fig_json)["data"]
    )


def test_empty_selection_says_so():
    empty = pd.DataFrame(columns=["event_id", "date", "title", "event_type", "actors"])
    fig = charts.events_timeline(empty, pd.DataFrame({"actor_id": [], "name": [], "side": []}))
    assert fig.layout.annotations[0].text == "No events match the filters"


def test_many_events_are_counted_per_period_and_stay_small(tmp_path):
    ds = _ds(tmp_path)
    n = 20_000
    big = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "date": pd.to_datetime("2015-01-01") + pd.to_timedelta([i % 3000 for i in range(n)], unit="D"),
            "title": "t",
            "event_type": ["deployment", "exercise"] * (n // 2),
            "actors": [["rus"], ["nato", "usa"]] * (n // 2),
        }
    )
    fig = charts.events_timeline(big, ds.actors)
    assert all(t.type == "bar" for t in fig.data)
    assert sum(sum(t.y) for t in fig.data) == n
    assert len(fig.to_json()) < 200_000
    assert "counted per month" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Events per month (count)"


def test_empty_figure_puts_its_message_in_the_middle_without_axes():
    fig = charts.empty_figure("Nothing <here>", "A title", height=200)
    note = fig.layout.annotations[0]
    assert note.text == "Nothing <here>" and (note.x, note.y, note.xref, note.yref) == (0.5, 0.5, "paper", "paper")
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert fig.layout.title.text == "A title" and fig.layout.height == 200
    kept = charts.empty_figure(
        "None", "T", fig=charts.go.Figure(charts.go.Scatter(x=[None], y=[None], name="key")), keep_x_axis=True
    )
    assert kept.layout.xaxis.visible is None and kept.layout.yaxis.visible is False and kept.data[0].name == "key"


def test_every_chart_draws_the_readers_data_in_one_colour():
    import numpy as np

    from dashboard import map_figures, range_charts, ranges, statement_charts

    assert charts.USER_COLOUR not in charts.SIDE_COLOURS.values() and charts.USER_COLOUR not in charts.CATEGORY_COLOURS
    assert charts.USER_COLOUR_NAME in map_figures.USER_LEGEND  # the legend names the colour the captions name
    actors = pd.DataFrame({"actor_id": ["rus"], "name": ["Russia"], "side": ["Russia"]})
    said = pd.DataFrame(
        {
            "statement_id": ["s"],
            "date": pd.to_datetime(["2019-02-01"]),
            "speaker": ["Me"],
            "speaker_role": [""],
            "actor": ["rus"],
            "text": ["Words."],
            "quote_type": ["verbatim"],
            "topics": [[]],
            "is_user_data": [True],
        }
    )
    ring = next(t for t in statement_charts.statements_timeline(said, actors).data if t.name == "Your data (ringed)")
    mine = pd.DataFrame(
        {
            "place_id": ["m"],
            "name": ["Mine"],
            "kind": ["air_base"],
            "country": [""],
            "operator": ["rus"],
            "lat": [55.0],
            "lon": [37.0],
            "is_user_data": [True],
        }
    )
    places = ranges.add_flight_times(ranges.place_distances(56.0, 38.0, mine), 800.0).assign(side="Russia")
    fig = range_charts.ring_map(
        launch_name="X",
        lat=56.0,
        lon=38.0,
        range_km=500.0,
        range_label="r",
        side="Russia",
        places=places,
        outlines=(np.empty(0), np.empty(0)),
    )
    yours = next(t for t in fig.data if (t.name or "").startswith("Your data"))
    assert ring.marker.color == yours.marker.line.color == charts.USER_COLOUR
