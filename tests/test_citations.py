"""dashboard.citations: the citation text and the links on a quote card."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard import citations as c
from dashboard.text import escape_markdown

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


def test_quoted_excerpt():
    assert c.quoted_text("He said so.", "paraphrase", limit=220) == "He said so."
    assert c.quoted_text("We will.", "verbatim", limit=220) == "“We will.”"
    assert c.excerpt("word " * 100, 20).endswith("…")


def test_excerpt_cuts_at_a_word_and_the_marks_close_round_it():
    assert c.excerpt("one two three", 13) == "one two three"
    assert c.excerpt("one two three", 9) == "one two…"
    assert c.quoted_text("one  two\nthree", "translation", limit=9) == "“one two…”"
    assert c.excerpt("x" * 30, 10) == "x" * 10 + "…"  # one long word: cut inside it


def test_markdown_quote_leads_a_paraphrase_with_its_label_and_quotes_the_rest():
    assert c.quoted_markdown(r"said \*so\*", "paraphrase") == r"Paraphrase: said \*so\*"
    assert c.quoted_markdown("we will", "verbatim") == "“we will”"
    assert c.quoted_markdown("we will", "translation") == "“we will”"
    assert [c.QUOTE_TYPES[q] for q in ("verbatim", "translation", "paraphrase")] == ["Verbatim", "Translation", "Paraphrase"]
    assert c.quote_label("paraphrase") == "Paraphrase, not a direct quote" and c.quote_label("verbatim") == "Verbatim"


def test_source_link_names_title_and_publisher_and_links_only_safe_urls():
    assert c.markdown_source_link("Report", "Paper", "https://x.org/a") == "Source: [Report \\(Paper\\)](https://x.org/a)"
    assert c.markdown_source_link("Report", "", "https://x.org/a") == "Source: [Report](https://x.org/a)"
    assert c.markdown_source_link("[x](javascript:y)", "P", "javascript:alert(1)") == "Source: " + escape_markdown(
        "[x](javascript:y) (P)"
    )


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


def test_lookups_name_every_id_and_uploads_lie_over_them_without_copying():
    from dashboard.citations import overlay_lookups, statement_lookups
    from dashboard.data import load_dataset

    ds = load_dataset()
    base = statement_lookups(ds.actors, ds.events, ds.places, ds.statements)
    assert base["actors"]["rus"] == ds.actors.set_index("actor_id").loc["rus", "name"] and base["sides"]["rus"] == "Russia"
    assert base["speakers"] == sorted(set(ds.statements["speaker"]), key=str.casefold)
    events = pd.DataFrame({"event_id": ["e-mine"], "title": ["My event"]})
    places = pd.DataFrame({"place_id": ["p-mine"], "name": ["My place"]})
    statements = pd.DataFrame({"speaker": ["aardvark, A."]})
    over = overlay_lookups(base, events, places, statements)
    assert over["events"]["e-mine"] == "My event" and over["places"]["p-mine"] == "My place"
    assert over["places"]["moscow"] == base["places"]["moscow"] and "e-mine" not in base["events"]
    assert over["speakers"][0] == "aardvark, A." and over["actors"] is base["actors"]
    assert overlay_lookups(base, None, None, None) == base
