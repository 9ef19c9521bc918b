"""Escaping data text for Markdown and checking links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.text import escape_markdown, is_safe_url


@pytest.mark.parametrize(
    "raw",
    ["[click](javascript:alert(1))", "<script>alert(1)</script>", "**bold**", ":red[x]", "$x^2$", "# heading", "![img](http://x/y.png)"],
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
