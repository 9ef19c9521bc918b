"""Plotly figure builders for the missile-ranges page: range-ring maps on plain km axes and the range chart.

Maps avoid plotly's geo layer (which fetches outlines from a CDN): outlines, graticule and rings are
projected here with pyproj and drawn with go.Scatter on x/y axes in km, equal scale on both.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from dashboard import ranges, schema
from dashboard.charts import (
    MODEBAR_ROW_PX,
    SIDE_COLOURS,
    SIDE_DASHES,
    SIDE_SYMBOLS,
    USER_COLOUR,
    USER_LABEL,
    USER_TAG,
    base_layout,
    empty_figure,
    plotly_text,
)

# Treaty classes shaded on every chart (Okabe–Ito yellow and bluish green, light).
CLASS_FILLS = {
    "shorter": ("Shorter-range class, 500–1,000 km", "rgba(240, 228, 66, 0.35)"),
    "intermediate": ("Intermediate-range class, 1,000–5,500 km", "rgba(0, 158, 115, 0.10)"),
}
THRESHOLD_COLOUR = "#444444"
OUTLINE_COLOUR = "#9AA3AD"
GRATICULE_COLOUR = "#E3E7EB"
TREATY_RINGS_KM = (schema.INF_SHORTER_RANGE_KM[0], schema.INF_SHORTER_RANGE_KM[1], schema.INF_BAND_KM[1])
# The regional view: km from 52°N 10°E in Lambert azimuthal equal-area (Europe, Black Sea, Baltic).
REGION_EXTENT_KM = ((-2800.0, 4300.0), (-2500.0, 2700.0))
# Above this many places in view, the nearest are drawn one by one and the rest grouped per grid cell.
MAX_PLACE_MARKERS = 1000
GROUP_GRID_CELLS = 60  # across the width of the view
# Rings compared on one map: each has its own line style as well as its own colour (Okabe–Ito, apart from the
# side colours of the chosen ring), and its label is written on it, so none relies on colour alone.
OVERLAY_STYLES = (
    ("#CC79A7", "dash"),
    ("#009E73", "dot"),
    ("#56B4E9", "dashdot"),
    ("#E69F00", "longdash"),
    ("#882255", "longdashdot"),
    ("#44AA99", "6px,3px,1px,3px,1px,3px"),
)
BASKET_FILL_ALPHA = 0.45
# Vertices of a ring as drawn, one every 1.5° of azimuth (ranges.RING_VERTICES, 720, stays the count for the geometry
# itself): each chord lies within r·(1 − cos 0.75°) of the circle, under a fifth of a pixel even for the largest ring
# zoomed in five times, and a map of a dozen rings carries a third of the vertices it did.
DRAWN_RING_VERTICES = 240
# Fixed room for the km axes' tick labels and titles (px). Margins that follow the tick labels never settle on these
# equal-scale axes: new margins give new ticks, which ask for new margins, and plotly.js drew the whole map up to 21
# times ("Too many auto-margin redraws", 1.5 s of the browser's time; benchmarks/page_ready.py). The legend below still
# makes its own room.
LAUNCH_STAR_PX = 22.0  # the launch point's star (16 px) and the room kept clear round it
NOTE_LINE_CHARS = 34  # the projection note's lines: about 190 px at 11 px, inside the map on a phone
RING_MAP_MARGIN = {"l": 95, "r": 10, "t": 72 + MODEBAR_ROW_PX, "b": 60}  # the title's two lines below the toolbar


def outline_lines(
    countries: pd.DataFrame, tolerance_deg: float = 0.05, min_area_deg2: float = 0.02
) -> tuple[np.ndarray, np.ndarray]:
    """Country borders and coasts as one lon/lat polyline (degrees) with NaN between the pieces.

    Simplified to `tolerance_deg` and without islands smaller than `min_area_deg2`; the artificial edges
    Natural Earth draws along the antimeridian and the South Pole are left out.
    """
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    for geom in countries.geometry:
        if geom is None or geom.is_empty:
            continue
        for poly in shapely.get_parts(geom):
            if not isinstance(poly, Polygon) or poly.area < min_area_deg2:
                continue
            simple = poly.simplify(tolerance_deg, preserve_topology=True)
            for ring in [simple.exterior, *simple.interiors]:
                xy = np.asarray(ring.coords)
                # Break the line where an edge runs along ±180°, along the bottom of the map, or jumps across
                # the map (a polygon closed round the back of the globe): none of these is a real border.
                seam = (
                    ((np.abs(xy[:-1, 0]) > 179.999) & (np.abs(xy[1:, 0]) > 179.999))
                    | ((xy[:-1, 1] < -89.9) & (xy[1:, 1] < -89.9))
                    | (np.abs(np.diff(xy[:, 0])) > 30.0)
                )
                start = 0
                for cut in [*(np.nonzero(seam)[0] + 1).tolist(), len(xy)]:
                    piece = xy[start:cut]
                    if len(piece) > 1:
                        lons.append(np.append(piece[:, 0], np.nan))
                        lats.append(np.append(piece[:, 1], np.nan))
                    start = cut
    if not lons:
        return np.empty(0), np.empty(0)
    return np.concatenate(lons), np.concatenate(lats)


def outline_tolerance(view: str, range_km: float, claims: pd.DataFrame | None = None) -> float:
    """Degrees to simplify country outlines by for a ring map: about half a pixel at the map's usual width,
    since finer detail costs the browser time and shows nothing. `claims` (range_km) widen what the map spans."""
    reach = max([range_km, *([] if claims is None else claims["range_km"].tolist())])
    return 0.04 if view == "launch" and reach < 1500 else 0.1


def graticule_lines(step_deg: float = 10.0) -> tuple[np.ndarray, np.ndarray]:
    """Meridians and parallels every `step_deg` degrees as one lon/lat polyline with NaN breaks."""
    lons, lats = [], []
    fine = np.linspace(-80.0, 80.0, 161)
    for lo in np.arange(-180.0, 180.0, step_deg):
        lons += [np.full(fine.size, lo), [np.nan]]
        lats += [fine, [np.nan]]
    fine_lon = np.linspace(-180.0, 180.0, 361)
    for la in np.arange(-80.0, 81.0, step_deg):
        lons += [fine_lon, [np.nan]]
        lats += [np.full(fine_lon.size, la), [np.nan]]
    return np.concatenate(lons), np.concatenate(lats)


# Lines are kept this far (a fraction of the view's width or height) beyond each edge, for panning.
CLIP_MARGIN = 0.2


def _clip_to_box(x: np.ndarray, y: np.ndarray, xr: tuple[float, float], yr: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Drop points far outside the view (breaking the line there) and round to 0.1 km; NaN marks the gaps.

    Arrays, not lists: plotly validates a list element by element (seconds for a map's outlines) but an
    array in one step, and sends it to the browser as compact binary.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    mx = (xr[1] - xr[0]) * CLIP_MARGIN
    my = (yr[1] - yr[0]) * CLIP_MARGIN
    outside = (x < xr[0] - mx) | (x > xr[1] + mx) | (y < yr[0] - my) | (y > yr[1] + my) | np.isnan(x) | np.isnan(y)
    x = np.where(outside, np.nan, np.round(x, 1))
    y = np.where(outside, np.nan, np.round(y, 1))
    # Collapse runs of NaN: one gap is enough to break the line.
    keep = ~(outside & np.append([True], outside[:-1]))
    return x[keep].astype(np.float32), y[keep].astype(np.float32)  # 4 bytes a value: 0.001 km steps at 20,000 km


@dataclass(frozen=True)
class MapFrame:
    """How a range map is projected: a PROJ string in km, the visible box and axis titles."""

    proj: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    x_title: str
    y_title: str
    note: str


def map_frame(view: str, lat: float, lon: float, reach_km: float) -> MapFrame:
    """Projection and extent for a view: `launch` (azimuthal equidistant on the point) or `region` (Europe)."""
    if view == "region":
        xr, yr = REGION_EXTENT_KM
        return MapFrame(
            ranges.REGION_PROJ,
            xr,
            yr,
            "km east (+) or west (−) of 52°N 10°E",
            "km north (+) or south (−) of 52°N 10°E",
            "Lambert azimuthal equal-area centred on 52°N 10°E (as EPSG:3035); geodesic rings drawn true.",
        )
    half = max(float(reach_km) * 1.12, 800.0)
    return MapFrame(
        ranges.launch_projection(lat, lon),
        (-half * 1.6, half * 1.6),
        (-half, half),
        "km east (+) or west (−) of the launch point",
        "km north (+) or south (−) of the launch point",
        "Azimuthal equidistant projection centred on the launch point: every distance from it is true.",
    )


def _ring_xy(frame: MapFrame, lat: float, lon: float, range_km: float) -> tuple[np.ndarray, np.ndarray]:
    lons, lats = ranges.ring_vertices(lat, lon, range_km, DRAWN_RING_VERTICES)
    x, y = ranges.project_lonlat(np.append(lons, lons[0]), np.append(lats, lats[0]), frame.proj)
    return x, y


def _annulus(frame: MapFrame, lat: float, lon: float, inner_km: float, outer_km: float) -> tuple[list, list]:
    """Outer ring, a gap, then the inner ring reversed: plotly fills the band and leaves the hole."""
    ox, oy = _ring_xy(frame, lat, lon, outer_km)
    ix, iy = _ring_xy(frame, lat, lon, inner_km)
    x = [*np.round(ox, 1).tolist(), None, *np.round(ix[::-1], 1).tolist()]
    y = [*np.round(oy, 1).tolist(), None, *np.round(iy[::-1], 1).tolist()]
    return x, y


def _short_claimant(text: str, width: int = 38) -> str:
    head = str(text).split(":")[0].split(" (")[0].strip()
    return head if len(head) <= width else head[: width - 1].rstrip() + "…"


def _background_traces(frame: MapFrame, outlines: tuple[np.ndarray, np.ndarray]) -> list[go.Scatter]:
    """The graticule every 10° and the country outlines, projected and clipped to the view."""
    gx, gy = ranges.project_lonlat(*graticule_lines(), frame.proj)
    gx, gy = _clip_to_box(gx, gy, frame.x_range, frame.y_range)
    ox, oy = ranges.project_lonlat(outlines[0], outlines[1], frame.proj)
    ox, oy = _clip_to_box(ox, oy, frame.x_range, frame.y_range)
    return [
        go.Scatter(
            x=gx,
            y=gy,
            mode="lines",
            line={"color": GRATICULE_COLOUR, "width": 0.8},
            hoverinfo="skip",
            showlegend=False,
            name="Graticule (10°)",
        ),
        go.Scatter(
            x=ox,
            y=oy,
            mode="lines",
            line={"color": OUTLINE_COLOUR, "width": 0.9},
            hoverinfo="skip",
            name="Borders and coasts",
            showlegend=False,
        ),
    ]


def _class_band_traces(frame: MapFrame, lat: float, lon: float) -> list[go.Scatter]:
    """The two treaty classes as shaded bands round the launch point."""
    traces = []
    for (key, (label, colour)), (inner, outer) in zip(
        CLASS_FILLS.items(), (schema.INF_SHORTER_RANGE_KM, schema.INF_INTERMEDIATE_RANGE_KM), strict=True
    ):
        x, y = _annulus(frame, lat, lon, inner, outer)
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"width": 0},
                name=label,
                legendgroup=key,
                hoverinfo="skip",
            )
        )
    return traces


def _km_per_px(frame: MapFrame) -> float:
    """About how many km one pixel of the map covers on a phone (RING_PLOT_PX)."""
    return max((frame.x_range[1] - frame.x_range[0]) / RING_PLOT_PX[0], (frame.y_range[1] - frame.y_range[0]) / RING_PLOT_PX[1])


def threshold_label_texts(frame: MapFrame, label_y: np.ndarray) -> list[str]:
    """The thresholds' labels ("500 km", …, written due north at `label_y`), outermost first kept; a label closer than
    a line (16 px) to one kept, or above the top of the map, is left empty, so that on a map of long ranges they do not
    stack on one another."""
    texts = [""] * len(TREATY_RINGS_KM)
    kept: list[float] = []
    for i in sorted(range(len(TREATY_RINGS_KM)), key=lambda i: -TREATY_RINGS_KM[i]):
        if label_y[i] + 16 * _km_per_px(frame) > frame.y_range[1]:
            continue  # beyond the top of the map, where plotly would cut it off
        if all(abs(label_y[i] - y) >= 16 * _km_per_px(frame) for y in kept):
            texts[i] = f"{TREATY_RINGS_KM[i]:,.0f} km"
            kept.append(float(label_y[i]))
    return texts


def _threshold_label_boxes(frame: MapFrame, lat: float, lon: float) -> list[tuple[float, float, float, float]]:
    """The boxes (x0, y0, x1, y1, km) the thresholds' labels may cover, due north of the point, at the planned scale."""
    span = _km_per_px(frame)
    boxes = []
    for km in TREATY_RINGS_KM:  # "1,000 km" written due north, centred
        lo, la, _ = ranges.GEOD.fwd(lon, lat, 0.0, km * 1000)
        (x,), (y,) = ranges.project_lonlat([lo], [la], frame.proj)
        boxes.append((x - 28 * span, y, x + 28 * span, y + 16 * span))
    return boxes


def _overlaps_any(box: tuple, boxes: Sequence[tuple]) -> bool:
    return any(b[0] < box[2] and b[2] > box[0] and b[1] < box[3] and b[3] > box[1] for b in boxes)


def _inside_frame(box: tuple, frame: MapFrame) -> bool:
    (x0, x1), (y0, y1) = frame.x_range, frame.y_range
    return box[0] >= x0 and box[2] <= x1 and box[1] >= y0 and box[3] <= y1


def _threshold_traces(frame: MapFrame, lat: float, lon: float) -> list[go.Scatter]:
    """The 500, 1,000 and 5,500 km thresholds as dashed rings (one trace), and their distances written due north."""
    rings = [_ring_xy(frame, lat, lon, r) for r in TREATY_RINGS_KM]
    tx = np.concatenate([np.append(np.round(x, 1), np.nan) for x, _ in rings]).astype(np.float32)
    ty = np.concatenate([np.append(np.round(y, 1), np.nan) for _, y in rings]).astype(np.float32)
    lab_lons, lab_lats, _ = ranges.GEOD.fwd([lon] * 3, [lat] * 3, [0.0] * 3, [r * 1000 for r in TREATY_RINGS_KM])
    lx, ly = ranges.project_lonlat(lab_lons, lab_lats, frame.proj)
    texts = threshold_label_texts(frame, np.asarray(ly, dtype=float))
    return [
        go.Scatter(
            x=tx,
            y=ty,
            mode="lines",
            line={"color": THRESHOLD_COLOUR, "width": 1, "dash": "dash"},
            name="Treaty thresholds: 500, 1,000, 5,500 km",
            hoverinfo="skip",
        ),
        go.Scatter(
            x=lx,
            y=ly,
            mode="text",
            text=texts,
            textposition="top center",
            textfont={"color": THRESHOLD_COLOUR, "size": 11},
            hoverinfo="skip",
            showlegend=False,
        ),
    ]


def _claim_band_traces(frame: MapFrame, lat: float, lon: float, claim_ranges: list[float], colour: str) -> list[go.Scatter]:
    """A hatched band from the lowest to the highest claimed range (none unless the claims differ)."""
    if len(claim_ranges) < 2 or min(claim_ranges) >= max(claim_ranges):
        return []
    x, y = _annulus(frame, lat, lon, min(claim_ranges), max(claim_ranges))
    return [
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            fill="toself",
            line={"width": 0},
            fillcolor="rgba(0,0,0,0)",
            fillpattern={"shape": "/", "fgcolor": colour, "fgopacity": 0.35, "size": 9, "solidity": 0.15},
            name=f"Disputed: {min(claim_ranges):,.0f}–{max(claim_ranges):,.0f} km by the claims",
            hoverinfo="skip",
        )
    ]


def _claim_ring_traces(frame: MapFrame, lat: float, lon: float, claims: pd.DataFrame | None, colour: str) -> list[go.Scatter]:
    """Per claimed range (ranges.system_claims): a dotted ring naming its claimants, and the figure written on it.

    The figures sit on the south-west to south-east side of their rings, spread so that they do not overlap.
    """
    if claims is None or claims.empty:
        return []
    n = len(claims)
    traces = []
    span = _km_per_px(frame)
    sx, sy = ranges.project_lonlat([lon], [lat], frame.proj)
    star = LAUNCH_STAR_PX / 2 * span  # the launch point's star, with room round it: a figure beside it read as its label
    taken = [*_threshold_label_boxes(frame, lat, lon), (sx[0] - star, sy[0] - star, sx[0] + star, sy[0] + star)]
    for i, row in enumerate(claims.itertuples(index=False)):
        figure = schema.range_label(row.range_km, getattr(row, "is_lower_bound", False))
        x, y = _ring_xy(frame, lat, lon, row.range_km)
        who = "<br>".join(plotly_text(c, 70) for c in row.claimants)
        short = "; ".join(_short_claimant(c) for c in row.claimants)
        traces.append(
            go.Scatter(
                x=np.round(x, 1),
                y=np.round(y, 1),
                mode="lines",
                line={"color": colour, "width": 1.2, "dash": "dot"},
                name=plotly_text(f"{figure}: {short}", 200),
                legendgroup="claims",
                legendgrouptitle={"text": "Range claims (dotted)"},
                hovertemplate=f"<b>Claim: {figure}</b><br>{who}<extra></extra>",
            )
        )
        az = 200.0 + 140.0 * (i / max(n - 1, 1))
        la_lon, la_lat, _ = ranges.GEOD.fwd(lon, lat, az, row.range_km * 1000)
        px, py = ranges.project_lonlat([la_lon], [la_lat], frame.proj)
        text = f"{'>' if getattr(row, 'is_lower_bound', False) else ''}{row.range_km:,.0f}"
        # Written left of its dot where it covers no label before it (the legend names every claim in any case).
        box = (px[0] - (len(text) * 11 * 0.6 + 6) * span, py[0] - 8 * span, px[0], py[0] + 8 * span)
        if _overlaps_any(box, taken) or not _inside_frame(box, frame):
            text = ""
        else:
            taken.append(box)
        traces.append(
            go.Scatter(
                x=px,
                y=py,
                mode="markers+text",
                marker={"color": colour, "size": 5},
                text=[text],
                textposition="middle left",
                textfont={"size": 11, "color": "#1B1F24"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def _range_ring_trace(frame: MapFrame, lat: float, lon: float, range_km: float, range_label: str, colour: str) -> go.Scatter:
    """The chosen range: a thick ring in the side's colour."""
    x, y = _ring_xy(frame, lat, lon, range_km)
    return go.Scatter(
        x=np.round(x, 1),
        y=np.round(y, 1),
        mode="lines",
        line={"color": colour, "width": 3},
        name=plotly_text(range_label, 200),
        hovertemplate=plotly_text(range_label, 200) + "<extra></extra>",
    )


@dataclass(frozen=True)
class OverlayRing:
    """One more system's ring on the map: its label (name and range) and range in km."""

    label: str
    range_km: float


# The ring map's plot area on a 390 px phone (px; about 800 × 560 on a laptop), for estimating how much of the map a
# label covers: plotly writes text at a fixed size, so labels planned clear at the smallest size stay clear on larger
# screens (tests/browser/test_legibility_browser.py measures them at 1,440, 1,024 and 390 px).
RING_PLOT_PX = (250.0, 160.0)
# Where a compared ring's label may go, in order of preference: degrees clockwise from north, north-east side first.
LABEL_AZIMUTHS = (30.0, 55.0, 80.0, 105.0, 130.0, 155.0, 335.0, 310.0, 285.0, 260.0, 235.0, 210.0, 185.0)


def overlay_label_azimuths(frame: MapFrame, lat: float, lon: float, overlays: Sequence[OverlayRing]) -> list[float | None]:
    """Per compared ring, the azimuth (°) at which its label is written on it without covering a label written before
    (the treaty thresholds' due north, then the rings in order); None when every place would, so the legend alone
    names it. Labels are written to the right of their point, 11 px high."""
    span = _km_per_px(frame)
    taken = _threshold_label_boxes(frame, lat, lon)
    chosen: list[float | None] = []
    for ring in overlays:
        width = len(ring.label) * 11 * 0.55 * span
        pick = None
        for az in LABEL_AZIMUTHS:
            lo, la, _ = ranges.GEOD.fwd(lon, lat, az, ring.range_km * 1000)
            (x,), (y,) = ranges.project_lonlat([lo], [la], frame.proj)
            box = (x, y - 8 * span, x + width, y + 8 * span)
            if _inside_frame(box, frame) and not _overlaps_any(box, taken):
                pick = az
                taken.append(box)
                break
        chosen.append(pick)
    return chosen


def _overlay_ring_traces(frame: MapFrame, lat: float, lon: float, overlays: Sequence[OverlayRing]) -> list[go.Scatter]:
    """Each compared system's ring in its own colour and line style, with its label written on the ring where it covers
    no other label (overlay_label_azimuths); the label's text is dark, for contrast, and its ring is named in the legend."""
    traces = []
    azimuths = overlay_label_azimuths(frame, lat, lon, overlays[: len(OVERLAY_STYLES)])
    for i, ring in enumerate(overlays[: len(OVERLAY_STYLES)]):
        colour, dash = OVERLAY_STYLES[i]
        x, y = _ring_xy(frame, lat, lon, ring.range_km)
        name = plotly_text(ring.label, 200)
        traces.append(
            go.Scatter(
                x=np.round(x, 1),
                y=np.round(y, 1),
                mode="lines",
                line={"color": colour, "width": 2.2, "dash": dash},
                name=name,
                legendgroup="overlay",
                legendgrouptitle={"text": "Compared systems"},
                hovertemplate=f"<b>{name}</b><extra></extra>",
            )
        )
        if azimuths[i] is None:
            continue
        la_lon, la_lat, _ = ranges.GEOD.fwd(lon, lat, azimuths[i], ring.range_km * 1000)
        px, py = ranges.project_lonlat([la_lon], [la_lat], frame.proj)
        traces.append(
            go.Scatter(
                x=px,
                y=py,
                mode="text",
                text=[plotly_text(ring.label, 200)],
                textposition="middle right",
                textfont={"size": 11, "color": "#1B1F24"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def _launch_marker(frame: MapFrame, launch_name: str, lat: float, lon: float) -> go.Scatter:
    """The launch point: a black star."""
    lx, ly = ranges.project_lonlat([lon], [lat], frame.proj)
    return go.Scatter(
        x=lx,
        y=ly,
        mode="markers",
        name=plotly_text(f"Launch point: {launch_name}", 200),
        marker={"symbol": "star", "size": 16, "color": "#000000", "line": {"width": 1, "color": "white"}},  # LAUNCH_STAR_PX
        hovertemplate=plotly_text(f"{launch_name} ({lat:.3f}°, {lon:.3f}°)", 200) + "<extra></extra>",
    )


def _ring_map_layout(fig: go.Figure, frame: MapFrame, title: str) -> None:
    """Axes in km at equal scale on the view's extent, the legend below, panning, and the projection noted at the bottom left."""
    fig.update_xaxes(
        title=frame.x_title,
        range=list(frame.x_range),
        showgrid=False,
        zeroline=False,
        ticksuffix=" km",
        separatethousands=True,
        constrain="domain",
        automargin=False,
    )
    fig.update_yaxes(
        title=frame.y_title,
        range=list(frame.y_range),
        showgrid=False,
        zeroline=False,
        ticksuffix=" km",
        scaleanchor="x",
        scaleratio=1,
        separatethousands=True,
        constrain="domain",
        automargin=False,
    )
    base_layout(fig, title, height=820)
    fig.update_layout(
        legend={
            "orientation": "h",
            "y": -0.13,  # clear of the x axis's tick labels and title
            "x": 0,
            "xanchor": "left",
            "yref": "paper",
            "yanchor": "top",
            "font": {"size": 12},
            "groupclick": "toggleitem",
            # Compact on a phone, where the legend runs one entry a row: nearly every entry is its own group, and
            # plotly's 10 px between groups made the legend longer than the figure (it scrolled, its end hidden).
            "tracegroupgap": 2,
        },
        margin=RING_MAP_MARGIN,
        dragmode="pan",
    )
    fig.add_annotation(
        # On lines of at most NOTE_LINE_CHARS: on one line it ran past the map's right edge, cut off, on narrow windows.
        text="<br>".join(textwrap.wrap(frame.note, NOTE_LINE_CHARS)),
        align="left",
        showarrow=False,
        # On the axes' own area: the equal scale shrinks it inside the paper, whose bottom edge is then below the x
        # axis, where the note covered its tick labels and title.
        xref="x domain",
        yref="y domain",
        x=0,
        y=0,
        xanchor="left",
        yanchor="bottom",
        font={"size": 11, "color": "#555555"},
        bgcolor="rgba(255,255,255,0.8)",
    )


def ring_map(
    *,
    launch_name: str,
    lat: float,
    lon: float,
    range_km: float,
    range_label: str,
    side: str,
    places: pd.DataFrame,
    outlines: tuple[np.ndarray, np.ndarray],
    claims: pd.DataFrame | None = None,
    view: str = "launch",
    speed_kmh: float = ranges.DEFAULT_CRUISE_SPEED_KMH,
    overlays: Sequence[OverlayRing] = (),
) -> go.Figure:
    """Range rings from a launch point on a projected map with axes in km.

    `places`: every place with distance_km, ballistic_min, cruise_min, side, name, kind, country, lat, lon.
    `claims`: output of ranges.system_claims (range_km, claimants), drawn as a disputed band and labelled rings.
    Traces: country outlines, graticule, the two treaty classes (shaded), the 500 / 1,000 / 5,500 km
    thresholds, the disputed band and claim rings, the chosen range, the compared systems' rings (`overlays`, up to six,
    each in its own colour and line style), places in and out of range, the launch point.
    """
    claim_ranges = [] if claims is None or claims.empty else claims["range_km"].tolist()
    frame = map_frame(view, lat, lon, max([range_km, *claim_ranges, *(o.range_km for o in overlays)]))
    colour = SIDE_COLOURS.get(side, SIDE_COLOURS["Other"])
    fig = go.Figure()
    fig.add_traces(
        [
            *_background_traces(frame, outlines),
            *_class_band_traces(frame, lat, lon),
            *_threshold_traces(frame, lat, lon),
            *_claim_band_traces(frame, lat, lon, claim_ranges, colour),
            *_claim_ring_traces(frame, lat, lon, claims, colour),
            _range_ring_trace(frame, lat, lon, range_km, range_label, colour),
            *_overlay_ring_traces(frame, lat, lon, overlays),
        ]
    )
    if not places.empty:
        _add_places(fig, places, frame, range_km, speed_kmh)
    fig.add_trace(_launch_marker(frame, launch_name, lat, lon))
    # Two lines (plotly.js never wraps a title): the launch point, then the range, so that a phone shows them whole.
    _ring_map_layout(fig, frame, f"Range rings from {plotly_text(launch_name, 200)}:<br>{plotly_text(range_label, 200)}")
    return fig


def _place_hover(places: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Escaped hover parts for each place: its name (bold; tagged when the reader's own) as `text`, and kind · country,
    distance and both flight times as `customdata` rows, which _place_hovertemplate puts in their sentences."""
    user = places["is_user_data"].to_numpy(bool) if "is_user_data" in places.columns else np.zeros(len(places), bool)
    rows = list(zip(places.itertuples(index=False), user, strict=True))
    names = np.array([f"<b>{plotly_text(r.name)}</b>{f' ({USER_TAG})' if mine else ''}" for r, mine in rows], dtype=object)
    details = np.array(
        [
            [
                f"{plotly_text(str(r.kind).replace('_', ' '))} · {plotly_text(r.country or '')}",
                f"{r.distance_km:,.0f}",
                ranges.format_minutes(r.ballistic_min),
                ranges.format_minutes(r.cruise_min),
            ]
            for r, _ in rows
        ],
        dtype=object,
    ).reshape(len(rows), 4)
    return names, details


def _place_hovertemplate(speed_kmh: float) -> str:
    # The words every place shares are sent once per trace, not once per place: with a thousand places in range they
    # were most of the map's weight.
    return (
        "%{text}<br>%{customdata[0]}<br>%{customdata[1]} km from the launch point"
        "<br>Ballistic (minimum-energy): %{customdata[2]}"
        f"<br>Cruise at {speed_kmh:,.0f} km/h: %{{customdata[3]}}<extra></extra>"
    )


def _add_places(fig: go.Figure, places: pd.DataFrame, frame: MapFrame, range_km: float, speed_kmh: float) -> None:
    """Place markers: the nearest MAX_PLACE_MARKERS of the reader's own as outlined diamonds and of the others one by one,
    the rest grouped.

    Places outside the view are left out (they are in the table); with thousands in view, the farther
    ones are drawn as one marker per grid cell with a count, so the map stays small and quick.
    """
    px, py = ranges.project_lonlat(places["lon"].to_numpy(float), places["lat"].to_numpy(float), frame.proj)
    (x0, x1), (y0, y1) = frame.x_range, frame.y_range
    in_view = (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)
    order = np.argsort(places["distance_km"].to_numpy(float), kind="stable")
    order = order[in_view[order]]
    dist = places["distance_km"].to_numpy(float)
    user = places["is_user_data"].to_numpy(bool) if "is_user_data" in places.columns else np.zeros(len(places), bool)
    mine, others = order[user[order]], order[~user[order]]
    single, grouped = others[:MAX_PLACE_MARKERS], others[MAX_PLACE_MARKERS:]
    # The reader's own places are capped the same way: 50,000 diamonds would cost seconds and megabytes.
    mine, grouped = mine[:MAX_PLACE_MARKERS], np.concatenate([grouped, mine[MAX_PLACE_MARKERS:]])

    shown = np.concatenate([single, mine])
    names, details = _place_hover(places.iloc[shown])
    hover_of = dict(zip(shown.tolist(), range(len(shown)), strict=True))
    sides = places["side"].to_numpy()

    def trace(rows: np.ndarray, **kwargs) -> None:
        at = [hover_of[i] for i in rows.tolist()]
        fig.add_trace(
            go.Scatter(
                x=np.round(px[rows], 1),
                y=np.round(py[rows], 1),
                mode="markers",
                text=names[at],
                customdata=details[at],
                hovertemplate=_place_hovertemplate(speed_kmh),
                **kwargs,
            )
        )

    out = single[dist[single] > range_km]
    if len(out):
        trace(out, name="Places out of range", marker={"color": "#BBBBBB", "size": 6, "symbol": "circle-open"})
    for s in ("NATO", "Russia", "Other"):
        rows = single[(dist[single] <= range_km) & (sides[single] == s)]
        if len(rows):
            trace(
                rows,
                name=f"In range: {s} places",
                marker={"color": SIDE_COLOURS[s], "symbol": SIDE_SYMBOLS[s], "size": 8, "line": {"width": 1, "color": "white"}},
            )
    if len(grouped):
        _add_grouped_places(fig, px[grouped], py[grouped], dist[grouped] <= range_km, frame)
    if len(mine):
        colours = [
            SIDE_COLOURS.get(s, SIDE_COLOURS["Other"]) if d <= range_km else "white"
            for s, d in zip(sides[mine], dist[mine], strict=True)
        ]
        trace(
            mine,
            name=f"{USER_LABEL}: places (filled when in range)",
            marker={"symbol": "diamond", "size": 12, "color": colours, "line": {"width": 2, "color": USER_COLOUR}},
        )


def _add_grouped_places(fig: go.Figure, x: np.ndarray, y: np.ndarray, in_range: np.ndarray, frame: MapFrame) -> None:
    """One marker per grid cell (and in / out of range) at the cell's mean position, sized by how many places it holds."""
    cell = (frame.x_range[1] - frame.x_range[0]) / GROUP_GRID_CELLS
    key = pd.DataFrame({"gx": np.floor(x / cell), "gy": np.floor(y / cell), "in_range": in_range, "x": x, "y": y})
    cells = key.groupby(["gx", "gy", "in_range"], sort=False).agg(x=("x", "mean"), y=("y", "mean"), n=("x", "size")).reset_index()
    for inside, label, colour in ((False, "out of range", "#BBBBBB"), (True, "in range", "#6F6F6F")):
        part = cells[cells["in_range"] == inside]
        if part.empty:
            continue
        n = part["n"].to_numpy()
        fig.add_trace(
            go.Scatter(
                x=np.round(part["x"].to_numpy(), 1),
                y=np.round(part["y"].to_numpy(), 1),
                mode="markers",
                name=f"More places {label}, grouped ({int(n.sum()):,}; see the table)",
                marker={"color": colour, "size": np.minimum(5 + 2.0 * np.sqrt(n), 22), "opacity": 0.55, "line": {"width": 0}},
                customdata=n,
                hovertemplate=f"%{{customdata:,}} more places {label} here (grouped; the table lists them)<extra></extra>",
            )
        )


SHORT_NAME_CHARS = 20  # a system's name on the catalogue chart's axis, at most: the bars keep most of a phone's width


def short_system_names(names: Sequence[str], limit: int = SHORT_NAME_CHARS) -> list[str]:
    """Each system's name as the catalogue chart's axis writes it: without its bracketed other name and cut at a word
    to at most `limit` characters (with "…"); a name that would then read like another's stays whole. The full name
    is in the hover box and the text version."""
    short = []
    for name in names:
        text = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
        if len(text) > limit:
            cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
            text = cut.rstrip(" -/") + "…"
        short.append(text)
    repeated = {t for t in short if short.count(t) > 1}
    return [name if text in repeated else text for name, text in zip(names, short, strict=True)]


def range_chart(catalogue: pd.DataFrame, claims: pd.DataFrame) -> go.Figure:
    """Each system's range (min–max) on a 0–6,000 km axis, coloured by side, with claims as markers.

    `catalogue`: output of ranges.missile_catalogue; `claims`: range_claims (system_id, claimant, range_km).
    The two treaty classes are shaded.
    """
    fig = go.Figure()
    for (label, colour), (lo, hi) in zip(
        CLASS_FILLS.values(), (schema.INF_SHORTER_RANGE_KM, schema.INF_INTERMEDIATE_RANGE_KM), strict=True
    ):
        fig.add_vrect(x0=lo, x1=hi, fillcolor=colour, line_width=0, layer="below")
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": colour},
                name=label,
                hoverinfo="skip",
            )
        )
    if catalogue.empty:
        fig.update_xaxes(title="Range (km)", range=[0, 6000])
        return empty_figure(
            "No missile systems match the filters", "Missile ranges against the treaty band", fig=fig, keep_x_axis=True
        )
    order = catalogue.sort_values("range_km_max")["name"].map(plotly_text).tolist()
    for side in ("NATO", "Russia", "Other"):
        part = catalogue[catalogue["side"] == side]
        if part.empty:
            continue
        xs, ys, texts = [], [], []
        for r in part.itertuples(index=False):
            hover = (
                f"<b>{plotly_text(r.name)}</b><br>{plotly_text(r.operator_name)} · {r.missile_type}, {r.basing}-launched"
                f"<br>Headline range {schema.range_label(r.range_km_max, getattr(r, 'range_is_lower_bound', False))};"
                f" lowest figure {r.range_km_min:,.0f} km<br>{plotly_text(r.inf_status)}"
            )
            hi = r.range_km_max if r.range_km_max > r.range_km_min else r.range_km_min + 1e-6
            xs += [r.range_km_min, hi, None]
            ys += [plotly_text(r.name)] * 2 + [None]
            texts += [hover, hover, None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines+markers",
                name=f"{side} systems (lowest–highest figure)",
                line={"color": SIDE_COLOURS[side], "width": 7, "dash": SIDE_DASHES[side]},
                marker={
                    "size": 11,
                    "color": SIDE_COLOURS[side],
                    "symbol": SIDE_SYMBOLS[side],
                    "line": {"width": 1, "color": "white"},
                },
                text=texts,
                hovertemplate="%{text}<extra></extra>",
                legendgroup=side,
            )
        )
    part = claims[claims["system_id"].isin(catalogue["system_id"])]
    if not part.empty:
        names = dict(zip(catalogue["system_id"], catalogue["name"], strict=True))
        fig.add_trace(
            go.Scatter(
                x=part["range_km"],
                y=[plotly_text(names[s]) for s in part["system_id"]],
                mode="markers",
                name="Published claims",
                marker={"symbol": "diamond", "size": 9, "color": "white", "line": {"width": 1.5, "color": "#000000"}},
                text=[
                    f"<b>{schema.range_label(r, f)}</b><br>{plotly_text(c)}"
                    for r, f, c in zip(
                        part["range_km"], ranges.lower_bound_flags(part, "is_lower_bound"), part["claimant"], strict=True
                    )
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    # Both names meet at the 1,000 km line, each on its own side of it: centred on their bands, they ran into each
    # other on a phone.
    for anchor, shift, text in (("right", -4, "shorter-range"), ("left", 4, "intermediate-range")):
        fig.add_annotation(
            x=1000,
            y=1.0,
            yref="paper",
            text=text,
            showarrow=False,
            xanchor=anchor,
            xshift=shift,
            yanchor="bottom",
            font={"size": 11, "color": "#333333"},
        )
    # Ticks as many as the width takes (every 500 km on a laptop): fixed 500 km ticks ran into each other on a phone.
    fig.update_xaxes(title="Range (km)", range=[0, 6000], nticks=13, separatethousands=True, gridcolor="#eeeeee")
    # type: the first traces are legend-only entries without y values, from which plotly.js would guess a numeric axis.
    # Short names on the axis (short_system_names), the full ones in the hover box: on a phone, the full names took
    # more than half of the chart's width.
    fig.update_yaxes(
        title=None,
        type="category",
        categoryorder="array",
        categoryarray=order,
        tickvals=order,
        ticktext=short_system_names(order),
        gridcolor="#f4f4f4",
    )
    height = max(320, 30 * len(catalogue) + 150)
    # Two lines (plotly.js never wraps a title), so that a phone shows it whole.
    return base_layout(fig, f"Ranges of {len(catalogue)} missile systems<br>against the treaty band", height=height)


def _polygon_xy(geometry, proj: str) -> tuple[np.ndarray, np.ndarray]:
    """Every ring of an EPSG:4326 (Multi)Polygon projected into `proj`, NaN between rings; exteriors counter-clockwise
    and holes clockwise, so that plotly's fill leaves the holes open."""
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    for poly in shapely.get_parts(geometry):
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        poly = orient(poly, 1.0)
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)
            x, y = ranges.project_lonlat(xy[:, 0], xy[:, 1], proj)
            xs += [x, np.array([np.nan])]
            ys += [y, np.array([np.nan])]
    if not xs:
        return np.empty(0), np.empty(0)
    return np.round(np.concatenate(xs), 1).astype(np.float32), np.round(np.concatenate(ys), 1).astype(np.float32)


def _site_traces(frame: MapFrame, sites: pd.DataFrame, colour: str) -> list[go.Scatter]:
    """Known launch sites in the basket (hover: name, kind, distance to the target); the nearest as a larger marker with its name."""
    if sites.empty:
        return []
    x, y = ranges.project_lonlat(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float), frame.proj)
    hover = [
        f"<b>{plotly_text(r.name)}</b><br>{plotly_text(str(r.kind).replace('_', ' '))} · {plotly_text(r.country or '')}"
        f"<br>{r.distance_km:,.0f} km from the target"
        for r in sites.itertuples(index=False)
    ]
    nearest = sites.iloc[0]
    return [
        go.Scatter(
            x=np.round(x, 1),
            y=np.round(y, 1),
            mode="markers",
            name="Known launch sites in the basket",
            marker={"color": colour, "size": 9, "symbol": "triangle-up", "line": {"width": 1, "color": "white"}},
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        ),
        go.Scatter(
            x=np.round(x[:1], 1),
            y=np.round(y[:1], 1),
            mode="markers+text",
            name=plotly_text(f"Nearest site: {nearest['name']}, {nearest['distance_km']:,.0f} km", 200),
            marker={"color": colour, "size": 16, "symbol": "triangle-up-open", "line": {"width": 2.5, "color": "#000000"}},
            text=[plotly_text(nearest["name"], 40)],
            textposition="top center",
            textfont={"size": 12, "color": "#1B1F24"},
            hoverinfo="skip",
        ),
    ]


def basket_map(
    *,
    target_name: str,
    lat: float,
    lon: float,
    range_km: float,
    range_label: str,
    basket,
    territory_label: str,
    sites: pd.DataFrame,
    side: str,
    outlines: tuple[np.ndarray, np.ndarray],
) -> go.Figure:
    """The launch basket of one system against one target, on an azimuthal equidistant map centred on the target.

    `basket`: EPSG:4326 (Multi)Polygon (baskets.launch_basket); `sites`: baskets.sites_in_basket, nearest first.
    Traces: graticule and outlines, the geodesic circle of the range round the target (dashed), the basket
    (filled in the side's colour), the known launch sites in it and the nearest one, the target.
    """
    frame = replace(
        map_frame("launch", lat, lon, range_km),
        x_title="km east (+) or west (−) of the target",
        y_title="km north (+) or south (−) of the target",
        note="Azimuthal equidistant projection centred on the target: every distance from it is true. WGS84.",
    )
    colour = SIDE_COLOURS.get(side, SIDE_COLOURS["Other"])
    cx, cy = _ring_xy(frame, lat, lon, range_km)
    bx, by = _polygon_xy(basket, frame.proj)
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    fig = go.Figure()
    fig.add_traces(_background_traces(frame, outlines))
    fig.add_trace(
        go.Scatter(
            x=np.round(cx, 1),
            y=np.round(cy, 1),
            mode="lines",
            line={"color": THRESHOLD_COLOUR, "width": 1.5, "dash": "dash"},
            name=plotly_text(f"Within {range_label} of the target (anywhere)", 200),
            hoverinfo="skip",
        )
    )
    if len(bx):
        fig.add_trace(
            go.Scatter(
                x=bx,
                y=by,
                mode="lines",
                fill="toself",
                fillcolor=f"rgba({r}, {g}, {b}, {BASKET_FILL_ALPHA})",
                line={"color": colour, "width": 1},
                name=plotly_text(f"Launch basket: {territory_label}", 200),
                hoverinfo="skip",
            )
        )
    fig.add_traces(_site_traces(frame, sites, colour))
    tx, ty = ranges.project_lonlat([lon], [lat], frame.proj)
    fig.add_trace(
        go.Scatter(
            x=tx,
            y=ty,
            mode="markers",
            name=plotly_text(f"Target: {target_name}", 200),
            marker={"symbol": "x", "size": 14, "color": "#000000", "line": {"width": 1, "color": "white"}},
            hovertemplate=plotly_text(f"{target_name} ({lat:.3f}°, {lon:.3f}°)", 200) + "<extra></extra>",
        )
    )
    _ring_map_layout(fig, frame, f"From where {plotly_text(range_label, 200)}<br>reaches {plotly_text(target_name, 200)}")
    fig.update_layout(height=640)
    return fig
