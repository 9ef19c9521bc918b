"""The animated map as an animated GIF, made on the server: each plotly frame drawn by kaleido, joined by Pillow.

Usable from a notebook without Streamlit:

    from dashboard.animated_gif import render_gif
    gif = render_gif(timeline_map.play_figure(base, frames, 0), notes)   # notes: briefing.BriefingNotes

Each picture is the figure at one of its frames laid out like a briefing image (briefing.briefing_figure):
the notes' title with the frame's date and counts under it, the legends, and a footer with the sources, the
dates, the projection and the datum; no play buttons or slider. At most MAX_FRAMES pictures: a longer
animation keeps its first and last frames and frames evenly spread between them. Every picture is GIF_PX;
each shows for FRAME_MS (the last longer) and the GIF loops. All pictures are drawn in one browser session,
TABS at a time: starting Chromium costs more than drawing a frame.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor

import plotly.graph_objects as go
from PIL import Image

from dashboard import briefing

MAX_FRAMES = 60  # with GIF_PX, keeps a GIF of the whole record near 5 MB (tests/test_animated_gif.py)
GIF_WIDTH = 1200
GIF_PX = (GIF_WIDTH, round(GIF_WIDTH * briefing.PAGE_PX[1] / briefing.PAGE_PX[0]))  # the briefing page's shape
FRAME_MS = 900  # the pace of the map's own ▶ Play (timeline_map.FRAME_MS)
LAST_FRAME_MS = 3000  # the final posture stays up before the loop starts again
TABS = 2  # pictures drawn at once in the one Chromium; more tabs than cores made it slower
SUBTITLE_PX = 24  # room under the title for the frame's date and counts, above the colour legend


def picked_frames(n_frames: int, limit: int = MAX_FRAMES) -> list[int]:
    """Indices of the frames drawn: all of them up to `limit`, else the first, the last and evenly spread others."""
    if n_frames <= limit:
        return list(range(n_frames))
    return sorted({round(i * (n_frames - 1) / (limit - 1)) for i in range(limit)})


def _merged(trace: dict, update: dict) -> dict:
    """A trace after one frame's update, as plotly's animate applies it: nested dicts (marker) merged, the rest replaced."""
    out = dict(trace)
    for key, value in update.items():
        out[key] = {**trace[key], **value} if isinstance(value, dict) and isinstance(trace.get(key), dict) else value
    return out


def frame_figures(figure: go.Figure, notes: briefing.BriefingNotes, limit: int = MAX_FRAMES) -> list[dict]:
    """The pictures of the GIF as figure dicts: `figure` (with plotly frames) at each picked frame, laid out for print."""
    still = go.Figure(figure)  # a copy: the figure on the page is shared and never changed
    still.frames = ()
    still.layout.updatemenus = ()
    still.layout.sliders = ()
    for trace in still.data:  # the kinds of place in their own legend again (on the page they share the colours')
        if isinstance(trace.meta, dict) and trace.meta.get("kind_legend"):
            trace.legend = "legend"
    laid = briefing.briefing_figure(still, notes).to_dict()
    margin = laid["layout"]["margin"]
    laid["layout"]["margin"] = {**margin, "t": margin["t"] + SUBTITLE_PX}
    base_title = laid["layout"]["title"]
    pictures = []
    for index in picked_frames(len(figure.frames), limit):
        frame = figure.frames[index].to_plotly_json()
        data = list(laid["data"])
        for trace, update in zip(frame["traces"], frame["data"], strict=True):
            data[trace] = _merged(data[trace], update)
        when = ((frame.get("layout") or {}).get("title") or {}).get("text") or frame.get("name", "")
        when = when.replace("<br>", " · ")  # one line under the title
        title = {**base_title, "subtitle": {"text": when, "font": {"size": 14}}}
        pictures.append({"data": data, "layout": {**laid["layout"], "title": title}})
    return pictures


def render_pngs(figures: list[dict], width: int = GIF_WIDTH) -> list[bytes]:
    """PNG bytes of each figure (laid out at briefing.PAGE_PX, scaled to `width` px), drawn in one Chromium session.

    Raises briefing.RendererMissing when there is no Chromium."""
    briefing.prepare_renderer()
    import kaleido

    opts = {"format": "png", "width": briefing.PAGE_PX[0], "height": briefing.PAGE_PX[1], "scale": width / briefing.PAGE_PX[0]}

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=TABS) as session:
            return list(await asyncio.gather(*(session.calc_fig(f, opts=opts) for f in figures)))

    # A thread of its own: asyncio.run refuses to start inside a thread that already runs an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, draw()).result()


def assemble_gif(pngs: list[bytes], frame_ms: int = FRAME_MS, last_ms: int = LAST_FRAME_MS) -> bytes:
    """An endlessly looping GIF of the PNGs in order, each shown `frame_ms` (the last `last_ms`), on one palette."""
    images = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    # One palette from the last (fullest) picture and no dithering: colours stay put from frame to frame,
    # so Pillow stores only what changed.
    palette = images[-1].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    out = io.BytesIO()
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=[frame_ms] * (len(frames) - 1) + [last_ms],
        loop=0,
    )
    return out.getvalue()


def render_gif(figure: go.Figure, notes: briefing.BriefingNotes, limit: int = MAX_FRAMES, width: int = GIF_WIDTH) -> bytes:
    """The animated `figure` (timeline_map.play_figure) as GIF bytes: frame_figures, render_pngs, assemble_gif."""
    return assemble_gif(render_pngs(frame_figures(figure, notes, limit), width))
