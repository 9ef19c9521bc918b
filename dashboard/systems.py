"""Every missile system at once from one launch point: its range and the spread of its claims, its treaty class,
the capitals and places it reaches, and its flight time to a chosen target.

Usable from a notebook without Streamlit:

    from dashboard.systems import every_system
    every_system(54.71, 20.45, missiles, actors, claims, places, target=(52.52, 13.405))
        -> DataFrame, one row per system, shortest range first (columns in SYSTEM_COLUMNS)

A system reaches a place when the place's geodesic distance (WGS84) from the launch point is at most the
system's headline range (`range_km_max`, the range its ring is drawn at). Flight times use the models of
dashboard.ranges: cruise missiles fly at the given constant speed; every other type (ballistic, glide,
others) is timed by the minimum-energy ballistic trajectory, a reference rather than a prediction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import ranges, schema

SYSTEM_COLUMNS = [
    "system_id",
    "name",
    "operator_name",
    "side",
    "missile_type",
    "basing",
    "range_km",
    "range_is_lower_bound",
    "headline_range",
    "claims_min_km",
    "claims_max_km",
    "claims",
    "inf_class",
    "capitals_reached",
    "capitals",
    "places_reached",
    "target_km",
    "reaches_target",
    "flight_min",
    "flight_model",
]


def _claim_spread(claims: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Lowest and highest claimed range and the number of claims per system (the catalogue's min–max when none)."""
    spread = claims.groupby("system_id")["range_km"].agg(["min", "max", "size"])
    ids = catalogue["system_id"]
    lo = ids.map(spread["min"]).fillna(catalogue["range_km_min"]).to_numpy(float)
    hi = ids.map(spread["max"]).fillna(catalogue["range_km_max"]).to_numpy(float)
    return pd.DataFrame({"claims_min_km": lo, "claims_max_km": hi, "claims": ids.map(spread["size"]).fillna(0).astype("int64")})


def flight_minutes(distance_km: float, missile_types: pd.Series, speed_kmh: float) -> tuple[np.ndarray, np.ndarray]:
    """Flight time (minutes) over `distance_km` for each missile type, and the model named for each."""
    cruise = (missile_types == "cruise").to_numpy()
    ballistic_min = ranges.flight_time_ballistic_s(distance_km) / 60.0
    cruise_min = ranges.flight_time_cruise_s(distance_km, speed_kmh) / 60.0
    minutes = np.where(cruise, cruise_min, ballistic_min)
    models = np.where(cruise, f"cruise at {speed_kmh:,.0f} km/h", "minimum-energy ballistic")
    return minutes, models.astype(object)


def every_system(
    lat: float,
    lon: float,
    missiles: pd.DataFrame,
    actors: pd.DataFrame,
    claims: pd.DataFrame,
    places: pd.DataFrame,
    target: tuple[float, float] | None = None,
    speed_kmh: float = ranges.DEFAULT_CRUISE_SPEED_KMH,
) -> pd.DataFrame:
    """One row per missile system of `missiles` as seen from the launch point, shortest range first.

    `places`: every place with name, kind and distance_km from this launch point (ranges.places_in_reach).
    Columns: system_id, name, operator_name, side, missile_type, basing, range_km (headline range),
    range_is_lower_bound, headline_range (text: "more than 1,000 km" for a floor), claims_min_km, claims_max_km, claims (number of published claims), inf_class,
    capitals_reached (count), capitals (names, nearest first, '; '-joined), places_reached (count),
    target_km (geodesic distance to `target`), reaches_target, flight_min (to the target when in reach, else
    NaN), flight_model. The target columns are NaN / False without a target.
    """
    ranges._require(ranges.check_point(lat, lon) + ranges.check_speed(speed_kmh))
    catalogue = ranges.missile_catalogue(missiles, actors)
    reach = catalogue["range_km_max"].to_numpy(float)
    dist = np.sort(places["distance_km"].to_numpy(float))
    capitals = places[places["kind"] == "capital"].sort_values("distance_km", kind="stable")
    cap_dist = capitals["distance_km"].to_numpy(float)
    cap_names = capitals["name"].astype(str).tolist()
    n_caps = np.searchsorted(cap_dist, reach, side="right")
    lower = np.asarray(ranges.lower_bound_flags(catalogue), dtype=bool)
    out = pd.DataFrame(
        {
            "system_id": catalogue["system_id"],
            "name": catalogue["name"],
            "operator_name": catalogue["operator_name"],
            "side": catalogue["side"],
            "missile_type": catalogue["missile_type"],
            "basing": catalogue["basing"],
            "range_km": reach,
            "range_is_lower_bound": lower,
            "headline_range": [schema.range_label(r, f) for r, f in zip(reach, lower, strict=True)],
            **_claim_spread(claims, catalogue).to_dict("series"),
            "inf_class": catalogue["inf_class"],
            "capitals_reached": n_caps.astype("int64"),
            "capitals": ["; ".join(cap_names[:k]) for k in n_caps],
            "places_reached": np.searchsorted(dist, reach, side="right").astype("int64"),
        }
    )
    if target is None:
        return out.assign(target_km=np.nan, reaches_target=False, flight_min=np.nan, flight_model="")[SYSTEM_COLUMNS]
    ranges._require(ranges.check_point(*target))
    target_km = float(ranges.geodesic_distances_km(lat, lon, [target[0]], [target[1]])[0][0])
    minutes, models = flight_minutes(target_km, catalogue["missile_type"], speed_kmh)
    reaches = reach >= target_km
    return out.assign(
        target_km=target_km, reaches_target=reaches, flight_min=np.where(reaches, minutes, np.nan), flight_model=models
    )[SYSTEM_COLUMNS]
