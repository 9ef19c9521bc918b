"""The missile-ranges page in a real browser, offline: rings are drawn, links open the same view."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser


def _wait_for_map(page):
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .trace path.js-line", timeout=60000)
    wait_for_app(page)


def test_ranges_page_draws_rings_offline(page, app_url):
    page.goto(app_url + "/ranges")
    _wait_for_map(page)
    assert page.get_by_role("heading", name="Missile ranges").first.is_visible()
    ring_map = page.locator(".js-plotly-plot").first
    assert "Range rings from Shuya" in ring_map.inner_text()
    assert ring_map.locator(".scatterlayer .trace path.js-line").count() >= 8  # bands, thresholds, claims, the ring
    assert ring_map.locator(".legendtext", has_text="Shorter-range class").count() == 1
    assert page.locator("[data-testid='stDataFrame']").count() >= 3
    assert_no_error(page)
    page.screenshot(path=str(SCREENSHOTS / "ranges.png"), full_page=False)


def test_ranges_link_opens_the_same_view(page, app_url):
    page.goto(app_url + "/ranges?launch=kaliningrad&system=oreshnik&view=region")
    _wait_for_map(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Range rings from Kaliningrad:Oreshnik, 5,500 km" in text  # the map's title: two lines, no space between
    assert "launch=kaliningrad" in page.url and "system=oreshnik" in page.url and "view=region" in page.url
    assert_no_error(page)


def test_ranges_bad_link_gives_a_notice(page, app_url):
    page.goto(app_url + "/ranges?launch=custom&lat=123&lon=20&speed=-5")
    _wait_for_map(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Latitude must be between −90 and 90 degrees" in text
    assert "The cruise speed must be more than 0 km/h" in text
    assert page.locator("[data-testid='stException']").count() == 0
