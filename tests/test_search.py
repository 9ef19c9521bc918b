"""dashboard.search: normalisation, query parsing, matching, page filters, paging, safe highlighting, URL state."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import search


def frame(*texts: str, **extra) -> pd.DataFrame:
    n = len(texts)
    base = {
        "statement_id": [f"s{i}" for i in range(n)],
        "date": pd.to_datetime([f"20{10 + i:02d}-01-01" for i in range(n)]),
        "speaker": extra.get("speaker", ["Someone"] * n),
        "speaker_role": [""] * n,
        "actor": ["nato"] * n,
        "text": list(texts),
        "quote_type": ["verbatim"] * n,
        "translated_by": [""] * n,
        "venue": [""] * n,
        "source_title": ["Title"] * n,
        "source_publisher": ["Publisher"] * n,
        "topics": extra.get("topics", [["inf_treaty"]] * n),
    }
    return pd.DataFrame(base)


def ids(result: pd.DataFrame) -> list[str]:
    return list(result["statement_id"])


# ---------------------------------------------------------------------------------- normalising


def test_normalise_folds_case_accents_and_punctuation():
    assert search.normalise_text("Zelénskyy's  NATO!") == "zelenskyy s nato"
    assert search.normalise_text("ÇAVUŞOĞLU Straße Łódź") == "cavusoglu strasse lodz"
    assert search.normalise_text("Развёртывание") == "развертывание"
    assert search.normalise_text("$x$ <b>") == "$ x $ < b >"
    assert search.normalise_text(None) == ""


# ---------------------------------------------------------------------------------- queries


def test_parse_query_keeps_phrases_and_words():
    q = search.parse_query('Kaliningrad "Arms  Control" 9M-729')
    assert q.terms == ("kaliningrad", "arms control", "9m 729")
    assert not q.truncated


def test_unbalanced_quote_runs_to_the_end_and_punctuation_only_is_flagged():
    assert search.parse_query('nato "black sea').terms == ("nato", "black sea")
    q = search.parse_query("[(**)]")
    assert q.terms == () and q.ignored_everything
    assert not search.parse_query("   ").ignored_everything


def test_too_many_terms_are_cut_with_a_flag():
    q = search.parse_query(" ".join(f"w{i}" for i in range(40)))
    assert len(q.terms) == search.MAX_TERMS and q.truncated


# ---------------------------------------------------------------------------------- matching

STATEMENTS = frame(
    "Russia deployed the 9M729 missile in Kaliningrad.",
    "NATO and arms control: no new missiles in Europe.",
    "Control of arms was discussed by Zelénskyy.",
    "Antimissile systems at Deveselu.",
    "The price was $x$ and <script>alert(1)</script>",
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("missile", ["s0", "s1"]),  # word start: "missiles" yes, "antimissile" no
        ("MISSILE", ["s0", "s1"]),
        ('"arms control"', ["s1"]),  # phrase: in that order only
        ("arms control", ["s1", "s2"]),  # words: any order
        ("zelenskyy", ["s2"]),  # accent-insensitive
        ("ZELÉNSKYY", ["s2"]),
        ("kaliningrad 9m729", ["s0"]),  # all words must match
        ("kaliningrad europe", []),
        ("<script>", ["s4"]),
        ("$x$", ["s4"]),
        (".*", list(STATEMENTS["statement_id"])),  # nothing searchable: all rows
        ("(", list(STATEMENTS["statement_id"])),
        ("", list(STATEMENTS["statement_id"])),
    ],
)
def test_search_statements(query, expected):
    assert ids(search.search_statements(STATEMENTS, query)) == expected


def test_search_is_a_filter_keeping_columns_order_and_index():
    shuffled = STATEMENTS.iloc[[4, 1, 0, 3, 2]].set_index(pd.Index([10, 11, 12, 13, 14]))
    result = search.search_statements(shuffled, "missile")
    assert list(result.columns) == list(shuffled.columns)
    assert list(result.index) == [11, 12]
    pd.testing.assert_frame_equal(result, shuffled.loc[[11, 12]])


def test_search_with_a_precomputed_index_on_a_subset_gives_the_same_rows():
    index = search.build_search_index(STATEMENTS)
    subset = STATEMENTS.iloc[[0, 2, 3]]
    assert ids(search.search_statements(subset, "missile", index=index)) == ["s0"]
    assert ids(search.search_statements(STATEMENTS, "control", index=index)) == ["s1", "s2"]
    assert search.index_matches(index, STATEMENTS) and not search.index_matches(index, subset)


def test_a_phrase_never_spans_two_fields():
    f = frame("the talks ended", speaker=["Black"])
    f["venue"] = ["Sea port"]
    assert ids(search.search_statements(f, '"black sea"')) == []
    assert ids(search.search_statements(f, "black sea")) == ["s0"]


def test_search_looks_in_speaker_and_source_fields():
    f = frame("words", speaker=["Jens Stoltenberg"])
    assert ids(search.search_statements(f, "stoltenberg")) == ["s0"]
    assert ids(search.search_statements(f, "publisher")) == ["s0"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.one_of(st.text(), st.text(alphabet=st.sampled_from('"“”«» ()[]*+?.\\^$|{}\x00\u202e\u05d0🚀é'), max_size=40)))
def test_any_query_gives_rows_or_nothing_never_an_exception(query):
    result = search.search_statements(STATEMENTS, query)
    assert set(result["statement_id"]) <= set(STATEMENTS["statement_id"])
    assert list(result.columns) == list(STATEMENTS.columns)
    for term in search.highlight_terms(query):
        assert term == term.strip() and term


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=60))
def test_a_statement_is_found_by_its_own_words(text):
    """Whatever the text, searching for any of its words finds it (normalisation agrees on both sides)."""
    f = frame(text)
    for word in search.normalise_text(text).split(" ")[:3]:
        if word:
            assert ids(search.search_statements(f, word)) == ["s0"]


def test_very_long_query_is_fast_and_safe():
    assert ids(search.search_statements(STATEMENTS, "x" * 100_000)) == []
    assert search.parse_query("a " * 100_000).terms == ("a",)


# ---------------------------------------------------------------------------------- page filters, order, paging


def test_filter_by_speaker_and_topic():
    f = frame("a", "b", "c", speaker=["Putin", "Stoltenberg", "Putin"], topics=[["inf_treaty"], ["black_sea", "baltic"], []])
    assert ids(search.filter_by_speaker_and_topic(f, ["Putin"])) == ["s0", "s2"]
    assert ids(search.filter_by_speaker_and_topic(f, (), ["baltic"])) == ["s1"]
    assert ids(search.filter_by_speaker_and_topic(f, ["Putin"], ["baltic"])) == []
    assert ids(search.filter_by_speaker_and_topic(f, (), ["baltic", "inf_treaty"], index=search.build_search_index(f))) == [
        "s0",
        "s1",
    ]
    assert search.filter_by_speaker_and_topic(f) is f


def test_sort_newest_and_oldest_first():
    f = frame("a", "b", "c").iloc[[1, 2, 0]]
    assert ids(search.sort_statements(f, search.SORT_NEWEST)) == ["s2", "s1", "s0"]
    assert ids(search.sort_statements(f, search.SORT_OLDEST)) == ["s0", "s1", "s2"]


def test_paginate_clamps_and_reports_positions():
    f = frame(*[str(i) for i in range(45)])
    p = search.paginate(f, 3, per_page=20)
    assert (p.number, p.count, p.first, p.last, len(p.rows), p.clamped) == (3, 3, 41, 45, 5, False)
    p = search.paginate(f, 99, per_page=20)
    assert p.number == 3 and p.clamped
    empty = search.paginate(f.iloc[:0], 1)
    assert (empty.count, empty.first, empty.last) == (1, 0, 0)


# ---------------------------------------------------------------------------------- highlighting


def unwrap(markdown: str) -> str:
    """The literal text a highlight_markdown string shows: wrappers removed, escapes undone."""
    for marker in (search.HIGHLIGHT_OPEN, search.HIGHLIGHT_CLOSE):
        markdown = markdown.replace(marker, "")
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.DOTALL)


def test_highlight_spans_map_back_to_the_original_text():
    text = "Zelénskyy's view of 9M-729 and the Arms  Control treaty"
    spans = search.highlight_spans(text, search.highlight_terms('zelenskyy "arms control" 9m'))
    assert [text[a:b] for a, b in spans] == ["Zelénskyy", "9M", "Arms  Control"]


def test_highlight_markdown_escapes_everything_but_the_wrapper():
    text = "See [click](javascript:alert(1)) **bold** :red[x] $x$ <script>alert(1)</script>"
    md = search.highlight_markdown(text, search.highlight_terms("click script"))
    assert md.count(search.HIGHLIGHT_OPEN) == 3
    assert "[click](" not in md and "<script>" not in md and ":red[" not in md and "**bold**" not in md
    assert unwrap(md) == text


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80), query=st.text(max_size=20))
def test_highlight_markdown_always_shows_the_text_literally(text, query):
    md = search.highlight_markdown(text, search.highlight_terms(query))
    assert unwrap(md) == text.replace("\r\n", "\n").replace("\r", "\n")
    # Outside the wrappers, no Markdown-active ASCII punctuation is left unescaped.
    stripped = md.replace(search.HIGHLIGHT_OPEN, "").replace(search.HIGHLIGHT_CLOSE, "")
    assert not re.search(r"(?<!\\)(?:\\\\)*[\[\]*_`<>:$]", re.sub(r"\\.", "", stripped))


# ---------------------------------------------------------------------------------- URL state


def test_search_state_round_trips_through_the_url():
    state = search.SearchState('"black sea" nato', ("Vladimir Putin",), ("inf_treaty",), search.SORT_OLDEST, 3, "s1")
    params = search.search_state_to_params(state)
    parsed = search.parse_search_params(params, ["Vladimir Putin"], ["inf_treaty"], {"s1"})
    assert parsed.state == state and parsed.notices == []
    assert search.search_state_to_params(search.SearchState()) == {}


def test_bad_url_values_fall_back_to_defaults_with_notices():
    parsed = search.parse_search_params(
        {"speaker": ["Nobody"], "topic": ["bananas"], "sort": ["sideways"], "page": ["-2"], "open": ["nope"], "q": ["x" * 5000]},
        ["Vladimir Putin"],
        ["inf_treaty"],
        {"s1"},
    )
    s = parsed.state
    assert (s.speakers, s.topics, s.sort, s.page, s.open_id) == ((), (), search.SORT_NEWEST, 1, None)
    assert len(s.query) == search.MAX_QUERY_CHARS
    text = " ".join(parsed.notices)
    for word in ("Nobody", "bananas", "sideways", "-2", "nope", "cut"):
        assert word in text


def test_find_statement():
    assert search.find_statement(STATEMENTS, "s3")["text"].startswith("Antimissile")
    assert search.find_statement(STATEMENTS, "zzz") is None
    assert search.find_statement(STATEMENTS, None) is None


def test_join_statements_indexes_only_the_readers_rows_and_keeps_date_order():
    from dashboard.data import load_dataset
    from dashboard.search import SORT_OLDEST, build_search_index, join_statements, search_statements, sort_statements

    curated = sort_statements(load_dataset().statements.assign(is_user_data=False), SORT_OLDEST)
    index = build_search_index(curated)
    mine = (
        curated.head(1)
        .drop(columns="is_user_data")
        .assign(statement_id="mine", text="Zebrafish quokka", date=pd.Timestamp("2030-01-01"))
    )
    joined, joined_index = join_statements(curated, index, mine)
    assert len(joined) == len(curated) + 1 and joined["date"].is_monotonic_increasing
    assert joined.iloc[-1]["statement_id"] == "mine" and bool(joined.iloc[-1]["is_user_data"])
    assert joined_index.index.equals(joined.index)
    assert list(search_statements(joined, "quokka", index=joined_index)["statement_id"]) == ["mine"]


# ---------------------------------------------------------------------------------- searching without an index


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """Every search index built (rather than remembered), by its number of rows."""
    seen: list[int] = []
    original = search.build_search_index
    monkeypatch.setattr(search, "build_search_index", lambda s: seen.append(len(s)) or original(s))
    monkeypatch.setattr(search, "_remembered", [])
    return seen


def test_searching_the_same_frame_again_uses_the_remembered_index(builds):
    df = frame("Kaliningrad missiles", "Black Sea fleet", "Arms control talks")
    assert ids(search.search_statements(df, "kaliningrad")) == ["s0"]
    assert ids(search.search_statements(df, "black sea")) == ["s1"]
    assert ids(search.search_statements(df, "arms")) == ["s2"]
    assert builds == [3]


def test_a_frame_edited_in_place_is_searched_afresh(builds):
    df = frame("Kaliningrad missiles", "Black Sea fleet")
    assert ids(search.search_statements(df, "kaliningrad")) == ["s0"]
    df.loc[0, "text"] = "Zyzzyva"
    assert ids(search.search_statements(df, "kaliningrad")) == []
    assert ids(search.search_statements(df, "zyzzyva")) == ["s0"]
    df["speaker"] = ["Quokka", "Someone"]
    assert ids(search.search_statements(df, "quokka")) == ["s0"]
    assert len(builds) == 3


def test_another_frame_with_the_same_ids_is_never_given_the_first_ones_index(builds):
    first = frame("Kaliningrad missiles", "Black Sea fleet")
    second = frame("Baltic exercise", "Deveselu site")
    assert ids(search.search_statements(first, "kaliningrad")) == ["s0"]
    assert ids(search.search_statements(second, "kaliningrad")) == []
    assert ids(search.search_statements(second, "deveselu")) == ["s1"]
    assert ids(search.search_statements(first.iloc[::-1], "fleet")) == ["s1"]


def test_a_frame_of_python_objects_edited_in_place_is_searched_afresh(builds):
    df = frame("Kaliningrad missiles", "Black Sea fleet").astype({"text": object, "statement_id": object})
    assert ids(search.search_statements(df, "fleet")) == ["s1"]
    df.loc[1, "text"] = "Zyzzyva"
    assert ids(search.search_statements(df, "fleet")) == []
    assert ids(search.search_statements(df, "zyzzyva")) == ["s1"]
