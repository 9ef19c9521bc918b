"""Reading links: picking values, case folding, comma splitting, numbers and dates, caps, collapsed notices, safe echoes."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import links
from dashboard.links import MAX_NAMED, MAX_VALUE_CHARS, MAX_VALUES, LinkReader, echo, ignored_notice, pick_many, pick_one
from dashboard.search import MAX_QUERY_CHARS

REGIONS = ("Black Sea", "Baltic", "Elsewhere")
BOUNDS = (date(1979, 1, 1), date(2026, 1, 1))
RLO_LINK = "\u202e.knil siht tsurt nac uoY .OTAN yb deifirev ataD"
HIDDEN = "\u202e\u202a\u2066\u2069\u200e\u200f\u061c\u200b\u200d\ufeff\u00ad\x00\x07\x1b\x7f\x85\x9b\u2028\u2029"


# ---------------------------------------------------------------------------------------- picking


def test_values_are_matched_ignoring_case_and_spaces_and_spelled_as_allowed():
    assert pick_many([" black sea ", "BALTIC"], REGIONS).chosen == ("Black Sea", "Baltic")
    assert pick_one("  ", REGIONS) is None
    assert pick_one("elsewhere", REGIONS) == "Elsewhere"


def test_an_exact_match_wins_over_a_case_folded_one():
    allowed = ("ABC", "abc")
    assert pick_many(["abc,ABC"], allowed).chosen == ("abc", "ABC")
    assert pick_one("abc", allowed) == "abc" and pick_one("ABC", allowed) == "ABC"


def test_values_may_repeat_or_be_comma_separated_and_an_allowed_whole_is_not_split():
    speakers = ("Putin, Vladimir", "Stoltenberg")
    assert pick_many(["Putin, Vladimir"], speakers).chosen == ("Putin, Vladimir",)
    assert pick_many(["stoltenberg,Putin, Vladimir"], speakers) == links.Picked(("Stoltenberg",), ("Putin", "Vladimir"), 0)
    assert pick_many(["Baltic", "black sea,Elsewhere"], REGIONS).chosen == ("Baltic", "Black Sea", "Elsewhere")


def test_blank_values_are_skipped_and_repeats_dropped():
    picked = pick_many(["Baltic,,baltic, ,BALTIC", "Atlantis", "ATLANTIS,atlantis,"], REGIONS)
    assert picked == links.Picked(("Baltic",), ("Atlantis",), 0)
    assert pick_many([], REGIONS) == links.Picked((), (), 0)


def test_a_value_longer_than_the_cap_is_never_looked_up():
    long_name = "x" * (MAX_VALUE_CHARS + 1)
    assert pick_one(long_name, [long_name]) is None
    assert pick_many([long_name], [long_name]).unknown == (long_name,)


def test_values_past_the_cap_are_counted_not_read():
    allowed = [f"p{i}" for i in range(300)]
    picked = pick_many([",".join(allowed[:150])], allowed)
    assert picked.chosen == tuple(allowed[:MAX_VALUES]) and picked.unread == 150 - MAX_VALUES
    picked = pick_many(allowed[:150], allowed)  # the same as repeated keys
    assert picked.chosen == tuple(allowed[:MAX_VALUES]) and picked.unread == 150 - MAX_VALUES
    # Blank values past the cap are not counted; a million values cost one count.
    assert pick_many([",".join(allowed[:MAX_VALUES]) + ",, p1 ,,p2,"], allowed).unread == 2
    assert pick_many(["x," * 1_000_000], allowed).unread == 1_000_000 - MAX_VALUES


def test_count_values_counts_non_blank_comma_separated_values():
    assert links.count_values("a,,b, ,c,") == 3
    assert links.count_values(" , ,") == 0
    assert links.count_values("") == 0
    assert links.count_values("a b") == 1


# ---------------------------------------------------------------------------------------- notices


def test_notices_name_a_few_values_and_count_the_rest():
    assert ignored_notice("region", []) is None
    assert ignored_notice("region", ["Atlantis"]) == "Ignored unknown region “Atlantis” in the link."
    assert ignored_notice("region", ["a", "b"]) == "Ignored unknown regions “a” and “b” in the link."
    assert ignored_notice("region", ["a", "b", "c"]) == "Ignored unknown regions “a”, “b” and “c” in the link."
    assert (
        ignored_notice("region", ["a", "b", "c", "d"]) == "Ignored unknown regions “a”, “b”, “c” in the link, and 1 more ignored."
    )
    capped = ignored_notice("place", [], 50)
    assert capped.startswith("Ignored 50 more places in the link.") and f"{MAX_VALUES:,} values" in capped


def test_twenty_thousand_unknown_values_give_one_short_notice_with_the_right_count():
    values = [f"v{i}" for i in range(20_000)]
    for raws in ([",".join(values)], values):
        link = LinkReader({"region": raws})
        assert link.many("region", REGIONS, "region") == ()
        assert len(link.notices) == 1
        notice = link.notices[0]
        assert "“v0”, “v1”, “v2” in the link, and 19,997 more ignored." in notice
        assert "v3" not in notice and len(notice) < 200


def test_repeats_are_counted_once_among_the_values_read():
    link = LinkReader({"place": ["nowhere"] * 50 + ["NOWHERE", "elsewhere"]})
    assert link.many("place", ["sofia"], "place") == ()
    assert link.notices == ["Ignored unknown places “nowhere” and “elsewhere” in the link."]


# ---------------------------------------------------------------------------------------- one value


def test_a_one_value_parameter_takes_its_last_value_unsplit():
    link = LinkReader({"view": ["europe", " BALTIC "], "sort": "newest,oldest"})
    assert link.one("view", ("europe", "baltic"), "map view") == "baltic"
    assert link.one("sort", ("newest", "oldest"), "order", hint=": use newest or oldest") is None
    assert link.notices == ["Ignored the unknown order “newest,oldest” in the link: use newest or oldest."]


def test_absent_or_blank_values_say_nothing():
    link = LinkReader({"view": [" "], "from": [""], "page": []})
    assert link.one("view", ("europe",), "map view") is None
    assert link.date("from", BOUNDS, "start date") is None
    assert link.whole_number("page", (1, 9), "page number") is None
    assert link.many("region", REGIONS, "region") == ()
    assert link.notices == []


# ---------------------------------------------------------------------------------------- numbers and dates


@pytest.mark.parametrize(
    ("text", "value"), [("12.5", 12.5), (" 1e3 ", 1000.0), ("-0", 0.0), ("inf", None), ("nan", None), ("x", None), ("", None)]
)
def test_read_number_takes_finite_numbers_only(text, value):
    assert links.read_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"), [("7", 7), ("+5", 5), (" -2 ", -2), ("1.5", None), ("٣", None), ("-+5", None), ("1" * 19, None)]
)
def test_read_whole_number_takes_ascii_digits_with_an_optional_sign(text, value):
    assert links.read_whole_number(text) == value


def test_dates_are_read_and_moved_into_bounds_with_a_notice():
    link = LinkReader({"from": ["1900-01-01"], "to": ["2019-02-30"], "asof": ["2019-08-02"]})
    assert link.date("from", BOUNDS, "start date") == BOUNDS[0]
    assert link.date("to", BOUNDS, "end date") is None
    assert link.date("asof", BOUNDS, "map date") == date(2019, 8, 2)
    assert link.notices == [
        "The start date 1900-01-01 is outside the data (1979-01-01 to 2026-01-01); using 1979-01-01.",
        "Ignored the end date “2019-02-30” in the link: use YYYY-MM-DD.",
    ]


def test_whole_numbers_are_moved_into_bounds_with_a_notice():
    link = LinkReader({"page": ["0"], "top": "12", "bad": "two"})
    assert link.whole_number("page", (1, 10), "page number") == 1
    assert link.whole_number("top", (1, 10), "page number") == 10
    assert link.whole_number("bad", (1, 10), "page number", hint="; showing page 1") is None
    assert link.notices[0] == "The page number 0 in the link is outside 1 to 10; using 1."
    assert link.notices[2] == "Ignored the page number “two” in the link; showing page 1."
    assert links.clamp(5, (1, 3)) == 3 and links.clamp(date(1900, 1, 1), BOUNDS) == BOUNDS[0]


def test_free_text_is_joined_cleaned_and_cut_with_a_notice():
    link = LinkReader({"q": ["arms\u202e control", "treaty"], "long": ["x" * 50]})
    assert link.text("q", 100, "search text") == "arms control treaty"
    assert link.text("long", 10, "search text") == "x" * 10
    assert link.notices == ["The search text in the link was cut to its first 10 characters."]


# ---------------------------------------------------------------------------------------- echoes


def test_a_right_to_left_override_cannot_turn_a_notice_round():
    link = LinkReader({"actor": [RLO_LINK]})
    link.many("actor", ("nato", "rus"), "actor")
    (notice,) = link.notices
    assert notice == "Ignored unknown actor “.knil siht tsurt nac uoY .OTAN yb deifirev ataD” in the link."
    assert not any(unicodedata.category(ch) in ("Cf", "Cc") for ch in notice)


def test_echo_drops_invisible_and_control_characters_and_cuts_long_values():
    assert echo(f"a{HIDDEN}b") == "a" + " " * 8 + "b"
    assert echo("x" * 10_000_000) == "x" * (links.MAX_ECHO_CHARS - 1) + "…"
    assert echo("Севастополь ✓ القرم") == "Севастополь ✓ القرم"
    assert echo(12.5, 30) == "12.5"


@given(st.text(max_size=400), st.integers(min_value=1, max_value=80))
def test_echo_is_short_and_has_no_control_or_format_character(text, limit):
    out = echo(text, limit)
    assert len(out) <= limit
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in out)


def test_notices_quote_at_most_a_few_short_values():
    link = LinkReader({"region": [",".join("y" * 5000 + str(i) for i in range(1000))]})
    link.many("region", REGIONS, "region")
    (notice,) = link.notices
    assert notice.count("“") == MAX_NAMED and "and 997 more ignored" in notice
    assert len(notice) < MAX_NAMED * (links.MAX_ECHO_CHARS + 4) + 150  # the quoted values, then a sentence


def test_the_readme_states_the_limits_a_link_is_held_to():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8").split())
    for phrase in (
        f"**{MAX_VALUES:,} values per parameter**",
        f"**{MAX_VALUE_CHARS:,} characters per value**",
        f"(`q`) to {MAX_QUERY_CHARS:,} characters",
        f"cut to {links.MAX_ECHO_CHARS} characters",
        "naming the first three",
    ):
        assert phrase in readme, phrase
    assert MAX_NAMED == 3
