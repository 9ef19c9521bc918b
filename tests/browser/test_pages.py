"""Every page opens in a real browser, offline, shows its content and no error."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/", "INF Watch"), ("/about", "About the data")],
)
def test_page_loads_offline_with_content(page, app_url, path, heading):
    page.goto(app_url + path)
    wait_for_app(page)
    assert page.get_by_role("heading", name=heading).first.is_visible()
    assert_no_error(page)


def test_home_shows_timeline_and_table(page, app_url):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=30000)
    assert page.locator(".js-plotly-plot .scatterlayer .point").count() > 10
    assert page.locator("[data-testid='stDataFrame']").count() == 0  # the table is built when its expander is opened
    page.get_by_text("The events as a table, newest first, with their sources").click()
    page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30000)
    wait_for_app(page)
    page.locator("[data-testid='stMain'] h1").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=False)


def test_filtered_link_opens_the_same_view(page, app_url):
    page.goto(app_url + "/?region=Black+Sea&actor=nato")
    wait_for_app(page)
    assert "Filtered to region Black Sea; actor NATO." in page.inner_text("[data-testid='stMain']")
    # The URL still carries the filters, so copying it shares the view.
    assert "region=Black+Sea" in page.url and "actor=nato" in page.url


def test_bad_link_values_give_a_notice_not_a_crash(page, app_url):
    page.goto(app_url + "/?region=Atlantis&from=not-a-date")
    wait_for_app(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Ignored unknown region" in text
    assert "Ignored the start date" in text
    assert page.locator("[data-testid='stException']").count() == 0
