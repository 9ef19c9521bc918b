"""The animated map as a GIF: which frames are drawn, each picture's date and footer, and a real GIF from Chromium."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import pytest
from PIL import Image

from dashboard import animated_gif as ag
from dashboard import briefing

NOTES = briefing.BriefingNotes(title="Test map: 2001 to 2003", sources="test rows", as_of="each frame's date", projection="none")


def _tiny_figure() -> go.Figure:
    """Three frames of one moving marker (trace 1), under a static trace 0, with the play controls of the page."""
    labels = ["2001", "2002", "2003"]
    frames = [
        {"name": label, "data": [{"type": "scatter", "x": [i], "marker": {"size": 10 + 5 * i}}], "traces": [1],
         "layout": {"title": {"text": f"<b>{label}</b> · {i + 1} places standing"}}}
        for i, label in enumerate(labels)
    ]  # fmt: skip
    return go.Figure(
        data=[
            go.Scatter(x=[0, 2], y=[0, 2], mode="lines", name="Border"),
            go.Scatter(x=[0], y=[1], mode="markers", marker={"size": 10, "color": "red"}, name="Place"),
        ],
        layout={
            "title": {"text": "<b>2001</b>"},
            "updatemenus": [{"type": "buttons", "buttons": [{"label": "▶ Play", "method": "animate", "args": [None]}]}],
            "sliders": [{"steps": [{"label": label, "method": "animate", "args": [[label]]} for label in labels]}],
        },
        frames=frames,
    )


def test_long_animations_keep_their_first_and_last_frames_within_the_cap():
    assert ag.picked_frames(3) == [0, 1, 2]
    picked = ag.picked_frames(120, 60)
    assert len(picked) == 60 and picked[0] == 0 and picked[-1] == 119 and picked == sorted(set(picked))


def test_each_picture_is_the_figure_at_its_frame_with_date_sources_and_no_controls():
    figure = _tiny_figure()
    pictures = ag.frame_figures(figure, NOTES)
    assert len(pictures) == 3
    for i, picture in enumerate(pictures):
        layout = picture["layout"]
        assert layout["title"]["text"] == "Test map: 2001 to 2003"
        assert layout["title"]["subtitle"]["text"].startswith(f"<b>{2001 + i}</b>")
        assert "updatemenus" not in layout and "sliders" not in layout
        assert any("Sources: test rows" in a["text"] for a in layout["annotations"])
        moving = picture["data"][1]
        assert list(moving["x"]) == [i] and moving["marker"] == {"size": 10 + 5 * i, "color": "red"}  # merged
        assert picture["data"][0]["name"] == "Border"
    assert figure.layout.sliders and figure.layout.title.text == "<b>2001</b>"  # the page's figure is untouched


def test_the_kinds_get_their_own_legend_again_and_the_counts_one_line():
    """On the page the kinds of place share the colours' legend and the counts take two lines; in print, as before."""
    figure = _tiny_figure()
    figure.add_scatter(x=[None], y=[None], name="Capital", legend="legend2", meta={"role": "legend", "kind_legend": True})
    figure.add_scatter(x=[None], y=[None], name="NATO", legend="legend2", meta={"role": "legend"})
    figure.frames[0].layout.title.text = "<b>2001</b> · 1 places standing<br>0 events in the 3 years before"
    picture = ag.frame_figures(figure, NOTES)[0]
    assert [t.get("legend") for t in picture["data"][2:]] == ["legend", "legend2"]
    assert picture["layout"]["title"]["subtitle"]["text"] == "<b>2001</b> · 1 places standing · 0 events in the 3 years before"
    assert figure.data[2].legend == "legend2"  # the page's figure is untouched


@pytest.mark.skipif(briefing.renderer_problem() is not None, reason="no Chromium at /usr/bin/chromium to render with")
def test_three_frames_make_an_animated_gif_of_the_set_size():
    gif = ag.render_gif(_tiny_figure(), NOTES, width=600)
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF" and image.is_animated and image.n_frames == 3
    assert image.size == (600, round(600 * briefing.PAGE_PX[1] / briefing.PAGE_PX[0]))
    assert image.info["loop"] == 0
    durations = []
    for k in range(image.n_frames):
        image.seek(k)
        durations.append(image.info["duration"])
    assert durations == [ag.FRAME_MS, ag.FRAME_MS, ag.LAST_FRAME_MS]
