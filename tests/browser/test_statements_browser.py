"""The statements page in a real browser, offline: results, search, highlighting, opening a statement from the timeline."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_no_error, wait_for_app
from tests.upload_corpus import ST_HEADER

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


# Uploaded by the reader: text meant to close the card's directives and block quote, or to run as HTML, a link or maths.
HOSTILE = {
    "speaker": "Mallory ]] [s] :red[r]",
    "speaker_role": "Role ]]{x=1} `tick` *b*",
    "text": "Zyxwords said ]] [click](javascript:alert(1)) :small[big] `code` $x$ *em* <script>alert(1)</script> end",
    "venue": "Hall ]] [v] :gray[g] `tick` $y$ _i_ <img src=x onerror=alert(2)>",
    "source_title": "Title ]] [t](javascript:alert(3)) :blue[u]",
}


def _hostile_statement_csv() -> bytes:
    row = dict.fromkeys(ST_HEADER.split(","), "") | HOSTILE
    row |= {"statement_id": "my-hostile", "date": "2019-03-02", "actor": "bgr", "quote_type": "verbatim"}
    row |= {"context": "interview", "topics": "black_sea", "source_publisher": "Paper", "source_date": "2019-03-02"}
    row["source_url"] = "https://example.org/s"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([row.keys(), row.values()])
    return out.getvalue().encode()


def test_a_card_shows_hostile_text_literally_in_its_places(page, app_url):
    """The card is one Markdown: brackets, backticks, colons, dollars, stars and tags in the data show as typed, each in
    its part of the card (the venue in the small grey line, the words in the block quote), and nothing else appears."""
    page.goto(app_url + "/your-data")
    wait_for_app(page)
    page.get_by_test_id("stRadioGroup").get_by_text("Statements", exact=True).click()
    wait_for_app(page)
    upload = {"name": "s.csv", "mimeType": "text/csv", "buffer": _hostile_statement_csv()}
    page.locator("input[type='file']").set_input_files(files=[upload])
    page.wait_for_selector("text=Upload report", timeout=60000)
    page.get_by_test_id("stSidebarNav").get_by_text("Statements", exact=True).click()  # the same session keeps the upload
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Search the statements")
    box.fill("zyxwords")
    box.press("Enter")
    wait_for_app(page)
    assert match_count(page) == 1
    card = page.locator("[data-testid='stMarkdownContainer']", has_text="speaking for")
    expect(card).to_have_count(1)
    text = card.inner_text()
    for field, value in HOSTILE.items():
        assert value.replace("Zyxwords", "") in text, (field, text)
    # Each in its place: the words in the block quote, the venue and the topics in small grey lines.
    assert HOSTILE["text"].replace("Zyxwords", "") in card.locator("blockquote").inner_text()
    small = card.locator("p > span[style^='font-size']")  # :small[...], not the "your data" badge
    assert small.count() == 2
    assert HOSTILE["venue"] in small.nth(0).inner_text() and small.nth(1).inner_text() == "Topics: Black sea"
    colours = small.evaluate_all("els => els.map(e => getComputedStyle(e.firstElementChild || e).color)")
    body = card.evaluate("e => getComputedStyle(e).color")
    assert all(c != body for c in colours), (colours, body)  # grey, as a caption
    # No markup from the data took effect: no HTML, maths, code, emphasis or colour; the one link is the source's.
    assert card.locator("script, img, code, em, .katex, blockquote blockquote, h1, h2, h3, ul, ol, pre").count() == 0
    assert [s.inner_text() for s in card.locator("strong").all()] == [HOSTILE["speaker"], "Zyxwords"]
    assert card.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))") == ["https://example.org/s"]
    assert card.locator(".stMarkdownColoredText").count() == 3  # the side marker and the two grey lines, nothing from data
    assert_no_error(page)
