"""The base map: Crimea inside Ukraine and marked occupied, Kaliningrad in Russia, straits open, clipped per view."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import GeometryCollection, LineString, Point, Polygon

from dashboard import basemap, data


@pytest.fixture(scope="module")
def layers():
    ds = data.load_dataset()
    seas = ds.places.loc[ds.places["kind"] == "sea_or_strait", ["name", "lon", "lat"]]
    return data.load_countries(), data.load_occupied_areas(), data.load_regions(), seas


@pytest.fixture(scope="module")
def maps(layers):
    return {key: basemap.build_basemap(*layers, key) for key in basemap.VIEWS}


def _country(base, name):
    rows = base.countries[base.countries["name"] == name]
    assert len(rows) == 1, f"{name} missing from the {base.view.key} view"
    return rows.geometry.iloc[0]


def _point(base, lon, lat):
    x, y = base.project([lon], [lat])
    return Point(x[0], y[0])


def test_crimea_is_drawn_inside_ukraine_not_russia(maps):
    base = maps["black_sea"]
    ukraine, russia = _country(base, "Ukraine"), _country(base, "Russia")
    simferopol = _point(base, 34.10, 44.95)
    assert ukraine.contains(simferopol)
    assert not russia.contains(simferopol)
    # Russia's mainland across the Kerch Strait stays Russian.
    assert russia.contains(_point(base, 37.3, 45.1))


def test_crimea_is_marked_occupied_by_russia_since_2014(maps):
    for key in ("black_sea", "europe"):
        occ = maps[key].occupied
        assert list(occ["name"]) == ["Crimea"]
        row = occ.iloc[0]
        assert row["occupied_by"] == "Russia" and str(row["occupied_since"]).startswith("2014")
        outline = Polygon(np.column_stack([row["x"][~np.isnan(row["x"])], row["y"][~np.isnan(row["y"])]]))
        assert _country(maps[key], "Ukraine").buffer(5).contains(outline)  # within Ukraine's outline (km)
    assert maps["baltic"].occupied.empty  # Crimea is far outside the Baltic view


def test_kaliningrad_is_part_of_russia_and_named(maps):
    base = maps["baltic"]
    assert _country(base, "Russia").contains(_point(base, 20.45, 54.70))
    labels = base.country_labels
    russia_labels = labels[labels["name"] == "Russia"]
    assert len(russia_labels) == 2  # the mainland and the Kaliningrad exclave
    exclave = _country(base, "Russia")
    kaliningrad_part = next(p for p in shapely.get_parts(exclave) if p.contains(_point(base, 20.45, 54.70)))
    assert any(kaliningrad_part.contains(Point(x, y)) for x, y in zip(russia_labels["x"], russia_labels["y"], strict=True))


@pytest.mark.parametrize(("lon", "lat"), [(29.075, 41.119), (36.50, 45.25)], ids=["Bosporus", "Kerch Strait"])
def test_straits_stay_open_at_the_regional_scale(maps, lon, lat):
    base = maps["black_sea"]
    water = _point(base, lon, lat)
    assert not any(geom.contains(water) for geom in base.countries.geometry)
    # Land on both sides within 15 km: the strait reads as a strait, not as open sea.
    near = water.buffer(15)
    assert sum(geom.intersects(near) for geom in base.countries.geometry) >= 1
    assert shapely.get_num_geometries(shapely.union_all(list(base.countries.geometry.intersection(near)))) >= 2


def test_countries_are_clipped_to_the_view_and_simplified_to_its_scale(layers, maps):
    countries = layers[0]
    raw = int(shapely.get_num_coordinates(countries.geometry.values).sum())
    sizes = {}
    for key, base in maps.items():
        lon0, lat0, lon1, lat1 = basemap.padded_box(base.view)
        xs, ys = base.project([lon0, lon1, lon0, lon1, (lon0 + lon1) / 2], [lat0, lat0, lat1, lat1, lat1])
        finite = base.land_x[~np.isnan(base.land_x)]
        assert finite.min() >= xs.min() - 1 and finite.max() <= xs.max() + 1
        assert base.land_x.dtype == np.float32 and np.isnan(base.land_x).sum() > 10  # rings separated by gaps
        sizes[key] = len(base.land_x)
        assert sizes[key] < raw / 2
    assert "United States of America" not in set(maps["europe"].countries["name"])
    assert "Bulgaria" not in set(maps["baltic"].countries["name"])


def test_regions_are_outlined_and_named(maps):
    for base in maps.values():
        assert set(base.regions["region"]) == {"Black Sea", "Baltic"}
        assert all(len(x) > 20 for x in base.regions["x"])  # densified so edges follow the projection


def test_sea_labels_only_inside_the_drawn_area(maps):
    assert {"Black Sea", "Bosporus", "Kerch Strait", "Sea of Azov"} <= set(maps["black_sea"].sea_labels["name"])
    assert "Kerch Strait" not in set(maps["baltic"].sea_labels["name"])
    assert "Baltic Sea" in set(maps["baltic"].sea_labels["name"])


def test_polygons_only_drops_stray_lines():
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    mixed = GeometryCollection([LineString([(0, 0), (2, 2)]), square])
    assert basemap.polygons_only(mixed).equals(square)
    assert basemap.polygons_only(LineString([(0, 0), (1, 1)])) is None


def test_views_project_their_centre_to_the_origin():
    for view in basemap.VIEWS.values():
        x, y = basemap.project_points(view, [view.centre[0]], [view.centre[1]])
        assert abs(x[0]) < 1e-6 and abs(y[0]) < 1e-6
    with pytest.raises(KeyError):
        basemap.get_view("atlantis")


def test_sea_labels_come_from_the_places_of_kind_sea_or_strait():
    from dashboard.basemap import seas_of
    from dashboard.data import load_places

    places = load_places()
    seas = seas_of(places)
    assert list(seas.columns) == ["name", "lon", "lat"]
    assert len(seas) == (places["kind"] == "sea_or_strait").sum() > 0 and "Black Sea" in set(seas["name"])
