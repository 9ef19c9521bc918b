"""Builds data/countries.geojson from Natural Earth (world-atlas TopoJSON), with Crimea shown as part of Ukraine.

Run once when the upstream file changes:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m dashboard.boundaries package/countries-10m.json

Natural Earth 4.1.0 draws Crimea inside Russia's polygon. Following UN General Assembly resolution
68/262, the project's file moves the peninsula to Ukraine and keeps it as its own feature
(`is_occupied` true) so that maps can mark it as occupied by Russia since 2014.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
COUNTRIES_FILE = DATA_DIR / "countries.geojson"
OCCUPIED_FILE = DATA_DIR / "occupied_areas.geojson"

# The Crimean peninsula's bounding box; Russia's mainland (Taman peninsula) starts east of 36.6°E.
CRIMEA_BOX = box(32.3, 44.3, 36.7, 46.3)
CRIMEA_NAME = "Crimea"
# Simplification tolerance in degrees. Near the regions ~200 m keeps the Bosporus (~700 m wide) and
# the Kerch Strait open; elsewhere ~2 km is finer than any scale the app shows the rest of the world at.
SIMPLIFY_NEAR_DEG = 0.002
SIMPLIFY_FAR_DEG = 0.02
NEAR_WINDOW = box(-15.0, 30.0, 60.0, 72.0)


def _polygons(geom) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for part in getattr(geom, "geoms", []) for g in _polygons(part)]


def split_crimea(countries: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Move the Crimean part of Russia's polygon into Ukraine.

    Returns the corrected countries and a frame of occupied areas with columns
    `name, country, occupied_by, occupied_since, geometry`.
    """
    out = countries.copy()
    is_russia = out["name"] == "Russia"
    russia = out.loc[is_russia, "geometry"].iloc[0]
    crimea_parts = [p for p in _polygons(russia) if CRIMEA_BOX.contains(p.representative_point())]
    if not crimea_parts:
        raise ValueError("No Crimean polygon found inside Russia's geometry: has the upstream file changed?")
    crimea = MultiPolygon(crimea_parts)
    rest = MultiPolygon([p for p in _polygons(russia) if p not in crimea_parts])
    out.loc[is_russia, "geometry"] = gpd.GeoSeries([rest], index=out.index[is_russia], crs=out.crs)
    is_ukraine = out["name"] == "Ukraine"
    ukraine = out.loc[is_ukraine, "geometry"].iloc[0]
    out.loc[is_ukraine, "geometry"] = gpd.GeoSeries([shapely.union(ukraine, crimea)], index=out.index[is_ukraine], crs=out.crs)
    occupied = gpd.GeoDataFrame(
        {
            "name": [CRIMEA_NAME],
            "country": ["Ukraine"],
            "occupied_by": ["Russia"],
            "occupied_since": ["2014-03-18"],
        },
        geometry=[crimea],
        crs=out.crs,
    )
    return out, occupied


def _seam_sides_fixed(ring: np.ndarray) -> np.ndarray:
    """A ring's vertices with every vertex on ±180° put on the side of the seam its neighbours are on.

    The TopoJSON decoder writes some vertices at +180° as −180° (and the reverse), so a piece of Russia east of
    Siberia's last meridian ran back round the globe and covered Alaska and Lapland instead. A vertex on the
    seam whose nearest vertices off the seam lie on one side belongs to that side; a vertex between
    neighbours on both sides (a ring that really crosses, as Antarctica's does) is left as it is.
    """
    xy = ring.copy()
    on_seam = np.abs(xy[:, 0]) >= 180.0 - 1e-9
    off = np.nonzero(~on_seam)[0]
    if not on_seam.any() or not len(off):
        return xy
    for i in np.nonzero(on_seam)[0]:
        before = off[off < i]
        after = off[off > i]
        prev_x = xy[before[-1] if len(before) else off[-1], 0]
        next_x = xy[after[0] if len(after) else off[0], 0]
        if np.sign(prev_x) == np.sign(next_x) != 0:
            xy[i, 0] = 180.0 * np.sign(prev_x)
    return xy


def fix_seam_vertices(geom):
    """`geom` with the vertices on the antimeridian put on the right side of it (see _seam_sides_fixed)."""

    def fixed(poly: Polygon) -> Polygon:
        rings = [np.asarray(poly.exterior.coords), *(np.asarray(r.coords) for r in poly.interiors)]
        return Polygon(_seam_sides_fixed(rings[0]), [_seam_sides_fixed(r) for r in rings[1:]])

    parts = [fixed(p) for p in _polygons(geom)]
    if not parts:
        return geom
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _only_polygons(geom):
    """Drop the stray lines and points that make_valid can leave beside polygons."""
    parts = _polygons(geom)
    if not parts:
        return MultiPolygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _simplify(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    near = frame.geometry.intersects(NEAR_WINDOW)
    out = frame.copy()
    out.loc[near, "geometry"] = frame.loc[near].geometry.simplify(SIMPLIFY_NEAR_DEG)
    out.loc[~near, "geometry"] = frame.loc[~near].geometry.simplify(SIMPLIFY_FAR_DEG)
    out["geometry"] = [_only_polygons(g) for g in shapely.make_valid(out.geometry.values)]
    return out[~out.geometry.is_empty].sort_values("name").reset_index(drop=True)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write one feature per line, 4 decimals (~10 m): small and diff-friendly."""
    frame.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=4, WRITE_NAME=False)
    doc = json.loads(path.read_text(encoding="utf-8"))
    lines = ",\n".join(json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in doc["features"])
    path.write_text('{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n", encoding="utf-8")


def build_countries(
    topojson_path: Path, out_path: Path = COUNTRIES_FILE, occupied_path: Path = OCCUPIED_FILE
) -> gpd.GeoDataFrame:
    """Read Natural Earth admin-0 TopoJSON, correct Crimea, simplify, and write GeoJSON files."""
    raw = gpd.read_file(topojson_path, layer="countries").set_crs("EPSG:4326", allow_override=True)
    raw = raw.rename(columns={"id": "iso_n3"})
    raw["iso_n3"] = raw["iso_n3"].fillna("").astype(str)
    raw["geometry"] = shapely.make_valid([fix_seam_vertices(g) for g in raw.geometry.values])
    # Some small territories appear in several pieces: one row per name keeps joins simple.
    raw = raw.dissolve(by="name", as_index=False, aggfunc="first")
    countries, occupied = split_crimea(raw[["name", "iso_n3", "geometry"]])
    countries = _simplify(countries)
    _write_geojson(countries, out_path)
    _write_geojson(_simplify(occupied), occupied_path)
    return countries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topojson", type=Path, help="world-atlas countries-10m.json")
    parser.add_argument("--out", type=Path, default=COUNTRIES_FILE)
    args = parser.parse_args()
    built = build_countries(args.topojson, args.out)
    print(f"wrote {len(built)} features to {args.out}")


if __name__ == "__main__":
    main()
