"""Every system at once: what each reaches from one launch point, the spread of its claims, and its flight time to a target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import ranges, systems
from tests import fixtures


@pytest.fixture(scope="module")
def frames():
    actors = pd.DataFrame(fixtures.actors()).assign(member_of=lambda f: f["member_of"].map(lambda m: [m] if m else []))
    missiles = pd.DataFrame(fixtures.missiles()).assign(
        range_km_min=lambda f: f["range_km_min"].astype(float),
        range_km_max=lambda f: f["range_km_max"].astype(float),
        inf_class="",
        status="",
    )
    claims = pd.DataFrame({"system_id": ["9m729", "9m729"], "range_km": [480.0, 2500.0]})  # none for Pershing II
    places = pd.DataFrame(
        {
            "name": ["Near capital", "Base", "Far capital", "Very far"],
            "kind": ["capital", "air_base", "capital", "city"],
            "distance_km": [400.0, 900.0, 1800.0, 3000.0],
        }
    )
    return missiles, actors, claims, places


def test_each_system_reaches_what_lies_within_its_range(frames):
    missiles, actors, claims, places = frames
    table = systems.every_system(54.7, 20.5, missiles, actors, claims, places).set_index("system_id")
    assert list(table.reset_index().columns) == systems.SYSTEM_COLUMNS
    assert table.loc["9m729", "places_reached"] == 3 and table.loc["9m729", "capitals_reached"] == 2  # 2,500 km
    assert table.loc["9m729", "capitals"] == "Near capital; Far capital"
    assert table.loc["pershing2", "places_reached"] == 2 and table.loc["pershing2", "capitals"] == "Near capital"  # 1,770 km
    assert (table.loc["9m729", "claims_min_km"], table.loc["9m729", "claims_max_km"], table.loc["9m729", "claims"]) == (
        480,
        2500,
        2,
    )
    assert table.loc["pershing2", "claims"] == 0 and table.loc["pershing2", "claims_min_km"] == 1770  # no claims: the catalogue's
    assert table.loc["9m729", "operator_name"] == "Russia" and table.loc["9m729", "headline_range"] == "2,500 km"
    assert not table["reaches_target"].any() and table["flight_min"].isna().all()


def test_flight_time_to_a_target_by_the_model_of_each_type(frames):
    missiles, actors, claims, places = frames
    target = (52.52, 13.40)  # Berlin, about 545 km from Kaliningrad
    distance = ranges.geodesic_distances_km(54.7, 20.5, [target[0]], [target[1]])[0][0]
    table = systems.every_system(54.7, 20.5, missiles, actors, claims, places, target, speed_kmh=900).set_index("system_id")
    assert table["target_km"].tolist() == pytest.approx([distance, distance])
    assert table.loc["9m729", "flight_min"] == pytest.approx(distance / 900 * 60)  # cruise
    assert table.loc["9m729", "flight_model"] == "cruise at 900 km/h"
    assert table.loc["pershing2", "flight_min"] == pytest.approx(ranges.flight_time_ballistic_s(distance) / 60)
    far = systems.every_system(54.7, 20.5, missiles, actors, claims, places, (38.9, -77.0)).set_index("system_id")
    assert not far["reaches_target"].any() and np.isnan(far["flight_min"]).all()  # Washington: out of reach of both
