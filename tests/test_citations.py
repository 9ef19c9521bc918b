"""dashboard.citations: the citation text and the links on a quote card."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import citations as c

ROW = {
    "statement_id": "1987-12-08-reagan",
    "date": pd.Timestamp("1987-12-08"),
    "speaker": "Ronald Reagan",
    "speaker_role": "President of the United States",
    "actor": "usa",
    "text": "For the first time in history…",
    "quote_type": "verbatim",
    "translated_by": "",
    "context": "speech",
    "venue": "East Room of the White House",
    "source_title": "Remarks on Signing the INF Treaty",
    "source_publisher": "Ronald Reagan Presidential Library",
    "source_date": pd.Timestamp("1987-12-08"),
    "source_url": "https://www.reaganlibrary.gov/archives/speech/x",
}


def test_citation_has_every_part_in_order():
    text = c.format_citation(ROW, "United States", accessed=date(2026, 11, 28))
    first, second = text.split("\n")
    assert first == "“For the first time in history…”"
    assert second == (
        "— Ronald Reagan, President of the United States, speech, East Room of the White House, "
        "8 December 1987. Source: Remarks on Signing the INF Treaty, Ronald Reagan Presidential Library, 8 December 1987, "
        "https://www.reaganlibrary.gov/archives/speech/x (accessed 28 November 2026)."
    )


def test_citation_names_the_actor_unless_the_role_already_does():
    text = c.format_citation(
        {**ROW, "speaker": "Jens Stoltenberg", "speaker_role": "Secretary General"}, "NATO", accessed=date(2026, 1, 1)
    )
    assert "— Jens Stoltenberg, Secretary General (NATO), speech" in text


def test_paraphrase_is_never_quoted_and_translation_names_the_translator():
    para = c.format_citation(
        {**ROW, "quote_type": "paraphrase", "text": "Reagan said it was historic."}, accessed=date(2026, 1, 1)
    )
    assert para.startswith("Paraphrase (not a direct quote): Reagan said") and "“" not in para
    trans = c.format_citation({**ROW, "quote_type": "translation", "translated_by": "TASS"}, accessed=date(2026, 1, 1))
    assert "[Translation by TASS]" in trans
    assert c.quote_label("translation", "") == "Translation (translator not named)"


def test_markdown_link_only_for_http_urls_and_never_breaks_out():
    assert c.markdown_link("A [b]", "https://x.org/a") == r"[A \[b\]](https://x.org/a)"
    assert c.markdown_link("evil", "javascript:alert(1)") == "evil"
    link = c.markdown_link("t", "https://x.org/a)[evil](javascript:alert(1)")
    assert (
        link.startswith("[t](https://x.org/a%29%5Bevil%5D") or link == "[t](https://x.org/a%29[evil]%28javascript:alert%281%29)"
    )
    assert link.count("(") == 1 and link.count(")") == 1


def test_map_links_are_relative_and_url_encoded():
    assert c.map_url(event_id="2019-02-02-us-withdraws") == "/map?event=2019-02-02-us-withdraws"
    assert c.map_url(place_id="a b&c=d") == "/map?place=a%20b%26c%3Dd"
    assert c.markdown_map_link("Sofia *", place_id="sofia") == r"[Sofia \*](/map?place=sofia)"
    assert c.markdown_map_link("x") == ""


def test_format_date():
    assert c.format_date(pd.Timestamp("2019-02-02")) == "2 February 2019"
    assert c.format_date(pd.NaT) == "" and c.format_date(None) == ""
