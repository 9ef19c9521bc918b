"""Briefing images: the print layout (A4 landscape, footer with sources, date, projection and datum), the 300 dpi PNG,
a PDF of one A4 page, and a plain message when the server has no browser to render with."""

from __future__ import annotations

import re
import struct

import plotly.graph_objects as go
import pytest

from dashboard import briefing

NOTES = briefing.BriefingNotes(
    title="Range rings from Shuya: 9M729, 2,500 km",
    sources="Russian MoD; CSIS <b>bold</b>",
    as_of="2026-12-01",
    projection="Azimuthal equidistant projection centred on the launch point",
)


def _figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], name="ring"))
    fig.add_annotation(text=NOTES.projection, x=0, y=0, xref="paper", yref="paper", showarrow=False)
    fig.update_layout(height=820, title="On screen")
    return fig


def test_the_print_layout_is_a4_landscape_with_its_footer():
    original = _figure()
    fig = briefing.briefing_figure(original, NOTES)
    assert (fig.layout.width, fig.layout.height) == briefing.PAGE_PX
    assert fig.layout.width / fig.layout.height == pytest.approx(297 / 210, rel=2e-3)
    footer = fig.layout.annotations[-1].text
    assert "Sources: Russian MoD; CSIS &lt;b&gt;bold&lt;/b&gt;" in footer  # data text is never markup
    assert "As of 2026-12-01" in footer and NOTES.projection in footer and "WGS84" in footer
    assert [a.text for a in fig.layout.annotations].count(NOTES.projection) == 0  # said once, in the footer
    assert fig.layout.title.text == NOTES.title and fig.layout.legend.orientation == "v"
    assert original.layout.height == 820 and original.layout.title.text == "On screen"  # the page's figure is untouched


def test_a_png_says_it_is_300_dpi():
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(13) + bytes(4)
    png = briefing._png_with_dpi(header + b"rest")
    assert png[33:37] == struct.pack(">I", 9) and png[37:41] == b"pHYs"
    per_metre = struct.unpack(">II", png[41:49])
    assert per_metre == (11811, 11811) and png[49] == 1  # 11,811 px per metre = 300 dpi
    assert briefing._png_with_dpi(png) == png  # written once, however often


def test_without_a_browser_the_reason_is_given_in_words(monkeypatch, tmp_path):
    monkeypatch.setenv(briefing.BROWSER_ENV, str(tmp_path / "no-chromium"))
    problem = briefing.renderer_problem()
    assert problem and "Chromium" in problem and "packages.txt" in problem
    with pytest.raises(briefing.RendererMissing, match="Chromium"):
        briefing.render_briefing(_figure(), NOTES, "png")
    with pytest.raises(ValueError, match="Unknown image format"):
        briefing.render(_figure(), "gif")


@pytest.mark.skipif(briefing.renderer_problem() is not None, reason="no Chromium to render with")
def test_png_and_pdf_are_print_ready():
    png = briefing.render_briefing(_figure(), NOTES, "png")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == briefing.PNG_PX and b"pHYs" in png[:64]
    pdf = briefing.render_briefing(_figure(), NOTES, "pdf")
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([0-9.]+) ([0-9.]+)\s*\]", pdf)
    assert box and float(box.group(1)) == pytest.approx(841.9, abs=1.5) and float(box.group(2)) == pytest.approx(595.3, abs=1.5)
