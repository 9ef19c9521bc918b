"""dashboard.sides: the side of an actor, and of a place's or a system's operator."""

from __future__ import annotations

import pandas as pd

from dashboard import sides

ACTORS = pd.DataFrame(
    {"actor_id": ["rus", "usa", "ukr"], "name": ["Russia", "United States", "Ukraine"], "side": ["Russia", "NATO", "Other"]}
)


def test_places_without_an_operator_count_as_other():
    assert list(sides.side_of(pd.Series(["usa", "", "rus", "nobody"]), ACTORS)) == ["NATO", "Other", "Russia", "Other"]


def test_missing_operators_count_as_other_and_the_index_is_kept():
    operators = pd.Series(["ukr", None, float("nan")], index=[10, 20, 30])
    result = sides.side_of(operators, ACTORS)
    assert list(result.index) == [10, 20, 30] and list(result) == ["Other", "Other", "Other"]


def test_actor_sides_is_a_lookup_by_actor_id():
    lookup = sides.actor_sides(ACTORS)
    assert lookup == {"rus": "Russia", "usa": "NATO", "ukr": "Other"}
    assert lookup.get("nobody", sides.OTHER) == "Other" and set(lookup.values()) <= set(sides.SIDES)
