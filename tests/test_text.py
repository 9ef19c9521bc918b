"""Escaping data text for Markdown, removing invisible characters and checking links."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.text import counted, escape_markdown, is_safe_url, strip_invisible


@pytest.mark.parametrize(
    "raw",
    [
        "[click](javascript:alert(1))",
        "<script>alert(1)</script>",
        "**bold**",
        ":red[x]",
        "$x^2$",
        "# heading",
        "![img](http://x/y.png)",
    ],
)
def test_markup_is_escaped(raw):
    out = escape_markdown(raw)
    for ch in "[]()<>*:$#!":
        assert ch not in out.replace("\\" + ch, "")


@given(st.text())
def test_escaping_only_adds_backslashes(text):
    out = escape_markdown(text)
    assert out.replace("\\", "") == text.replace("\\", "").replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.nato.int/cps/en/natohq/news.htm", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("//evil.example", False),
        (" https://x.org", False),
        ("https://x.org/a b", False),
        (None, False),
    ],
)
def test_only_http_links_are_safe(url, ok):
    assert is_safe_url(url) is ok


def test_strip_invisible_removes_format_characters_and_turns_controls_into_spaces():
    assert strip_invisible("\u202e.OTAN yb deifirev\u2066 \u200bataD\ufeff") == ".OTAN yb deifirev ataD"
    assert strip_invisible("line\nbreak\x85and\u2028more\x00") == "line break and more "
    assert strip_invisible("Севастополь «القرم» 9M729 ✓\u00a0") == "Севастополь «القرم» 9M729 ✓\u00a0"  # visible text is kept


@given(st.text())
def test_strip_invisible_leaves_no_control_or_format_character(text):
    out = strip_invisible(text)
    assert not [ch for ch in out if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")]
    assert len(out) <= len(text)


@pytest.mark.parametrize(
    ("n", "noun", "plural", "expected"),
    [
        (0, "place", None, "0 places"),
        (1, "place", None, "1 place"),
        (2, "event", None, "2 events"),
        (1_000, "row", None, "1,000 rows"),
        (1, "country", "countries", "1 country"),
        (3, "country", "countries", "3 countries"),
    ],
)
def test_counted_puts_the_noun_in_the_right_number(n, noun, plural, expected):
    assert counted(n, noun, plural) == expected
