"""Citation text for a statement, and safe Markdown links to its source, event and place."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from datetime import date
from urllib.parse import quote, urlencode

import pandas as pd

from dashboard.sides import actor_sides
from dashboard.text import escape_markdown, is_safe_url

CONTEXT_LABELS = {
    "interview": "interview",
    "speech": "speech",
    "press_conference": "press conference",
    "communique": "communiqué",
    "statement": "statement",
    "testimony": "testimony",
    "article": "article",
    "report": "report",
    "social_media": "social media post",
    "treaty_text": "treaty text",
}
MAP_PATH = "/map"
PARAPHRASE = "paraphrase"
# How the words of each quote_type were recorded, as a reader reads it (a legend entry, the start of quote_label).
QUOTE_TYPES = {"verbatim": "Verbatim", "translation": "Translation", PARAPHRASE: "Paraphrase"}


def _s(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).replace("\x00", "").split())


def format_date(value: object) -> str:
    """`2019-02-02` → `2 February 2019`; empty for a missing date."""
    if value is None or value is pd.NaT:
        return ""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return _s(value)
    if ts is pd.NaT:
        return ""
    return f"{ts.day} {ts:%B %Y}"


def quote_label(quote_type: str, translated_by: object = "") -> str:
    """How the words were recorded: `Verbatim`, `Translation by X` (or `Translation, translator not named`), `Paraphrase`."""
    if quote_type == "translation":
        who = _s(translated_by)
        return f"Translation by {who}" if who else "Translation (translator not named)"
    if quote_type == PARAPHRASE:
        return f"{QUOTE_TYPES[PARAPHRASE]}, not a direct quote"
    return QUOTE_TYPES["verbatim"]


def excerpt(text: object, limit: int) -> str:
    """The first `limit` characters of a text, cut at a word and marked with an ellipsis when shortened."""
    words = _s(text)
    if len(words) <= limit:
        return words
    return (words[:limit].rsplit(" ", 1)[0] or words[:limit]) + "…"


def _in_quotation_marks(words: str, quote_type: str) -> str:
    # The one place that decides: verbatim words and translations are quoted, a paraphrase never is.
    return words if quote_type == PARAPHRASE else f"“{words}”"


def quoted_text(text: object, quote_type: str, limit: int | None = None) -> str:
    """The words as they may be shown: in quotation marks when verbatim or translated, never for a paraphrase.

    With `limit`, an excerpt of at most that many characters (see excerpt) inside the marks.
    """
    return _in_quotation_marks(_s(text) if limit is None else excerpt(text, limit), quote_type)


def quoted_markdown(words: str, quote_type: str) -> str:
    """Markdown words (escaped or highlighted already) as quoted_text shows them, and a paraphrase led by `Paraphrase:`."""
    shown = _in_quotation_marks(words, quote_type)
    return f"{QUOTE_TYPES[PARAPHRASE]}: {shown}" if quote_type == PARAPHRASE else shown


def format_citation(statement: Mapping[str, object], actor_name: str = "", accessed: date | None = None) -> str:
    """Plain-text citation, ready to paste: the words, then speaker, role, actor, setting, date, source and access date.

    `statement` is one row of the statements table (a Series or dict). A paraphrase is labelled and
    never put in quotation marks. Example of the second line:
    `— Ronald Reagan, President of the United States (United States), speech, Treaty signing ceremony,
    8 December 1987. Source: Remarks on Signing…, Ronald Reagan Presidential Library, 8 December 1987,
    https://… (accessed 28 November 2026).`
    """
    accessed = accessed or date.today()
    quote_type = _s(statement.get("quote_type")) or "verbatim"
    words = quoted_text(statement.get("text"), quote_type)
    if quote_type == "paraphrase":
        first = f"Paraphrase (not a direct quote): {words}"
    elif quote_type == "translation":
        first = f"{words} [{quote_label(quote_type, statement.get('translated_by'))}]"
    else:
        first = words
    who = ", ".join(p for p in (_s(statement.get("speaker")), _s(statement.get("speaker_role"))) if p)
    if actor_name and actor_name not in who:
        who += f" ({_s(actor_name)})"
    context = CONTEXT_LABELS.get(_s(statement.get("context")), _s(statement.get("context")).replace("_", " "))
    setting = ", ".join(p for p in (who, context, _s(statement.get("venue")), format_date(statement.get("date"))) if p)
    source = ", ".join(
        p
        for p in (
            _s(statement.get("source_title")),
            _s(statement.get("source_publisher")),
            format_date(statement.get("source_date")),
            _s(statement.get("source_url")),
        )
        if p
    )
    second = f"— {setting}."
    if source:
        second += f" Source: {source} (accessed {format_date(accessed)})."
    return f"{first}\n{second}"


def _link_target(url: str) -> str:
    # Markdown ends a link target at an unbalanced ')' and treats '\' as an escape: percent-encode them.
    return url.replace("\\", "%5C").replace("(", "%28").replace(")", "%29")


def markdown_link(label: object, url: object) -> str:
    """A Markdown link to an absolute http(s) URL with an escaped label; just the escaped label for any other URL."""
    text = escape_markdown(_s(label)) or "link"
    if isinstance(url, str) and is_safe_url(url):
        return f"[{text}]({_link_target(url)})"
    return text


def markdown_source_link(title: object, publisher: object, url: object) -> str:
    """`Source: ` and a Markdown link (markdown_link) to `url` labelled with the title and, in brackets, the publisher."""
    label = f"{_s(title)} ({_s(publisher)})" if _s(publisher) else _s(title)
    return "Source: " + markdown_link(label, url)


def map_url(event_id: object = "", place_id: object = "") -> str:
    """Relative link to the map page focused on an event or a place, URL-encoded (`/map?event=2019-02-02-x`)."""
    params = {}
    if _s(event_id):
        params["event"] = _s(event_id)
    if _s(place_id):
        params["place"] = _s(place_id)
    return f"{MAP_PATH}?{urlencode(params, quote_via=quote, safe='')}" if params else MAP_PATH


def markdown_map_link(label: object, event_id: object = "", place_id: object = "") -> str:
    """A Markdown link (escaped label) to the map page for an event or place; empty when neither is given."""
    if not _s(event_id) and not _s(place_id):
        return ""
    return f"[{escape_markdown(_s(label)) or 'map'}]({_link_target(map_url(event_id, place_id))})"


def statement_lookups(actors: pd.DataFrame, events: pd.DataFrame, places: pd.DataFrame, statements: pd.DataFrame) -> dict:
    """What a statement card names by id: actor names and sides (`actors`, `sides`), event titles (`events`),
    place names (`places`), and every speaker, sorted without regard to case (`speakers`)."""
    return {
        "actors": dict(zip(actors["actor_id"], actors["name"], strict=True)),
        "sides": actor_sides(actors),
        "events": dict(zip(events["event_id"], events["title"], strict=True)),
        "places": dict(zip(places["place_id"], places["name"], strict=True)),
        "speakers": sorted(statements["speaker"].unique(), key=str.casefold),
    }


def overlay_lookups(
    base: dict, events: pd.DataFrame | None, places: pd.DataFrame | None, statements: pd.DataFrame | None
) -> dict:
    """`base` (see statement_lookups) with the reader's own events, places and speakers laid over it, without copying it."""
    out = dict(base)
    if events is not None and len(events):
        out["events"] = ChainMap(dict(zip(events["event_id"], events["title"], strict=True)), base["events"])
    if places is not None and len(places):
        out["places"] = ChainMap(dict(zip(places["place_id"], places["name"], strict=True)), base["places"])
    if statements is not None and len(statements):
        out["speakers"] = sorted(set(base["speakers"]) | set(statements["speaker"]), key=str.casefold)
    return out
