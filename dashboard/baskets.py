"""Launch baskets: the area from which a missile system could reach a target, where its operator could launch it from.

Usable from a notebook without Streamlit:

    from dashboard.baskets import launch_basket, basket_area_km2, sites_in_basket, build_launch_territory

    basket = launch_basket(52.52, 13.405, 2500, ("rus",))   -> shapely Polygon or MultiPolygon, EPSG:4326
    basket_area_km2(basket)                                  -> km², geodesic on WGS84
    sites_in_basket(basket, places, 52.52, 13.405, states)  -> DataFrame of the known sites inside, nearest first

Geometry: a launch point can reach the target exactly when the target can "reach" the launch point, so the
reach area is the geodesic circle of the range round the target (ranges.range_ring: WGS84, correct across
the antimeridian and round the poles), intersected with the operator's launch territory. Areas are
geodesic (pyproj Geod.geometry_area_perimeter) after densifying every edge to 0.1°.

Where an operator can launch from (LaunchTerritory), from the data:

1. Launch states. The operator itself if it is a state, and every state actor (actors.csv `kind` state) on
   its side (`side`: NATO or Russia) or sharing an alliance with it (`member_of`). So US systems launch
   from the United States and every NATO member, Russian systems from Russia (Kaliningrad included) and
   Belarus, Soviet ones from the states on Russia's side today. An actor on no side (`Other`) launches
   from its own territory and its alliances' members only.
2. A state's territory. The country (data/countries.geojson) of the capital it holds in places.csv
   (`kind` capital, `operator` the state); else the country whose ISO 3166-1 alpha-3 code is its
   actor_id (data/country_codes.csv).
3. Occupied territory. Areas in data/occupied_areas.geojson whose `occupied_by` is a launch state's
   country: Crimea for Russia.

The places' operators check the rule: every base the data gives an operator (LAUNCH_SITE_KINDS) lies in
its launch territory (tests/test_baskets.py). A sea- or air-launched system can also be fired from beyond
this territory; the basket shows where it could be fired from land its side holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from dashboard import ranges

# Places from which a missile could be, or has been, launched; the sites a basket lists.
LAUNCH_SITE_KINDS = ("missile_brigade", "army_base", "air_base", "naval_base", "test_range", "missile_defence")
AREA_DENSIFY_DEG = 0.1  # edges are straight in lon/lat; measured as geodesics they must be short
SIDES_WITH_ALLIES = ("NATO", "Russia")
SITE_COLUMNS = ["place_id", "name", "kind", "country", "operator", "lat", "lon", "distance_km", "start_date", "end_date"]


@dataclass(frozen=True)
class LaunchTerritory:
    """Where the `operators` can launch from: the launch states, their countries and occupied areas, as one geometry."""

    operators: tuple[str, ...]
    states: tuple[str, ...]  # actor ids
    countries: tuple[str, ...]  # names as in data/countries.geojson
    occupied: tuple[str, ...]  # names of occupied areas included
    geometry: Polygon | MultiPolygon = field(repr=False)
    # The geometry's polygons, their geodesic areas (km²) and an index of them: a basket takes the polygons that lie
    # wholly in reach as they are, with their areas measured once, and cuts and measures only those the circle crosses.
    parts: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=object))
    part_areas_km2: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0))
    tree: shapely.STRtree | None = field(repr=False, default=None)


def launch_states(operators: Iterable[str], actors: pd.DataFrame) -> tuple[str, ...]:
    """Actor ids of the states the `operators` can launch from (rule 1 of the module docstring), sorted."""
    kind = dict(zip(actors["actor_id"], actors["kind"], strict=True))
    side = dict(zip(actors["actor_id"], actors["side"], strict=True))
    alliances = {
        a: set(m) if isinstance(m, list | tuple) else set()
        for a, m in zip(actors["actor_id"], actors.get("member_of", pd.Series([[]] * len(actors))), strict=True)
    }
    states = {a for a, k in kind.items() if k == "state"}
    out: set[str] = set()
    for op in operators:
        if op in states:
            out.add(op)
        mine = alliances.get(op, set()) | ({op} if kind.get(op) == "alliance" else set())
        out |= {s for s in states if alliances[s] & mine}
        if side.get(op) in SIDES_WITH_ALLIES:
            out |= {s for s in states if side[s] == side[op]}
    return tuple(sorted(out))


def state_countries(states: Iterable[str], places: pd.DataFrame, country_codes: pd.DataFrame) -> dict[str, str]:
    """actor_id → country name in data/countries.geojson (rule 2); states with neither a capital nor a code are left out."""
    capitals = places[places["kind"] == "capital"]
    by_capital = dict(zip(capitals["operator"], capitals["country"], strict=True))
    by_code = dict(zip(country_codes["iso_a3"].str.lower(), country_codes["country"], strict=True))
    out = {}
    for s in states:
        name = by_capital.get(s) or by_code.get(str(s).lower(), "")
        if isinstance(name, str) and name:
            out[s] = name
    return out


def build_launch_territory(
    operators: Iterable[str],
    *,
    actors: pd.DataFrame,
    places: pd.DataFrame,
    country_codes: pd.DataFrame,
    countries: pd.DataFrame,
    occupied: pd.DataFrame,
) -> LaunchTerritory:
    """The launch territory of `operators` (actor ids) by the rule in the module docstring, as one valid geometry."""
    ops = tuple(dict.fromkeys(operators))
    states = launch_states(ops, actors)
    names = sorted(set(state_countries(states, places, country_codes).values()))
    geoms = list(countries.loc[countries["name"].isin(names), "geometry"])
    taken = occupied[occupied["occupied_by"].isin(names)]
    geoms += list(taken.geometry)
    union = shapely.union_all(geoms) if geoms else MultiPolygon()
    polys = [p for p in shapely.get_parts(union) if isinstance(p, Polygon) and not p.is_empty]
    geometry = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    shapely.prepare(geometry)
    parts = np.array(polys, dtype=object)
    areas = np.array([basket_area_km2(p) for p in polys], dtype=float)
    return LaunchTerritory(ops, states, tuple(names), tuple(taken["name"]), geometry, parts, areas, shapely.STRtree(parts))


def _territory_from_data(operators: tuple[str, ...]) -> LaunchTerritory:
    from dashboard import data

    ds = data.load_dataset()
    return build_launch_territory(
        operators,
        actors=ds.actors,
        places=ds.places,
        country_codes=data.load_country_codes(),
        countries=data.load_countries(),
        occupied=data.load_occupied_areas(),
    )


def launch_basket(
    lat: float, lon: float, range_km: float, operators: Iterable[str], territory: LaunchTerritory | None = None
) -> Polygon | MultiPolygon:
    """Where a missile of `range_km` fired by `operators` (actor ids) could reach the target at (lat, lon) from.

    The geodesic circle of `range_km` round the target, intersected with the operators' launch territory:
    a Polygon or MultiPolygon in EPSG:4326 (lon, lat degrees), empty when no launch territory is in reach.
    `territory` (build_launch_territory for the same operators) saves rebuilding it; by default it is
    built from the curated data. Raises ValueError for a bad point or range.
    """
    ops = tuple(dict.fromkeys(operators))
    ranges._require(ranges.check_point(lat, lon) + ranges.check_range(range_km))
    if territory is None:
        territory = _territory_from_data(ops)
    elif territory.operators != ops:
        raise ValueError(f"The territory was built for {territory.operators}, not {ops}.")
    return measure_basket(lat, lon, range_km, territory)[0]


def measure_basket(lat: float, lon: float, range_km: float, territory: LaunchTerritory) -> tuple[Polygon | MultiPolygon, float]:
    """(launch basket, its geodesic area in km²) for a target, a range and a built territory (see launch_basket).

    The territory's polygons wholly inside the circle are kept whole with the areas measured when it was built;
    only those the circle crosses are cut and measured, so that a basket of a whole alliance costs little.
    """
    ranges._require(ranges.check_point(lat, lon) + ranges.check_range(range_km))
    if not len(territory.parts) or territory.tree is None:
        return MultiPolygon(), 0.0
    reach = ranges.range_ring(lat, lon, range_km)
    shapely.prepare(reach)
    candidates = territory.tree.query(reach, predicate="intersects")
    whole = shapely.covered_by(territory.parts[candidates], reach)
    cut = [
        p
        for g in shapely.intersection(territory.parts[candidates[~whole]], reach)
        for p in shapely.get_parts(g)
        if isinstance(p, Polygon) and not p.is_empty
    ]
    polys = [*territory.parts[candidates[whole]], *cut]
    area = float(territory.part_areas_km2[candidates[whole]].sum()) + sum(basket_area_km2(p) for p in cut)
    if not polys:
        return MultiPolygon(), 0.0
    return (polys[0] if len(polys) == 1 else MultiPolygon(polys)), area


def basket_area_km2(geometry) -> float:
    """Area in km² on the WGS84 ellipsoid of an EPSG:4326 (Multi)Polygon (edges densified to AREA_DENSIFY_DEG first)."""
    if geometry is None or geometry.is_empty:
        return 0.0
    area_m2, _ = ranges.GEOD.geometry_area_perimeter(shapely.segmentize(geometry, AREA_DENSIFY_DEG))
    return abs(float(area_m2)) / 1e6


def sites_in_basket(
    basket, places: pd.DataFrame, target_lat: float, target_lon: float, states: Iterable[str] = ()
) -> pd.DataFrame:
    """Known launch sites (LAUNCH_SITE_KINDS) inside the basket, nearest to the target first.

    Only sites operated by one of `states` (actor ids; all operators when empty). Columns: place_id, name, kind,
    country, operator, lat, lon (degrees), distance_km (geodesic to the target), start_date, end_date
    (where the frame has them), and is_user_data when the frame has it.
    """
    wanted = places["kind"].isin(LAUNCH_SITE_KINDS)
    states = tuple(states)
    if states:
        wanted &= places["operator"].isin(states)
    part = places[wanted]
    columns = [c for c in [*SITE_COLUMNS, "is_user_data"] if c in part.columns or c == "distance_km"]
    if basket is None or basket.is_empty or part.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    lon = part["lon"].to_numpy(float)
    lat = part["lat"].to_numpy(float)
    inside = shapely.contains_xy(basket, lon, lat)
    part = part[inside]
    dist, _ = ranges.geodesic_distances_km(target_lat, target_lon, lat[inside], lon[inside])
    out = pd.DataFrame(part.drop(columns="geometry", errors="ignore")).assign(distance_km=dist)
    return out[columns].sort_values("distance_km", kind="stable").reset_index(drop=True)


def nearest_site(sites: pd.DataFrame) -> pd.Series | None:
    """The first row of a sites_in_basket frame (the site nearest the target), or None when there is none."""
    return None if sites.empty else sites.iloc[0]
