"""The statements page in a real browser, offline: results, search, highlighting, opening a statement from the timeline."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser


def match_count(page) -> int:
    text = page.locator(
        "[data-testid='stMarkdownContainer']", has_text=re.compile(r"^\d[\d,]* statements? match")
    ).first.inner_text()
    return int(re.match(r"([\d,]+)", text).group(1).replace(",", ""))


def test_statements_page_loads_offline_and_search_narrows(page, app_url):
    page.goto(app_url + "/statements")
    wait_for_app(page)
    assert page.get_by_role("heading", name="Statements").first.is_visible()
    total = match_count(page)
    assert total > 20
    expect(page.get_by_role("button", name="Open and cite")).to_have_count(20, timeout=30000)
    assert_no_error(page)

    box = page.get_by_role("textbox", name="Search the statements")
    box.fill('"black sea"')
    box.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('q') === '\"black sea\"'", timeout=30000)
    wait_for_app(page)
    found = match_count(page)
    assert 0 < found < total
    expect(page.get_by_role("button", name="Open and cite")).to_have_count(found, timeout=30000)
    main = page.locator("[data-testid='stMain']")
    # Highlights render as formatting, never as literal Markdown.
    text = main.inner_text()
    assert ":orange-background[" not in text and "**" not in text
    marks = main.locator("strong", has_text=re.compile("black sea", re.IGNORECASE))
    assert marks.count() >= 1
    assert_no_error(page)
    page.screenshot(path=str(SCREENSHOTS / "statements.png"), full_page=False)


def test_clicking_a_timeline_point_opens_the_statement(page, app_url):
    page.goto(app_url + "/statements")
    wait_for_app(page)
    page.get_by_role("tab", name="Compare sides").click()
    page.wait_for_selector(".js-plotly-plot .scatterlayer .point", timeout=30000)
    page.locator(".js-plotly-plot .scatterlayer .point").first.click(force=True)
    page.wait_for_function("() => new URL(location.href).searchParams.has('open')", timeout=30000)
    wait_for_app(page)
    assert page.get_by_role("heading", name="Opened statement").is_visible()
    code = page.locator("[data-testid='stCode']").first.inner_text()
    assert "accessed" in code and "Source:" in code
    assert_no_error(page)


def test_a_shared_link_with_bad_values_shows_notices(page, app_url):
    page.goto(app_url + "/statements?speaker=Nobody&page=abc&open=missing")
    wait_for_app(page)
    text = page.inner_text("[data-testid='stMain']")
    assert "Ignored unknown speaker" in text and "Ignored the page number" in text and "There is no statement" in text
    assert page.locator("[data-testid='stException']").count() == 0
