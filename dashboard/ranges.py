"""Geodesy and flight times for the missile-ranges page: rings, what is in range, how long a missile takes.

Usable from a notebook without Streamlit:

    from dashboard.ranges import (range_ring, targets_in_range, countries_in_range,
                                  flight_time_ballistic_s, flight_time_cruise_s)

    range_ring(lat, lon, range_km)            -> shapely Polygon or MultiPolygon, EPSG:4326 (lon, lat
                                                 degrees), bounded by the geodesic circle on WGS84
    targets_in_range(lat, lon, range_km, places=None)
                                              -> DataFrame: place_id, name, kind, country, operator,
                                                 lat, lon, distance_km, bearing_deg (curated places by
                                                 default, via dashboard.data.load_places(), read once)
    countries_in_range(lat, lon, range_km, countries=None)
                                              -> DataFrame: country, nearest_km
    flight_time_ballistic_s(distance_km)      -> seconds (minimum-energy trajectory)
    flight_time_cruise_s(distance_km, speed_kmh) -> seconds

Latitudes and longitudes are WGS84 degrees; distances are geodesic kilometres on the WGS84
ellipsoid (pyproj.Geod, i.e. GeographicLib, accurate to a few nanometres).

Rings: vertices are placed with the geodesic direct problem, so each lies at the stated distance. A
ring that encloses a pole becomes a polygon that runs along the antimeridian up to the pole; a ring
that crosses the antimeridian is split into a MultiPolygon; the points where it crosses are solved
exactly on the circle, not interpolated.

Countries: the nearest distance to a country is the geodesic distance to the nearest vertex of its
boundary after densifying every edge to at most 0.05° (about 5.5 km), or 0 when the launch point is
inside it. A fast spherical screen picks the few candidate vertices, which are then measured on the
ellipsoid. Without `countries`, the curated boundaries are indexed on the first call and the index is kept (as are
the curated places without `places`) until a file in the data folder changes; for other boundaries, build the index
once with `build_country_index(...)` and pass it as `countries`.

Flight times: the ballistic time is that of the minimum-energy ellipse between two points on the
surface of a spherical (R = 6,371 km), non-rotating Earth with no atmosphere, with burnout at the
surface (no boost phase). Real missiles fly differently; the model is a reference, not a prediction.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient

from dashboard import schema
from dashboard.links import LinkReader, Params, echo, read_number
from dashboard.sides import OTHER, actor_sides, side_of
from dashboard.text import is_safe_url

GEOD = pyproj.Geod(ellps="WGS84")
EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for the spherical flight-time model and the screen
MU_EARTH_KM3_S2 = 398600.4418  # standard gravitational parameter GM of the Earth
MAX_RANGE_KM = 19000.0  # beyond this a "ring" is a small circle round the antipode: not a missile range
MAX_SPEED_KMH = 30000.0  # faster than any glide vehicle (Mach 25 is about 30,000 km/h)
DEFAULT_CRUISE_SPEED_KMH = 800.0  # a typical subsonic land-attack cruise missile (about Mach 0.65-0.75)
RING_VERTICES = 720  # one vertex every half degree of azimuth
DENSIFY_DEG = 0.05  # longest boundary edge kept when indexing countries (degrees)

# Screen for the nearest vertex: WGS84 geodesic / spherical (R = 6,371.0088 km) great-circle distance
# lies between 0.9944 and 1.0050 for every pair of points (tested in tests/test_ranges.py), so the
# vertex nearest on the ellipsoid lies, on the sphere, within (ellipsoidal distance of the spherically nearest
# vertex) / 0.9944. 0.994 and 1 km of slack leave room.
_RATIO_MIN = 0.994
_SCREEN_SLACK_KM = 1.0

# Azimuthal projections: AEQD centred on the launch point keeps distances from it true (PROJ solves the
# ellipsoidal case with GeographicLib), the regional view is Lambert azimuthal equal-area on EPSG:3035's
# centre (52°N 10°E) without its false origin, so the axes read km from that centre.
REGION_PROJ = "+proj=laea +lat_0=52 +lon_0=10 +ellps=GRS80 +units=km +no_defs"


# --------------------------------------------------------------------------------------------
# Checking input


def check_point(lat: object, lon: object) -> list[str]:
    """Problems with a launch point given as WGS84 degrees (empty list when it is fine)."""
    problems = []
    for value, name, limit in ((lat, "Latitude", 90.0), (lon, "Longitude", 180.0)):
        try:
            x = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"{name} must be a number of degrees (got “{echo(value, 30)}”).")
            continue
        if not math.isfinite(x) or abs(x) > limit:
            problems.append(f"{name} must be between −{limit:g} and {limit:g} degrees (got {x:g}).")
    return problems


def check_range(range_km: object) -> list[str]:
    """Problems with a range in km: it must be a number above 0 and at most MAX_RANGE_KM."""
    try:
        x = float(range_km)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return [f"The range must be a number of kilometres (got “{echo(range_km, 30)}”)."]
    if not math.isfinite(x) or x <= 0:
        return [f"The range must be more than 0 km (got {x:g} km)."]
    if x > MAX_RANGE_KM:
        return [f"The range must be at most {MAX_RANGE_KM:,.0f} km, about half way round the Earth (got {x:,.0f} km)."]
    return []


def check_speed(speed_kmh: object) -> list[str]:
    """Problems with a cruise speed in km/h: above 0 and at most MAX_SPEED_KMH."""
    try:
        x = float(speed_kmh)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return [f"The cruise speed must be a number of km/h (got “{echo(speed_kmh, 30)}”)."]
    if not math.isfinite(x) or x <= 0:
        return [f"The cruise speed must be more than 0 km/h (got {x:g} km/h)."]
    if x > MAX_SPEED_KMH:
        return [f"The cruise speed must be at most {MAX_SPEED_KMH:,.0f} km/h (got {x:,.0f} km/h)."]
    return []


def _require(problems: list[str]) -> None:
    if problems:
        raise ValueError(" ".join(problems))


# --------------------------------------------------------------------------------------------
# Distances and rings


def geodesic_distances_km(lat: float, lon: float, lats, lons) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic distance (km) and initial bearing (degrees clockwise from north, 0–360) to each point."""
    lats = np.asarray(lats, dtype=float)
    lons = np.asarray(lons, dtype=float)
    az, _, dist_m = GEOD.inv(np.full(lats.shape, float(lon)), np.full(lats.shape, float(lat)), lons, lats)
    return np.asarray(dist_m) / 1000.0, np.mod(np.asarray(az), 360.0)


def ring_vertices(lat: float, lon: float, range_km: float, n_vertices: int = RING_VERTICES) -> tuple[np.ndarray, np.ndarray]:
    """Lon and lat (degrees) of `n_vertices` points at `range_km` from the point, clockwise from north."""
    _require(check_point(lat, lon) + check_range(range_km))
    az = np.linspace(0.0, 360.0, n_vertices, endpoint=False)
    n = len(az)
    lons, lats, _ = GEOD.fwd(np.full(n, float(lon)), np.full(n, float(lat)), az, np.full(n, float(range_km) * 1000.0))
    return np.asarray(lons), np.asarray(lats)


def _wrap180(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


def _seam_crossing(lat: float, lon: float, dist_m: float, az0: float, az1: float, ul0: float, seam: float) -> float:
    """Latitude where the circle meets the meridian `seam` (unwrapped) between azimuths az0 and az1."""

    def unwrapped_lon(az: float) -> float:
        lo, _, _ = GEOD.fwd(lon, lat, az, dist_m)
        return ul0 + float(_wrap180(lo - ul0))

    for az_end in (az0, az1):  # a vertex already on the seam (to rounding) is the crossing
        if abs(unwrapped_lon(az_end) - seam) < 1e-9:
            _, la, _ = GEOD.fwd(lon, lat, az_end, dist_m)
            return float(la)
    below = unwrapped_lon(az0) < seam
    a, b = az0, az1
    for _ in range(48):  # 48 halvings of 0.5° leave 2e-15°: far below a micrometre
        mid = 0.5 * (a + b)
        if (unwrapped_lon(mid) < seam) == below:
            a = mid
        else:
            b = mid
    _, la, _ = GEOD.fwd(lon, lat, 0.5 * (a + b), dist_m)
    return float(la)


def _pole_inside(lat: float, lon: float, range_km: float, pole_lat: float) -> bool:
    _, _, d = GEOD.inv(lon, lat, lon, pole_lat)
    return d / 1000.0 < range_km


def _split_at_antimeridian(coords: np.ndarray) -> Polygon | MultiPolygon:
    """Polygon in unwrapped longitudes (may run past ±180) cut into pieces inside −180…180."""
    poly = Polygon(coords)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    parts: list[Polygon] = []
    for k in range(-2, 3):
        piece = poly.intersection(box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0))
        if piece.is_empty:
            continue
        piece = shapely.transform(piece, lambda xy, k=k: xy - np.array([360.0 * k, 0.0]))
        parts.extend(p for p in shapely.get_parts(piece) if isinstance(p, Polygon) and p.area > 0)
    parts = [orient(p) for p in parts]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def range_ring(lat: float, lon: float, range_km: float, n_vertices: int = RING_VERTICES) -> Polygon | MultiPolygon:
    """Area within `range_km` of the point as an EPSG:4326 (lon, lat) polygon bounded by the geodesic circle.

    Every vertex on the circle lies at `range_km` on WGS84 (to well under a millimetre). A ring round a
    pole is closed along the antimeridian and the pole; a ring across the antimeridian is a MultiPolygon;
    a ring round both poles is the world minus the area round the antipode.
    Raises ValueError for a point outside ±90/±180 or a range outside (0, MAX_RANGE_KM].
    """
    lons, lats = ring_vertices(lat, lon, range_km, n_vertices)
    lat, lon, dist_m = float(lat), float(lon), float(range_km) * 1000.0
    az = np.linspace(0.0, 360.0, len(lons), endpoint=False)
    ul = np.rad2deg(np.unwrap(np.deg2rad(lons)))
    # A vertex within rounding of a seam (±180 + 360k) is put exactly on it (1e-9° is ~0.1 mm), so that
    # floating-point noise in `ul + 180` cannot report a crossing that is not there.
    nearest_seam = 180.0 + 360.0 * np.round((ul - 180.0) / 360.0)
    ul = np.where(np.abs(ul - nearest_seam) < 1e-9, nearest_seam, ul)
    # Close the ring, then insert the exact points where it meets a seam (±180 + 360k).
    ul_next = np.append(ul[1:], ul[-1] + _wrap180(ul[0] - ul[-1]))
    az_next = np.append(az[1:], 360.0)
    k0, k1 = np.floor((ul + 180.0) / 360.0), np.floor((ul_next + 180.0) / 360.0)
    xs, ys = list(ul), list(lats)
    for i in reversed(np.nonzero(k0 != k1)[0].tolist()):
        seam = 180.0 + 360.0 * min(k0[i], k1[i])
        xs.insert(i + 1, seam)
        ys.insert(i + 1, _seam_crossing(lat, lon, dist_m, az[i], az_next[i], ul[i], seam))
    pts = np.column_stack([xs, ys])
    closing_x = ul[-1] + float(_wrap180(ul[0] - ul[-1]))
    winding = closing_x - ul[0]  # about 0 or ±360

    north = _pole_inside(lat, lon, range_km, 90.0)
    south = _pole_inside(lat, lon, range_km, -90.0)
    if north != south and abs(winding) > 180.0:
        return _pole_polygon(pts, winding, 90.0 if north else -90.0)
    region = _split_at_antimeridian(pts) if len(pts) > len(ul) else orient(Polygon(pts))
    if north and south:
        world = box(-180.0, -90.0, 180.0, 90.0)
        result = world.difference(region)
        polys = [orient(p) for p in shapely.get_parts(result) if isinstance(p, Polygon)]
        return polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return region


def _pole_polygon(pts: np.ndarray, winding: float, pole_lat: float) -> Polygon:
    """A ring with one pole inside: start at a seam crossing, run once round, close along the pole."""
    xs, ys = pts[:, 0].copy(), pts[:, 1].copy()
    # rtol=0: isclose's default relative tolerance would take a vertex within 0.0036° of the seam for the seam.
    off_seam = (xs + 180.0) % 360.0
    seams = np.nonzero(np.isclose(off_seam, 0.0, rtol=0.0, atol=1e-9) | np.isclose(off_seam, 360.0, rtol=0.0, atol=1e-9))[0]
    s = int(seams[0])
    xs = np.concatenate([xs[s:], xs[:s] + winding])
    ys = np.concatenate([ys[s:], ys[:s]])
    start = round(xs[0] / 180.0) * 180.0  # an exact seam value
    xs = xs - start + (-180.0 if winding > 0 else 180.0)
    xs[0] = -180.0 if winding > 0 else 180.0
    end_x = -xs[0]
    tail = np.array([[end_x, ys[0]], [end_x, pole_lat], [xs[0], pole_lat]])
    return orient(Polygon(np.vstack([np.column_stack([xs, ys]), tail])))  # from an array: far faster than tuples


def launch_projection(lat: float, lon: float) -> str:
    """PROJ string of the azimuthal equidistant projection (km) centred on the point: distances from it are true."""
    _require(check_point(lat, lon))
    return f"+proj=aeqd +lat_0={float(lat):.8f} +lon_0={float(lon):.8f} +ellps=WGS84 +units=km +no_defs"


@lru_cache(maxsize=32)
def _transformer(proj: str) -> pyproj.Transformer:
    # Building a transformer costs about 50 ms; a map projects a dozen arrays into the same projection.
    return pyproj.Transformer.from_crs("EPSG:4326", proj, always_xy=True)


def project_lonlat(lons, lats, proj: str) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat degrees into `proj` (a PROJ string in km): returns x, y in km; NaN stays NaN."""
    x, y = _transformer(proj).transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    bad = ~np.isfinite(x) | ~np.isfinite(y)
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y


# --------------------------------------------------------------------------------------------
# What is in range


def targets_in_range(lat: float, lon: float, range_km: float, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Places within `range_km` of the point, nearest first.

    Columns: place_id, name, kind, country, operator, lat, lon (degrees), distance_km (geodesic, WGS84),
    bearing_deg (initial bearing from the launch point, degrees clockwise from north).
    `places` defaults to the curated places (dashboard.data.load_places()).
    """
    _require(check_point(lat, lon) + check_range(range_km))
    all_places = place_distances(lat, lon, places)
    return all_places[all_places["distance_km"] <= float(range_km)].reset_index(drop=True)


# What a call without `places` or `countries` reads, kept per data folder until one of its files changes (name ->
# (key, value)): a notebook asks again and again, and reading the data and indexing the boundaries take most of a second.
_DEFAULTS: dict[str, tuple[tuple, object]] = {}
_DEFAULTS_LOCK = threading.Lock()


def _files_key(folder: Path, names: tuple[str, ...] | None) -> tuple:
    """Each file's name, size and modification time (every file in `folder` when `names` is None)."""
    paths = sorted(folder.iterdir()) if names is None else [folder / n for n in names]
    key = []
    for path in paths:
        if path.is_file():
            stat = path.stat()
            key.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(key)


def _remember_default(name: str, files: tuple[str, ...] | None, build: Callable[[Path], object]):
    """build(folder) for the default data folder (dashboard.data.default_data_dir()), kept until that folder, or one
    of its `files` (all of them when None), changes."""
    from dashboard.data import default_data_dir

    folder = default_data_dir().resolve()
    key = (str(folder), _files_key(folder, files))
    with _DEFAULTS_LOCK:
        hit = _DEFAULTS.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = build(folder)
    with _DEFAULTS_LOCK:
        _DEFAULTS[name] = (key, value)
    return value


def default_places() -> pd.DataFrame:
    """The curated places (dashboard.data.load_places()), read once per data folder and again when a file in it changes.

    Shared between calls: never mutate it.
    """
    from dashboard.data import load_places

    return _remember_default("places", None, load_places)


def default_country_index() -> CountryIndex:
    """build_country_index(dashboard.data.load_countries()), built once per data folder and again when its country
    boundaries change."""
    from dashboard.data import COUNTRIES_FILE, load_countries

    return _remember_default("countries", (COUNTRIES_FILE,), lambda folder: build_country_index(load_countries(folder)))


def place_distances(lat: float, lon: float, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every place with its geodesic distance_km and bearing_deg from the point, nearest first (columns as targets_in_range).

    An `is_user_data` column (the reader's own uploaded places) is kept when `places` has one.
    """
    _require(check_point(lat, lon))
    if places is None:
        places = default_places()
    cols = [c for c in ("place_id", "name", "kind", "country", "operator", "lat", "lon", "is_user_data") if c in places.columns]
    out = pd.DataFrame(places[cols]).reset_index(drop=True)
    dist, bearing = geodesic_distances_km(lat, lon, out["lat"].to_numpy(float), out["lon"].to_numpy(float))
    out["distance_km"] = dist
    out["bearing_deg"] = bearing
    return out.sort_values("distance_km", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class CountryIndex:
    """Densified boundary vertices of every country, grouped by country, ready for distance queries."""

    names: np.ndarray  # (countries,) country names
    starts: np.ndarray  # (countries,) offset of each country's first vertex
    owner: np.ndarray  # (vertices,) index of the country each vertex belongs to
    lon: np.ndarray  # (vertices,) degrees
    lat: np.ndarray  # (vertices,) degrees
    xyz: np.ndarray  # (vertices, 3) unit vectors on the sphere, for the fast screen
    geoms: np.ndarray = field(repr=False)  # (countries,) shapely polygons, for "launch point inside"
    tree: shapely.STRtree = field(repr=False)

    def __len__(self) -> int:
        return len(self.names)


def _unit_vectors(lats, lons) -> np.ndarray:
    la, lo = np.deg2rad(np.asarray(lats, dtype=float)), np.deg2rad(np.asarray(lons, dtype=float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def build_country_index(countries: pd.DataFrame, densify_deg: float = DENSIFY_DEG) -> CountryIndex:
    """Index the boundaries of `countries` (a GeoDataFrame with `name` and polygon geometry, EPSG:4326).

    Edges longer than `densify_deg` degrees get extra vertices, so the nearest vertex is never more than
    half an edge (about 2.8 km at 0.05°) from the nearest point of the boundary.
    """
    names, geoms, lons, lats, owners, starts = [], [], [], [], [], []
    offset = 0
    for name, geom in zip(countries["name"], countries.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        polys = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon | MultiPolygon)]
        if not polys:
            continue
        poly = shapely.union_all(polys) if len(polys) > 1 else polys[0]
        xy = shapely.get_coordinates(shapely.boundary(shapely.segmentize(poly, densify_deg)))
        if not len(xy):
            continue
        idx = len(names)
        names.append(str(name))
        geoms.append(poly)
        starts.append(offset)
        lons.append(xy[:, 0])
        lats.append(xy[:, 1])
        owners.append(np.full(len(xy), idx, dtype=np.int32))
        offset += len(xy)
    lon = np.concatenate(lons) if lons else np.empty(0)
    lat = np.concatenate(lats) if lats else np.empty(0)
    geom_arr = np.array(geoms, dtype=object)
    return CountryIndex(
        names=np.array(names, dtype=object),
        starts=np.array(starts, dtype=np.int64),
        owner=np.concatenate(owners) if owners else np.empty(0, dtype=np.int32),
        lon=lon,
        lat=lat,
        xyz=_unit_vectors(lat, lon),
        geoms=geom_arr,
        tree=shapely.STRtree(geom_arr),
    )


def nearest_country_distances(lat: float, lon: float, index: CountryIndex, within_km: float | None = None) -> pd.DataFrame:
    """Nearest geodesic distance (km) from the point to each country, 0 for the country it lies in.

    Only countries that could be within `within_km` are measured (all when None). Columns: country,
    nearest_km; nearest first.
    """
    _require(check_point(lat, lon))
    if not len(index):
        return pd.DataFrame({"country": pd.Series(dtype=object), "nearest_km": pd.Series(dtype=float)})
    inside = np.asarray(index.tree.query(Point(float(lon), float(lat)), predicate="intersects"), dtype=np.int64)
    p = _unit_vectors([lat], [lon])[0]
    cos_v = index.xyz @ p
    cos_best = np.maximum.reduceat(cos_v, index.starts)  # nearest vertex of each country on the sphere
    ang_best = np.arccos(np.clip(cos_best, -1.0, 1.0))
    counts = np.diff(np.append(index.starts, len(cos_v)))
    # Upper bound per country: the ellipsoidal distance of its nearest vertex on the sphere. The true nearest
    # vertex is no farther than that, so on the sphere it is within that bound / _RATIO_MIN.
    is_best = cos_v == np.repeat(cos_best, counts)
    owners, first = np.unique(index.owner[is_best], return_index=True)
    best_vertex = np.nonzero(is_best)[0][first]
    upper = np.full(len(index), np.inf)
    upper[owners], _ = geodesic_distances_km(lat, lon, index.lat[best_vertex], index.lon[best_vertex])
    cos_cut = np.cos(np.minimum(upper / _RATIO_MIN / EARTH_RADIUS_KM + _SCREEN_SLACK_KM / EARTH_RADIUS_KM, np.pi))
    if within_km is not None:
        # No vertex of a country whose spherical minimum is this far can be within range on the ellipsoid.
        cos_cut[ang_best * EARTH_RADIUS_KM * _RATIO_MIN > float(within_km) + _SCREEN_SLACK_KM] = 2.0
    cos_cut[inside] = 2.0  # the point is inside: the distance is 0, nothing to measure
    candidates = np.nonzero(cos_v >= np.repeat(cos_cut, counts))[0]
    nearest = np.full(len(index), np.inf)
    if len(candidates):
        dist, _ = geodesic_distances_km(lat, lon, index.lat[candidates], index.lon[candidates])
        np.minimum.at(nearest, index.owner[candidates], dist)
    nearest[inside] = 0.0
    measured = np.isfinite(nearest)
    out = pd.DataFrame({"country": index.names[measured], "nearest_km": nearest[measured]})
    return out.sort_values(["nearest_km", "country"], kind="stable").reset_index(drop=True)


def countries_in_range(lat: float, lon: float, range_km: float, countries=None) -> pd.DataFrame:
    """Countries with territory within `range_km` of the point, nearest first.

    Columns: country (name as in data/countries.geojson), nearest_km (geodesic distance on WGS84 to the
    nearest point of its boundary, 0 when the point is inside it). `countries` is a GeoDataFrame of
    country polygons or a prebuilt CountryIndex; by default dashboard.data.load_countries().
    """
    _require(check_point(lat, lon) + check_range(range_km))
    if countries is None:
        countries = default_country_index()
    index = countries if isinstance(countries, CountryIndex) else build_country_index(countries)
    near = nearest_country_distances(lat, lon, index, within_km=range_km)
    return near[near["nearest_km"] <= float(range_km)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Flight times


def flight_time_ballistic_s(distance_km, radius_km: float = EARTH_RADIUS_KM, mu_km3_s2: float = MU_EARTH_KM3_S2):
    """Flight time (s) of the minimum-energy ballistic trajectory over a surface distance (km).

    Model: spherical, non-rotating Earth of radius `radius_km`, no atmosphere, launch and impact on the
    surface, all energy given at launch (no boost phase). The minimum-energy ellipse has semi-major axis
    a = R(1 + sin φ)/2 for half range angle φ = d/2R; by Lambert's theorem the time is
    t = √(a³/μ) · (π − β + sin β) with sin(β/2) = √((1 − sin φ)/(1 + sin φ)).
    Accepts a number or an array; raises ValueError for negative distances or more than half way round.
    """
    d = np.asarray(distance_km, dtype=float)
    if np.any(~np.isfinite(d)) or np.any(d < 0) or np.any(d > math.pi * radius_km + 1e-9):
        raise ValueError(f"Distances must be between 0 and {math.pi * radius_km:,.0f} km (half way round the Earth).")
    sin_phi = np.sin(np.minimum(d / (2.0 * radius_km), math.pi / 2))
    a = radius_km * (1.0 + sin_phi) / 2.0
    beta = 2.0 * np.arcsin(np.sqrt((1.0 - sin_phi) / (1.0 + sin_phi)))
    t = np.sqrt(a**3 / mu_km3_s2) * (math.pi - beta + np.sin(beta))
    return float(t) if t.ndim == 0 else t


def flight_time_cruise_s(distance_km, speed_kmh: float):
    """Flight time (s) at a constant ground speed (km/h) along the geodesic: distance / speed.

    Accepts a number or an array of distances; raises ValueError for a negative distance or a speed
    that is not above 0 km/h.
    """
    _require(check_speed(speed_kmh))
    d = np.asarray(distance_km, dtype=float)
    if np.any(~np.isfinite(d)) or np.any(d < 0):
        raise ValueError("Distances must be 0 km or more.")
    t = d / float(speed_kmh) * 3600.0
    return float(t) if t.ndim == 0 else t


def add_flight_times(targets: pd.DataFrame, speed_kmh: float) -> pd.DataFrame:
    """Copy of `targets` (with distance_km) plus ballistic_min and cruise_min (minutes)."""
    d = targets["distance_km"].to_numpy(float)
    return targets.assign(
        ballistic_min=flight_time_ballistic_s(d) / 60.0 if len(d) else np.array([], dtype=float),
        cruise_min=flight_time_cruise_s(d, speed_kmh) / 60.0 if len(d) else np.array([], dtype=float),
    )


def places_in_reach(
    lat: float, lon: float, speed_kmh: float, places: pd.DataFrame, actors: pd.DataFrame, exclude_id: str = ""
) -> pd.DataFrame:
    """Every place of `places` but `exclude_id` as seen from one launch point, nearest first: the columns of
    place_distances plus ballistic_min, cruise_min (minutes) and side (of the operator: NATO, Russia or Other)."""
    everywhere = add_flight_times(place_distances(lat, lon, places), speed_kmh)
    everywhere = everywhere.assign(side=side_of(everywhere["operator"], actors).to_numpy())
    return everywhere[everywhere["place_id"] != exclude_id].reset_index(drop=True)


def join_reach(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Two places_in_reach frames from the same point as one, nearest first (ties keep `first` before `second`)."""
    return pd.concat([first, second], ignore_index=True).sort_values("distance_km", kind="stable").reset_index(drop=True)


def flight_times_to(target_lat: float, target_lon: float, launches: pd.DataFrame, speed_kmh: float) -> pd.DataFrame:
    """From each launch place to one target: name, distance_km, ballistic_min, cruise_min (nearest first).

    `launches` has place_id, name, lat, lon.
    """
    dist, _ = geodesic_distances_km(target_lat, target_lon, launches["lat"].to_numpy(float), launches["lon"].to_numpy(float))
    out = pd.DataFrame({"place_id": launches["place_id"].to_numpy(), "name": launches["name"].to_numpy(), "distance_km": dist})
    return add_flight_times(out, speed_kmh).sort_values("distance_km").reset_index(drop=True)


def flight_times_between(
    places: pd.DataFrame, target_id: str, launch_ids: Iterable[str], speed_kmh: float
) -> pd.DataFrame | None:
    """flight_times_to the place `target_id` from the places `launch_ids` (those of them in `places`); None when the
    target or every launch place is missing."""
    target = places[places["place_id"] == target_id]
    launches = places[places["place_id"].isin(list(launch_ids))]
    if target.empty or launches.empty:
        return None
    return flight_times_to(float(target["lat"].iloc[0]), float(target["lon"].iloc[0]), launches, speed_kmh)


def format_minutes(minutes: float) -> str:
    """12.3 → '12.3 min'; 135 → '2 h 15 min'."""
    if not math.isfinite(minutes):
        return "—"
    if minutes < 60:
        return f"{minutes:.1f} min"
    h, m = divmod(round(minutes), 60)
    return f"{h} h {m:02d} min"


# --------------------------------------------------------------------------------------------
# Missiles and their claimed ranges


def system_range_km(missiles: pd.DataFrame, system_id: str) -> float:
    """The range used for a system's ring: its headline range, range_km_max (km), chosen by schema.HEADLINE_RULE."""
    row = missiles.loc[missiles["system_id"] == system_id]
    if row.empty:
        raise ValueError(f"Unknown missile system “{system_id}”.")
    return float(row["range_km_max"].iloc[0])


def lower_bound_flags(frame: pd.DataFrame, column: str = "range_is_lower_bound") -> list[bool]:
    """Whether each row's range is only a floor ("more than"); a missing column or cell means it is not."""
    if column not in frame.columns:
        return [False] * len(frame)
    return [bool(v) if pd.notna(v) else False for v in frame[column]]


def system_claims(claims: pd.DataFrame, system_id: str) -> pd.DataFrame:
    """Range claims for one system grouped by claimed range (a floor apart from an exact figure), lowest first.

    Columns: range_km, is_lower_bound (the figure is "more than"), claimants (list of claimant texts),
    sources (list of (publisher, title, url)).
    """
    part = claims[claims["system_id"] == system_id]
    part = part.assign(is_lower_bound=lower_bound_flags(part, "is_lower_bound"))
    rows = []
    for (rng, floor), grp in part.groupby(["range_km", "is_lower_bound"], sort=True):
        rows.append(
            {
                "range_km": float(rng),
                "is_lower_bound": bool(floor),
                "claimants": list(grp["claimant"]),
                "sources": list(zip(grp["source_publisher"], grp["source_title"], grp["source_url"], strict=True)),
            }
        )
    return pd.DataFrame(rows, columns=["range_km", "is_lower_bound", "claimants", "sources"])


def missile_catalogue(
    missiles: pd.DataFrame,
    actors: pd.DataFrame,
    operators: tuple[str, ...] = (),
    missile_types: tuple[str, ...] = (),
    basings: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Missile systems for the catalogue, filtered (empty tuple = all), shortest range first.

    Operators match the operator itself or, for an alliance, any member. Columns: system_id, name,
    missile_type, basing, operator, operator_name, side, range_km_min, range_km_max (km), range_is_lower_bound,
    headline_range (e.g. "more than 1,000 km"), inf_class, inf_status, status, source_publisher, source_title, source_url.
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    sides = actor_sides(actors)
    members: dict[str, set[str]] = {}
    for aid, member_of in zip(actors["actor_id"], actors.get("member_of", pd.Series([[]] * len(actors))), strict=True):
        for alliance in member_of if isinstance(member_of, list | tuple) else []:
            members.setdefault(alliance, set()).add(aid)
    mask = pd.Series(True, index=missiles.index)
    if operators:
        wanted = set(operators).union(*(members.get(o, set()) for o in operators))
        mask &= missiles["operator"].isin(wanted)
    if missile_types:
        mask &= missiles["missile_type"].isin(missile_types)
    if basings:
        mask &= missiles["basing"].isin(basings)
    part = missiles[mask]
    floors = lower_bound_flags(part)
    out = pd.DataFrame(
        {
            "system_id": part["system_id"],
            "name": part["name"],
            "missile_type": part["missile_type"],
            "basing": part["basing"],
            "operator": part["operator"],
            "operator_name": [names.get(o, o) for o in part["operator"]],
            "side": [sides.get(o, OTHER) for o in part["operator"]],
            "range_km_min": part["range_km_min"].astype(float),
            "range_km_max": part["range_km_max"].astype(float),
            "range_is_lower_bound": floors,
            "headline_range": [schema.range_label(r, f) for r, f in zip(part["range_km_max"].astype(float), floors, strict=True)],
            "inf_class": part["inf_class"],
            "inf_status": part["inf_status"],
            "status": part["status"],
            "source_publisher": part["source_publisher"],
            "source_title": part["source_title"],
            "source_url": [u if is_safe_url(u) else "" for u in part["source_url"]],
        }
    )
    return out.sort_values(["range_km_max", "name"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Reading a view from a link

PARAM_LAUNCH = "launch"
PARAM_LAT = "lat"
PARAM_LON = "lon"
PARAM_SYSTEM = "system"
PARAM_RANGE = "range"
PARAM_SPEED = "speed"
PARAM_VIEW = "view"
PARAM_OVERLAY = "overlay"
RANGE_PARAMS = (PARAM_LAUNCH, PARAM_LAT, PARAM_LON, PARAM_SYSTEM, PARAM_RANGE, PARAM_SPEED, PARAM_VIEW, PARAM_OVERLAY)
PARAM_TARGET = "target"
PARAM_TARGET_LAT = "tlat"
PARAM_TARGET_LON = "tlon"
PARAM_BASKET_SYSTEM = "bsystem"
TARGET_PARAMS = (PARAM_TARGET, PARAM_TARGET_LAT, PARAM_TARGET_LON, PARAM_BASKET_SYSTEM)
CUSTOM = "custom"
SAME_SYSTEM = ""  # the launch basket uses the ring's system
VIEWS = {"launch": "Centred on the launch point", "region": "Regional map (Europe)"}
MAX_OVERLAY = 6  # rings drawn beside the chosen one: six line styles tell them apart


@dataclass(frozen=True)
class RangeView:
    """Everything that defines what the ranges page shows; round-trips through the URL."""

    launch: str = "shuya"  # a place_id or CUSTOM
    lat: float = 56.85
    lon: float = 41.366667
    system: str = "9m729"  # a system_id or CUSTOM
    range_km: float = 2500.0
    speed_kmh: float = DEFAULT_CRUISE_SPEED_KMH
    view: str = "launch"
    overlay: tuple[str, ...] = ()  # up to MAX_OVERLAY more system_ids whose rings are drawn too


def ring_names(view: RangeView, place_name: str, system_name: str, floor: bool) -> tuple[str, str]:
    """(launch name, ring label) as the range map titles a view: the place's name or the coordinates of a custom point;
    the system's name and headline range (`floor`: the range is only a lower bound) or the custom range.

    The ranges page and the warm-up of its shared results (dashboard/ui/cache.py) both name views with this, so
    they meet in the same cache entries."""
    launch_name = f"{view.lat:.3f}°N {view.lon:.3f}°E" if view.launch == CUSTOM else place_name
    if view.system == CUSTOM:
        return launch_name, f"custom range, {view.range_km:,.0f} km"
    return launch_name, f"{system_name}, {schema.range_label(view.range_km, floor)}"


@dataclass(frozen=True)
class TargetView:
    """The target of the flight-time table and the launch basket, and the basket's system; round-trips through the URL."""

    target: str = "berlin"  # a place_id or CUSTOM
    lat: float = 52.516667
    lon: float = 13.4
    basket_system: str = SAME_SYSTEM  # a system_id, or SAME_SYSTEM for the ring's


def _checked_number(link: LinkReader, key: str, check: Callable[[object], list[str]], what: str) -> float | None:
    """The number the link gives for `key` when `check` finds no problem with it; else None, with a notice."""
    raw = link.last(key) or ""
    x = read_number(raw)
    problems = check(raw if x is None else x)
    if problems:
        link.note(f"Ignored {what} in the link: " + " ".join(problems))
        return None
    return x


def _point_from_link(link: LinkReader, keys: tuple[str, str] = (PARAM_LAT, PARAM_LON), what: str = "coordinates"):
    """The coordinates the link gives under `keys` (lat, lon), when both are valid; else None, with a notice."""
    raw_lat, raw_lon = link.last(keys[0]) or "", link.last(keys[1]) or ""
    lat, lon = read_number(raw_lat), read_number(raw_lon)
    problems = check_point(raw_lat if lat is None else lat, raw_lon if lon is None else lon)
    if problems or lat is None or lon is None:
        link.note(f"Ignored the {what} in the link: " + " ".join(problems))
        return None
    return lat, lon


def _place_from_link(
    link: LinkReader, keys: tuple[str, str, str], places: Mapping[str, tuple[float, float]], what: str, hint: str
) -> tuple[str, float, float] | None:
    """(place_id or CUSTOM, lat, lon) the link names under keys (place, lat, lon): a known place, or coordinates
    (with or without place=custom); None, with a notice for what was wrong, when it names neither."""
    place = link.one(keys[0], places.keys() | {CUSTOM}, what, hint=hint)
    has_point = link.last(keys[1]) is not None or link.last(keys[2]) is not None
    if place == CUSTOM or (place is None and has_point):
        point = _point_from_link(link, keys[1:], "coordinates" if keys[0] == PARAM_LAUNCH else f"{what}'s coordinates")
        return None if point is None else (CUSTOM, point[0], point[1])
    if place is not None:
        lat, lon = places[place]
        return place, float(lat), float(lon)
    return None


def _launch_from_link(link: LinkReader, places: Mapping[str, tuple[float, float]], v: RangeView) -> RangeView:
    """`v` with the launch point the link names: a known place, or coordinates (with or without launch=custom)."""
    found = _place_from_link(link, (PARAM_LAUNCH, PARAM_LAT, PARAM_LON), places, "launch site", f"; showing {v.launch}")
    return v if found is None else replace(v, launch=found[0], lat=found[1], lon=found[2])


def _overlay_from_link(link: LinkReader, systems: Mapping[str, float], v: RangeView) -> RangeView:
    """`v` with the systems the link asks to compare (at most MAX_OVERLAY, the ring's own left out)."""
    chosen = tuple(s for s in link.many(PARAM_OVERLAY, systems.keys(), "missile system to compare") if s != v.system)
    if len(chosen) > MAX_OVERLAY:
        link.note(f"The map compares at most {MAX_OVERLAY} systems at once: kept the first {MAX_OVERLAY} of {len(chosen)}.")
    return replace(v, overlay=chosen[:MAX_OVERLAY])


def _system_from_link(link: LinkReader, systems: Mapping[str, float], v: RangeView) -> RangeView:
    """`v` with the missile system the link names, or its custom range (with or without system=custom)."""
    system = link.one(PARAM_SYSTEM, systems.keys() | {CUSTOM}, "missile system")
    if system == CUSTOM or (system is None and link.last(PARAM_RANGE) is not None):
        range_km = _checked_number(link, PARAM_RANGE, check_range, "the range")
        return v if range_km is None else replace(v, system=CUSTOM, range_km=range_km)
    if system is not None:
        return replace(v, system=system, range_km=float(systems[system]))
    return v


def parse_range_params(
    params: Params,
    places: Mapping[str, tuple[float, float]],
    systems: Mapping[str, float],
    default: RangeView,
) -> tuple[RangeView, list[str]]:
    """Read a RangeView from query parameters by the rules of dashboard.links (each key → its values, or one string).

    Every bad or unknown value is replaced by the default with a notice. `places` maps place_id → (lat, lon);
    `systems` maps system_id → range_km used for its ring.
    """
    link = LinkReader(params)
    v = _system_from_link(link, systems, _launch_from_link(link, places, default))
    if link.last(PARAM_SPEED) is not None:
        speed = _checked_number(link, PARAM_SPEED, check_speed, "the cruise speed")
        v = v if speed is None else replace(v, speed_kmh=speed)
    view = link.one(PARAM_VIEW, VIEWS, "view", hint=f"; use {' or '.join(VIEWS)}")
    v = v if view is None else replace(v, view=view)
    return _overlay_from_link(link, systems, v), link.notices


def range_params(view: RangeView, default: RangeView) -> dict[str, str]:
    """Query parameters that reproduce `view`; values equal to the default are left out."""
    out: dict[str, str] = {}
    if view.launch != default.launch:
        out[PARAM_LAUNCH] = view.launch
    if view.launch == CUSTOM:
        out[PARAM_LAT] = f"{view.lat:.5f}".rstrip("0").rstrip(".")
        out[PARAM_LON] = f"{view.lon:.5f}".rstrip("0").rstrip(".")
    if view.system != default.system:
        out[PARAM_SYSTEM] = view.system
    if view.system == CUSTOM:
        out[PARAM_RANGE] = f"{view.range_km:g}"
    if view.speed_kmh != default.speed_kmh:
        out[PARAM_SPEED] = f"{view.speed_kmh:g}"
    if view.view != default.view:
        out[PARAM_VIEW] = view.view
    if view.overlay:
        out[PARAM_OVERLAY] = ",".join(view.overlay)
    return out


def parse_target_params(
    params: Params,
    places: Mapping[str, tuple[float, float]],
    systems: Mapping[str, float],
    default: TargetView,
) -> tuple[TargetView, list[str]]:
    """Read a TargetView from query parameters (`target`, `tlat`, `tlon`, `bsystem`) by the rules of dashboard.links.

    Every bad or unknown value is replaced by the default with a notice. `places` maps place_id → (lat, lon);
    `systems` holds the system_ids a basket may use.
    """
    link = LinkReader(params)
    v = default
    found = _place_from_link(link, (PARAM_TARGET, PARAM_TARGET_LAT, PARAM_TARGET_LON), places, "target", f"; showing {v.target}")
    if found is not None:
        v = replace(v, target=found[0], lat=found[1], lon=found[2])
    system = link.one(PARAM_BASKET_SYSTEM, systems.keys(), "missile system for the launch basket")
    return (v if system is None else replace(v, basket_system=system)), link.notices


def target_params(view: TargetView, default: TargetView) -> dict[str, str]:
    """Query parameters that reproduce `view`; values equal to the default are left out."""
    out: dict[str, str] = {}
    if view.target != default.target:
        out[PARAM_TARGET] = view.target
    if view.target == CUSTOM:
        out[PARAM_TARGET_LAT] = f"{view.lat:.5f}".rstrip("0").rstrip(".")
        out[PARAM_TARGET_LON] = f"{view.lon:.5f}".rstrip("0").rstrip(".")
    if view.basket_system != default.basket_system:
        out[PARAM_BASKET_SYSTEM] = view.basket_system
    return out
