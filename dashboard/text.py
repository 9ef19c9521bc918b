"""Making data and user text safe to show: Markdown escaping, invisible characters and link checks."""

from __future__ import annotations

import re
import unicodedata

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all means
# no data or user text can form a link, an image, emphasis, a heading or HTML.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&:=\"'%^@;,/?])")


def escape_markdown(text: object) -> str:
    """Text that renders literally inside Streamlit Markdown (no links, HTML, formatting or LaTeX)."""
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    return _MD_SPECIAL.sub(r"\\\1", s)


# Unicode categories of characters that draw nothing but can reorder or hide what is around them (Cf: bidirectional
# controls, zero-width characters, soft hyphens; Cs: lone surrogates), and of characters that break lines.
_INVISIBLE = frozenset({"Cf", "Cs"})
_BREAKS = frozenset({"Cc", "Zl", "Zp"})


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 place", "2 places", "1,000 places": a count with its noun in the right number (`plural` when adding "s" is
    wrong, e.g. counted(n, "country", "countries"))."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def strip_invisible(text: str) -> str:
    """`text` without invisible format characters (Unicode Cf, e.g. a right-to-left override), with every control
    character (C0, C1) and line or paragraph separator turned into a space: the reader sees what it says, in its order."""
    if text.isprintable():  # the usual case, at C speed: no Cc, Cf, Cs, Zl or Zp in it
        return text
    return "".join(" " if cat in _BREAKS else ch for ch in text if (cat := unicodedata.category(ch)) not in _INVISIBLE)


def is_safe_url(url: object) -> bool:
    """True only for absolute http(s) URLs without whitespace or control characters."""
    if not isinstance(url, str):
        return False
    return bool(re.fullmatch(r"https?://[^\s\x00-\x1f\x7f<>\"]+", url.strip(), flags=re.IGNORECASE)) and url == url.strip()
