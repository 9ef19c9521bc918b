"""The statements page under AppTest: search, filters, paging, opening a statement, the URL round trip, unsafe text."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import search
from dashboard.charts import humanise
from dashboard.citations import format_date, quote_label
from dashboard.data import DATA_DIR_ENV, load_dataset
from dashboard.text import escape_markdown
from dashboard.ui import cache
from tests import fixtures
from tests.pages import APP, open_page

PAGE = "views/statements.py"


@pytest.fixture(autouse=True)
def fresh_caches():
    cache.get_dataset.clear()
    yield
    cache.get_dataset.clear()


def open_statements(params: dict | None = None, uploads=()) -> AppTest:
    at = open_page(PAGE, params, uploads=uploads)
    assert_ok(at)
    return at


def assert_ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def match_count(at: AppTest) -> int:
    text = next(m.value for m in at.markdown if re.match(r"\*\*[\d,]+ statements?\*\* match", m.value))
    return int(re.match(r"\*\*([\d,]+)", text).group(1).replace(",", ""))


def cards_speakers(at: AppTest) -> list[str]:
    """The speaker line of every card shown (the first Markdown of each card starts with the bold speaker)."""
    return [m.value for m in at.markdown if m.value.startswith("**") and "speaking for" in m.value]


def as_list(value) -> list[str]:
    return list(value) if isinstance(value, list | tuple) else [value]


def cards(at: AppTest) -> dict[str, list]:
    """Every statement card in the Quotes tab, by statement id (from its button's key): the elements it holds, in order."""
    found = {}
    for block in at.tabs[0].children.values():
        if block.type == "flex_container" and block.proto.flex_container.border:
            elements = list(block.children.values())
            found[elements[-1].key.removeprefix("stm_open_")] = elements
    return found


# A card's small grey lines (date, context and venue; topics): only escaped text between the directive's brackets.
CAPTION_LINE = re.compile(r":small\[:gray\[((?:\\.|[^\\\[\]\n])*)\]\]")


def test_page_lists_statements_newest_first_in_pages_of_20():
    at = open_statements()
    total = len(load_dataset().statements)
    assert at.title[0].value == "Statements"
    assert match_count(at) == total
    assert len(cards_speakers(at)) == min(20, total)
    assert any(f"Showing 1–20 of {total}" in c.value for c in at.caption)
    assert at.get("download_button"), "no CSV export"
    assert not at.get("plotly_chart"), "the timeline is drawn only when its tab is chosen"


def open_comparison(at: AppTest) -> AppTest:
    """Choose the "Compare sides" tab, as a reader clicking it (the page reruns and draws the timeline)."""
    at.session_state["stm_tab"] = "Compare sides"
    at.run()
    assert_ok(at)
    return at


def test_the_timeline_is_drawn_when_its_tab_is_chosen_and_the_quotes_keep_their_page():
    at = open_statements()
    at.number_input(key="stm_page").set_value(2).run()
    open_comparison(at)
    (chart,) = at.get("plotly_chart")
    assert "Who said what" in chart.proto.spec or "Statements per actor" in chart.proto.spec
    at.session_state["stm_tab"] = "Quotes"
    at.run()
    assert not at.get("plotly_chart")
    assert at.number_input(key="stm_page").value == 2


def test_search_narrows_highlights_and_goes_in_the_url():
    at = open_statements()
    total = match_count(at)
    at.text_input(key="stm_query").set_value('"black sea"').run()
    assert_ok(at)
    found = match_count(at)
    assert 0 < found < total
    assert as_list(at.query_params["q"]) == ['"black sea"']
    highlighted = [m.value for m in at.markdown if search.HIGHLIGHT_OPEN in m.value]
    assert highlighted and all(re.search(r"black sea", m, re.IGNORECASE) for m in highlighted)
    at.text_input(key="stm_query").set_value("zzzznotaword").run()
    assert match_count(at) == 0
    assert any("No statement matches" in i.value for i in at.info)


def test_speaker_and_topic_filters():
    ds = load_dataset()
    speaker = ds.statements["speaker"].value_counts().index[0]
    at = open_statements()
    at.multiselect(key="stm_speakers").select(speaker).run()
    assert_ok(at)
    assert match_count(at) == int((ds.statements["speaker"] == speaker).sum())
    assert all(line.startswith(f"**{search.highlight_markdown(speaker, ())}**") for line in cards_speakers(at))
    assert as_list(at.query_params["speaker"]) == [speaker]
    at.multiselect(key="stm_topics").select("black_sea").run()
    both = ds.statements[(ds.statements["speaker"] == speaker) & ds.statements["topics"].map(lambda t: "black_sea" in t)]
    assert match_count(at) == len(both)
    assert as_list(at.query_params["topic"]) == ["black_sea"]


def test_paging_and_order():
    at = open_statements()
    total = match_count(at)
    first_page = cards_speakers(at)
    at.button(key="stm_next").click().run()
    assert_ok(at)
    assert as_list(at.query_params["page"]) == ["2"]
    assert any(f"Showing 21–{min(40, total)} of {total}" in c.value for c in at.caption)
    assert cards_speakers(at) != first_page
    # A new search goes back to page 1.
    at.radio(key="stm_sort").set_value(search.SORT_OLDEST).run()
    assert "page" not in at.query_params
    assert as_list(at.query_params["sort"]) == ["oldest"]
    assert any(f"Showing 1–20 of {total}, oldest first" in c.value for c in at.caption)


def test_a_card_is_one_markdown_and_its_button_with_words_quoted_or_paraphrased():
    """Each card is two elements (the server's cost grows with the elements): who, side, setting, words, how they were
    recorded, links and topics in one Markdown, then the button."""
    statements = load_dataset().statements.set_index("statement_id")
    at = open_statements({"sort": "oldest"})
    shown = cards(at)
    assert len(shown) == 20
    kinds = set()
    for statement_id, elements in shown.items():
        assert [e.type for e in elements] == ["markdown", "button"], statement_id
        row, lines = statements.loc[statement_id], elements[0].value.split("\n")
        kinds.add(row["quote_type"])
        assert lines[0].startswith(f"**{escape_markdown(row['speaker'])}**") and "speaking for" in lines[1]
        setting, topics = (CAPTION_LINE.fullmatch(line) for line in (lines[3], lines[-1]))
        assert setting and setting.group(1).startswith(escape_markdown(format_date(row["date"])) + " · ")
        assert topics and topics.group(1) == escape_markdown("Topics: " + ", ".join(humanise(t) for t in row["topics"]))
        words, links = lines[5:-4], lines[-3]
        assert lines[2] == lines[4] == lines[-4] == lines[-2] == ""  # paragraphs, not lines of one
        if row["quote_type"] == "paraphrase":  # in the running text, said to be a paraphrase, never quoted
            assert words[0].startswith("Paraphrase: ") and not any(line.startswith(">") for line in words)
            assert links.startswith("Source: [")
        else:  # words as said: every line in the block quote, in quotation marks
            assert words[0].startswith("> “") and all(line.startswith(">") for line in words)
            assert links.startswith(escape_markdown(quote_label(row["quote_type"], row["translated_by"])) + " · Source: [")
    assert kinds == {"verbatim", "translation", "paraphrase"}, "the first page no longer shows every kind of quote"


def test_open_and_cite_a_statement():
    at = open_statements()
    first_id = at.button[[b.key for b in at.button].index(next(b.key for b in at.button if b.key.startswith("stm_open_")))].key
    at.button(key=first_id).click().run()
    assert_ok(at)
    statement_id = first_id.removeprefix("stm_open_")
    assert as_list(at.query_params["open"]) == [statement_id]
    assert any(s.value == "Opened statement" for s in at.subheader)
    row = load_dataset().statements.set_index("statement_id").loc[statement_id]
    citation = at.code[0].value
    assert row["speaker"] in citation and "accessed" in citation and row["source_url"] in citation
    at.button(key="stm_close").click().run()
    assert "open" not in at.query_params and not any(s.value == "Opened statement" for s in at.subheader)


def test_a_shared_link_reproduces_the_view():
    ds = load_dataset()
    row = ds.statements.iloc[0]
    params = {
        "q": "missile",
        "topic": ["inf_treaty"],
        "sort": "oldest",
        "page": "1",
        "open": row["statement_id"],
        "region": "Black Sea",
    }
    at = open_statements(params)
    assert at.text_input(key="stm_query").value == "missile"
    assert at.multiselect(key="stm_topics").value == ["inf_treaty"]
    assert at.radio(key="stm_sort").value == "oldest"
    assert at.sidebar.multiselect[0].value == ["Black Sea"]
    assert any(s.value == "Opened statement" for s in at.subheader)
    assert as_list(at.query_params["q"]) == ["missile"] and as_list(at.query_params["open"]) == [row["statement_id"]]
    assert as_list(at.query_params["region"]) == ["Black Sea"]
    assert "page" not in at.query_params  # page 1 is the default, left out


def test_bad_link_values_give_notices_and_defaults():
    at = open_statements(
        {"speaker": "Nobody Atall", "topic": "bananas", "sort": "sideways", "page": "banana", "open": "no-such-id"}
    )
    warnings = " ".join(w.value for w in at.warning)
    for word in ("Nobody Atall", "bananas", "sideways", "banana", "no\\-such\\-id"):
        assert word in warnings, word
    assert match_count(at) == len(load_dataset().statements)
    assert at.radio(key="stm_sort").value == "newest"
    for key in ("speaker", "topic", "sort", "page", "open"):
        assert key not in at.query_params


def test_links_with_thousands_of_unknown_speakers_and_topics_give_one_counted_notice_each():
    at = open_statements(
        {"speaker": ",".join(f"s{i}" for i in range(20_000)), "topic": [f"t{i}" for i in range(900)], "open": "\u202edi\u200b-on"}
    )
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert len(warnings) == 3, warnings
    assert "Ignored unknown speakers “s0”, “s1”, “s2” in the link, and 19,997 more ignored." in warnings[0]
    assert "Ignored unknown topics “t0”, “t1”, “t2” in the link, and 897 more ignored." in warnings[1]
    assert "There is no statement “di-on”" in warnings[2]
    assert at.multiselect(key="stm_speakers").value == [] and at.multiselect(key="stm_topics").value == []
    assert match_count(at) == len(load_dataset().statements)


def test_a_page_past_the_end_is_clamped_with_a_notice():
    at = open_statements({"page": "999"})
    assert any("only" in w.value and "999" in w.value for w in at.warning)
    last = at.number_input(key="stm_page").max
    assert last >= 2 and at.number_input(key="stm_page").value == last
    assert as_list(at.query_params["page"]) == [str(int(last))]


UNSAFE = [
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "**bold**",
    ":red[x]",
    "$x$",
    "<img src=x onerror=alert(1)>",
    "]] [x] :gray[`tick`] *i*",  # would close the card's small grey directives and open others
    "\\]]{x=1} :small[big]",  # a backslash before the brackets, and directive attributes
]
# Lines that would end the card's block quote, or start a heading, list, code block or quote of their own.
LINES = "Told this\n\n# heading\n> quote\n- item\n1. item\n    code\n```\n\nend"


@pytest.fixture
def unsafe_data(tmp_path, monkeypatch):
    base = fixtures.statements()[0]
    rows = [
        {
            **base,
            "statement_id": f"2019-03-0{i + 1}-evil",
            "date": f"2019-03-0{i + 1}",
            "text": f"Said {text} end",
            "speaker": f"Mallory {text}",
            "venue": text,
            "source_title": f"Title ]({text}",
        }
        for i, text in enumerate(UNSAFE)
    ]
    rows.append(
        {
            **base,
            "statement_id": "2019-03-09-evil-url",
            "date": "2019-03-09",
            "text": "plain",
            "source_url": "https://example.org/a)[x](javascript:alert(1)",
        }
    )
    rows.append({**base, "statement_id": "2019-03-10-evil-lines", "date": "2019-03-10", "text": LINES, "venue": LINES})
    folder = fixtures.write_dataset(tmp_path / "data", statements=rows)
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    cache.get_dataset.clear()
    yield rows
    cache.get_dataset.clear()


def test_html_and_markdown_in_the_data_are_shown_as_plain_text(unsafe_data):
    at = open_statements({"q": "said"})
    shown = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    assert match_count(at) == len(UNSAFE)
    for text in UNSAFE:
        assert text not in shown, f"{text!r} reached Markdown unescaped"
    # Each unsafe text is there, escaped: undoing the escapes gives it back.
    unescaped = re.sub(r"\\(.)", r"\1", shown.replace(search.HIGHLIGHT_OPEN, "").replace(search.HIGHLIGHT_CLOSE, ""))
    for text in UNSAFE:
        assert f"Said {text} end" in unescaped
    assert "](javascript:" not in shown
    # The only links are the http(s) source and relative /map links.
    for target in re.findall(r"(?<!\\)\]\(([^)]*)\)", shown):
        assert target.startswith(("https://", "/map?")), target


def test_text_in_the_data_cannot_leave_its_place_in_the_card(unsafe_data):
    """A card is one Markdown: no text may close the small grey directives or the block quote, or start a block."""
    at = open_statements({"q": "said"})
    shown = cards(at)
    assert len(shown) == len(UNSAFE)
    for elements in shown.values():
        lines = elements[0].value.split("\n")
        venue = CAPTION_LINE.fullmatch(lines[3])
        assert venue and any(venue.group(1).endswith(" · " + escape_markdown(text)) for text in UNSAFE), lines[3]
        assert CAPTION_LINE.fullmatch(lines[-1]), lines[-1]
    at.text_input(key="stm_query").set_value("told").run()
    ((markdown, _),) = cards(at).values()
    lines = markdown.value.split("\n")
    # The venue's line breaks are spaces in its one caption line; every line of the words stays in the block quote.
    assert CAPTION_LINE.fullmatch(lines[3]).group(1).endswith(escape_markdown(" ".join(LINES.split())))
    words = lines[5 : lines.index("", 5)]
    assert len(words) == len(LINES.split("\n")) and all(line == ">" or line.startswith("> ") for line in words)
    assert not any(re.match(r">\s*(#|-|\d+\.|```|>)", line) for line in words), words


def test_a_source_url_cannot_break_out_of_its_link(unsafe_data):
    at = open_statements({"q": "plain"})
    shown = "\n".join(m.value for m in at.markdown)
    assert "](javascript:" not in shown
    assert "https://example.org/a%29[x]%28javascript:alert%281%29" in shown or "a%29" in shown


def test_long_and_strange_queries_do_not_break_the_page():
    at = open_statements()
    for query in ["x" * 2000, 'unbalanced "quote', ".*[(?", "🚀 \u202eשלום\u202c", "nul\x00byte", "[(**)]"]:
        at.text_input(key="stm_query").set_value(query).run()
        assert_ok(at)
    assert any("nothing to search for" in i.value for i in at.info)


# ---- The reader's own statements (uploaded this session) alongside the curated ones

XSS = "<img src=x onerror=alert(1)> **bold** [click](javascript:alert(1)) $x$"


def _uploaded_statements() -> bytes:
    from tests.upload_corpus import ST_HEADER, ST_ROW, _csv

    hostile = ST_ROW.replace("my-st", "my-xss").replace('"We said this."', '"' + XSS + '"').replace("2019-03-02", "2019-03-03", 1)
    return _csv(ST_HEADER, ST_ROW, hostile)


def user_cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "speaking for" in m.value and "your data" in m.value]


def test_uploaded_statements_are_searchable_filterable_and_tagged_as_your_data():
    at = open_statements(uploads=[("statements", "s.csv", _uploaded_statements())])
    assert_ok(at)
    total = len(load_dataset().statements)
    assert match_count(at) == total + 2
    # Search finds the uploaded words (indexed on their own, joined to the cached index).
    at.text_input(key="stm_query").set_value('"we said this"').run()
    assert_ok(at)
    assert match_count(at) == 1 and len(user_cards(at)) == 1
    assert any("your data" in c for c in user_cards(at))
    # The uploaded speaker is offered in the filter, and filtering to them keeps both rows.
    at.text_input(key="stm_query").set_value("").run()
    at.multiselect(key="stm_speakers").select("A. Minister").run()
    assert_ok(at)
    assert match_count(at) == 2 and len(user_cards(at)) == 2
    # The hostile text is shown as plain, escaped Markdown: no HTML, link, emphasis or maths takes effect.
    shown = " ".join(m.value for m in at.markdown)
    assert escape_markdown(XSS) in shown
    assert XSS not in shown and "](javascript:" not in shown
    # The timeline rings the reader's rows.
    open_comparison(at)
    assert "Your data (ringed)" in at.get("plotly_chart")[0].proto.spec
    assert "<img src=x" not in at.get("plotly_chart")[0].proto.spec


def test_an_uploaded_statement_opens_and_cites():
    at = open_statements(uploads=[("statements", "s.csv", _uploaded_statements())])
    at.multiselect(key="stm_speakers").select("A. Minister").run()
    at.button(key="stm_open_my-xss").click().run()
    assert_ok(at)
    assert any(s.value == "Opened statement" for s in at.subheader)
    assert XSS in at.code[0].value  # the citation is plain text in a code block


def test_links_from_a_readers_statement_to_their_own_place_stay_in_this_session():
    """A Markdown link opens a new tab: a new session, without the upload. A page link navigates within this one."""
    from tests.upload_corpus import PL_HEADER, PL_ROW, ST_HEADER, ST_ROW, _csv

    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/upload.py").run()
    at.radio(key="upload_kind").set_value("places").run()
    at.file_uploader[0].set_value(("p.csv", _csv(PL_HEADER, PL_ROW), "text/csv")).run()
    at.radio(key="upload_kind").set_value("statements").run()
    own_place, curated_place = ST_ROW.replace(",sofia,", ",my-site,"), ST_ROW.replace("my-st", "my-st-2")
    at.file_uploader[0].set_value(("s.csv", _csv(ST_HEADER, own_place, curated_place), "text/csv")).run()
    assert_ok(at)
    at.switch_page(PAGE).run()
    at.text_input(key="stm_query").set_value('"we said this"').run()
    assert_ok(at)
    links = [(pl.proto.page, pl.proto.query_string, pl.proto.label) for pl in at.get("page_link")]
    assert links == [("map", "place=my-site", "Place: My site")]
    # The page link comes after the card's other links, and before its topics.
    own, curated = sorted(cards(at).values(), key=len, reverse=True)
    assert [e.type for e in own] == ["markdown", "page_link", "markdown", "button"]
    assert [e.type for e in curated] == ["markdown", "button"]
    assert own[0].value.split("\n")[-1].startswith("Verbatim · Source: ")
    assert CAPTION_LINE.fullmatch(own[2].value).group(1) == escape_markdown("Topics: Black sea")
    shown = " ".join(m.value for m in at.markdown)
    assert "/map?place=my-site" not in shown  # not as a new-tab Markdown link
    assert "(/map?place=sofia)" in shown  # a curated place is in every session: its link may open a new tab
    # Following the link in this session: the map knows the reader's place.
    at.switch_page("views/map.py")
    at.query_params["place"] = "my-site"
    at.run()
    assert_ok(at)
    assert not any("place" in w.value.lower() for w in at.warning), [w.value for w in at.warning]
    assert "**My site** · *your data*" in [m.value for m in at.markdown]
