"""Making data and user text safe to show: Markdown escaping and link checks."""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all means
# no data or user text can form a link, an image, emphasis, a heading or HTML.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:=\"'%^@;,/?])")


def escape_markdown(text: object) -> str:
    """Text that renders literally inside Streamlit Markdown (no links, HTML, formatting or LaTeX)."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _MD_SPECIAL.sub(r"\\\1", s)


def is_safe_url(url: object) -> bool:
    """True only for absolute http(s) URLs without whitespace or control characters."""
    if not isinstance(url, str):
        return False
    return bool(re.fullmatch(r"https?://[^\s\x00-\x1f\x7f<>\"]+", url.strip(), flags=re.IGNORECASE)) and url == url.strip()
