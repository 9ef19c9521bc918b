"""Downloads from the ranges page in a real browser, offline: map layers that GDAL reads back on the circle, and a
print-ready briefing image rendered on the server."""

from __future__ import annotations

import struct

import numpy as np
import pyogrio
import pytest
import shapely

from dashboard import ranges
from tests.browser.conftest import assert_no_error, wait_for_app

pytestmark = pytest.mark.browser


def _download(page, label: str, tmp_path, timeout_ms: int = 60000):
    button = page.get_by_role("button", name=label).first
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=timeout_ms) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_the_rings_download_as_kml_that_gdal_reads_on_the_circle(page, app_url, tmp_path):
    page.goto(app_url + "/ranges?launch=kaliningrad&system=oreshnik&overlay=9m729")
    wait_for_app(page)
    page.get_by_role("heading", name="Take it away").first.scroll_into_view_if_needed()
    path = _download(page, "KML (Google Earth)", tmp_path)
    assert path.name.startswith("inf_watch_ranges_kaliningrad_oreshnik_") and path.suffix == ".kml"
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert {"Range ring", "Compared ring", "Launch basket", "Place in range"} <= set(layers)
    for layer, km in (("Range ring", 5500.0), ("Compared ring", 2500.0)):
        read = pyogrio.read_dataframe(path, layer=layer)
        centre = float(read["launch_lat"].iloc[0]), float(read["launch_lon"].iloc[0])  # the file names its launch point
        assert float(read["range_km"].iloc[0]) == km
        xy = shapely.get_coordinates(read.geometry.iloc[0])
        xy = xy[np.abs(xy[:, 1]) < 90.0]
        dist, _ = ranges.geodesic_distances_km(*centre, xy[:, 1], xy[:, 0])
        assert np.abs(dist - km).max() < 0.010
    assert_no_error(page)


def test_the_ring_map_downloads_as_an_a4_png_at_300_dpi(page, app_url, tmp_path):
    page.goto(app_url + "/ranges")
    wait_for_app(page)
    path = _download(page, "PNG, A4 300 dpi", tmp_path, timeout_ms=120000)
    png = path.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (3508, 2480)
    assert b"pHYs" in png[:64]
    assert_no_error(page)
