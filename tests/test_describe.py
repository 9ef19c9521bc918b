"""Text versions of the figures: the same facts as the figure's data, short lists cut with a count of the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import describe, range_charts
from dashboard.charts import humanise

ACTORS = pd.DataFrame(
    {"actor_id": ["usa", "rus", "fin"], "name": ["United States", "Russia", "Finland"], "side": ["NATO", "Russia", "Other"]}
)


def events_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2014-03-01", "2014-07-01", "2019-08-02", "2019-09-01", "2021-01-01"]),
            "event_type": ["deployment", "exercise", "treaty_milestone", "deployment", "exercise"],
            "actors": [["usa"], ["rus"], ["usa", "rus"], ["fin"], ["rus"]],
        }
    )


def test_timeline_text_counts_each_year_by_type_as_the_chart_does():
    events = events_frame()
    text = describe.timeline_text(events, ACTORS, "event_type")
    table = text.table.set_index("Year")
    assert list(table.index) == ["2014", "2019", "2021"]
    for (year, kind), n in events.groupby([events["date"].dt.year, "event_type"]).size().items():
        assert table.loc[str(year), humanise(kind)] == str(n)
    assert table["All events"].tolist() == ["2", "2", "1"]
    assert "5 events from 2014 to 2021" in text.sentences
    assert "Deployment 2" in text.sentences and "Exercise 2" in text.sentences


def test_timeline_text_by_actor_counts_an_event_on_each_of_its_actors_sides():
    text = describe.timeline_text(events_frame(), ACTORS, "actor")
    table = text.table.set_index("Year")
    assert table.loc["2019", "NATO"] == "1" and table.loc["2019", "Russia"] == "1" and table.loc["2019", "Other"] == "1"
    assert table.loc["2019", "All events"] == "2"  # two events, three sides
    assert "Russia 3, NATO 2, Other 1" in text.sentences  # largest first


def test_timeline_text_for_no_events_says_so():
    text = describe.timeline_text(events_frame().iloc[0:0], ACTORS)
    assert text.sentences == "No events match the filters." and text.table.empty


def places_frame(n: int = 3) -> pd.DataFrame:
    names = ["Kaliningrad", "Ämari", "Deveselu", *[f"Site {i:05d}" for i in range(max(n - 3, 0))]][:n]
    return pd.DataFrame(
        {
            "place_id": [f"p{i}" for i in range(n)],
            "name": names,
            "kind": (["naval_base", "air_base", "missile_defence"] * n)[:n],
            "operator": (["rus", "usa", ""] * n)[:n],
            "country": (["Russia", "Estonia", "Romania"] * n)[:n],
        }
    )


def test_map_text_lists_each_place_with_kind_side_and_country():
    text = describe.map_text(places_frame(), ACTORS, "Wider Europe", "2020-01-01", in_view=[False, True, True])
    rows = {r["Place"]: r for r in text.table.to_dict("records")}
    assert rows["Kaliningrad"] == {
        "Place": "Kaliningrad",
        "Kind": "Naval base",
        "Operator (side)": "Russia (Russia)",
        "Country": "Russia",
        "In this view": "no: pan to see it",
    }
    assert text.table["Place"].tolist() == ["Ämari", "Deveselu", "Kaliningrad"]  # in view first, then by name
    assert rows["Ämari"]["Operator (side)"] == "United States (NATO)" and rows["Ämari"]["Kind"] == "Air base"
    assert rows["Deveselu"]["Operator (side)"] == "none (Other)"
    assert "3 places" in text.sentences and "1 of them lie outside" in text.sentences
    assert "NATO side 1" in text.sentences and "Russia side 1" in text.sentences and "other or no side 1" in text.sentences
    assert text.note == ""


def test_map_text_cuts_a_long_list_and_counts_the_rest():
    places = places_frame(100_000)
    text = describe.map_text(places, ACTORS, "Baltic", "2020-01-01")
    assert len(text.table) == describe.MAX_ROWS
    assert text.note.startswith(f"… and {100_000 - describe.MAX_ROWS:,} more places")
    assert "100,000 places" in text.sentences
    assert text.table["Place"].tolist()[:3] == ["Ämari", "Deveselu", "Kaliningrad"]


def test_ring_map_text_puts_places_and_countries_in_their_bands():
    places = pd.DataFrame({"name": ["A", "B", "C", "D"], "distance_km": [0.0, 300.0, 700.0, 1_200.0]})
    countries = pd.DataFrame({"country": ["Poland", "Germany"], "nearest_km": [0.0, 650.0]})
    rings = describe.ring_map_rings("Test, 1,100 km", 1_100.0, None, [range_charts.OverlayRing("Other, 800 km", 800.0)])
    text = describe.ring_map_text("Here", 1_100.0, rings, places, countries)
    bands = text.table.set_index("Band")
    assert len(bands) == 3  # under 500, 500–1,000, 1,000–1,100 (cut at the range)
    under, shorter, inter = bands.index
    assert bands.loc[under, "Places"] == "2" and bands.loc[under, "Nearest places"] == "A and B"
    assert bands.loc[shorter, "Places"] == "1" and bands.loc[shorter, "Countries (nearest territory)"] == "Germany"
    assert bands.loc[inter, "Nearest places"] == "none" and "up to the range of 1,100 km" in inter
    assert "Range drawn: Test, 1,100 km at 1,100 km (thick solid)" in text.sentences
    assert "Compared: Other, 800 km at 800 km (dashed)" in text.sentences  # the first overlay's line style
    assert "Compared: Other, 800 km: 3 places" in text.sentences
    assert "Treaty threshold at 5,500 km (thin dashed grey)" in text.sentences


def test_name_list_cuts_with_a_count():
    assert describe.name_list(["a", "b", "c"]) == "a, b and c"
    assert describe.name_list([f"n{i}" for i in range(10)], 2) == "n0, n1 and 8 more"
    assert describe.name_list(["a"], total=5) == "a and 4 more"


def test_statements_timeline_text_counts_per_actor_and_year():
    statements = pd.DataFrame(
        {"actor": ["rus", "rus", "usa", "rus"], "date": pd.to_datetime(["2019-02-20", "2019-03-01", "2018-10-20", "2021-01-01"])}
    )
    text = describe.statements_timeline_text(statements, ACTORS)
    first = text.table.iloc[0]
    assert (first["Actor"], first["Side"], first["Statements"], first["Per year"]) == (
        "Russia",
        "Russia",
        "3",
        "2019: 2, 2021: 1",
    )
    assert "4 statements by 2 actors from 2018 to 2021" in text.sentences


def test_play_text_counts_places_standing_per_side_at_each_step():
    places = places_frame()
    standing = np.array([[True, False, False], [True, True, True]])
    text = describe.play_text(places, ACTORS, ["2013", "2014"], standing)
    assert text.table.to_dict("records") == [
        {"Step": "2013", "NATO side": "0", "Russia side": "1", "other or no side": "0", "All places": "1"},
        {"Step": "2014", "NATO side": "1", "Russia side": "1", "other or no side": "1", "All places": "3"},
    ]


def test_range_chart_text_lists_every_system_shortest_first():
    catalogue = pd.DataFrame(
        {
            "name": ["Long", "Short"],
            "operator_name": ["Russia", "United States"],
            "side": ["Russia", "NATO"],
            "range_km_min": [2_000.0, 499.0],
            "range_km_max": [2_500.0, 499.0],
            "headline_range": ["2,500 km", "499 km"],
            "inf_class": ["intermediate-range (1,000–5,500 km)", "below the band (<500 km)"],
        }
    )
    text = describe.range_chart_text(catalogue)
    assert text.table["System"].tolist() == ["Short", "Long"]
    assert text.table["Range (lowest figure to headline)"].tolist() == ["499 km", "2,000 km to 2,500 km"]
    assert "2 missile systems" in text.sentences
