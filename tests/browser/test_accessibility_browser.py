"""Accessibility in a real browser: axe-core (WCAG 2.0–2.2 A and AA) on every page, the main tasks by keyboard alone, phones.

axe comes from the `axe-playwright-python` package (it bundles the axe-core engine; nothing is fetched). Every page is
checked in its default state with the sidebar open and in a filtered, selected state opened from a shared link on a
390 × 844 phone screen, where the page must not scroll sideways and its charts must fit. The phone screenshots go to
test-results/ (not committed): look at them after a change to a page's layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from dashboard.data import load_places
from dashboard.ranges import targets_in_range
from tests.browser.conftest import ROOT, assert_no_error, wait_for_app

pytestmark = pytest.mark.browser

RESULTS = ROOT / "test-results"
PHONE = {"width": 390, "height": 844}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class Allowed:
    """A violation that comes from Streamlit or plotly themselves and that the app cannot fix."""

    rule: str
    target: str  # a regular expression searched in the node's selector and HTML
    reason: str


# Reviewed: each entry names the framework's element and why the app cannot change it. Anything else fails.
ALLOWED: tuple[Allowed, ...] = ()

PAGES = {  # name: (sidebar link, shared link to a filtered, selected state)
    "home": ("Home", "/?region=Black+Sea&actor=rus"),
    "map": ("Map", "/map?region=Baltic&view=baltic&place=chernyakhovsk"),
    "ranges": ("Missile ranges", "/ranges?launch=kaliningrad&system=9m723&overlay=9m729"),
    "statements": ("Statements", "/statements?q=%2210-12+minutes%22&open=2019-02-20-putin-10-12-minutes"),
    "your-data": ("Your data", "/your-data"),
    "about": ("About the data", "/about?region=Baltic&actor=nato"),
}
# Shown on each page's selected state: what the link selected is really on the screen.
SELECTED_TEXT = {
    "home": "Filtered to region Black Sea; actor Russia.",
    "map": "Chernyakhovsk (152nd Guards Missile Brigade)",
    "ranges": "Kaliningrad",
    "statements": "Opened statement",
    "your-data": "place added",
    "about": "Filtered to region Baltic; actor NATO.",
}
PLACES_CSV = (
    "place_id,name,country,kind,operator,lat,lon,description,source_title,source_publisher,source_date,source_url\n"
    "my_site,My test site,Poland,army_base,pol,52.1,21.0,A site for the test,Notes,Me,2024-01-01,https://example.org/notes\n"
)


def axe_problems(tab) -> list[str]:
    """Serious and critical axe violations on the page as it is, less the allowed ones: one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab, options=AXE_OPTIONS).response
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            where = " ".join(str(t) for t in node["target"]) + " " + node["html"]
            if any(a.rule == violation["id"] and re.search(a.target, where) for a in ALLOWED):
                continue
            detail = node.get("failureSummary", "").replace("\n", " ")
            problems.append(f"{violation['id']} ({violation['impact']}): {where[:200]} — {detail[:200]}")
    return problems


def test_axe_finds_no_serious_violation_on_any_page_by_default(page, app_url):
    """Every page as the sidebar's links open it, with the sidebar and its filters showing."""
    page.goto(app_url + "/")
    wait_for_app(page)
    found = {}
    for name, (link, _) in PAGES.items():
        if name != "home":
            page.locator("[data-testid='stSidebarNav'] a", has_text=link).click()
            wait_for_app(page)
        assert_no_error(page)
        assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count() >= 2  # the filters are checked too
        found[name] = axe_problems(page)
    assert found == {name: [] for name in PAGES}


@pytest.mark.parametrize("name", list(PAGES))
def test_shared_link_on_a_phone_fits_and_passes_axe(browser, app_url, name):
    """A filtered, selected view opened from a link on a 390 px wide phone: no sideways scrolling, charts fit, no violation."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1)
    tab = context.new_page()
    external: list[str] = []
    tab.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), lambda r: (external.append(r.request.url), r.abort()))
    try:
        tab.goto(app_url + PAGES[name][1])
        wait_for_app(tab)
        if name == "your-data":
            tab.locator("[data-testid='stRadio'] label", has_text="Places").click()
            wait_for_app(tab)
            tab.locator("input[type='file']").set_input_files(
                files=[{"name": "places.csv", "mimeType": "text/csv", "buffer": PLACES_CSV.encode()}]
            )
            wait_for_app(tab)
        assert_no_error(tab)
        main = tab.locator("[data-testid='stMain']")
        assert SELECTED_TEXT[name] in main.inner_text()
        tab.wait_for_timeout(500)  # charts finish their first layout

        widths = tab.evaluate(
            """() => {
                const doc = document.scrollingElement, main = document.querySelector('[data-testid=stMain]');
                const figures = [...document.querySelectorAll('.js-plotly-plot .main-svg, [data-testid=stVegaLiteChart] canvas,'
                                + ' [data-testid=stVegaLiteChart] svg')].filter(e => e.getBoundingClientRect().width > 0);
                return {page: [doc.scrollWidth, doc.clientWidth], main: [main.scrollWidth, main.clientWidth],
                        figures: figures.map(e => Math.round(e.getBoundingClientRect().right)), view: window.innerWidth};
            }"""
        )
        assert widths["page"][0] <= widths["page"][1], f"the page scrolls sideways: {widths}"
        assert widths["main"][0] <= widths["main"][1], f"the page's content scrolls sideways: {widths}"
        assert all(right <= widths["view"] for right in widths["figures"]), f"a chart is wider than the screen: {widths}"

        # The header's menu is on the screen, and the sidebar's filters are one tap away and fit it.
        menu = tab.locator("[data-testid='stMainMenuButton']").bounding_box()
        assert menu and menu["x"] >= 0 and menu["x"] + menu["width"] <= PHONE["width"], f"the main menu is off the screen: {menu}"
        tab.locator("[data-testid='stExpandSidebarButton']").click()
        region = tab.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
        region.wait_for(state="visible")
        tab.wait_for_function(  # the sidebar slides in
            "e => e.getBoundingClientRect().left >= 0", arg=region.element_handle(), timeout=5000
        )
        box = region.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        tab.keyboard.press("Escape")
        tab.locator("[data-testid='stSidebarCollapseButton'] button").click()
        tab.wait_for_timeout(400)

        problems = axe_problems(tab)
        RESULTS.mkdir(exist_ok=True)
        height = tab.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        tab.set_viewport_size({"width": PHONE["width"], "height": min(height, 16000)})
        tab.wait_for_timeout(300)
        tab.screenshot(path=str(RESULTS / f"phone-{name}.png"))
        assert problems == []
        assert not external, f"the page requested non-local hosts: {external}"
    finally:
        context.close()


# ---- Keyboard only: Tab, Shift+Tab, Enter, Escape and typing; focus always visible and never under the sticky header.

FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el.matches('[data-testid=stMain], [data-testid=stSidebarContent]')) return null;
    const hidden = el.matches('input[type=radio], input[type=checkbox]');
    const shown = hidden ? el.closest('label') : el;
    const style = getComputedStyle(shown);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    let opacity = 1;  // toolbars that fade in on hover (plotly's, Streamlit's) must show for the focus too
    for (let e = shown; e; e = e.parentElement) opacity *= parseFloat(getComputedStyle(e).opacity);
    const box = shown.getBoundingClientRect();
    const header = document.querySelector('[data-testid=stHeader]');
    const below = header && el.closest('[data-testid=stMain]') ? header.getBoundingClientRect().bottom : 0;
    return {
        name: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim().slice(0, 80),
        tag: el.tagName, role: el.getAttribute('role') || '', ring: ring && opacity >= 0.5 && style.visibility !== 'hidden',
        covered: box.height < innerHeight / 2 && (box.top < below - 1 || box.bottom > innerHeight + 1),
    };
}"""


class Keyboard:
    """Moves the focus with the keyboard alone and records every stop where the focus could not be seen."""

    def __init__(self, tab):
        self.tab = tab
        self.unseen: list[str] = []

    def state(self) -> dict | None:
        for _ in range(10):  # plotly fades its toolbar in; Streamlit may redraw under the focus
            state = self.tab.evaluate(FOCUS_STATE)
            if state is None or (state["ring"] and not state["covered"]):
                return state
            self.tab.wait_for_timeout(100)
        self.unseen.append(f"{state['tag']} {state['role']} {state['name']!r}: ring={state['ring']} covered={state['covered']}")
        return state

    def to(self, wanted, key: str = "Tab", limit: int = 120) -> dict:
        """Press `key` until the focused element satisfies `wanted(state)`."""
        trail = []
        for _ in range(limit):
            self.tab.keyboard.press(key)
            self.tab.wait_for_timeout(40)  # a person's pace: Streamlit mounts some toolbars when focus arrives
            state = self.state()
            if state and wanted(state):
                return state
            trail.append(f"{state['tag']} {state['name']!r}" if state else "-")
        raise AssertionError(f"{key} never reached the wanted element; the focus went: {', '.join(trail)}")

    def choose(self, label: str, typed: str) -> None:
        """Focus the select box or multiselect called `label`, type to narrow its options and take the first."""
        self.to(lambda s: s["tag"] == "INPUT" and s["name"] == label)
        self.tab.keyboard.type(typed, delay=20)
        self.tab.wait_for_timeout(300)
        self.tab.keyboard.press("Enter")
        self.tab.keyboard.press("Escape")
        wait_for_app(self.tab)


def named(text: str):
    return lambda s: s["name"].endswith(text) or s["name"] == text


def test_keyboard_alone_filters_opens_a_place_and_reads_what_is_in_range(page, app_url):
    page.goto(app_url + "/")
    wait_for_app(page)
    keys = Keyboard(page)

    keys.choose("Region", "Baltic")
    assert "Filtered to region Baltic." in page.inner_text("[data-testid='stMain']")
    assert "region=Baltic" in page.url

    # Back up to the page links and open the map: the filter stays.
    keys.to(lambda s: s["tag"] == "A" and s["name"].endswith("Map"), key="Shift+Tab")
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "/map" in page.url and "region=Baltic" in page.url

    # A place's details without clicking its marker: the list of places beside the map.
    keys.choose("Places to show here", "Chernyakhovsk")
    main = page.locator("[data-testid='stMain']")
    assert page.get_by_role("heading", name="Selected place").is_visible()
    card = main.inner_text()
    assert "Chernyakhovsk (152nd Guards Missile Brigade)" in card and "Events here" in card
    assert "place=chernyakhovsk" in page.url

    keys.to(named("Range rings from here"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "/ranges" in page.url and "launch=chernyakhovsk" in page.url

    keys.choose("Launch point", "Kaliningrad")
    keys.choose("Missile system", "Iskander-M")
    assert "launch=kaliningrad" in page.url and "system=9m723" in page.url
    assert_no_error(page)

    # What is in range, as the page's own figures say it: the same count as the ranges module gives.
    kaliningrad = load_places().set_index("place_id").loc["kaliningrad"]
    metric = page.locator("[data-testid='stMetric']", has_text="Range used").inner_text()
    range_km = float(re.search(r"([\d,]+) km", metric).group(1).replace(",", ""))
    reached = targets_in_range(float(kaliningrad["lat"]), float(kaliningrad["lon"]), range_km)
    expected = int((reached["place_id"] != "kaliningrad").sum())  # the page lists every place but the launch place
    in_range = page.locator("[data-testid='stMetric']", has_text="Places in range").inner_text()
    assert in_range.split()[-1] == f"{expected:,}"
    places_tab = keys.to(lambda s: s["role"] == "tab" and s["name"].startswith("Places ("))
    assert places_tab["name"] == f"Places ({expected:,})"
    # The table draws on a canvas; behind it is the ARIA grid a screen reader reads: nearest place first.
    nearest = reached.loc[reached["place_id"] != "kaliningrad"].sort_values("distance_km")["name"].iloc[0]
    place_header = page.locator("th[role='columnheader']", has_text=re.compile(r"^Place$"))
    grid = page.locator("[data-testid='stDataFrame'] table[role='grid']", has=place_header).first
    assert grid.locator("tbody td[role='gridcell']").first.inner_text() == nearest
    assert keys.unseen == []


def test_keyboard_alone_searches_statements_and_opens_one_to_cite(page, app_url):
    page.goto(app_url + "/statements")
    wait_for_app(page)
    keys = Keyboard(page)

    keys.to(lambda s: s["tag"] == "INPUT" and s["name"] == "Search the statements")
    page.keyboard.type('"10-12 minutes"', delay=10)
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "q=%2210-12+minutes%22" in page.url

    keys.to(named("Open and cite"))
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert page.get_by_role("heading", name="Opened statement").is_visible()
    citation = page.locator("[data-testid='stMain'] [data-testid='stCode']").first.inner_text()
    assert "Vladimir Putin" in citation and "10-12 minutes" in citation
    assert "open=2019-02-20-putin-10-12-minutes" in page.url
    # The citation's copy button is reachable and visible from the keyboard. Streamlit mounts it a moment after the
    # code block takes the focus (a quick second Tab skips it, as a quick mouse skips a hover toolbar).
    keys.to(lambda s: s["tag"] == "DIV" and s["name"].startswith("“If they are indeed"))
    page.wait_for_timeout(500)
    copy = keys.to(lambda s: s["tag"] == "BUTTON" and s["name"] == "Copy to clipboard")
    assert copy["ring"]
    # Down to the foot of the page and back up to the search box: going up, the sticky header must not hide the focus.
    keys.to(lambda s: s["name"].startswith("Page (of"))
    keys.to(lambda s: s["name"] == "Search the statements", key="Shift+Tab")
    assert keys.unseen == []
