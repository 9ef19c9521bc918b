"""Range products as files that GIS and globe programs open: GeoJSON, KML, KMZ and CSV, written with the standard library.

Usable from a notebook without Streamlit:

    from dashboard.geo_export import ExportMeta, ring_feature, band_feature, to_geojson, to_kml, to_kmz, to_csv

    meta = ExportMeta("9M729 from Shuya", "Shuya", 56.85, 41.37, 2500.0, "Russian MoD; US DNI")
    features = [ring_feature("Range ring", "9M729, 2,500 km", 56.85, 41.37, 2500.0)]
    to_kml(features, meta)  -> bytes (KML 2.2); to_kmz -> a zip holding doc.kml; to_geojson; to_csv (WKT column)

Every file carries its title, the launch point, the range, the sources and the method (METHOD): at the top
(GeoJSON `name` and `metadata` members, the KML Document's name, description and ExtendedData) and on every
feature or row, so that a layer copied out of the file keeps them. Circles are written as the polygons of
dashboard.ranges.range_ring, one vertex every 0.5° of azimuth on the geodesic circle, never as a centre and a
radius; a circle across the antimeridian is two polygons (RFC 7946 §3.1.9). Coordinates are longitude,
latitude in degrees (WGS84, EPSG:4326) rounded to COORD_DECIMALS places (about 0.1 m).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from dashboard import export, ranges

METHOD = (
    "Geodesic on the WGS84 ellipsoid (GeographicLib, via pyproj). Each circle is a polygon of "
    f"{ranges.RING_VERTICES} vertices, one every {360 / ranges.RING_VERTICES:g}° of azimuth, each at the stated "
    "distance from its centre; launch baskets are that circle round the target intersected with the launch territory."
)
PUBLISHER = "INF Watch"
COORD_DECIMALS = 6
KML_NS = "http://www.opengis.net/kml/2.2"
# KML colours are aabbggrr. Line and fill for each layer; fills are translucent.
LAYER_STYLES = {
    "range ring": ("ff000000", 3.0, "00000000"),
    "compared ring": ("ffa779cc", 2.0, "00000000"),
    "disputed band": ("ff555555", 1.0, "40555555"),
    "launch basket": ("ff005ed5", 1.5, "66005ed5"),
    "reach of the target": ("ff444444", 1.5, "00000000"),
}


@dataclass(frozen=True)
class ExportMeta:
    """What a file is about, carried by the file and by each of its features."""

    title: str
    launch_name: str
    launch_lat: float
    launch_lon: float
    range_km: float
    source: str
    as_of: str = ""

    def properties(self) -> dict[str, object]:
        return {
            "title": self.title,
            "launch_point": self.launch_name,
            "launch_lat": round(self.launch_lat, COORD_DECIMALS),
            "launch_lon": round(self.launch_lon, COORD_DECIMALS),
            "range_km": round(self.range_km, 3),
            "source": self.source,
            "method": METHOD,
            "publisher": PUBLISHER,
            "as_of": self.as_of,
        }


@dataclass(frozen=True)
class ExportFeature:
    """One feature of an export: its layer (LAYER_STYLES or `place in range`, `launch point`, `target`), name,
    EPSG:4326 geometry and plain properties."""

    layer: str
    name: str
    geometry: BaseGeometry
    properties: Mapping[str, object] = field(default_factory=dict)


def ring_feature(layer: str, name: str, lat: float, lon: float, range_km: float, **props: object) -> ExportFeature:
    """The geodesic circle of `range_km` round the point as a polygon feature (ranges.range_ring)."""
    return ExportFeature(
        layer,
        name,
        ranges.range_ring(lat, lon, range_km),
        {"range_km": float(range_km), "centre_lat": lat, "centre_lon": lon, **props},
    )


def band_feature(name: str, lat: float, lon: float, inner_km: float, outer_km: float, **props: object) -> ExportFeature:
    """The band between two geodesic circles round the point (the outer ring with the inner one as a hole)."""
    band = shapely.difference(ranges.range_ring(lat, lon, outer_km), ranges.range_ring(lat, lon, inner_km))
    return ExportFeature(
        "disputed band",
        name,
        band,
        {"inner_km": float(inner_km), "outer_km": float(outer_km), "centre_lat": lat, "centre_lon": lon, **props},
    )


def point_feature(layer: str, name: str, lat: float, lon: float, **props: object) -> ExportFeature:
    return ExportFeature(layer, name, Point(float(lon), float(lat)), {"lat": float(lat), "lon": float(lon), **props})


PLACE_PROPERTIES = (
    "place_id",
    "name",
    "kind",
    "country",
    "operator",
    "side",
    "distance_km",
    "bearing_deg",
    "ballistic_min",
    "cruise_min",
)


def place_features(places: pd.DataFrame, layer: str = "place in range") -> list[ExportFeature]:
    """One point feature per row of a places frame (targets in range: lat, lon and PLACE_PROPERTIES where present)."""
    cols = [c for c in PLACE_PROPERTIES if c in places.columns]
    user = places["is_user_data"].to_numpy(bool) if "is_user_data" in places.columns else np.zeros(len(places), bool)
    out = []
    for row, mine in zip(places[[*cols, "lat", "lon"]].itertuples(index=False), user, strict=True):
        props = {c: _plain(v) for c, v in zip(cols, row[: len(cols)], strict=True)}
        props["origin"] = "your data" if mine else "curated"
        out.append(ExportFeature(layer, str(props.get("name", "")), Point(float(row.lon), float(row.lat)), props))
    return out


def _plain(value: object) -> object:
    """A property value as JSON, KML and CSV hold it: numbers rounded, missing as None, everything else text."""
    if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    return [orient(p, 1.0) for p in shapely.get_parts(geometry) if isinstance(p, Polygon) and not p.is_empty]


def _ring_coords(ring) -> list[list[float]]:
    return np.round(np.asarray(ring.coords)[:, :2], COORD_DECIMALS).tolist()


def _geojson_geometry(geometry: BaseGeometry) -> dict:
    if isinstance(geometry, Point):
        return {"type": "Point", "coordinates": [round(geometry.x, COORD_DECIMALS), round(geometry.y, COORD_DECIMALS)]}
    polys = [[_ring_coords(p.exterior), *(_ring_coords(r) for r in p.interiors)] for p in _polygons(geometry)]
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}


def _feature_properties(feature: ExportFeature, meta: ExportMeta) -> dict[str, object]:
    props = {"layer": feature.layer, "name": feature.name}
    props.update({k: _plain(v) for k, v in feature.properties.items()})
    for key, value in meta.properties().items():
        props.setdefault(key, value)
    return props


def _usable(features: Iterable[ExportFeature]) -> list[ExportFeature]:
    return [f for f in features if f.geometry is not None and not f.geometry.is_empty]


def to_geojson(features: Sequence[ExportFeature], meta: ExportMeta) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: lon/lat on WGS84, exteriors counter-clockwise), UTF-8."""
    doc = {
        "type": "FeatureCollection",
        "name": meta.title,
        "metadata": meta.properties(),
        "features": [
            {"type": "Feature", "properties": _feature_properties(f, meta), "geometry": _geojson_geometry(f.geometry)}
            for f in _usable(features)
        ],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: object | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{KML_NS}}}{tag}", attrib)
    if text is not None:
        element.text = str(text)
    return element


def _extended_data(parent: ET.Element, values: Mapping[str, object]) -> None:
    data = _sub(parent, "ExtendedData")
    for key, value in values.items():
        item = _sub(data, "Data", name=str(key))
        _sub(item, "value", "" if value is None else value)


def _kml_coordinates(ring) -> str:
    return " ".join(f"{x:.{COORD_DECIMALS}f},{y:.{COORD_DECIMALS}f}" for x, y in np.asarray(ring.coords)[:, :2])


def _kml_polygon(parent: ET.Element, poly: Polygon) -> None:
    element = _sub(parent, "Polygon")
    _sub(element, "tessellate", 1)
    outer = _sub(_sub(element, "outerBoundaryIs"), "LinearRing")
    _sub(outer, "coordinates", _kml_coordinates(poly.exterior))
    for hole in poly.interiors:
        _sub(_sub(_sub(element, "innerBoundaryIs"), "LinearRing"), "coordinates", _kml_coordinates(hole))


def _kml_geometry(parent: ET.Element, geometry: BaseGeometry) -> None:
    if isinstance(geometry, Point):
        _sub(_sub(parent, "Point"), "coordinates", f"{geometry.x:.{COORD_DECIMALS}f},{geometry.y:.{COORD_DECIMALS}f}")
        return
    polys = _polygons(geometry)
    holder = parent if len(polys) == 1 else _sub(parent, "MultiGeometry")
    for poly in polys:
        _kml_polygon(holder, poly)


def _kml_styles(document: ET.Element) -> None:
    for i, (line, width, fill) in enumerate(LAYER_STYLES.values()):
        style = _sub(document, "Style", id=f"layer{i}")
        line_style = _sub(style, "LineStyle")
        _sub(line_style, "color", line)
        _sub(line_style, "width", width)
        _sub(_sub(style, "PolyStyle"), "color", fill)


def _description(values: Mapping[str, object]) -> str:
    return "\n".join(f"{k.replace('_', ' ')}: {v}" for k, v in values.items() if v not in (None, ""))


def to_kml(features: Sequence[ExportFeature], meta: ExportMeta) -> bytes:
    """A KML 2.2 document (Google Earth, QGIS): one Folder per layer, one Placemark per feature, UTF-8."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    document = _sub(root, "Document")
    _sub(document, "name", meta.title)
    _sub(document, "description", _description(meta.properties()))
    _extended_data(document, meta.properties())
    _kml_styles(document)
    style_ids = {layer: f"#layer{i}" for i, layer in enumerate(LAYER_STYLES)}
    folders: dict[str, ET.Element] = {}
    for feature in _usable(features):
        if feature.layer not in folders:
            folders[feature.layer] = _sub(document, "Folder")
            _sub(folders[feature.layer], "name", feature.layer[:1].upper() + feature.layer[1:])
        placemark = _sub(folders[feature.layer], "Placemark")
        _sub(placemark, "name", feature.name)
        props = _feature_properties(feature, meta)
        _sub(placemark, "description", _description(props))
        if feature.layer in style_ids:
            _sub(placemark, "styleUrl", style_ids[feature.layer])
        _extended_data(placemark, props)
        _kml_geometry(placemark, feature.geometry)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def to_kmz(features: Sequence[ExportFeature], meta: ExportMeta) -> bytes:
    """KMZ: the KML document zipped as doc.kml (what Google Earth reads first)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as kmz:
        kmz.writestr("doc.kml", to_kml(features, meta))
    return buffer.getvalue()


def to_csv(features: Sequence[ExportFeature], meta: ExportMeta) -> bytes:
    """CSV, one row per feature: its layer, name, properties, lat/lon for points and its geometry as WKT (EPSG:4326),
    with the file's title, launch point, range, source and method on every row (spreadsheet-safe, dashboard.export)."""
    rows = []
    for feature in _usable(features):
        row = _feature_properties(feature, meta)
        point = feature.geometry if isinstance(feature.geometry, Point) else None
        row["lat"] = None if point is None else round(point.y, COORD_DECIMALS)
        row["lon"] = None if point is None else round(point.x, COORD_DECIMALS)
        row["wkt"] = shapely.to_wkt(_geometry_for_wkt(feature.geometry), rounding_precision=COORD_DECIMALS, trim=True)
        rows.append(row)
    frame = pd.DataFrame(rows)
    first = ["layer", "name", "lat", "lon"]
    frame = frame[[*first, *(c for c in frame.columns if c not in (*first, "wkt")), "wkt"]] if rows else frame
    return export.to_csv_bytes(frame)


def _geometry_for_wkt(geometry: BaseGeometry) -> BaseGeometry:
    if isinstance(geometry, Point):
        return geometry
    polys = _polygons(geometry)
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


WRITERS = {
    "geojson": (to_geojson, "application/geo+json"),
    "kml": (to_kml, "application/vnd.google-earth.kml+xml"),
    "kmz": (to_kmz, "application/vnd.google-earth.kmz"),
    "csv": (to_csv, "text/csv"),
}


def export_bytes(kind: str, features: Sequence[ExportFeature], meta: ExportMeta) -> bytes:
    """The file of `kind` (a key of WRITERS: geojson, kml, kmz, csv)."""
    return WRITERS[kind][0](features, meta)


@dataclass(frozen=True)
class BasketExport:
    """A launch basket for an export: its geometry, target and system, and plain figures about it."""

    geometry: BaseGeometry
    target_name: str
    target_lat: float
    target_lon: float
    range_km: float
    label: str  # e.g. "9M729 (SSC-8), 2,500 km, from Russia and its allies"
    properties: Mapping[str, object] = field(default_factory=dict)


def range_features(
    *,
    launch_name: str,
    lat: float,
    lon: float,
    ring_label: str,
    range_km: float,
    overlays: Sequence[tuple[str, float]] = (),
    claim_spread: tuple[float, float] | None = None,
    basket: BasketExport | None = None,
    places: pd.DataFrame | None = None,
) -> list[ExportFeature]:
    """Every layer of the ranges page as features: launch point, the ring, compared rings, the disputed band
    (when the claims differ), the launch basket with the target and its reach circle, and the places in range."""
    features = [
        point_feature("launch point", launch_name, lat, lon),
        ring_feature("range ring", ring_label, lat, lon, range_km),
        *(ring_feature("compared ring", label, lat, lon, km) for label, km in overlays),
    ]
    if claim_spread is not None and claim_spread[0] < claim_spread[1]:
        lo, hi = claim_spread
        features.append(band_feature(f"Disputed: {lo:,.0f}–{hi:,.0f} km by the claims", lat, lon, lo, hi))
    if basket is not None:
        props = {
            "target": basket.target_name,
            "target_lat": basket.target_lat,
            "target_lon": basket.target_lon,
            **basket.properties,
        }
        features += [
            ExportFeature(
                "launch basket", f"Launch basket: {basket.label}", basket.geometry, {"range_km": basket.range_km, **props}
            ),
            ring_feature(
                "reach of the target",
                f"Within {basket.range_km:,.0f} km of {basket.target_name}",
                basket.target_lat,
                basket.target_lon,
                basket.range_km,
            ),
            point_feature("target", basket.target_name, basket.target_lat, basket.target_lon),
        ]
    if places is not None:
        features += place_features(places)
    return features
