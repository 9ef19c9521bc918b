"""Geodesy and flight times: rings against pyproj's geodesic inverse, poles, the antimeridian, countries, Kepler."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as hs
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box

from dashboard import data, ranges
from dashboard.ranges import (
    countries_in_range,
    flight_time_ballistic_s,
    flight_time_cruise_s,
    range_ring,
    targets_in_range,
)

GEOD = ranges.GEOD
KALININGRAD = (54.710, 20.452)
PETROPAVLOVSK = (53.017, 158.650)  # Kamchatka: a 2,000 km ring crosses the antimeridian
MCMURDO = (-77.846, 166.676)  # a 1,500 km ring encloses the South Pole and crosses the antimeridian


def geodesic_km(lat, lon, lats, lons):
    _, _, d = GEOD.inv(np.full(len(lats), lon), np.full(len(lats), lat), np.asarray(lons), np.asarray(lats))
    return np.asarray(d) / 1000.0


def ring_vertices_on_circle(geom) -> np.ndarray:
    """Vertices of the polygon that lie on the circle (not the corners added along a pole)."""
    xy = shapely.get_coordinates(geom)
    return xy[np.abs(xy[:, 1]) < 90.0 - 1e-9]


def agreement_on_grid(geom, lat, lon, range_km, margin_km=25.0, step=2.5):
    """Points of a global grid: contained in the polygon exactly when the geodesic distance is within range."""
    lons, lats = np.meshgrid(np.arange(-179.9, 180, step), np.arange(-89.0, 89.5, step))
    lons, lats = lons.ravel(), lats.ravel()
    dist = geodesic_km(lat, lon, lats, lons)
    clear = np.abs(dist - range_km) > margin_km  # leave out points within the discretisation margin of the circle
    inside = shapely.contains_xy(geom, lons[clear], lats[clear])
    wrong = inside != (dist[clear] <= range_km)
    return int(wrong.sum()), int(clear.sum()), int((dist[clear] <= range_km).sum())


@pytest.mark.parametrize(
    ("point", "range_km"),
    [
        (KALININGRAD, 500.0),
        (KALININGRAD, 5500.0),
        (PETROPAVLOVSK, 2000.0),
        (MCMURDO, 1500.0),
        ((0.0, 0.0), 15000.0),
        ((56.85, 41.37), 2500.0),
        ((0.0, 179.9), 300.0),
    ],
)
def test_ring_vertices_lie_within_a_metre_of_the_range(point, range_km):
    geom = range_ring(*point, range_km)
    assert geom.is_valid
    xy = ring_vertices_on_circle(geom)
    assert len(xy) >= ranges.RING_VERTICES
    err_m = np.abs(geodesic_km(*point, xy[:, 1], xy[:, 0]) - range_km) * 1000.0
    assert err_m.max() < 1.0
    assert (np.abs(xy[:, 0]) <= 180.0).all()


def test_ring_from_kaliningrad_at_5500_km_encloses_the_north_pole():
    lat, lon = KALININGRAD
    geom = range_ring(lat, lon, 5500.0)
    assert isinstance(geom, Polygon)
    assert geom.bounds[0] == -180.0 and geom.bounds[2] == 180.0 and geom.bounds[3] == 90.0
    # Across the pole: northern Canada is in range, Alaska's north coast is not (reference: geodesic inverse).
    assert geodesic_km(lat, lon, [82.0], [-70.0])[0] < 5500 and geom.contains(Point(-70.0, 82.0))
    assert geodesic_km(lat, lon, [71.0], [-156.0])[0] > 5500 and not geom.contains(Point(-156.0, 71.0))
    wrong, checked, inside = agreement_on_grid(geom, lat, lon, 5500.0)
    assert inside > 500 and wrong == 0, f"{wrong} of {checked} grid points disagree with the geodesic distance"


def test_ring_across_the_antimeridian_is_split_into_a_multipolygon():
    lat, lon = PETROPAVLOVSK
    geom = range_ring(lat, lon, 2000.0)
    assert isinstance(geom, MultiPolygon) and len(geom.geoms) == 2
    west, east = sorted(geom.geoms, key=lambda g: g.bounds[0])
    assert west.bounds[0] == -180.0 and east.bounds[2] == 180.0
    assert geom.contains(Point(-175.0, 55.0)) == (geodesic_km(lat, lon, [55.0], [-175.0])[0] <= 2000.0)
    wrong, checked, inside = agreement_on_grid(geom, lat, lon, 2000.0, step=1.0)
    assert inside > 50 and wrong == 0


def test_ring_round_the_south_pole_and_across_the_antimeridian():
    lat, lon = MCMURDO
    geom = range_ring(lat, lon, 1500.0)
    assert geom.contains(Point(0.0, -89.5)) and geom.bounds[1] == -90.0
    wrong, checked, inside = agreement_on_grid(geom, lat, lon, 1500.0, step=1.0)
    assert inside > 50 and wrong == 0


def test_ring_round_both_poles_leaves_out_the_antipode():
    geom = range_ring(0.0, 0.0, 15000.0)
    assert geom.contains(Point(0.0, 89.9)) and geom.contains(Point(0.0, -89.9))
    assert not geom.contains(Point(179.0, 0.0))
    wrong, checked, _ = agreement_on_grid(geom, 0.0, 0.0, 15000.0)
    assert wrong == 0


def test_small_ring_is_a_simple_polygon_of_the_right_area():
    geom = range_ring(52.0, 13.0, 100.0)
    assert isinstance(geom, Polygon)
    area_km2 = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6
    assert area_km2 == pytest.approx(math.pi * 100.0**2, rel=0.002)  # a small geodesic circle is nearly planar


@given(lat=hs.floats(-89.0, 89.0), lon=hs.floats(-180.0, 180.0), range_km=hs.floats(50.0, 12000.0))
@settings(max_examples=40, deadline=None)
def test_any_ring_is_valid_and_exact(lat, lon, range_km):
    geom = range_ring(lat, lon, range_km)
    assert geom.is_valid and not geom.is_empty
    xy = ring_vertices_on_circle(geom)
    assert np.abs(geodesic_km(lat, lon, xy[:, 1], xy[:, 0]) - range_km).max() * 1000 < 1.0


@given(lat1=hs.floats(-90, 90), lon1=hs.floats(-180, 180), lat2=hs.floats(-90, 90), lon2=hs.floats(-180, 180))
@settings(max_examples=300, deadline=None)
def test_spherical_screen_bound_holds(lat1, lon1, lat2, lon2):
    """The countries screen relies on geodesic / spherical distance staying within 0.9944–1.0050."""
    geo = geodesic_km(lat1, lon1, [lat2], [lon2])[0]
    p, q = ranges._unit_vectors([lat1], [lon1])[0], ranges._unit_vectors([lat2], [lon2])[0]
    sph = ranges.EARTH_RADIUS_KM * math.acos(min(1.0, max(-1.0, float(p @ q))))
    if geo > 1.0:
        assert 0.9944 <= geo / sph <= 1.0050


def test_aeqd_projection_puts_ring_on_a_true_circle():
    lat, lon = KALININGRAD
    lons, lats = ranges.ring_vertices(lat, lon, 5500.0)
    x, y = ranges.project_lonlat(lons, lats, ranges.launch_projection(lat, lon))
    assert np.abs(np.hypot(x, y) - 5500.0).max() < 0.001


@pytest.mark.parametrize(
    ("lat", "lon", "range_km"),
    [
        (91.0, 0.0, 100.0),
        (0.0, -181.0, 100.0),
        (0.0, 0.0, -5.0),
        (0.0, 0.0, 0.0),
        (0.0, 0.0, 25000.0),
        (float("nan"), 0.0, 100.0),
    ],
)
def test_bad_input_raises_a_clear_value_error(lat, lon, range_km):
    with pytest.raises(ValueError, match="must be"):
        range_ring(lat, lon, range_km)


def test_check_functions_say_what_is_wrong():
    assert ranges.check_point(95, 10) == ["Latitude must be between −90 and 90 degrees (got 95)."]
    assert "Longitude" in ranges.check_point(10, "east")[0]
    assert ranges.check_point(45.5, -120) == []
    assert "more than 0 km" in ranges.check_range(-1)[0]
    assert "at most 19,000 km" in ranges.check_range(1e9)[0]
    assert ranges.check_speed(0) and ranges.check_speed(-5) and not ranges.check_speed(800)


# ---------------------------------------------------------------------------------------------
# What is in range

PLACES = pd.DataFrame(
    {
        "place_id": ["moscow", "warsaw", "anchorage", "near"],
        "name": ["Moscow", "Warsaw", "Anchorage", "Nearby"],
        "kind": ["capital", "capital", "city", "city"],
        "country": ["Russia", "Poland", "United States of America", "Russia"],
        "operator": ["rus", "pol", "usa", "rus"],
        "lat": [55.75, 52.25, 61.2, 54.8],
        "lon": [37.6, 21.0, -149.9, 20.5],
    }
)


def test_targets_in_range_are_the_places_within_geodesic_range_nearest_first():
    lat, lon = KALININGRAD
    got = targets_in_range(lat, lon, 1100.0, PLACES)
    ref = geodesic_km(lat, lon, PLACES["lat"], PLACES["lon"])
    assert list(got["place_id"]) == ["near", "warsaw", "moscow"]  # Moscow ≈ 1,090 km; Anchorage ≈ 6,900 km
    expected = dict(zip(PLACES["place_id"], ref, strict=True))
    for pid, d in zip(got["place_id"], got["distance_km"], strict=True):
        assert d == pytest.approx(expected[pid], abs=1e-6)
    assert {"place_id", "name", "kind", "country", "distance_km", "bearing_deg"} <= set(got.columns)
    assert targets_in_range(lat, lon, 5.0, PLACES).empty


def test_targets_in_range_uses_the_curated_places_by_default():
    got = targets_in_range(44.078667, 24.413417, 300.0)  # Deveselu
    assert "deveselu" in set(got["place_id"]) and "bucharest" in set(got["place_id"])
    assert "moscow" not in set(got["place_id"])


def _box_countries():
    return pd.DataFrame({"name": ["North", "East"]}).pipe(
        lambda f: __import__("geopandas").GeoDataFrame(f, geometry=[box(20, 60, 21, 61), box(30, 50, 31, 51)], crs="EPSG:4326")
    )


def test_nearest_country_distance_matches_a_hand_reference():
    countries = _box_countries()
    # From (59°N, 20.5°E) the nearest point of the box North is on its southern edge straight north.
    ref = geodesic_km(59.0, 20.5, [60.0], [20.5])[0]
    got = countries_in_range(59.0, 20.5, 600.0, countries).set_index("country")["nearest_km"]
    assert got["North"] == pytest.approx(ref, abs=0.05)
    assert "East" not in got  # ≈ 770 km away
    inside = countries_in_range(60.5, 20.5, 10.0, countries)
    assert list(inside["country"]) == ["North"] and inside["nearest_km"].iloc[0] == 0.0


@pytest.fixture(scope="module")
def world():
    countries = data.load_countries()
    return countries, ranges.build_country_index(countries)


def _aeqd_nearest_km(countries, name, lat, lon):
    """Independent method: distance from the origin to the country in an AEQD projection on the point."""
    geom = countries.loc[countries["name"] == name].to_crs(ranges.launch_projection(lat, lon)).geometry.iloc[0]
    return Point(0, 0).distance(geom)


@pytest.mark.parametrize(
    ("point", "range_km", "name", "in_range"),
    [
        (KALININGRAD, 5500.0, "Canada", True),  # across the North Pole
        (KALININGRAD, 5500.0, "Greenland", True),
        (KALININGRAD, 5500.0, "United States of America", False),
        (PETROPAVLOVSK, 2000.0, "United States of America", True),  # across the antimeridian (Aleutians)
        (PETROPAVLOVSK, 2000.0, "Japan", True),
    ],
)
def test_countries_in_range_across_pole_and_antimeridian(world, point, range_km, name, in_range):
    countries, index = world
    got = countries_in_range(*point, range_km, index).set_index("country")["nearest_km"]
    assert (name in got) == in_range
    if in_range:
        assert got[name] == pytest.approx(_aeqd_nearest_km(countries, name, *point), abs=2.0)
        # and equal to the brute-force minimum over every vertex of that country
        sel = index.owner == list(index.names).index(name)
        assert got[name] == pytest.approx(geodesic_km(*point, index.lat[sel], index.lon[sel]).min(), abs=1e-6)


def test_countries_in_range_agree_with_the_ring_polygon(world):
    countries, index = world
    lat, lon = KALININGRAD
    got = countries_in_range(lat, lon, 5500.0, index).set_index("country")["nearest_km"]
    ring = range_ring(lat, lon, 5500.0)
    for name, geom in zip(countries["name"], countries.geometry, strict=True):
        near = _aeqd_nearest_km(countries, name, lat, lon) if name in ("Canada", "Greenland", "Iceland") else None
        if name in got and got[name] < 5450:
            assert ring.intersects(geom), name
        if name not in got:
            assert ring.intersection(geom).area < 0.5, name  # at most a sliver at the edge
        if near is not None:
            assert (name in got) == (near <= 5500.0)
    assert got["Russia"] == 0.0  # Kaliningrad is in Russia
    assert got["Poland"] == pytest.approx(_aeqd_nearest_km(countries, "Poland", lat, lon), abs=1.0)


def test_screen_finds_the_true_minimum_for_many_points(world):
    _, index = world
    rng = np.random.default_rng(7)
    for lat, lon in zip(rng.uniform(-60, 80, 3), rng.uniform(-180, 180, 3), strict=True):
        fast = ranges.nearest_country_distances(lat, lon, index).set_index("country")["nearest_km"]
        brute = geodesic_km(lat, lon, index.lat, index.lon)
        ref = pd.Series(brute).groupby(index.names[index.owner]).min()
        for name in fast.index[:15]:
            if fast[name] > 0:
                assert fast[name] == pytest.approx(ref[name], abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Flight times

R, MU = ranges.EARTH_RADIUS_KM, ranges.MU_EARTH_KM3_S2


def _burnout_state(distance_km):
    """Minimum-energy launch conditions (Wheelon): flight-path angle (π − Ψ)/4, v² = (μ/R)·2 sin φ / (1 + sin φ)."""
    psi = distance_km / R
    gamma = (math.pi - psi) / 4
    v = math.sqrt(MU / R * 2 * math.sin(psi / 2) / (1 + math.sin(psi / 2)))
    return v, gamma


def _kepler_time_s(distance_km):
    """Closed-form Kepler: elements from the burnout state, twice the time from burnout to apogee."""
    v, gamma = _burnout_state(distance_km)
    h = R * v * math.cos(gamma)
    p = h * h / MU
    a = -MU / (2 * (v * v / 2 - MU / R))
    e = math.sqrt(1 - p / a)
    nu = math.acos((p / R - 1) / e)
    ecc_anom = 2 * math.atan(math.sqrt((1 - e) / (1 + e)) * math.tan(nu / 2))
    mean = ecc_anom - e * math.sin(ecc_anom)
    return 2 * math.sqrt(a**3 / MU) * (math.pi - mean)


def _integrated_time_s(distance_km, dt=0.05):
    """Numerical reference: RK4 of two-body motion from burnout until back at the surface; also the range flown."""
    v, gamma = _burnout_state(distance_km)
    s = np.array([0.0, R, v * math.cos(gamma), v * math.sin(gamma)])

    def f(s):
        r3 = (s[0] ** 2 + s[1] ** 2) ** 1.5
        return np.array([s[2], s[3], -MU * s[0] / r3, -MU * s[1] / r3])

    t = 0.0
    while True:
        k1 = f(s)
        k2 = f(s + dt / 2 * k1)
        k3 = f(s + dt / 2 * k2)
        k4 = f(s + dt * k3)
        nxt = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        if t > 1 and math.hypot(nxt[0], nxt[1]) < R:
            r0, r1 = math.hypot(s[0], s[1]), math.hypot(nxt[0], nxt[1])
            frac = (r0 - R) / (r0 - r1)
            end = s + frac * (nxt - s)
            return t + frac * dt, R * math.atan2(end[0], end[1])
        s, t = nxt, t + dt


@pytest.mark.parametrize("distance_km", [300.0, 1000.0, 2000.0, 5500.0, 10000.0])
def test_ballistic_time_matches_kepler_and_integration(distance_km):
    got = flight_time_ballistic_s(distance_km)
    assert got == pytest.approx(_kepler_time_s(distance_km), abs=0.01)  # two closed forms: agree to rounding
    t_num, flown = _integrated_time_s(distance_km)
    assert flown == pytest.approx(distance_km, rel=1e-4)  # the launch conditions do reach the target
    assert got == pytest.approx(t_num, abs=0.5)  # RK4 at 0.05 s with a linear crossing: error well under 0.5 s


def test_ballistic_time_reference_values():
    # 2,000 km: ≈ 11.7 min for a surface-to-surface minimum-energy ellipse; references quoting 10–11 min assume
    # burnout at altitude after a boost phase, which shortens the coast. Band 10.5–12.5 min covers both.
    assert 10.5 * 60 < flight_time_ballistic_s(2000.0) < 12.5 * 60
    # Half way round: the minimum-energy path is half a circular orbit at the surface, π√(R³/μ) ≈ 42.2 min.
    assert flight_time_ballistic_s(math.pi * R) == pytest.approx(math.pi * math.sqrt(R**3 / MU), rel=1e-12)
    assert flight_time_ballistic_s(0.0) == pytest.approx(0.0, abs=1e-9)
    times = flight_time_ballistic_s(np.array([500.0, 1000.0, 5500.0]))
    assert isinstance(times, np.ndarray) and np.all(np.diff(times) > 0)


def test_cruise_time_and_bad_flight_inputs():
    assert flight_time_cruise_s(800.0, 800.0) == pytest.approx(3600.0)
    assert flight_time_cruise_s(np.array([0.0, 400.0]), 800.0).tolist() == [0.0, 1800.0]
    with pytest.raises(ValueError, match="cruise speed"):
        flight_time_cruise_s(100.0, 0.0)
    with pytest.raises(ValueError, match="cruise speed"):
        flight_time_cruise_s(100.0, -800.0)
    with pytest.raises(ValueError):
        flight_time_ballistic_s(-1.0)
    with pytest.raises(ValueError):
        flight_time_ballistic_s(25000.0)


def test_flight_times_between_places_by_id():
    places = pd.DataFrame(
        {
            "place_id": ["target", "far", "near", "elsewhere"],
            "name": ["Target", "Far", "Near", "Elsewhere"],
            "lat": [55.0, 45.0, 54.0, 0.0],
            "lon": [37.0, 25.0, 36.0, 0.0],
        }
    )
    table = ranges.flight_times_between(places, "target", ("far", "near", "missing"), 800.0)
    assert table["place_id"].tolist() == ["near", "far"]  # only the sites there are, nearest first
    far_km = ranges.geodesic_distances_km(55.0, 37.0, np.array([45.0]), np.array([25.0]))[0][0]
    assert table["distance_km"].iloc[1] == pytest.approx(far_km)
    assert table["cruise_min"].iloc[1] == pytest.approx(far_km / 800.0 * 60)
    assert ranges.flight_times_between(places, "missing", ("far",), 800.0) is None
    assert ranges.flight_times_between(places, "target", ("missing",), 800.0) is None


def test_format_minutes():
    assert ranges.format_minutes(11.66) == "11.7 min"
    assert ranges.format_minutes(135.0) == "2 h 15 min"


# ---------------------------------------------------------------------------------------------
# Links and the catalogue

PLACE_COORDS = {"shuya": (56.85, 41.366667), "deveselu": (44.08, 24.41)}
SYSTEMS = {"9m729": 2500.0, "kalibr": 2600.0}


def test_parse_range_params_round_trips():
    default = ranges.RangeView()
    view = ranges.RangeView(ranges.CUSTOM, 53.0, 158.65, ranges.CUSTOM, 1234.0, 900.0, "region")
    params = ranges.range_params(view, default)
    assert params == {
        "launch": "custom",
        "lat": "53",
        "lon": "158.65",
        "system": "custom",
        "range": "1234",
        "speed": "900",
        "view": "region",
    }
    back, notices = ranges.parse_range_params(params, PLACE_COORDS, SYSTEMS, default)
    assert back == view and notices == []
    assert ranges.range_params(default, default) == {}


@pytest.mark.parametrize(
    ("params", "phrase"),
    [
        ({"launch": "atlantis"}, "unknown launch site"),
        ({"launch": "custom", "lat": "95", "lon": "10"}, "Latitude must be between"),
        ({"lat": "10", "lon": "east"}, "Longitude must be a number"),
        ({"system": "nope"}, "unknown missile system"),
        ({"system": "custom", "range": "-5"}, "more than 0 km"),
        ({"range": "1e9"}, "at most 19,000 km"),
        ({"speed": "0"}, "more than 0 km/h"),
        ({"view": "globe"}, "unknown view"),
    ],
)
def test_parse_range_params_ignores_bad_values_with_a_notice(params, phrase):
    default = ranges.RangeView()
    view, notices = ranges.parse_range_params(params, PLACE_COORDS, SYSTEMS, default)
    assert len(notices) == 1 and phrase in notices[0]
    assert view == default


def test_missile_catalogue_filters_and_claims():
    ds = data.load_dataset()
    everything = ranges.missile_catalogue(ds.missiles, ds.actors)
    assert len(everything) == len(ds.missiles)
    russian = ranges.missile_catalogue(ds.missiles, ds.actors, operators=("rus",))
    assert set(russian["operator"]) == {"rus"} and set(russian["side"]) == {"Russia"}
    nato = ranges.missile_catalogue(ds.missiles, ds.actors, operators=("nato",))
    assert "usa" in set(nato["operator"])  # an alliance includes its members
    sea = ranges.missile_catalogue(ds.missiles, ds.actors, basings=("sea",))
    assert set(sea["basing"]) == {"sea"} and "kalibr" in set(sea["system_id"])
    claims = ranges.system_claims(ds.range_claims, "9m729")
    assert claims["range_km"].min() == 480.0 and claims["range_km"].max() == 2500.0
    assert any("Russian Ministry of Defence" in c for c in claims.iloc[0]["claimants"])
    assert ranges.system_range_km(ds.missiles, "9m729") == 2500.0
    with pytest.raises(ValueError):
        ranges.system_range_km(ds.missiles, "nope")


@pytest.mark.parametrize("lon", [179.99999999999997, -180.0, 180.0, 179.9999999999, -179.99999999])
def test_ring_centred_on_the_antimeridian_is_exact(lon):
    """Regression: a launch point within rounding of ±180° once put a seam vertex 1.9 m off the circle."""
    geom = range_ring(0.0, lon, 51.0)
    assert geom.is_valid
    xy = shapely.get_coordinates(geom)
    assert xy[:, 0].min() >= -180.0 and xy[:, 0].max() <= 180.0
    _, _, dist_m = Geod(ellps="WGS84").inv(np.full(len(xy), lon), np.zeros(len(xy)), xy[:, 0], xy[:, 1])
    assert np.abs(dist_m / 1000.0 - 51.0).max() * 1000 < 1.0


def test_places_in_reach_gives_times_and_sides_and_joins_two_sets_nearest_first():
    from dashboard.data import load_dataset

    ds = load_dataset()
    reach = ranges.places_in_reach(54.63, 21.81, 800.0, ds.places, ds.actors, exclude_id="chernyakhovsk")
    assert "chernyakhovsk" not in set(reach["place_id"]) and len(reach) == len(ds.places) - 1
    assert reach["distance_km"].is_monotonic_increasing
    assert set(reach["side"]) <= {"NATO", "Russia", "Other"}
    moscow = reach.set_index("place_id").loc["moscow"]
    assert moscow["side"] == "Russia" and moscow["cruise_min"] == pytest.approx(moscow["distance_km"] / 800 * 60)
    mine = ds.places.head(2).assign(place_id=["m1", "m2"], lat=[54.7, 10.0], lon=[21.9, 10.0], is_user_data=True)
    theirs = ranges.places_in_reach(54.63, 21.81, 800.0, mine, ds.actors)
    joined = ranges.join_reach(reach.assign(is_user_data=False), theirs)
    assert len(joined) == len(reach) + 2 and joined["distance_km"].is_monotonic_increasing
    assert joined.iloc[0]["place_id"] == "m1" and bool(joined.iloc[0]["is_user_data"])


@pytest.mark.parametrize(("lat", "lon", "range_km"), [(-50.80859375, 78.84375, 5692.5), (50.80859375, -101.15625, 5692.5)])
def test_a_ring_round_a_pole_with_a_vertex_just_short_of_the_antimeridian_is_valid(lat, lon, range_km):
    # One vertex lies 0.002° short of 180°: it must not be taken for the seam crossing itself.
    geom = range_ring(lat, lon, range_km)
    assert geom.is_valid and isinstance(geom, Polygon)
    xy = ring_vertices_on_circle(geom)
    assert np.abs(geodesic_km(lat, lon, xy[:, 1], xy[:, 0]) - range_km).max() * 1000 < 1.0


# ---- Compared systems and the target, read from the link


_PLACES = {"shuya": (56.85, 41.37), "berlin": (52.52, 13.4), "moscow": (55.75, 37.6)}
_SYSTEMS = {"9m729": 2500.0, "kalibr": 2600.0, "oreshnik": 5500.0, "a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0, "e": 5.0}


def test_compared_systems_round_trip_through_the_link():
    view, notices = ranges.parse_range_params({"overlay": ["Kalibr,oreshnik", "9m729"]}, _PLACES, _SYSTEMS, ranges.RangeView())
    assert view.overlay == ("kalibr", "oreshnik") and notices == []  # the ring's own system is not compared with itself
    assert ranges.range_params(view, ranges.RangeView()) == {"overlay": "kalibr,oreshnik"}
    again, _ = ranges.parse_range_params(ranges.range_params(view, ranges.RangeView()), _PLACES, _SYSTEMS, ranges.RangeView())
    assert again == view


def test_more_than_six_compared_systems_or_unknown_ones_give_a_notice():
    view, notices = ranges.parse_range_params(
        {"overlay": "kalibr,oreshnik,a,b,c,d,e,ss-99"}, _PLACES, _SYSTEMS, ranges.RangeView()
    )
    assert view.overlay == ("kalibr", "oreshnik", "a", "b", "c", "d")
    assert any("ss-99" in n for n in notices) and any("at most 6" in n for n in notices)


def test_the_target_and_basket_system_round_trip_through_the_link():
    default = ranges.TargetView()
    view, notices = ranges.parse_target_params({"target": "moscow", "bsystem": "oreshnik"}, _PLACES, _SYSTEMS, default)
    assert (view.target, view.lat, view.lon, view.basket_system) == ("moscow", 55.75, 37.6, "oreshnik") and notices == []
    custom, _ = ranges.parse_target_params({"tlat": "64.5", "tlon": "-165.4"}, _PLACES, _SYSTEMS, default)
    assert (custom.target, custom.lat, custom.lon) == (ranges.CUSTOM, 64.5, -165.4)
    assert ranges.target_params(custom, default) == {"target": "custom", "tlat": "64.5", "tlon": "-165.4"}
    assert ranges.target_params(default, default) == {}


@pytest.mark.parametrize(
    ("link", "phrase"),
    [
        ({"target": "atlantis"}, "unknown target “atlantis”"),
        (
            {"target": "custom", "tlat": "95", "tlon": "0"},
            "Ignored the target's coordinates in the link: Latitude must be between",
        ),
        ({"bsystem": "ss-99"}, "unknown missile system for the launch basket “ss-99”"),
    ],
)
def test_bad_target_values_give_a_notice_and_the_default(link, phrase):
    view, notices = ranges.parse_target_params(link, _PLACES, _SYSTEMS, ranges.TargetView())
    assert view == ranges.TargetView() and any(phrase in n for n in notices), notices


# ---------------------------------------------------------------------------------- the notebook API's defaults


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every time the places or the country boundaries are read from their files."""
    seen: list[str] = []
    load_places, load_countries = data.load_places, data.load_countries
    monkeypatch.setattr(data, "load_places", lambda d=None: seen.append("places") or load_places(d))
    monkeypatch.setattr(data, "load_countries", lambda d=None: seen.append("countries") or load_countries(d))
    monkeypatch.setattr(ranges, "_DEFAULTS", {})
    return seen


def test_calls_without_data_read_the_default_data_once(reads):
    for _ in range(3):
        targets = ranges.targets_in_range(56.85, 41.37, 2500.0)
        countries = ranges.countries_in_range(56.85, 41.37, 2500.0)
    assert sorted(reads) == ["countries", "places"]
    assert "moscow" in set(targets["place_id"]) and "Russia" in set(countries["country"])


def test_the_defaults_follow_the_data_folder_and_its_files(reads, tmp_path, monkeypatch):
    from tests import fixtures

    curated = set(ranges.targets_in_range(56.85, 41.37, 19000.0)["place_id"])
    folder = fixtures.write_dataset(tmp_path / "data")
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    mini = set(ranges.targets_in_range(56.85, 41.37, 19000.0)["place_id"])
    assert mini == {p["place_id"] for p in fixtures.places()} and mini != curated
    rows = fixtures.places()
    rows.append({**rows[0], "place_id": "plovdiv", "name": "Plovdiv", "lat": "42.1354", "lon": "24.7453"})
    fixtures.write_table(folder, "places", rows)
    assert "plovdiv" in set(ranges.targets_in_range(56.85, 41.37, 19000.0)["place_id"])
    assert reads == ["places", "places", "places"]
