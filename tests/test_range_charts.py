"""Range figures: the traces a reader needs, axes in km, data text escaped, no plotly geo layer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import data, range_charts, ranges, sides


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


@pytest.fixture(scope="module")
def outlines():
    return range_charts.outline_lines(data.load_countries(), tolerance_deg=0.1)


def _places(ds, lat, lon, speed=800.0):
    frame = ranges.add_flight_times(ranges.place_distances(lat, lon, ds.places), speed)
    return frame.assign(side=sides.side_of(frame["operator"], ds.actors).to_numpy())


def _names(fig):
    return [t.name or "" for t in fig.data]


def test_ring_map_has_bands_thresholds_claims_range_and_places(ds, outlines):
    lat, lon = 56.85, 41.366667
    claims = ranges.system_claims(ds.range_claims, "9m729")
    fig = range_charts.ring_map(
        launch_name="Shuya",
        lat=lat,
        lon=lon,
        range_km=2500.0,
        range_label="9M729 (SSC-8), 2,500 km",
        side="Russia",
        places=_places(ds, lat, lon),
        outlines=outlines,
        claims=claims,
    )
    names = _names(fig)
    assert "Shorter-range class, 500–1,000 km" in names and "Intermediate-range class, 1,000–5,500 km" in names
    assert "Treaty thresholds: 500, 1,000, 5,500 km" in names
    assert any(n.startswith("Disputed: 480–2,500 km") for n in names)
    assert sum(1 for t in fig.data if t.legendgroup == "claims") == len(claims)
    assert any(n.startswith("480 km: Russian Ministry of Defence") for n in names)
    assert "Launch point: Shuya" in names and "In range: NATO places" in names
    assert all(t.type == "scatter" for t in fig.data)  # no scattergeo: nothing fetched from a CDN
    assert "km" in fig.layout.xaxis.title.text and "km" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis.scaleanchor == "x"
    ring = next(t for t in fig.data if t.name == "9M729 (SSC-8), 2,500 km")
    radius = np.hypot(np.asarray(ring.x, float), np.asarray(ring.y, float))
    assert np.abs(radius - 2500.0).max() < 0.1  # azimuthal equidistant: the ring is a true circle in km
    assert ring.line.color == range_charts.SIDE_COLOURS["Russia"]


def test_annulus_band_has_a_hole(ds, outlines):
    fig = range_charts.ring_map(
        launch_name="X",
        lat=50.0,
        lon=10.0,
        range_km=700.0,
        range_label="custom range, 700 km",
        side="Other",
        places=_places(ds, 50.0, 10.0),
        outlines=outlines,
    )
    band = next(t for t in fig.data if (t.name or "").startswith("Shorter-range"))
    assert band.fill == "toself" and None in band.x  # outer ring, gap, inner ring
    gap = list(band.x).index(None)
    outer = np.hypot(np.array(band.x[:gap], float), np.array(band.y[:gap], float))
    inner = np.hypot(np.array(band.x[gap + 1 :], float), np.array(band.y[gap + 1 :], float))
    assert np.allclose(outer, 1000.0, atol=0.1) and np.allclose(inner, 500.0, atol=0.1)
    assert not any(n.startswith("Disputed") for n in _names(fig))


def test_regional_view_uses_the_fixed_european_frame(ds, outlines):
    fig = range_charts.ring_map(
        launch_name="Deveselu",
        lat=44.08,
        lon=24.41,
        range_km=2500.0,
        range_label="r",
        side="NATO",
        places=_places(ds, 44.08, 24.41),
        outlines=outlines,
        view="region",
    )
    assert tuple(fig.layout.xaxis.range) == range_charts.REGION_EXTENT_KM[0]
    assert "52°N 10°E" in fig.layout.xaxis.title.text


def test_map_escapes_data_text_and_stays_small(ds, outlines):
    places = _places(ds, 54.7, 20.45).copy()
    places.loc[places.index[0], "name"] = "<b onmouseover=x>Evil</b>"
    fig = range_charts.ring_map(
        launch_name="<script>",
        lat=54.7,
        lon=20.45,
        range_km=5500.0,
        range_label="<i>r</i>",
        side="Russia",
        places=places,
        outlines=outlines,
    )
    payload = fig.to_json()
    assert "<script>" not in payload and "<b onmouseover" not in payload and "&lt;script&gt;" in payload
    assert len(payload) < 1_000_000


def test_outline_lines_leave_out_the_antimeridian_seam(outlines):
    lon, lat = outlines
    ok = ~np.isnan(lon[:-1]) & ~np.isnan(lon[1:])
    assert np.abs(np.diff(lon)[ok]).max() <= 30.0
    assert np.isnan(lon).sum() > 100


def test_range_chart_has_classes_sides_claims_and_km_axis(ds):
    catalogue = ranges.missile_catalogue(ds.missiles, ds.actors)
    fig = range_charts.range_chart(catalogue, ds.range_claims)
    names = _names(fig)
    assert "NATO systems (lowest–highest figure)" in names and "Russia systems (lowest–highest figure)" in names
    assert "Published claims" in names
    assert fig.layout.xaxis.title.text == "Range (km)" and tuple(fig.layout.xaxis.range) == (0, 6000)
    rects = [(s.x0, s.x1) for s in fig.layout.shapes]
    assert (500.0, 1000.0) in rects and (1000.0, 5500.0) in rects
    claims = next(t for t in fig.data if t.name == "Published claims")
    assert len(claims.x) == len(ds.range_claims[ds.range_claims["system_id"].isin(catalogue["system_id"])])


def test_range_chart_when_nothing_matches(ds):
    empty = ranges.missile_catalogue(ds.missiles, ds.actors, basings=("sea",), missile_types=("hypersonic glide",))
    fig = range_charts.range_chart(empty, ds.range_claims)
    assert any("No missile systems match" in a.text for a in fig.layout.annotations)
    assert isinstance(empty, pd.DataFrame) and empty.empty


def test_thousands_of_places_are_grouped_and_the_readers_own_drawn_apart(ds, outlines):
    """Above MAX_PLACE_MARKERS in view the nearest are drawn one by one, the rest grouped; uploads stay separate."""
    rng = np.random.default_rng(1)
    n = range_charts.MAX_PLACE_MARKERS + 2000
    many = pd.DataFrame(
        {
            "place_id": [f"p{i}" for i in range(n)],
            "name": [f"Site {i}" for i in range(n)],
            "kind": "air_base",
            "country": "",
            "operator": "rus",
            "lat": rng.uniform(52, 60, n),
            "lon": rng.uniform(33, 49, n),
        }
    )  # all in view
    mine = pd.DataFrame(
        {
            "place_id": ["mine"],
            "name": ["<script>alert(1)</script>"],
            "kind": "air_base",
            "country": "",
            "operator": "",
            "lat": [55.0],
            "lon": [37.0],
            "is_user_data": [True],
        }
    )
    places = pd.concat([many.assign(is_user_data=False), mine], ignore_index=True)
    lat, lon = 56.85, 41.366667
    frame = ranges.add_flight_times(ranges.place_distances(lat, lon, places), 800.0)
    frame = frame.assign(side=sides.side_of(frame["operator"], ds.actors).to_numpy())
    fig = range_charts.ring_map(
        launch_name="Shuya",
        lat=lat,
        lon=lon,
        range_km=1000.0,
        range_label="1,000 km",
        side="Russia",
        places=frame,
        outlines=outlines,
    )
    single = [t for t in fig.data if t.name in ("Places out of range", "In range: Russia places")]
    assert sum(len(t.x) for t in single) == range_charts.MAX_PLACE_MARKERS
    grouped = [t for t in fig.data if (t.name or "").startswith("More places")]
    assert grouped and sum(int(np.sum(t.customdata)) for t in grouped) == n - range_charts.MAX_PLACE_MARKERS
    assert sum(len(t.x) for t in grouped) < 1000  # one marker per cell, not per place
    yours = next(t for t in fig.data if (t.name or "").startswith("Your data: places"))
    assert len(yours.x) == 1 and yours.marker.symbol == "diamond"
    assert "&lt;script&gt;" in yours.text[0] and "<script>" not in yours.text[0] and "(your data)" in yours.text[0]
    assert len(fig.to_json()) < 1_500_000


def test_outlines_are_finer_only_for_short_ranges_centred_on_the_launch_point():
    import pandas as pd

    from dashboard.range_charts import outline_tolerance

    assert outline_tolerance("launch", 1000) < outline_tolerance("launch", 2000) == outline_tolerance("region", 1000)
    claims = pd.DataFrame({"range_km": [480.0, 2500.0]})
    assert outline_tolerance("launch", 500, claims) == outline_tolerance("launch", 2500)  # the widest claim sets the scale


def test_range_chart_names_each_system_on_a_category_axis(ds):
    catalogue = ranges.missile_catalogue(ds.missiles, ds.actors)
    fig = range_charts.range_chart(catalogue, ds.range_claims)
    # Legend-only traces come first; without the axis type plotly.js would guess numbers and draw no bars.
    assert fig.layout.yaxis.type == "category"
    assert set(catalogue["name"]) <= set(fig.layout.yaxis.categoryarray)


def test_the_readers_own_places_are_capped_like_the_rest(ds, outlines):
    n = range_charts.MAX_PLACE_MARKERS + 1500
    rng = np.random.default_rng(2)
    mine = pd.DataFrame(
        {
            "place_id": [f"m{i}" for i in range(n)],
            "name": [f"Mine {i}" for i in range(n)],
            "kind": "air_base",
            "country": "",
            "operator": "pol",
            "lat": rng.uniform(52, 60, n),
            "lon": rng.uniform(33, 49, n),
            "is_user_data": True,
        }
    )
    lat, lon = 56.85, 41.366667
    frame = ranges.places_in_reach(lat, lon, 800.0, mine, ds.actors)
    fig = range_charts.ring_map(
        launch_name="Shuya",
        lat=lat,
        lon=lon,
        range_km=1000.0,
        range_label="1,000 km",
        side="Russia",
        places=frame,
        outlines=outlines,
    )
    yours = next(t for t in fig.data if (t.name or "").startswith("Your data: places"))
    assert len(yours.x) == range_charts.MAX_PLACE_MARKERS
    nearest = set(frame.nsmallest(range_charts.MAX_PLACE_MARKERS, "distance_km")["name"])
    assert {t.split("</b>")[0].removeprefix("<b>") for t in yours.text} == nearest
    grouped = [t for t in fig.data if (t.name or "").startswith("More places")]
    assert sum(int(np.sum(t.customdata)) for t in grouped) == n - range_charts.MAX_PLACE_MARKERS
    assert len(fig.to_json()) < 1_500_000


def test_compared_rings_differ_in_line_style_colour_and_label(ds, outlines):
    overlays = [
        range_charts.OverlayRing(f"System {i}, {km:,.0f} km", km) for i, km in enumerate((500, 1000, 2000, 3000, 4000, 5000))
    ]
    fig = range_charts.ring_map(
        launch_name="Shuya",
        lat=56.85,
        lon=41.37,
        range_km=2500.0,
        range_label="9M729, 2,500 km",
        side="Russia",
        places=_places(ds, 56.85, 41.37).head(0),
        outlines=outlines,
        overlays=overlays,
    )
    rings = [t for t in fig.data if t.legendgroup == "overlay"]
    assert [t.name for t in rings] == [o.label for o in overlays]
    assert len({t.line.dash for t in rings}) == 6 and len({t.line.color for t in rings}) == 6
    # Rings 1,000 km apart on a map 11,000 km across: on a phone the labels of some would cover others, so those are
    # left to the legend and the line styles; the labels written are in order, one per ring.
    labels = [t.text[0] for t in fig.data if t.mode == "text" and t.text and t.text[0].startswith("System")]
    assert 1 <= len(labels) < len(overlays) and labels == [o.label for o in overlays if o.label in labels]
    # The view widens to the largest compared ring.
    assert fig.layout.yaxis.range[1] >= 5000


def test_basket_map_draws_the_basket_its_sites_and_the_target(outlines):
    from shapely.geometry import box

    basket = box(20.0, 54.0, 22.0, 55.0)
    sites = pd.DataFrame(
        {
            "name": ["Near <b>", "Far"],
            "kind": ["naval_base", "air_base"],
            "country": ["Russia", "Russia"],
            "lat": [54.6, 54.9],
            "lon": [20.5, 21.5],
            "distance_km": [490.0, 560.0],
        }
    )
    fig = range_charts.basket_map(
        target_name="Berlin",
        lat=52.52,
        lon=13.4,
        range_km=2500.0,
        range_label="9M729, 2,500 km",
        basket=basket,
        territory_label="Russia and allies",
        sites=sites,
        side="Russia",
        outlines=outlines,
    )
    names = _names(fig)
    assert "Launch basket: Russia and allies" in names and "Target: Berlin" in names
    assert "Nearest site: Near &lt;b&gt;, 490 km" in names  # data text escaped
    fill = next(t for t in fig.data if t.name.startswith("Launch basket"))
    assert fill.fill == "toself" and np.isfinite(np.asarray(fill.x, dtype=float)).sum() == 5
    assert "target" in fig.layout.xaxis.title.text


def test_ring_map_draws_once_lightly_and_says_the_same(ds, outlines):
    """Fixed margins (automatic ones never settle on equal-scale axes), rings no finer than a screen shows, and each
    place's hover built from one sentence per trace."""
    lat, lon = 56.85, 41.366667
    fig = range_charts.ring_map(
        launch_name="Shuya",
        lat=lat,
        lon=lon,
        range_km=2500.0,
        range_label="9M729 (SSC-8), 2,500 km",
        side="Russia",
        places=_places(ds, lat, lon),
        outlines=outlines,
        claims=ranges.system_claims(ds.range_claims, "9m729"),
    )
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False
    assert fig.layout.margin.l >= 90 and fig.layout.margin.b >= 50  # "−2,000 km" and the axis titles fit
    ring = next(t for t in fig.data if t.name == "9M729 (SSC-8), 2,500 km")
    assert len(ring.x) == range_charts.DRAWN_RING_VERTICES + 1  # closed
    step = np.deg2rad(360.0 / range_charts.DRAWN_RING_VERTICES)
    km_per_px = (fig.layout.xaxis.range[1] - fig.layout.xaxis.range[0]) / 900  # the map about 900 px wide
    assert 2500.0 * (1 - np.cos(step / 2)) / km_per_px < 0.05  # a chord strays from the circle by under 0.05 px
    nato = next(t for t in fig.data if t.name == "In range: NATO places")
    row = list(nato.customdata[0])
    assert len(nato.text) == len(nato.customdata) == len(nato.x) and nato.text[0].startswith("<b>")
    assert row[1].replace(",", "").isdigit() and row[2].endswith("min")
    assert "km from the launch point" in nato.hovertemplate and "Cruise at 800 km/h" in nato.hovertemplate


def test_labels_of_compared_rings_of_one_range_do_not_cover_each_other():
    frame = range_charts.map_frame("launch", 56.85, 41.37, 2500)
    rings = [range_charts.OverlayRing(f"System {i}, 2,000 km", 2000.0) for i in range(3)]
    azimuths = range_charts.overlay_label_azimuths(frame, 56.85, 41.37, rings)
    assert None not in azimuths and len(set(azimuths)) == 3
    # A small ring has room for fewer: the first labels go round it, the rest are left to the legend.
    small = [range_charts.OverlayRing(f"System {i}, 500 km", 500.0) for i in range(4)]
    azimuths = range_charts.overlay_label_azimuths(frame, 56.85, 41.37, small)
    written = [a for a in azimuths if a is not None]
    assert len(written) >= 2 and len(set(written)) == len(written) and azimuths[-1] is None


def test_threshold_labels_on_a_map_of_long_ranges_do_not_stack():
    near = range_charts.map_frame("launch", 56.85, 41.37, 1_500)
    far = range_charts.map_frame("launch", 56.85, 41.37, 12_000)
    ys = np.array(range_charts.TREATY_RINGS_KM, dtype=float)  # due north of the point, y is about the distance
    # On the near map 5,500 km lies beyond its top edge, where plotly would cut the label off.
    assert range_charts.threshold_label_texts(near, ys) == ["500 km", "1,000 km", ""]
    assert range_charts.threshold_label_texts(far, ys) == ["", "1,000 km", "5,500 km"]


def test_catalogue_axis_writes_short_names_and_the_hover_box_the_full_ones(ds):
    names = ["9M729 (SSC-8)", "Precision Strike Missile (PrSM) Increment 1", "Kh-101 / Kh-102", "A (x)", "A (y)"]
    assert range_charts.short_system_names(names) == ["9M729", "Precision Strike…", "Kh-101 / Kh-102", "A (x)", "A (y)"]
    assert all(len(s) <= range_charts.SHORT_NAME_CHARS for s in range_charts.short_system_names(names[:3]))
    catalogue = ranges.missile_catalogue(ds.missiles, ds.actors)
    fig = range_charts.range_chart(catalogue, ds.range_claims)
    axis = fig.layout.yaxis
    assert list(axis.tickvals) == list(axis.categoryarray) and len(set(axis.ticktext)) == len(axis.ticktext)
    assert max(map(len, axis.ticktext)) <= range_charts.SHORT_NAME_CHARS < max(map(len, axis.tickvals))
    bars = [t for t in fig.data if t.name and t.name.endswith("(lowest–highest figure)")]
    full = {text.split("</b>")[0].removeprefix("<b>") for t in bars for text in t.text if text}
    assert full == set(axis.tickvals)  # each bar's hover box names the system in full


def test_claim_figures_keep_clear_of_the_launch_star_and_the_note_fits_a_phone(ds, outlines):
    lat, lon = 54.71, 20.51  # Kaliningrad: the claims of 280 to 500 km lie close round the star on a phone's map
    fig = range_charts.ring_map(
        launch_name="Kaliningrad",
        lat=lat,
        lon=lon,
        range_km=500.0,
        range_label="9M723 (Iskander-M), 500 km",
        side="Russia",
        places=_places(ds, lat, lon),
        outlines=outlines,
        claims=ranges.system_claims(ds.range_claims, "9m723"),
        overlays=[range_charts.OverlayRing("9M729 (SSC-8), 2,500 km", 2500.0)],
    )
    frame = range_charts.map_frame("launch", lat, lon, 2500.0)
    half = 8 * range_charts._km_per_px(frame)  # the star is 16 px across on a phone's map
    star = next(t for t in fig.data if (t.name or "").startswith("Launch point"))
    written = [t for t in fig.data if t.mode == "markers+text" and t.text and t.text[0]]
    assert written, "no claim figure written"
    for t in written:  # a figure is written left of its dot: its box ends at the dot
        assert not (abs(t.x[0] - star.x[0]) < half and abs(t.y[0] - star.y[0]) < half), t.text[0]
    note = fig.layout.annotations[-1].text
    assert "projection" in note and all(len(line) <= range_charts.NOTE_LINE_CHARS for line in note.split("<br>"))
