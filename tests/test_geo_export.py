"""Map layers as files: every file written here is read back by GDAL (pyogrio), a reader other than the writer, and its
circles checked vertex by vertex against the geodesic distance they stand for."""

from __future__ import annotations

import json
import zipfile
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from dashboard import baskets, data, geo_export, ranges

TOLERANCE_KM = 0.010  # every ring vertex within 10 m of the ring's distance
# Launch points: the Baltic, across the antimeridian (Petropavlovsk-Kamchatsky), and a ring round the North Pole.
CASES = [
    ("Kaliningrad", 54.71, 20.45, 2500.0, 480.0),
    ("Petropavlovsk", 53.02, 158.65, 2000.0, 1000.0),
    ("Svalbard", 78.2, 15.6, 1500.0, 700.0),
]
READ_OPTIONS = {"csv": {"GEOM_POSSIBLE_NAMES": "wkt", "KEEP_GEOM_COLUMNS": "NO"}}  # GDAL CSV driver open options


def _meta(name, lat, lon, range_km):
    return geo_export.ExportMeta(f"Rings from {name}", name, lat, lon, range_km, "Test source, 2024", "2026-01-01")


def _features(name, lat, lon, outer, inner):
    places = pd.DataFrame(
        {"place_id": ["p"], "name": ["=HYPERLINK(1)"], "kind": ["city"], "lat": [lat + 1.0], "lon": [lon], "distance_km": [111.0]}
    )
    return geo_export.range_features(
        launch_name=name,
        lat=lat,
        lon=lon,
        ring_label=f"{outer:,.0f} km",
        range_km=outer,
        overlays=[("Compared, 900 km", 900.0)],
        claim_spread=(inner, outer),
        places=places,
    )


def _write(tmp_path, kind, features, meta):
    path = tmp_path / f"layers.{kind}"
    path.write_bytes(geo_export.export_bytes(kind, features, meta))
    return path


def _read_all(path, kind) -> pd.DataFrame:
    frames = []
    for layer, _ in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=layer, **READ_OPTIONS.get(kind, {}))
        frames.append(frame.rename(columns={"Name": "name"}) if "Name" in frame.columns else frame)
    return pd.concat(frames, ignore_index=True)


def _ring_vertex_distances(geometry, lat, lon) -> np.ndarray:
    xy = shapely.get_coordinates(geometry)
    xy = xy[np.abs(xy[:, 1]) < 90.0]  # a ring round a pole is closed along the pole: that point is not on the circle
    dist, _ = ranges.geodesic_distances_km(lat, lon, xy[:, 1], xy[:, 0])
    return dist


@pytest.mark.parametrize("kind", list(geo_export.WRITERS))
@pytest.mark.parametrize(("name", "lat", "lon", "outer", "inner"), CASES)
def test_every_ring_vertex_read_back_lies_on_its_circle(tmp_path, kind, name, lat, lon, outer, inner):
    meta = _meta(name, lat, lon, outer)
    read = _read_all(_write(tmp_path, kind, _features(name, lat, lon, outer, inner), meta), kind)
    rings = read[read["layer"].isin(["range ring", "compared ring"])]
    assert len(rings) == 2
    for geometry, km in zip(rings.geometry, [outer, 900.0], strict=True):
        dist = _ring_vertex_distances(geometry, lat, lon)
        assert len(dist) >= ranges.RING_VERTICES and np.abs(dist - km).max() < TOLERANCE_KM
        assert geometry.bounds[0] >= -180 and geometry.bounds[2] <= 180
    band = read.loc[read["layer"] == "disputed band", "geometry"].iloc[0]
    dist = _ring_vertex_distances(band, lat, lon)
    assert np.abs(np.minimum(np.abs(dist - inner), np.abs(dist - outer))).max() < TOLERANCE_KM
    expected = ranges.range_ring(lat, lon, outer).difference(ranges.range_ring(lat, lon, inner))
    assert shapely.symmetric_difference(band, expected).area < 1e-6 * expected.area
    # Every feature carries the file's title, launch point, range, source and method.
    for column, value in (("title", meta.title), ("launch_point", name), ("source", meta.source), ("method", geo_export.METHOD)):
        assert (read[column] == value).all(), column
    assert pd.to_numeric(read["launch_lat"]).eq(lat).all() and pd.to_numeric(read["range_km"]).notna().all()
    point = read.loc[read["layer"] == "place in range"]
    assert point.geometry.iloc[0].equals_exact(shapely.Point(lon, lat + 1.0), 1e-9)


def test_a_launch_basket_survives_the_round_trip(tmp_path):
    world = data.load_dataset()
    territory = baskets.build_launch_territory(
        ("rus",),
        actors=world.actors,
        places=world.places,
        country_codes=data.load_country_codes(),
        countries=data.load_countries(),
        occupied=data.load_occupied_areas(),
    )
    basket = baskets.launch_basket(64.5, -165.4, 1200, ("rus",), territory)  # across the antimeridian
    export = geo_export.BasketExport(basket, "Nome", 64.5, -165.4, 1200.0, "test", {"area_km2": baskets.basket_area_km2(basket)})
    features = geo_export.range_features(
        launch_name="Anadyr", lat=64.73, lon=177.5, ring_label="r", range_km=1000.0, basket=export
    )
    for kind in geo_export.WRITERS:
        read = _read_all(_write(tmp_path, kind, features, _meta("Anadyr", 64.73, 177.5, 1000.0)), kind)
        back = read.loc[read["layer"] == "launch basket", "geometry"].iloc[0]
        assert shapely.symmetric_difference(back, basket).area < 1e-6 * basket.area, kind
        assert baskets.basket_area_km2(back) == pytest.approx(baskets.basket_area_km2(basket), rel=1e-6)
        target = read.loc[read["layer"] == "target"]
        assert target["name"].iloc[0] == "Nome"


def test_the_files_say_what_they_are_at_the_top(tmp_path):
    meta = _meta("Kaliningrad", 54.71, 20.45, 2500.0)
    features = _features("Kaliningrad", 54.71, 20.45, 2500.0, 480.0)
    doc = json.loads(geo_export.to_geojson(features, meta))
    assert doc["name"] == meta.title and doc["metadata"]["method"] == geo_export.METHOD
    assert doc["metadata"]["launch_point"] == "Kaliningrad" and doc["metadata"]["range_km"] == 2500.0
    kml = ET.fromstring(geo_export.to_kml(features, meta))
    ns = {"k": geo_export.KML_NS}
    assert kml.find("k:Document/k:name", ns).text == meta.title
    assert "WGS84" in kml.find("k:Document/k:description", ns).text
    with zipfile.ZipFile(_write(tmp_path, "kmz", features, meta)) as kmz:
        assert kmz.namelist() == ["doc.kml"]
    csv_text = geo_export.to_csv(features, meta).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith('"layer","name","lat","lon"')
    assert "'=HYPERLINK(1)" in csv_text  # a formula from the data is neutralised for spreadsheets


def test_circles_are_written_as_polygons_never_as_centre_and_radius():
    features = _features("Kaliningrad", 54.71, 20.45, 2500.0, 480.0)
    doc = json.loads(geo_export.to_geojson(features, _meta("Kaliningrad", 54.71, 20.45, 2500.0)))
    ring = next(f for f in doc["features"] if f["properties"]["layer"] == "range ring")
    assert ring["geometry"]["type"] == "Polygon" and len(ring["geometry"]["coordinates"][0]) == ranges.RING_VERTICES + 1
    assert "radius" not in json.dumps(ring["properties"])
