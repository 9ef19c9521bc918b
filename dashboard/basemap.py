"""The map's base layer for one view: projected, clipped and simplified country outlines, regions, Crimea and labels.

Everything is drawn in a flat plane (kilometres in a Lambert azimuthal equal-area projection centred on
the view), so the browser needs no map tiles or TopoJSON: the page works offline and the geography is
the project's own (Crimea part of Ukraine, Kaliningrad part of Russia), not plotly's built-in outlines.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry import box

# Padding around a view's box that is still drawn, so a reader can pan a little without falling off the map.
_PAD = 0.35
# At most this many sea and strait names per view, in data order (the curated ones come first): with thousands of
# such places a label for each would bury the map.
MAX_SEA_LABELS = 30


@dataclass(frozen=True)
class View:
    """One of the map's fixed views: a lon/lat box, the scale it is drawn at and how big a country must be to be named."""

    key: str
    title: str
    bounds: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max (degrees)
    tolerance_km: float  # simplification tolerance; below the Bosporus' width (~0.7 km) for the regional views
    label_min_area_km2: float
    # Secondary parts of a country (exclaves, large islands) get their own label above this area (km²).
    part_label_min_area_km2: float

    @property
    def centre(self) -> tuple[float, float]:
        lon0, lat0, lon1, lat1 = self.bounds
        return (lon0 + lon1) / 2, (lat0 + lat1) / 2

    @property
    def crs(self) -> str:
        lon, lat = self.centre
        return f"+proj=laea +lat_0={lat:.3f} +lon_0={lon:.3f} +x_0=0 +y_0=0 +ellps=WGS84 +units=km +no_defs"


VIEWS: dict[str, View] = {
    "black_sea": View("black_sea", "Black Sea", (21.0, 39.0, 45.5, 49.5), 0.15, 12_000.0, 12_000.0),
    "baltic": View("baltic", "Baltic", (8.0, 52.3, 31.5, 61.6), 0.15, 12_000.0, 12_000.0),
    "europe": View("europe", "Wider Europe", (-12.0, 35.0, 55.0, 66.0), 3.0, 40_000.0, 1e12),
}
DEFAULT_VIEW = "europe"


@dataclass(frozen=True)
class Basemap:
    """What the map draws under the places, in projected km. Arrays use NaN to separate rings/lines.

    `countries`: GeoDataFrame (name, geometry) of the simplified, clipped country polygons (projected km).
    `land_x/land_y`: every exterior ring of every country, for one filled trace with outlines.
    `occupied`: rows (name, country, occupied_by, occupied_since, x, y as float arrays, label_x, label_y).
    `regions`: rows (region, x, y arrays, label_x, label_y).
    `country_labels` / `sea_labels`: frames (name, x, y).
    `x_range` / `y_range`: the view's initial extent (km), with the plot's aspect kept by the figure.
    `transformer`: lon/lat → km for this view (see `project`).
    """

    view: View
    countries: gpd.GeoDataFrame
    land_x: np.ndarray
    land_y: np.ndarray
    occupied: pd.DataFrame
    regions: pd.DataFrame
    country_labels: pd.DataFrame
    sea_labels: pd.DataFrame
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    transformer: Transformer

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Project longitudes and latitudes (degrees) into this view's plane (km), reusing one transformer."""
        x, y = self.transformer.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def get_view(key: str) -> View:
    """The view called `key`; KeyError for unknown keys."""
    return VIEWS[key]


def make_transformer(view: View) -> Transformer:
    """A lon/lat (EPSG:4326) → view-plane (km) transformer."""
    return Transformer.from_crs("EPSG:4326", view.crs, always_xy=True)


def project_points(view: View, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Project longitudes and latitudes (degrees) into the view's plane (km)."""
    x, y = make_transformer(view).transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def view_extent(view: View) -> tuple[tuple[float, float], tuple[float, float]]:
    """The projected (km) x and y ranges that enclose the view's lon/lat box."""
    lon0, lat0, lon1, lat1 = view.bounds
    lons = np.concatenate([np.linspace(lon0, lon1, 25), np.full(25, lon1), np.linspace(lon1, lon0, 25), np.full(25, lon0)])
    lats = np.concatenate([np.full(25, lat0), np.linspace(lat0, lat1, 25), np.full(25, lat1), np.linspace(lat1, lat0, 25)])
    x, y = project_points(view, lons, lats)
    return (float(x.min()), float(x.max())), (float(y.min()), float(y.max()))


def padded_box(view: View) -> tuple[float, float, float, float]:
    """The lon/lat box drawn for a view: its own box plus a margin for panning."""
    lon0, lat0, lon1, lat1 = view.bounds
    dx, dy = (lon1 - lon0) * _PAD, (lat1 - lat0) * _PAD
    return max(lon0 - dx, -180.0), max(lat0 - dy, -89.0), min(lon1 + dx, 180.0), min(lat1 + dy, 89.0)


def polygons_only(geom):
    """The polygonal part of a geometry (drops stray lines and points from geometry collections); None if empty."""
    if geom is None or geom.is_empty:
        return None
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def clip_and_project(frame: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """Polygons of `frame` clipped to the view's padded box and projected to its plane (km); empties dropped."""
    clipped = frame.geometry.clip_by_rect(*padded_box(view)).map(polygons_only)
    out = frame.drop(columns=frame.geometry.name).assign(geometry=clipped.values)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    out = out[out.geometry.notna()]
    return out.to_crs(view.crs)


def simplify_for_view(frame: gpd.GeoDataFrame, view: View) -> gpd.GeoDataFrame:
    """Simplify projected polygons to the view's scale, keeping shared borders shared (coverage simplification)."""
    geoms = shapely.make_valid(frame.geometry.values)
    geoms = np.array([polygons_only(g) for g in geoms], dtype=object)
    try:
        simple = shapely.coverage_simplify(geoms, view.tolerance_km, simplify_boundary=True)
    except Exception:  # not a clean coverage: fall back to simplifying each country on its own
        simple = shapely.simplify(geoms, view.tolerance_km, preserve_topology=True)
    simple = np.array([polygons_only(g) for g in simple], dtype=object)
    out = frame.assign(geometry=gpd.GeoSeries(simple, index=frame.index, crs=frame.crs))
    return out[out.geometry.notna()]


def rings_xy(geoms, interiors: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """All exterior rings (and interior rings if asked) of polygon geometries as NaN-separated float32 x/y arrays."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    gap = np.array([np.nan])
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for poly in shapely.get_parts(geom):
            rings = [poly.exterior, *(poly.interiors if interiors else [])]
            for ring in rings:
                coords = shapely.get_coordinates(ring)
                xs += [coords[:, 0], gap]
                ys += [coords[:, 1], gap]
    if not xs:
        return np.array([], dtype=np.float32), np.array([], dtype=np.float32)
    return np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.float32)


def label_country_parts(countries: gpd.GeoDataFrame, view: View) -> pd.DataFrame:
    """Label points (name, x, y) for countries big enough in the drawn area, inside the view's box.

    The largest part of each country is labelled; further parts (e.g. Kaliningrad for Russia) are labelled
    too when they are larger than the view's `part_label_min_area_km2`.
    """
    (x0, x1), (y0, y1) = view_extent(view)
    inner = box(x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.03, x1 - (x1 - x0) * 0.03, y1 - (y1 - y0) * 0.03)
    rows = []
    for name, geom in zip(countries["name"], countries.geometry, strict=True):
        visible = polygons_only(geom.intersection(inner))
        if visible is None or visible.area < view.label_min_area_km2:
            continue
        parts = sorted(shapely.get_parts(visible), key=lambda p: p.area, reverse=True)
        for i, part in enumerate(parts):
            if i > 0 and part.area < view.part_label_min_area_km2:
                break
            if i == 0 or part.area >= view.part_label_min_area_km2:
                pt = part.representative_point() if i else _label_point(part)
                rows.append({"name": name, "x": pt.x, "y": pt.y})
    return pd.DataFrame(rows, columns=["name", "x", "y"])


def _label_point(poly) -> shapely.Point:
    # The centroid reads best for compact countries; fall back to a point surely inside for odd shapes.
    c = poly.centroid
    return c if poly.contains(c) else poly.representative_point()


def project_occupied(occupied: gpd.GeoDataFrame, view: View) -> pd.DataFrame:
    """Occupied areas in the view: name, country, occupied_by, occupied_since and NaN-separated x/y outlines (km)."""
    rows = []
    if occupied.empty:
        return pd.DataFrame(rows, columns=["name", "country", "occupied_by", "occupied_since", "x", "y", "label_x", "label_y"])
    shown = simplify_for_view(clip_and_project(occupied, view), view)
    for rec, geom in zip(shown.drop(columns="geometry").to_dict("records"), shown.geometry, strict=True):
        x, y = rings_xy([geom])
        # Label at the western tip, written leftwards over the sea, clear of the markers on the peninsula.
        coords = shapely.get_coordinates(geom)
        west = coords[np.argmin(coords[:, 0])]
        rows.append({**rec, "x": x, "y": y, "label_x": float(west[0]) - 5.0, "label_y": float(west[1])})
    return pd.DataFrame(rows, columns=["name", "country", "occupied_by", "occupied_since", "x", "y", "label_x", "label_y"])


def project_regions(regions: gpd.GeoDataFrame, view: View) -> pd.DataFrame:
    """Region outlines (region, x, y) densified so that they curve correctly in the projection, plus a label point."""
    rows = []
    for name, geom in zip(regions["region"], regions.geometry, strict=True):
        dense = shapely.segmentize(geom, 0.5)
        coords = shapely.get_coordinates(dense.exterior if dense.geom_type == "Polygon" else dense.boundary)
        x, y = project_points(view, coords[:, 0], coords[:, 1])
        # Name the region at its north-western corner, where the frame lines meet on land less often.
        corner = int(np.argmax(y - 0.3 * x))
        rows.append(
            {
                "region": name,
                "x": x.astype(np.float32),
                "y": y.astype(np.float32),
                "label_x": float(x[corner]),
                "label_y": float(y[corner]),
            }
        )
    return pd.DataFrame(rows, columns=["region", "x", "y", "label_x", "label_y"])


def seas_of(places: pd.DataFrame) -> pd.DataFrame:
    """The places that name a sea or strait (name, lon, lat), the labels of every base map."""
    return places.loc[places["kind"] == "sea_or_strait", ["name", "lon", "lat"]]


def project_sea_labels(seas: pd.DataFrame, view: View) -> pd.DataFrame:
    """Sea and strait names (name, x, y) for the places of kind `sea_or_strait` inside the drawn area (the first MAX_SEA_LABELS)."""
    lon0, lat0, lon1, lat1 = padded_box(view)
    inside = seas[(seas["lon"].between(lon0, lon1)) & (seas["lat"].between(lat0, lat1))].head(MAX_SEA_LABELS)
    x, y = project_points(view, inside["lon"], inside["lat"])
    return pd.DataFrame({"name": inside["name"].astype(str).to_numpy(), "x": x, "y": y})


def build_basemap(
    countries: gpd.GeoDataFrame,
    occupied: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    seas: pd.DataFrame,
    view_key: str,
) -> Basemap:
    """Everything under the markers for one view, clipped to its padded box and simplified to its scale.

    `countries` (name, geometry), `occupied` (name, country, occupied_by, occupied_since, geometry) and
    `regions` (region, geometry) are EPSG:4326 frames as the data layer loads them; `seas` has name, lon, lat.
    """
    view = get_view(view_key)
    shown = simplify_for_view(clip_and_project(countries[["name", "geometry"]], view), view)
    land_x, land_y = rings_xy(shown.geometry)
    x_range, y_range = view_extent(view)
    return Basemap(
        view=view,
        countries=shown.reset_index(drop=True),
        land_x=land_x,
        land_y=land_y,
        occupied=project_occupied(occupied, view),
        regions=project_regions(regions, view),
        country_labels=label_country_parts(shown, view),
        sea_labels=project_sea_labels(seas, view),
        x_range=x_range,
        y_range=y_range,
        transformer=make_transformer(view),
    )
