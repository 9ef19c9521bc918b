"""Reading a page's state from its link: one set of rules for every page, so that any link costs little and says nothing false.

Usable without Streamlit: `params` maps each key to its values, as `st.query_params.get_all` gives them (a plain
string counts as one value).

    link = LinkReader({"region": ["baltic,Atlantis"], "from": ["2019-02-30"]})
    link.many("region", ["Baltic", "Black Sea"], "region")  -> ("Baltic",)
    link.date("from", (date(1979, 1, 1), date.today()), "start date")  -> None
    link.notices  -> ['Ignored unknown region “Atlantis” in the link.', 'Ignored the start date “2019-02-30” …']

Rules:

- A parameter that holds several values (`region`, `place`, `speaker` …) may repeat (`?region=Baltic&region=Black+Sea`)
  or separate them with commas (`?region=Baltic,Black+Sea`); a value that is allowed as a whole is never split, so
  a name with a comma in it still works. A parameter that holds one value takes the last one and is never split.
- Values are matched ignoring surrounding spaces and case (an exact match wins) and come back spelled as the
  allowed set spells them. Blank values are skipped; repeats are dropped.
- At most MAX_VALUES values of one parameter are read: the rest are counted but never looked at, and a value longer
  than MAX_VALUE_CHARS is never looked up, so the work a link causes stays small and linear whatever its size.
- Numbers must be finite; dates are YYYY-MM-DD; a date or whole number outside its bounds moves to the nearest
  bound, with a notice.
- One parameter gives at most one notice about ignored values: it names the first MAX_NAMED and counts the rest
  ("… in the link, and 19,997 more ignored.").
- A value quoted back in a notice goes through echo(): no control or invisible format character (so a
  right-to-left override in a link cannot turn the notice round) and at most MAX_ECHO_CHARS characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from dashboard.text import strip_invisible

# More than every curated place, actor, speaker or topic a link could name; the map keeps the reader's own
# (uploaded) places out of its links. Guarded by tests/test_links.py::test_values_past_the_cap_are_counted_not_read.
MAX_VALUES = 100
# Longer than any id, name, number or date in the data: such a value is ignored without being looked up.
MAX_VALUE_CHARS = 200
# Characters of a link value quoted back in a notice, and how many ignored values one notice names.
MAX_ECHO_CHARS = 60
MAX_NAMED = 3

Params = Mapping[str, Iterable[str] | str]
T = TypeVar("T")

_SPACES = re.compile(r"\s+")
_COMMAS = re.compile(r",{2,}")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")


def echo(value: object, limit: int = MAX_ECHO_CHARS) -> str:
    """`value` as a notice may quote it: no control or invisible format characters, cut to `limit` characters with "…"."""
    # Only a few times `limit` characters are looked at, however long the value.
    text = strip_invisible(str(value)[: limit * 4]).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def values_of(params: Params, key: str) -> list[str]:
    """Every value given for `key`, in order (a plain string is one value; absent means none)."""
    raw = params.get(key)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def count_values(text: str) -> int:
    """How many non-blank comma-separated values `text` holds, counted without building a list of them."""
    packed = _COMMAS.sub(",", _SPACES.sub("", text)).strip(",")
    return packed.count(",") + 1 if packed else 0


def read_number(text: str) -> float | None:
    """A finite number written in `text` (surrounding spaces allowed), else None. (Linear in C however long `text` is.)"""
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def read_whole_number(text: str) -> int | None:
    """A whole number written in at most 18 decimal digits, with an optional sign, else None."""
    text = text.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None


def read_date(text: str) -> date | None:
    """A YYYY-MM-DD date written in `text` (surrounding spaces allowed), else None."""
    if len(text) > MAX_VALUE_CHARS:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def pick_one(value: str, allowed: Collection[str]) -> str | None:
    """The allowed value that `value` names, exactly or else ignoring case; None when there is none."""
    if len(value) > MAX_VALUE_CHARS:
        return None
    if value in allowed:
        return value
    folded = value.casefold()
    return next((a for a in allowed if a.casefold() == folded), None)


@dataclass(frozen=True)
class Picked:
    """What pick_many() made of one parameter's values."""

    chosen: tuple[str, ...]  # allowed values, spelled as allowed, in link order, without repeats
    unknown: tuple[str, ...]  # values read but not allowed, as given, without repeats (ignoring case)
    unread: int  # values past the first MAX_VALUES: counted, never looked at


class _Allowed:
    """An allowed set looked up exactly, else ignoring case (built once per parameter)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.exact = {str(a) for a in allowed}
        self.folded: dict[str, str] = {}
        for a in self.exact:
            self.folded.setdefault(a.casefold(), a)

    def match(self, value: str) -> str | None:
        if len(value) > MAX_VALUE_CHARS:
            return None
        return value if value in self.exact else self.folded.get(value.casefold())


def _fields(raws: Sequence[str], allowed: _Allowed) -> tuple[list[str], int]:
    """The first MAX_VALUES fields of the values (allowed wholes kept, others split at commas), and how many are left."""
    fields: list[str] = []
    for i, raw in enumerate(raws):
        room = MAX_VALUES - len(fields)
        if room <= 0:
            return fields, count_values(",".join(raws[i:]))
        if allowed.match(raw.strip()) is not None:
            fields.append(raw.strip())
            continue
        parts = raw.split(",", room)  # at most `room` fields, then the unsplit rest
        if len(parts) > room:
            return fields + parts[:room], count_values(",".join([parts[room], *raws[i + 1 :]]))
        fields.extend(parts)
    return fields, 0


def pick_many(raws: Sequence[str], allowed: Iterable[str]) -> Picked:
    """Split the values of one parameter by the rules above and sort them into allowed, unknown and unread."""
    if not raws:
        return Picked((), (), 0)
    lookup = _Allowed(allowed)
    fields, unread = _fields(raws, lookup)
    chosen: dict[str, None] = {}
    unknown: dict[str, str] = {}
    for field in fields:
        value = field.strip()
        match = lookup.match(value) if value else None
        if match is not None:
            chosen.setdefault(match)
        elif value:
            unknown.setdefault(value.casefold(), value)
    return Picked(tuple(chosen), tuple(unknown.values()), unread)


def _listed(quoted: list[str]) -> str:
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def ignored_notice(what: str, unknown: Sequence[str], unread: int = 0) -> str | None:
    """The one notice for a parameter's ignored values: MAX_NAMED named, the rest counted; None if none was ignored.

    `what` is a singular noun whose plural adds an s ("region", "place", "speaker").
    """
    more = max(len(unknown) - MAX_NAMED, 0) + unread
    named = [f"“{echo(v)}”" for v in unknown[:MAX_NAMED]]
    if not named and not more:
        return None
    if not named:
        text = f"Ignored {more:,} more {what if more == 1 else what + 's'} in the link."
    elif more:
        text = f"Ignored unknown {what}s {', '.join(named)} in the link, and {more:,} more ignored."
    else:
        text = f"Ignored unknown {what if len(named) == 1 else what + 's'} {_listed(named)} in the link."
    if unread:
        text += f" A link is read up to {MAX_VALUES:,} values for each parameter."
    return text


def clamp(value: T, bounds: tuple[T, T]) -> T:
    """`value` moved into the inclusive `bounds` (lo, hi)."""
    lo, hi = bounds
    return min(max(value, lo), hi)


class LinkReader:
    """The parameters of one link, read by the rules above; `notices` lists, in order, what was ignored or changed."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.notices: list[str] = []

    def note(self, text: str) -> None:
        """Add a notice (callers quote link values through echo())."""
        self.notices.append(text)

    def last(self, key: str) -> str | None:
        """The last value of a one-value parameter, without surrounding spaces; None when absent or blank."""
        values = values_of(self.params, key)
        value = values[-1].strip() if values else ""
        return value or None

    def many(self, key: str, allowed: Iterable[str], what: str) -> tuple[str, ...]:
        """The allowed values a several-value parameter names; one notice for the rest (see ignored_notice)."""
        picked = pick_many(values_of(self.params, key), allowed)
        notice = ignored_notice(what, picked.unknown, picked.unread)
        if notice:
            self.note(notice)
        return picked.chosen

    def one(self, key: str, allowed: Collection[str], what: str, hint: str = "") -> str | None:
        """The allowed value a one-value parameter names, or None (with a notice ending in `hint` if it named none)."""
        value = self.last(key)
        if value is None:
            return None
        match = pick_one(value, allowed)
        if match is None:
            self.note(f"Ignored the unknown {what} “{echo(value)}” in the link{hint}.")
        return match

    def date(self, key: str, bounds: tuple[date, date], what: str) -> date | None:
        """A YYYY-MM-DD date, moved into `bounds` with a notice; None (with a notice if malformed) when there is none."""
        value = self.last(key)
        if value is None:
            return None
        parsed = read_date(value)
        if parsed is None:
            self.note(f"Ignored the {what} “{echo(value)}” in the link: use YYYY-MM-DD.")
            return None
        lo, hi = bounds
        moved = clamp(parsed, bounds)
        if moved != parsed:
            self.note(
                f"The {what} {parsed.isoformat()} is outside the data ({lo.isoformat()} to {hi.isoformat()}); "
                f"using {moved.isoformat()}."
            )
        return moved

    def whole_number(self, key: str, bounds: tuple[int, int], what: str, hint: str = "") -> int | None:
        """A whole number, moved into `bounds` with a notice; None (with a notice ending in `hint` if malformed) when there is none."""
        value = self.last(key)
        if value is None:
            return None
        parsed = read_whole_number(value)
        if parsed is None:
            self.note(f"Ignored the {what} “{echo(value)}” in the link{hint}.")
            return None
        moved = clamp(parsed, bounds)
        if moved != parsed:
            self.note(f"The {what} {parsed:,} in the link is outside {bounds[0]:,} to {bounds[1]:,}; using {moved:,}.")
        return moved

    def text(self, key: str, limit: int, what: str) -> str:
        """Free text (every value, joined by spaces) without control or invisible format characters, cut to `limit`."""
        text = " ".join(values_of(self.params, key))
        if len(text) > limit:
            self.note(f"The {what} in the link was cut to its first {limit:,} characters.")
            text = text[:limit]
        return strip_invisible(text)
