"""Upload limits, table downloads and links to the reader's own data, as a reader meets them in a real browser."""

from __future__ import annotations

import pytest

from dashboard import uploads
from tests.browser.conftest import assert_no_error, wait_for_app
from tests.upload_corpus import EV_HEADER, EV_ROW, PL_HEADER, PL_ROW, ST_HEADER, ST_ROW, _csv

pytestmark = pytest.mark.browser


def _upload(page, kind_label: str, name: str, data: bytes) -> None:
    page.get_by_test_id("stRadioGroup").get_by_text(kind_label, exact=True).click()
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    wait_for_app(page)


def test_tables_offer_no_download_of_their_own(page, app_url):
    page.goto(app_url + "/")
    wait_for_app(page)
    page.get_by_text("The events as a table, newest first, with their sources").click()  # built when opened
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(timeout=30000)
    table.hover()
    toolbar = page.locator("[data-testid='stElementToolbar']").first
    toolbar.wait_for(state="attached", timeout=10000)
    labels = toolbar.locator("button").evaluate_all("els => els.map(e => e.getAttribute('aria-label') || '')")
    assert any(label.startswith("Search") for label in labels), labels  # the toolbar is there...
    assert not any(label.startswith("Download") for label in labels), labels  # ...without its unsafe CSV download


def test_the_widget_and_the_app_agree_on_the_byte_limit(page, app_url):
    body = (EV_HEADER + "\n" + EV_ROW + "\n").encode()
    exact = body + b" " * (uploads.MAX_BYTES - len(body))
    page.goto(app_url + "/your-data")
    wait_for_app(page)
    _upload(page, "Events (or an ACLED export)", "exact.csv", exact)
    page.wait_for_selector("text=Upload report", timeout=60000)
    wait_for_app(page)
    assert "Rows accepted\n\n1" in page.inner_text("[data-testid='stMain']")
    page.goto(app_url + "/your-data")
    wait_for_app(page)
    _upload(page, "Events (or an ACLED export)", "over.csv", exact + b" ")
    # Refused by the widget itself (Chromium on Linux counts 1,000,000 bytes to the MB), before the server reads it.
    page.wait_for_selector("text=/File must be 5(\\.0)? ?MB or smaller/", timeout=30000)
    assert "Upload report" not in page.inner_text("[data-testid='stMain']")


def test_a_link_from_the_readers_statement_to_their_place_keeps_their_data(page, app_url):
    page.goto(app_url + "/your-data")
    wait_for_app(page)
    _upload(page, "Places", "p.csv", _csv(PL_HEADER, PL_ROW))
    _upload(page, "Statements", "s.csv", _csv(ST_HEADER, ST_ROW.replace(",sofia,", ",my-site,")))
    page.wait_for_selector("text=Upload report", timeout=60000)
    page.get_by_test_id("stSidebarNav").get_by_text("Statements", exact=True).click()
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Search the statements")
    box.fill('"we said this"')
    box.press("Enter")
    wait_for_app(page)
    page.get_by_text("Place: My site").first.click()
    wait_for_app(page)
    page.wait_for_timeout(800)
    text = page.inner_text("[data-testid='stMain']")
    assert "Selected place" in text and "My site · your data" in text, text
    assert "Ignored" not in text
    assert_no_error(page)
