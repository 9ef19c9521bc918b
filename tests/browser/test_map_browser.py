"""The map page in a real browser with every non-local request blocked: outlines, markers of every kind, labels, selection."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from dashboard import data
from dashboard import map_figures as mf
from tests.browser.conftest import SCREENSHOTS, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser

# Rendered points per kind of place, read from plotly's own calc data and the SVG it drew.
_POINTS_PER_KIND = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const out = {};
  for (const cd of gd.calcdata) {
    const t = cd[0].trace;
    if (t.meta && t.meta.role === 'places') {
      out[t.meta.kind] = cd[0].node3 ? cd[0].node3.node().querySelectorAll('path.point').length : 0;
    }
  }
  return out;
}"""

_LAND_PATH_LENGTH = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  for (const cd of gd.calcdata) {
    const t = cd[0].trace;
    if (t.meta && t.meta.role === 'land') {
      const fills = cd[0].node3.node().querySelectorAll('path.js-fill');
      return Array.from(fills).reduce((n, p) => n + (p.getAttribute('d') || '').length, 0);
    }
  }
  return 0;
}"""

_POINT_POSITION = """(placeId) => {
  const gd = document.querySelector('.js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  for (const cd of gd.calcdata) {
    const t = cd[0].trace;
    if (!(t.meta && t.meta.role === 'places')) continue;
    for (const pt of cd) {
      if (pt.data && pt.data[0] === placeId || (t.customdata && t.customdata[pt.i] && t.customdata[pt.i][0] === placeId)) {
        return [box.left + xa.c2p(pt.x), box.top + ya.c2p(pt.y)];
      }
    }
  }
  return null;
}"""


def _open_map(page, app_url, query=""):
    page.goto(f"{app_url}/map{query}")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.point", timeout=60000)
    page.wait_for_timeout(800)
    assert_no_error(page)


def test_map_draws_countries_markers_of_every_kind_and_labels_offline(page, app_url):
    _open_map(page, app_url)
    places = mf.places_as_of(data.load_dataset().places, date.today())
    per_kind = page.evaluate(_POINTS_PER_KIND)
    for kind in set(places["kind"]):
        assert per_kind.get(kind, 0) >= 1, f"no marker drawn for {kind}"
    assert page.evaluate(_LAND_PATH_LENGTH) > 50_000  # country shapes, drawn from the project's own outlines
    joined = " ".join(page.eval_on_selector_all(".js-plotly-plot .textpoint", "els => els.map(e => e.textContent)"))
    assert "UKRAINE" in joined and "RUSSIA" in joined and "Black Sea" in joined and "Crimea" in joined
    legend = " ".join(
        page.eval_on_selector_all(
            ".js-plotly-plot .legendtext, .js-plotly-plot .legend2text", "els => els.map(e => e.textContent)"
        )
    )
    for label in ("Capital", "Missile brigade", "Forward-presence base", "Russia or an ally", "Occupied by Russia"):
        assert label in legend


def test_black_sea_view_screenshot_and_click_selects_a_place(page, app_url):
    _open_map(page, app_url, "?view=black_sea&place=deveselu&asof=2019-08-02")
    main = page.locator("[data-testid='stMain']")
    assert "Aegis Ashore Romania (Deveselu)" in main.inner_text()
    page.set_viewport_size({"width": 1400, "height": 1300})
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=False)
    # Clicking Sevastopol's marker selects it: details beside the map and the place in the link.
    xy = page.evaluate(_POINT_POSITION, "sevastopol")
    assert xy is not None
    page.mouse.click(*xy)
    page.wait_for_function("() => window.location.search.includes('place=sevastopol')", timeout=30000)
    wait_for_app(page)
    assert "Sevastopol naval base" in main.inner_text()
    assert "view=black_sea" in page.url and "asof=2019-08-02" in page.url


_USER_POINTS = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const out = {user_places: 0, user_events: 0};
  for (const cd of gd.calcdata) {
    const t = cd[0].trace;
    const role = t.meta && t.meta.role;
    if (role in out) out[role] += cd[0].node3 ? cd[0].node3.node().querySelectorAll('path.point').length : 0;
  }
  return out;
}"""

UPLOAD_PLACES = (
    "place_id,name,country,kind,operator,lat,lon,start_date,end_date,description,source_title,source_publisher,source_date,source_url\n"
    "my-site,<b>My</b> site,Romania,air_base,rou,45.1,25.6,,,A site.,Report,Paper,,https://example.org/p\n"
)


def test_an_uploaded_place_is_drawn_with_its_own_look_and_tagged(page, app_url, tmp_path):
    page.goto(f"{app_url}/your-data")
    wait_for_app(page)
    page.get_by_text("Places", exact=True).click()
    wait_for_app(page)
    upload = tmp_path / "my_places.csv"
    upload.write_text(UPLOAD_PLACES, encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
    page.get_by_text("1 place added").wait_for(timeout=60000)
    # Move within the app (a reload would start a new session without the upload).
    page.locator("[data-testid='stSidebarNav'] a[href$='/map']").click()
    page.wait_for_selector(".js-plotly-plot .scatterlayer path.point", timeout=60000)
    wait_for_app(page)
    assert_no_error(page)
    assert page.evaluate(_USER_POINTS)["user_places"] == 1
    legend = " ".join(
        page.eval_on_selector_all(
            ".js-plotly-plot .legend2 .legendtext, .js-plotly-plot .legend2text", "els => els.map(e => e.textContent)"
        )
    )
    assert "Your data (magenta)" in legend
    xy = page.evaluate(_POINT_POSITION.replace("'places'", "'user_places'"), "my-site")
    assert xy is not None
    page.mouse.move(*xy)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=10000)
    hover = page.eval_on_selector(".hoverlayer", "el => el.textContent")
    assert "<b>My</b> site" in hover and "your data" in hover  # markup shown as typed, never rendered
    page.screenshot(path=str(tmp_path / "map_your_data.png"))


def test_play_mode_has_frames_and_pressing_play_steps_the_posture(page, app_url):
    page.goto(f"{app_url}/map?mode=play&asof=1990-01-01")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=60000)
    assert_no_error(page)
    n_frames = page.evaluate("() => document.querySelector('.js-plotly-plot')._transitionData._frames.length")
    assert n_frames >= 40
    before = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.title.text")
    page.locator(".js-plotly-plot .updatemenu-button").first.click()  # ▶ Play
    page.wait_for_timeout(3000)
    after = page.evaluate("() => document.querySelector('.js-plotly-plot').layout.title.text")
    assert after != before and "places standing" in after
    page.locator(".js-plotly-plot .updatemenu-button").nth(1).click()  # ❚❚ Pause


def test_play_mode_from_a_shared_link_offers_its_text_version(page, app_url):
    """The README's picture of play mode, opened on 2016 from its link; the text version below the map counts the places per step."""
    page.goto(f"{app_url}/map?mode=play&asof=2016-12-31")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=60000)
    assert_no_error(page)
    page.get_by_text("Text version of this map").click()
    text = page.locator("[data-testid='stExpander']", has_text="Text version of this map")
    expect(text.locator("table")).to_contain_text("2016")
    page.get_by_text("Text version of this map").click()  # closed again for the picture
    # The play controls at the top of the window, the map below them (scrolling, not the mouse wheel, which zooms the map).
    page.get_by_role("button", name="Step back").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOTS / "map-play.png"), full_page=False)
