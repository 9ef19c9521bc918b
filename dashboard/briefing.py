"""Briefing images: a page's figure made print-ready (A4 landscape) and rendered on the server as PNG, SVG or PDF.

Usable from a notebook without Streamlit:

    from dashboard.briefing import BriefingNotes, briefing_figure, render_briefing

    notes = BriefingNotes(title="…", sources="…", as_of="2026-12-01", projection="…")
    png = render_briefing(figure, notes, "png")   # 3,508 × 2,480 px, 300 dpi: A4 landscape

The figure is the one the page shows, copied (never changed in place) and laid out for paper: the title on
top, the legend on the right, and a footer with the sources, the "as of" date, the projection and the datum.
Rendering goes through kaleido and a local Chromium (`BROWSER_PATH`, else /usr/bin/chromium or chromium on
the PATH); nothing is downloaded. Without a browser, renderer_problem() says so in words and render_briefing()
raises RendererMissing. A render takes a few seconds: make images when a reader asks for one.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from dashboard.charts import FONT, plotly_text

# A4 landscape is 297 × 210 mm: 1,123 × 794 CSS pixels at 96 per inch, which is the page size Chromium
# prints a PDF at. A PNG of the same layout scaled by 3,508 / 1,123 is 3,508 × 2,480 px: A4 at 300 dpi.
PAGE_PX = (1123, 794)
PNG_PX = (3508, 2480)
PNG_DPI = 300
FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
BROWSER_ENV = "BROWSER_PATH"
BROWSER_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
DATUM = "WGS84 (EPSG:4326 coordinates)"


class RendererMissing(RuntimeError):
    """No Chromium to render static images with."""


@dataclass(frozen=True)
class BriefingNotes:
    """What a printed figure says about itself beyond the figure."""

    title: str
    sources: str
    as_of: str
    projection: str
    datum: str = DATUM


def browser_path() -> str | None:
    """The Chromium kaleido will use: $BROWSER_PATH, else a system Chromium; None when there is none."""
    configured = os.environ.get(BROWSER_ENV)
    if configured:
        return configured if Path(configured).exists() else None
    for candidate in BROWSER_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def renderer_problem() -> str | None:
    """Why images cannot be made here, in words, or None when they can."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "Briefing images need the kaleido package, which is not installed on this server."
    if browser_path() is None:
        return (
            "Briefing images are drawn by a Chromium browser on the server, and none is installed here "
            "(on Debian: `apt-get install chromium`; on Community Cloud: `chromium` in packages.txt)."
        )
    return None


def footer_text(notes: BriefingNotes) -> str:
    """The footer lines: sources; as-of date, projection and datum."""
    return (
        f"Sources: {plotly_text(notes.sources, 230)}"
        f"<br>As of {plotly_text(notes.as_of)} · {plotly_text(notes.projection, 200)} · Datum: {plotly_text(notes.datum)} · INF Watch"
    )


def briefing_figure(figure: go.Figure, notes: BriefingNotes) -> go.Figure:
    """A copy of `figure` laid out for A4 landscape: title, legend on the right, footer with sources, date, projection, datum."""
    fig = go.Figure(figure)
    # The footer names the projection: a note on the figure saying the same would say it twice.
    fig.layout.annotations = [a for a in fig.layout.annotations if not str(a.text or "").startswith(notes.projection)]
    n_footer_lines = footer_text(notes).count("<br>") + 1
    # A second legend above the plot (the map's colours) needs room between it and the title.
    second_legend = any(getattr(trace, "legend", None) == "legend2" for trace in fig.data)
    fig.update_layout(
        width=PAGE_PX[0],
        height=PAGE_PX[1],
        title={
            "text": plotly_text(notes.title, 120),
            "x": 0.01,
            "xanchor": "left",
            "y": 0.985,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 0},  # paper has no toolbar to keep clear of (charts.MODEBAR_ROW_PX)
            "automargin": False,
            "font": {"size": 17},
        },
        font={"family": FONT, "size": 10},
        margin={"l": 50, "r": 10, "t": 110 if second_legend else 60, "b": 30 + 14 * n_footer_lines},
        paper_bgcolor="white",
        dragmode=False,
        legend={
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "top",
            "font": {"size": 9},
            "bgcolor": "rgba(255,255,255,0.9)",
        },
    )
    if second_legend:  # just above the plot, under the title (on the page it sits below the toolbar's row)
        fig.update_layout(legend2={"font": {"size": 9}, "yref": "paper", "y": 1.0, "yanchor": "bottom"})
    fig.add_annotation(
        text=footer_text(notes),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-(22 + 14 * n_footer_lines),
        xanchor="left",
        yanchor="bottom",
        align="left",
        showarrow=False,
        font={"size": 9, "color": "#333333"},
    )
    return fig


def _png_with_dpi(png: bytes, dpi: int = PNG_DPI) -> bytes:
    """The PNG with a pHYs chunk saying `dpi` (so that it prints at A4), put right after the IHDR chunk."""
    per_metre = round(dpi / 0.0254)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, IHDR length, type, data, CRC
    rest = png[ihdr_end:]
    # Drop a pHYs chunk the renderer may have written already.
    if rest[4:8] == b"pHYs":
        rest = rest[8 + 9 + 4 :]
    return png[:ihdr_end] + chunk + rest


def prepare_renderer() -> None:
    """Point kaleido at the local Chromium; raises RendererMissing (with renderer_problem's words) when there is none."""
    problem = renderer_problem()
    if problem:
        raise RendererMissing(problem)
    os.environ.setdefault(BROWSER_ENV, browser_path() or "")


def render(fig: go.Figure, fmt: str) -> bytes:
    """`fig` (already laid out by briefing_figure) as PNG (300 dpi, A4), SVG or PDF bytes; raises RendererMissing."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown image format {fmt!r}; use one of {', '.join(FORMATS)}.")
    prepare_renderer()
    import kaleido

    opts = {"format": fmt, "width": PAGE_PX[0], "height": PAGE_PX[1], "scale": PNG_PX[0] / PAGE_PX[0] if fmt == "png" else 1}
    image = kaleido.calc_fig_sync(fig, opts=opts)
    return _png_with_dpi(image) if fmt == "png" else image


def render_briefing(figure: go.Figure, notes: BriefingNotes, fmt: str) -> bytes:
    """briefing_figure(figure, notes) rendered as `fmt` (png, svg or pdf)."""
    return render(briefing_figure(figure, notes), fmt)
