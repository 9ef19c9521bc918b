"""Legible at every size: on every chart, no label covers another label, the title or a legend, plotly's toolbar
covers neither the title nor a legend, the animated map's Play, Pause and slider cover none of them, and no title runs
past its figure, at 1,440, 1,024 and 390 px wide windows. The catalogue chart leaves its bars at least half its width,
and the map's two compare maps stand side by side only where each is at least COMPARE_MIN_PX wide. No button of the
map page's view and date controls is cut off.

Measured in Chromium on what plotly really drew: the boxes of its text labels (`g.textpoint text`, annotations), titles,
legends and toolbar (`.modebar`, measured even while it is faded out: a tap shows it). A label is measured as far as the
plot area shows it (plotly cuts off what lies outside). Screenshots of each chart go to test-results/ (not committed).
"""

from __future__ import annotations

import pytest

from dashboard.ui.map_time import COMPARE_MIN_PX
from tests.browser.conftest import ROOT, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser

RESULTS = ROOT / "test-results"
WIDTHS = (1440, 1024, 390)
HEIGHT = 1400  # tall enough for each page's first chart to be screenshot whole
PAGES = {  # name: link
    "home": "/?colour=actor",  # the timeline with its legend
    "map": "/map",  # Wider Europe, the default view: the densest labels
    "map-black-sea": "/map?view=black_sea",
    "ranges": "/ranges?launch=kaliningrad&system=9m723&overlay=9m729",  # three range claims, a compared ring, the catalogue
    "map-compare": "/map?mode=compare",  # two maps: side by side at 1,440 px, one above the other below that
    "map-play": "/map?mode=play",  # the animated map: two lines of counts, Play, Pause and the slider
}
CATALOGUE_TITLE = "missile systems"  # the catalogue chart's title says "Ranges of N missile systems ..."
MIN_BAR_SHARE = 0.5  # of the catalogue chart's width, the bars keep at least this much beside the systems' names
SLACK_PX = 1.0  # boxes that merely touch (sub-pixel rounding of text boxes) do not overlap
# The map page's control buttons (views, date presets) that are cut off: outside their group's box, or their label
# shortened with an ellipsis.
CUT_OFF_BUTTONS = """() => [...document.querySelectorAll('.st-key-map_view button, [class*="st-key-map_preset"] button')]
    .filter(b => b.innerText.trim() && b.getBoundingClientRect().width > 0).filter(b => {
        const r = b.getBoundingClientRect();
        const group = b.closest('[class*="st-key-map_"]').getBoundingClientRect();
        const clipped = [b, ...b.querySelectorAll('*')].some(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1);
        return r.left < group.left - 1 || r.right > group.right + 1 || clipped;
    }).map(b => b.innerText.trim())"""

BOXES = """() => {
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const clip = (b, c) => [Math.max(b[0], c[0]), Math.max(b[1], c[1]), Math.min(b[2], c[2]), Math.min(b[3], c[3])];
    const shown = b => b[2] - b[0] > 0.5 && b[3] - b[1] > 0.5;
    return [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.getBoundingClientRect().width > 0).map(p => {
        const area = p.querySelector('.nsewdrag');
        const plot = area ? box(area) : box(p);
        const labels = [
            ...[...p.querySelectorAll('g.textpoint text')].map(t => [t, clip(box(t), plot)]),
            ...[...p.querySelectorAll('g.annotation text')].map(t => [t, box(t)]),
        ].filter(([t, b]) => t.textContent.trim() && shown(b)).map(([t, b]) => ({text: t.textContent.slice(0, 40), box: b}));
        const named = sel => [...p.querySelectorAll(sel)].map(e => ({text: sel, box: box(e)})).filter(x => shown(x.box));
        return {
            figure: box(p),
            plot,
            name: [...p.querySelectorAll('.gtitle')].map(t => t.textContent).join(' '),
            labels,
            titles: [...p.querySelectorAll('.gtitle')].filter(t => t.textContent.trim()).map(t => ({text: 'title', box: box(t)})),
            legends: [...p.querySelectorAll('g.legend, g.legend2, g.legend3')].filter(g => g.querySelector('.traces'))
                .map(g => ({text: g.getAttribute('class'), box: box(g.querySelector('rect.bg') || g)})).filter(x => shown(x.box)),
            toolbar: named('.modebar'),
            controls: [...named('g.slider-container'), ...named('g.updatemenu-container')],
        };
    });
}"""


def _overlap(a: dict, b: dict) -> bool:
    (a0, a1, a2, a3), (b0, b1, b2, b3) = a["box"], b["box"]
    return a0 < b2 - SLACK_PX and b0 < a2 - SLACK_PX and a1 < b3 - SLACK_PX and b1 < a3 - SLACK_PX


def _titles_cut_off(figure: dict) -> list[str]:
    right = figure.get("figure", [0, 0, float("inf"), 0])[2]
    return [
        f"the title runs {t['box'][2] - right:.0f} px past the figure" for t in figure["titles"] if t["box"][2] > right + SLACK_PX
    ]


def _controls_covering(figure: dict) -> list[str]:
    return [
        f"a play control covers {other['text']!r}"
        for control in figure.get("controls", [])
        for other in figure["titles"] + figure["legends"] + figure["labels"]
        if _overlap(control, other)
    ]


def overlaps(figure: dict) -> list[str]:
    """Every pair that should not overlap and does: label/label, label/title, label/legend, toolbar/title, toolbar/legend,
    and a play control (button, slider) on a title, a legend or a label; and every title that runs past the figure's
    right edge (plotly never wraps a title: what runs past is cut off)."""
    found = _titles_cut_off(figure) + _controls_covering(figure)
    labels = figure["labels"]
    for i, label in enumerate(labels):
        for other in labels[i + 1 :] + figure["titles"] + figure["legends"]:
            if _overlap(label, other):
                found.append(f"{label['text']!r} covers {other['text']!r}")
    for bar in figure["toolbar"]:
        for other in figure["titles"] + figure["legends"]:
            if _overlap(bar, other):
                found.append(f"the toolbar covers {other['text']!r}")
    return found


def test_overlaps_finds_a_label_on_another_and_the_toolbar_on_a_title():
    """The check itself: boxes that cross are found, boxes that touch or lie apart are not."""
    figure = {
        "labels": [
            {"text": "A", "box": [0, 0, 50, 12]},
            {"text": "B", "box": [40, 6, 90, 18]},
            {"text": "C", "box": [90, 0, 120, 12]},
        ],
        "titles": [{"text": "title", "box": [0, 40, 200, 60]}],
        "legends": [{"text": "legend", "box": [0, 70, 200, 120]}],
        "toolbar": [{"text": ".modebar", "box": [150, 50, 300, 76]}],
    }
    assert overlaps(figure) == ["'A' covers 'B'", "the toolbar covers 'title'", "the toolbar covers 'legend'"]


def test_overlaps_finds_a_slider_on_a_legend_and_a_title_wider_than_its_figure():
    figure = {
        "figure": [0, 0, 390, 800],
        "labels": [],
        "titles": [{"text": "title", "box": [0, 40, 420, 60]}],
        "legends": [{"text": "legend", "box": [0, 700, 390, 790]}],
        "toolbar": [],
        "controls": [{"text": "g.slider-container", "box": [70, 680, 390, 740]}, {"text": "buttons", "box": [0, 600, 60, 640]}],
    }
    assert overlaps(figure) == ["the title runs 30 px past the figure", "a play control covers 'legend'"]
    figure["titles"][0]["box"][2] = 390
    figure["controls"][0]["box"][3] = 699
    assert overlaps(figure) == []


@pytest.mark.parametrize("name", list(PAGES))
def test_no_label_covers_another_a_title_or_a_legend_and_the_toolbar_covers_neither(page, app_url, name):
    """Each page opened once and its window narrowed from 1,440 to 1,024 and 390 px: Streamlit and plotly lay the
    charts out again for the new width, as when a reader resizes the window."""
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    page.goto(app_url + PAGES[name])
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60000)
    assert_no_error(page)
    RESULTS.mkdir(exist_ok=True)
    found: dict[str, list[str]] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_function(  # the charts take the new width
            "w => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.getBoundingClientRect().right <= w)",
            arg=width,
            timeout=10000,
        )
        page.wait_for_timeout(600)  # plotly's last layout pass (margins, legends)
        figures = page.evaluate(BOXES)
        assert figures, f"no chart at {width} px"
        if name == "home":
            assert any(f["legends"] for f in figures), f"no legend measured at {width} px"
        else:
            assert any(f["labels"] for f in figures), f"no labels measured at {width} px"
        if name == "map-compare":  # both maps, side by side only where each is at least COMPARE_MIN_PX wide
            assert len(figures) == 2
            a, b = (f["figure"] for f in figures)
            assert (a[1] == b[1]) == (width == WIDTHS[0]) and min(a[2] - a[0], b[2] - b[0]) >= min(COMPARE_MIN_PX, width - 40)
        if name == "ranges":
            assert any(CATALOGUE_TITLE in f["name"] for f in figures), f"no catalogue chart at {width} px"
        if name == "map-play":
            assert all(f["controls"] for f in figures), f"no play controls measured at {width} px"
        if name.startswith("map"):
            found[f"controls at {width} px"] = [f"button {b!r} is cut off" for b in page.evaluate(CUT_OFF_BUTTONS)]
        for i, figure in enumerate(figures):
            found[f"chart {i + 1} at {width} px"] = overlaps(figure)
            if CATALOGUE_TITLE in figure["name"]:
                bars, whole = figure["plot"][2] - figure["plot"][0], figure["figure"][2] - figure["figure"][0]
                if bars < MIN_BAR_SHARE * whole:
                    found[f"chart {i + 1} at {width} px"].append(f"the bars have {bars:.0f} of {whole:.0f} px")
        chart = page.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=str(RESULTS / f"legible-{name}-{width}.png"))
    assert {k: v for k, v in found.items() if v} == {}
