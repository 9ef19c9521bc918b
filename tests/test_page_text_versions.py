"""Every map and chart has its text version right below it, with the figure's facts, on every page (AppTest); translated words say so."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.text import escape_markdown
from tests.pages import open_page

# The keys of every text version's expander; a reader opens one by clicking it, which reruns the page.
TEXT_KEYS = (
    "home_timeline_text",
    "map_text",
    "map_play_text",
    "map_compare_text_a",
    "map_compare_text_b",
    "rng_map_text",
    "rng_basket_text",
    "rng_catalogue_text",
    "stm_timeline_text",
)


def text_versions(at: AppTest) -> list:
    return [e for e in at.expander if e.label.startswith("Text version of this")]


def opened(at: AppTest) -> AppTest:
    """The page again with every text version opened, as a reader clicking them."""
    for key in TEXT_KEYS:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_text_version_is_built_only_when_opened():
    at = open_page(params={"region": "Baltic"})
    (text,) = text_versions(at)
    assert not text.markdown and not text.table, "nothing is built while it is closed"
    (text,) = text_versions(opened(at))
    assert text.markdown and text.table


def sentences(expander) -> str:
    return " ".join(m.value for m in expander.markdown)


def test_home_timeline_text_gives_the_events_per_year():
    at = opened(open_page(params={"region": "Baltic"}))
    (text,) = text_versions(at)
    events = int(next(m.value for m in at.metric if m.label == "Events").replace(",", ""))
    assert escape_markdown(f"{events:,} events from") in sentences(text)
    table = text.table[0].value
    assert sum(int(n.replace("\\,", "")) for n in table["All events"]) == events


def test_map_text_names_the_places_shown_with_kind_side_and_country():
    at = opened(open_page("views/map.py", {"view": "baltic"}))
    (text,) = text_versions(at)
    assert text.label == "Text version of this map"
    table = text.table[0].value
    assert list(table.columns) == ["Place", "Kind", "Operator \\(side\\)", "Country", "In this view"]
    assert table["In this view"].iloc[0] == "yes"
    assert "Chernyakhovsk \\(152nd Guards Missile Brigade\\)" in set(table["Place"])
    assert escape_markdown("Baltic, as of") in sentences(text)


def test_ranges_page_texts_the_ring_map_the_basket_and_the_catalogue_chart():
    at = opened(open_page("views/ranges.py", {"overlay": "kalibr"}))
    at.session_state["rng_target_tab"] = at.session_state["rng_target_tab_labels"][1]  # the launch basket's tab
    at.run()
    labels = [e.label for e in text_versions(at)]
    assert labels == ["Text version of this map", "Text version of this map", "Text version of this chart"]
    assert escape_markdown("The launch basket for") in sentences(text_versions(at)[1])
    ring = text_versions(at)[0]
    assert escape_markdown("Compared: 3M14 Kalibr") in sentences(ring)
    assert ring.table[0].value["Band"].iloc[0].startswith("Under 500 km")
    catalogue = text_versions(at)[2].table[0].value
    assert len(catalogue) == len(at.dataframe[-1].value)  # one row per system in the catalogue table


def test_statements_compare_tab_texts_the_timeline():
    at = opened(open_page("views/statements.py", {"q": "Moscow"}))
    at.session_state["stm_tab"] = "Compare sides"
    at.run()
    (text,) = text_versions(at)
    assert "statements by" in sentences(text)


def test_play_and_compare_modes_text_their_maps():
    play = opened(open_page("views/map.py", {"mode": "play", "a": "2013-01-01", "b": "2016-12-31"}))
    (text,) = text_versions(play)
    assert text.table[0].value["Step"].tolist() == ["2013", "2014", "2015", "2016"]
    compare = opened(open_page("views/map.py", {"mode": "compare", "a": "2013-01-01", "b": "2016-12-31"}))
    assert [escape_markdown("2013-01-01") in sentences(t) for t in text_versions(compare)] == [True, False]


def test_a_place_card_says_a_statement_is_a_translation_and_whose():
    at = open_page("views/map.py", {"view": "baltic", "place": "copenhagen"})
    captions = " ".join(c.value for c in at.caption)
    assert escape_markdown("Translation by AFP") in captions  # Mette Frederiksen's words, as AFP translated them
