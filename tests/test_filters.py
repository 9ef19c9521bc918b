"""Shared filters: parsing links (including bad ones), writing them back, and applying them."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.data import load_dataset
from dashboard.filters import Filters, filter_events, filter_places, filter_statements, filters_to_params, parse_filters
from tests import fixtures

REGIONS = ("Black Sea", "Baltic", "Elsewhere")
ACTORS = ("nato", "usa", "rus", "bgr")
BOUNDS = (date(1979, 1, 1), date(2026, 1, 1))


def parse(params):
    return parse_filters(params, REGIONS, ACTORS, BOUNDS)


def test_valid_values_round_trip():
    f = Filters(("Black Sea", "Baltic"), ("nato",), date(2014, 1, 1), date(2019, 12, 31))
    parsed = parse(filters_to_params(f))
    assert parsed.filters == f
    assert parsed.notices == []


def test_defaults_make_an_empty_query_string():
    assert filters_to_params(Filters()) == {}


def test_values_are_matched_case_insensitively_and_deduplicated():
    parsed = parse({"region": ["black sea", "BLACK SEA"], "actor": ["NATO,rus"]})
    assert parsed.filters.regions == ("Black Sea",)
    assert parsed.filters.actors == ("nato", "rus")


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"region": ["Atlantis"]}, "Ignored unknown region “Atlantis”"),
        ({"actor": ["<script>"]}, "Ignored unknown actor “<script>”"),
        ({"from": ["2019-02-30"]}, "Ignored the start date “2019-02-30”"),
        ({"to": ["yesterday"]}, "Ignored the end date “yesterday”"),
        ({"from": ["1900-01-01"]}, "outside the data"),
        ({"from": ["2019-01-01"], "to": ["2018-01-01"]}, "start date in the link was after the end date"),
    ],
)
def test_bad_values_are_dropped_with_a_notice(params, notice):
    parsed = parse(params)
    assert any(notice in n for n in parsed.notices), parsed.notices


def test_out_of_range_date_is_clamped():
    parsed = parse({"from": ["1900-01-01"]})
    assert parsed.filters.date_from == BOUNDS[0]


def test_very_long_value_is_truncated_in_the_notice():
    parsed = parse({"region": ["x" * 10000]})
    assert parsed.filters.regions == ()
    assert len(parsed.notices[0]) < 200


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    return load_dataset(fixtures.write_dataset(tmp_path_factory.mktemp("d") / "data"))


def test_filter_events_by_region_actor_and_date(ds):
    assert set(filter_events(ds.events, Filters(regions=("Black Sea",)))["event_id"]) == {"2019-03-01-sofia"}
    assert set(filter_events(ds.events, Filters(actors=("rus",)))["event_id"]) == {"1987-12-08-signed", "2016-06-01-kaliningrad"}
    assert set(filter_events(ds.events, Filters(date_from=date(2016, 1, 1), date_to=date(2017, 1, 1)))["event_id"]) == {
        "2016-06-01-kaliningrad"
    }
    assert len(filter_events(ds.events, Filters())) == len(ds.events)


def test_filter_statements_by_actor_and_region(ds):
    assert list(filter_statements(ds.statements, Filters(actors=("rus",)))["statement_id"]) == ["2019-02-20-putin"]
    assert list(filter_statements(ds.statements, Filters(regions=("Black Sea",)))["statement_id"]) == ["2019-03-01-stoltenberg"]


def test_filter_places_by_operator_and_existence_in_the_range(ds):
    assert set(filter_places(ds.places, Filters(actors=("usa",)))["place_id"]) == {"deveselu"}
    # Deveselu opened in 2016: not there in a range ending in 2010.
    assert "deveselu" not in set(filter_places(ds.places, Filters(date_to=date(2010, 1, 1)))["place_id"])
    assert "deveselu" in set(filter_places(ds.places, Filters(date_to=date(2020, 1, 1)))["place_id"])


def test_a_filter_that_keeps_every_row_hands_back_the_frame_itself(tmp_path):
    ds = load_dataset(fixtures.write_dataset(tmp_path / "data"))
    everything = Filters(regions=tuple(REGIONS))
    assert filter_events(ds.events, everything) is ds.events
    assert filter_statements(ds.statements, Filters()) is ds.statements
    assert filter_places(ds.places, Filters()) is ds.places
    some = filter_events(ds.events, Filters(regions=("Baltic",)))
    assert some is not ds.events and len(some) < len(ds.events)
