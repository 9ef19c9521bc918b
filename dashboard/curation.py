"""Rules the curated data must keep beyond its schema, checked by `python -m dashboard.data --check` and the tests.

Two kinds of finding, each a `Problem` naming the file, the record and what is wrong:

- **Invariants** (errors): a missile's treaty status agrees with its headline range and basing; its headline
  range is the one `schema.HEADLINE_RULE` picks from its claims and its lowest figure is its lowest claim; an
  event's or statement's id begins with its date.
- **Stale links** (warnings): a source address that is a copy of someone else's page on a known mirror site
  (`MIRROR_DOMAINS`), where the original should be cited instead.

The app does not run these when it loads the data: a stale link is no reason to refuse to show a page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd

from dashboard import schema
from dashboard.data import Dataset, Problem

# Sites that serve copies of other sites' pages (Wikipedia mirrors, reposted transcripts and news archives).
# A source on one of these should cite the original page instead; add a domain here when one is found.
MIRROR_DOMAINS = (
    "wiki.studentb.eu",
    "wikiclassic.com",
    "wikiwand.com",
    "kiwix.lema.org",
    "fandom.com",
    "ukobiw.net",
    "nohib.com",
    "government-world.com",
    "internationalpeoplesearch.com",
    "lauriemeadows.info",
    "usinfo.org",
)
# The treaty's band, as schema.inf_class names its classes.
_IN_BAND = set(schema.INF_CLASSES[1:3])
# Statuses that say how the basing left a missile outside the treaty.
_STATUS_BASING = {"not covered: sea-launched": "sea", "not covered: air-launched": "air"}
_GROUND_ONLY = {
    "eliminated under the treaty",
    "alleged violation",
    schema.INF_STATUS_OUTSIDE_BAND,
    schema.INF_STATUS_NOT_DECLARED,
}
_TABLES_WITH_SOURCES = ("events", "places", "statements", "missiles", "range_claims")


def mirror_of(url: str) -> str | None:
    """The known mirror domain `url` is on, or None. Matches the domain and its subdomains, ignoring a trailing dot."""
    host = (urlsplit(str(url)).hostname or "").rstrip(".").lower()
    return next((d for d in MIRROR_DOMAINS if host == d or host.endswith("." + d)), None)


def stale_links(ds: Dataset) -> list[Problem]:
    """A warning for each record whose source address is on a known mirror site."""
    found = []
    for name in _TABLES_WITH_SOURCES:
        table = schema.TABLES[name]
        frame = getattr(ds, name)
        for key, url in zip(frame[table.key], frame["source_url"], strict=True):
            mirror = mirror_of(url)
            if mirror:
                found.append(
                    Problem(
                        f"data/{table.file}",
                        None,
                        "source_url",
                        f"'{key}' cites a copy on {mirror}, a mirror site; cite the original page instead",
                    )
                )
    return found


def _status_problems(missile) -> list[str]:
    """What is wrong with one missile's treaty status, given its headline range and basing."""
    status, cls, basing = missile.inf_status, missile.inf_class, missile.basing
    wrong = []
    if status == schema.INF_STATUS_OUTSIDE_BAND and cls in _IN_BAND:
        wrong.append(f"inf_status says outside the band but its headline range ({missile.range_km_max:,.0f} km) is {cls}")
    if status == schema.INF_STATUS_NOT_DECLARED and cls not in _IN_BAND:
        wrong.append(f"inf_status says not declared, for a missile whose headline range is {cls}")
    if status in _STATUS_BASING and basing != _STATUS_BASING[status]:
        wrong.append(f"inf_status '{status}' but basing is {basing}")
    if status in _GROUND_ONLY and basing != "ground":
        wrong.append(f"inf_status '{status}' applies to ground-launched missiles, but basing is {basing}")
    return wrong


def _range_problems(missile, claims: pd.DataFrame) -> list[str]:
    """Whether a missile's headline and lowest ranges are the ones its claims give."""
    if claims.empty:
        return ["has no range claims in missile_range_claims.csv: its ranges must come from cited claims"]
    rows = list(zip(claims["source_kind"], claims["range_km"].astype(float), claims["is_lower_bound"], strict=True))
    km, lower = schema.headline_claims(rows)
    wrong = []
    stated_lower = bool(missile.range_is_lower_bound) if pd.notna(missile.range_is_lower_bound) else False
    if abs(missile.range_km_max - km) > 0.05 or stated_lower != lower:
        wrong.append(
            f"range_km_max is {schema.range_label(missile.range_km_max, stated_lower)} but the headline rule gives "
            f"{schema.range_label(km, lower)}"
        )
    if abs(missile.range_km_min - claims["range_km"].min()) > 0.05:
        wrong.append(f"range_km_min is {missile.range_km_min:,.1f} km but its lowest claim is {claims['range_km'].min():,.1f} km")
    return wrong


def missile_problems(ds: Dataset) -> list[Problem]:
    """Each missile's status against its range and basing, and its ranges against its claims."""
    label = f"data/{schema.MISSILES.file}"
    claims = ds.range_claims.assign(is_lower_bound=ds.range_claims["is_lower_bound"].fillna(False).astype(bool))
    by_system = dict(tuple(claims.groupby("system_id")))
    problems = []
    for missile in ds.missiles.itertuples(index=False):
        mine = by_system.get(missile.system_id, claims.iloc[0:0])
        for text in _status_problems(missile) + _range_problems(missile, mine):
            problems.append(Problem(label, None, None, f"'{missile.system_id}': {text}"))
    return problems


def id_date_problems(ds: Dataset) -> list[Problem]:
    """Events and statements whose id does not begin with their date (ids are `YYYY-MM-DD-slug`)."""
    problems = []
    for name in ("events", "statements"):
        table = schema.TABLES[name]
        frame = getattr(ds, name)
        dates = frame["date"].dt.strftime("%Y-%m-%d")
        for key, day in zip(frame[table.key], dates, strict=True):
            if not str(key).startswith(f"{day}-"):
                problems.append(Problem(f"data/{table.file}", None, table.key, f"'{key}' does not begin with its date, {day}"))
    return problems


def invariant_problems(ds: Dataset) -> list[Problem]:
    """Every invariant the curated data breaks (empty when it keeps them all)."""
    return missile_problems(ds) + id_date_problems(ds)
