"""The single definition of every table and field: validation, the data dictionary and the docs come from here."""

from __future__ import annotations

from dataclasses import dataclass, field

# The two analytical regions (theatres), drawn in data/regions.geojson. A place takes the region its point lies in,
# unless it names one in its own `region` column; everything outside both is `Elsewhere`.
REGION_BLACK_SEA = "Black Sea"
REGION_BALTIC = "Baltic"
REGION_ELSEWHERE = "Elsewhere"
REGIONS = (REGION_BLACK_SEA, REGION_BALTIC, REGION_ELSEWHERE)
# What each region holds and why: the data dictionary, the About page and data/sources.csv say the same.
REGION_DEFINITIONS = {
    REGION_BLACK_SEA: (
        "The Black Sea and the Sea of Azov with the whole territory of the littoral states other than Russia "
        "(Bulgaria, Romania, Ukraine with Crimea, Georgia and Turkey) and of Moldova, which lies between Romania "
        "and Ukraine; and Russia's Black Sea and Azov littoral (Krasnodar Krai, Adygea and the Rostov coast). "
        "Whole states, because their capitals, bases and missile-defence sites (Deveselu, Kürecik, Ankara) are "
        "where their Black Sea policy is made and hosted."
    ),
    REGION_BALTIC: (
        "The Baltic Sea and the Danish straits with the whole territory of Estonia, Latvia, Lithuania, Poland and "
        "Denmark; Belarus, which borders three of them and with Russia forms the Union State (joint Zapad "
        "exercises, Russian nuclear weapons and the Oreshnik deployed there); Russia's Kaliningrad exclave and its "
        "north-west (St Petersburg, Leningrad, Pskov and Novgorod oblasts); southern Finland and eastern Sweden; "
        "and north-eastern Germany, the Baltic littoral and its hinterland as far as Berlin."
    ),
    REGION_ELSEWHERE: (
        "Everything else, including the rest of Russia (Moscow, the North Caucasus with Mozdok, the Volga and the "
        "Urals), western and southern Germany, and North America."
    ),
}

EVENT_TYPES = (
    "treaty_milestone",
    "compliance_dispute",
    "withdrawal",
    "deployment",
    "missile_test",
    "exercise",
    "incident",
    "accession",
    "armed_conflict",
    "diplomacy",
    "posture_decision",
)

PLACE_KINDS = (
    "capital",
    "city",
    "alliance_hq",
    "command_hq",
    "forward_presence",
    "missile_defence",
    "naval_base",
    "air_base",
    "army_base",
    "missile_brigade",
    "test_range",
    "elimination_site",
    "sea_or_strait",
    "land_corridor",
    "territory",
)

# `person`: someone who speaks for no state or body, such as a former leader after leaving office.
ACTOR_KINDS = ("alliance", "state", "former_state", "organisation", "occupation_authority", "person")
SIDES = ("NATO", "Russia", "Other")

QUOTE_TYPES = ("verbatim", "translation", "paraphrase")
STATEMENT_CONTEXTS = (
    "interview",
    "speech",
    "press_conference",
    "communique",
    "statement",
    "testimony",
    "article",
    "report",
    "social_media",
    "treaty_text",
)
TOPICS = (
    "inf_treaty",
    "9m729",
    "aegis_ashore",
    "deployments",
    "black_sea",
    "baltic",
    "nuclear_weapons",
    "arms_control",
    "crimea",
    "dialogue",
    "kaliningrad",
    "hypersonic",
    "missile_defence",
    "moratorium",
    "flight_time",
)

# Flight profile of each missile type, as the data dictionary states it.
MISSILE_TYPE_MEANINGS = {
    "ballistic": "rocket-powered, on a ballistic arc for most of its flight (air-launched ones such as Kinzhal included)",
    "cruise": "flies through the atmosphere on wings and an air-breathing engine (hypersonic ones such as Zircon included)",
    "hypersonic glide": "a rocket booster releases a vehicle that glides to its target through the upper atmosphere",
    "multi-mission surface-to-air": (
        "a surface-to-air interceptor that can also strike ships and land targets (the SM-6); not a ballistic missile"
    ),
}
MISSILE_TYPES = tuple(MISSILE_TYPE_MEANINGS)
BASINGS = ("ground", "sea", "air")
INF_STATUS_OUTSIDE_BAND = "not covered: outside the band"
INF_STATUS_NOT_DECLARED = "not declared under the treaty"
INF_STATUSES = (
    "eliminated under the treaty",
    "alleged violation",
    "not covered: sea-launched",
    "not covered: air-launched",
    INF_STATUS_OUTSIDE_BAND,
    INF_STATUS_NOT_DECLARED,
    "post-treaty",
)

# Who made a range claim, from the most to the least authoritative. The headline range of a missile (the ring) is
# the highest figure of the first kind in this order that gives one (HEADLINE_RULE); data/CHANGELOG.md records why.
CLAIM_SOURCE_KINDS = {
    "treaty": "the treaty, its memorandum of understanding, or an official summary of them",
    "reference": "a recognised reference work or an official intelligence assessment (CSIS Missile Threat, the Arms "
    "Control Association, NASIC, a CIA estimate)",
    "operator": "the government, armed forces or state industry of the state that fields the missile",
    "other_government": "an official of another government",
    "press": "a news report, commentator or unnamed source",
}
# The last two kinds count as one: neither is preferred to the other.
CLAIM_SOURCE_RANKS = {"treaty": 0, "reference": 0, "operator": 1, "other_government": 2, "press": 2}
HEADLINE_RULE = (
    "The ring is drawn at the highest figure from a treaty document or a recognised reference work; where there is "
    "none, at the highest figure the operating state gives; where there is none of either, at the highest figure "
    "from any other government or the press. Every other figure is kept as a cited claim and drawn in the band."
)

# Treaty classes by range (Art. II of the INF Treaty): the band is 500-5,500 km.
INF_BAND_KM = (500.0, 5500.0)
INF_SHORTER_RANGE_KM = (500.0, 1000.0)
INF_INTERMEDIATE_RANGE_KM = (1000.0, 5500.0)
INF_CLASSES = (
    "below the band (<500 km)",
    "shorter-range (500–1,000 km)",
    "intermediate-range (1,000–5,500 km)",
    "above the band (>5,500 km)",
)


# The licences a data file may be under (data/sources.csv); details go in its notes.
LICENCE_KINDS = ("public domain", "CC BY 4.0", "government work", "quoted under fair use with citation")


@dataclass(frozen=True)
class Field:
    """One column of a curated table."""

    name: str
    kind: str  # text | date | float | bool | list | url
    description: str
    required: bool = True
    unit: str = ""
    allowed: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    references: str = ""  # "table.column" that every value must exist in
    unique: bool = False
    derived: bool = False  # computed on load, not stored in the CSV


@dataclass(frozen=True)
class Table:
    """One curated table: its file, its fields and what identifies a row."""

    name: str
    file: str
    description: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.derived)

    @property
    def key(self) -> str:
        return self.fields[0].name

    def get(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _source_fields(required_date: bool = True) -> tuple[Field, ...]:
    return (
        Field("source_title", "text", "Title of the source document or page."),
        Field("source_publisher", "text", "Organisation that published the source."),
        Field(
            "source_date",
            "date",
            "Publication date of the source (YYYY-MM-DD).",
            required=required_date,
        ),
        Field("source_url", "url", "Address of the source; http(s) only."),
    )


ACTORS = Table(
    "actors",
    "actors.csv",
    "States, alliances, organisations and people that act or speak in the data.",
    (
        Field("actor_id", "text", "Short stable id, lower case (e.g. `nato`, `rus`).", unique=True),
        Field("name", "text", "Display name."),
        Field(
            "kind",
            "text",
            "What sort of actor this is; `person` for someone who speaks for no state or body (e.g. a former leader).",
            allowed=ACTOR_KINDS,
        ),
        Field("side", "text", "Which side of the NATO–Russia balance it stands on, for colouring.", allowed=SIDES),
        Field(
            "member_of",
            "list",
            "Alliances this actor belongs to (`;`-separated actor ids).",
            required=False,
            references="actors.actor_id",
        ),
        Field("description", "text", "One sentence on who this is.", required=False),
    ),
)

PLACES = Table(
    "places",
    "places.csv",
    "Capitals, headquarters, bases, missile sites, ranges, seas and straits.",
    (
        Field("place_id", "text", "Short stable id (e.g. `deveselu`).", unique=True),
        Field("name", "text", "Display name."),
        Field(
            "country",
            "text",
            "Country whose territory it is in, as named in data/countries.geojson; empty for seas.",
            required=False,
        ),
        Field("kind", "text", "What sort of place.", allowed=PLACE_KINDS),
        Field(
            "operator",
            "text",
            "Actor that operates or hosts it; empty for open seas.",
            required=False,
            references="actors.actor_id",
        ),
        Field("lat", "float", "Latitude, WGS84.", unit="degrees north", min_value=-90, max_value=90),
        Field("lon", "float", "Longitude, WGS84.", unit="degrees east", min_value=-180, max_value=180),
        Field("start_date", "date", "When it came into being or into this use (for posture as of a date).", required=False),
        Field("end_date", "date", "When it closed or left this use, if it has.", required=False),
        Field("description", "text", "One or two sentences on what it is and why it matters."),
        *_source_fields(required_date=False),
        Field(
            "region",
            "text",
            "Region: `Black Sea` or `Baltic` theatre, or `Elsewhere`. Leave empty (or leave the column out) to take the "
            "region the point lies in on data/regions.geojson; give one only where geography alone misleads, and say "
            "why in `description`. See the region definitions below the tables.",
            required=False,
            allowed=REGIONS,
        ),
    ),
)

EVENTS = Table(
    "events",
    "events.csv",
    "Dated events: treaty milestones, the compliance dispute, deployments, exercises, incidents.",
    (
        Field("event_id", "text", "Stable id: `YYYY-MM-DD-short-slug`.", unique=True),
        Field("date", "date", "Date it happened or took effect (YYYY-MM-DD)."),
        Field("title", "text", "One-line headline."),
        Field("summary", "text", "Two or three sentences."),
        Field("event_type", "text", "Category.", allowed=EVENT_TYPES),
        Field("actors", "list", "Actors involved (`;`-separated actor ids).", references="actors.actor_id"),
        Field("place_id", "text", "Where it happened.", required=False, references="places.place_id"),
        *_source_fields(),
        Field(
            "region",
            "text",
            "Region of its place (derived); `Elsewhere` when it has none in a region.",
            allowed=REGIONS,
            derived=True,
        ),
    ),
)

STATEMENTS = Table(
    "statements",
    "statements.csv",
    "What leaders, officials and governments said, verbatim or marked as paraphrase or translation.",
    (
        Field("statement_id", "text", "Stable id: `YYYY-MM-DD-speaker-slug`.", unique=True),
        Field("date", "date", "Date it was said or published."),
        Field("speaker", "text", "Person or body that said it."),
        Field("speaker_role", "text", "Their office at the time.", required=False),
        Field("actor", "text", "Actor the speaker speaks for.", references="actors.actor_id"),
        Field("text", "text", "The words: verbatim, a named translation, or a paraphrase (never shown in quotes)."),
        Field("quote_type", "text", "Whether `text` is verbatim, a translation or a paraphrase.", allowed=QUOTE_TYPES),
        Field("translated_by", "text", "Whose translation, when `quote_type` is translation.", required=False),
        Field("context", "text", "The setting.", allowed=STATEMENT_CONTEXTS),
        Field("venue", "text", "Where or to whom (e.g. `RFE/RL Bulgarian Service`).", required=False),
        Field("event_id", "text", "Event it belongs to.", required=False, references="events.event_id"),
        Field("place_id", "text", "Place it speaks of or was said at.", required=False, references="places.place_id"),
        Field("topics", "list", "Topics (`;`-separated).", allowed=TOPICS),
        *_source_fields(),
        Field("is_verbatim", "bool", "True unless `quote_type` is paraphrase (derived).", derived=True),
        Field("region", "text", "Region of its place, or else of its event's place (derived).", allowed=REGIONS, derived=True),
    ),
)

MISSILES = Table(
    "missiles",
    "missiles.csv",
    "Missile systems: those the treaty eliminated, those in dispute, those it did not cover, and post-treaty systems.",
    (
        Field("system_id", "text", "Stable id (e.g. `9m729`).", unique=True),
        Field("name", "text", "Usual name."),
        Field("other_names", "list", "Other designations (`;`-separated), e.g. NATO reporting names.", required=False),
        Field("operator", "text", "Actor that fields or fielded it.", references="actors.actor_id"),
        Field(
            "missile_type",
            "text",
            "Flight profile: " + "; ".join(f"`{k}`, {v}" for k, v in MISSILE_TYPE_MEANINGS.items()) + ".",
            allowed=MISSILE_TYPES,
        ),
        Field("basing", "text", "Launch platform.", allowed=BASINGS),
        Field(
            "range_km_min",
            "float",
            "Lowest figure among its claims in missile_range_claims.csv.",
            unit="km",
            min_value=0,
            max_value=20000,
        ),
        Field(
            "range_km_max",
            "float",
            "Headline range, at which its ring is drawn: " + HEADLINE_RULE,
            unit="km",
            min_value=0,
            max_value=20000,
        ),
        Field(
            "range_is_lower_bound",
            "bool",
            "True when the headline range is a floor (“more than 1,000 km”), shown as “more than”.",
            required=False,
        ),
        Field("range_notes", "text", "Who claims which range; see missile_range_claims.csv.", required=False),
        Field(
            "inf_status",
            "text",
            "How the treaty treated it. `not covered: outside the band` only for a headline range below 500 km or above "
            "5,500 km; `not declared under the treaty` for a missile fielded while the treaty was in force, never "
            "declared as treaty-limited nor formally alleged to violate it, whose published range reaches the band.",
            allowed=INF_STATUSES,
        ),
        Field("status", "text", "Service status today (e.g. `retired`, `in service`).", required=False),
        Field("first_deployed", "date", "First deployment, where known.", required=False),
        *_source_fields(required_date=False),
        Field("inf_class", "text", "Treaty class of `range_km_max` (derived).", allowed=INF_CLASSES, derived=True),
    ),
)

RANGE_CLAIMS = Table(
    "range_claims",
    "missile_range_claims.csv",
    "Each published claim or estimate of a missile's range, with who made it.",
    (
        Field("claim_id", "text", "Stable id.", unique=True),
        Field("system_id", "text", "Missile system.", references="missiles.system_id"),
        Field("claimant", "text", "Who made the claim (e.g. `Russian MoD`, `US DNI`)."),
        Field(
            "source_kind",
            "text",
            "Who the claimant is: " + "; ".join(f"`{k}`, {v}" for k, v in CLAIM_SOURCE_KINDS.items()) + ".",
            allowed=tuple(CLAIM_SOURCE_KINDS),
        ),
        Field("range_km", "float", "Claimed range.", unit="km", min_value=0, max_value=20000),
        Field(
            "is_lower_bound",
            "bool",
            "True when the claim is a floor (“more than 500 km”), shown as “more than”.",
            required=False,
        ),
        Field("claim_date", "date", "When the claim was made.", required=False),
        *_source_fields(required_date=False),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (ACTORS, PLACES, EVENTS, STATEMENTS, MISSILES, RANGE_CLAIMS)}

# Order to load in, so that references resolve to tables already loaded.
LOAD_ORDER = ("actors", "places", "events", "statements", "missiles", "range_claims")

# The provenance of every data file. Not one of TABLES: it describes the files rather than the subject.
SOURCES = Table(
    "sources",
    "sources.csv",
    "Where each file in data/ comes from and under what licence.",
    (
        Field("file", "text", "Name of a file in data/.", unique=True),
        Field("title", "text", "Title of the source."),
        Field("publisher", "text", "Who published it."),
        Field("url", "url", "Address of the source; http(s) only.", required=False),
        Field("accessed", "date", "When the source was retrieved (YYYY-MM-DD).", required=False),
        Field("licence", "text", "Licence under which the file may be used.", allowed=LICENCE_KINDS),
        Field("notes", "text", "What was done to it, and anything else a re-user should know.", required=False),
    ),
)


# Reference tables: built from other publishers' data (dashboard/cities.py), not curated, each with a sources record.
CITIES = Table(
    "cities",
    "cities.csv",
    "Populated places of 15,000 people or more (GeoNames cities15000), city districts left out so nobody is counted twice.",
    (
        Field("geonameid", "text", "GeoNames id of the place.", unique=True),
        Field("name", "text", "Name as GeoNames gives it."),
        Field("country_code", "text", "ISO 3166-1 alpha-2 code of its country (GeoNames)."),
        Field("country", "text", "Its country as named in data/countries.geojson.", required=False),
        Field("lat", "float", "Latitude, WGS84.", unit="degrees north", min_value=-90, max_value=90),
        Field("lon", "float", "Longitude, WGS84.", unit="degrees east", min_value=-180, max_value=180),
        Field("population", "float", "People living there, as GeoNames gives it.", unit="people", min_value=0),
    ),
)

COUNTRY_CODES = Table(
    "country_codes",
    "country_codes.csv",
    "ISO 3166-1 country codes (GeoNames countryInfo) with the name each country has in data/countries.geojson.",
    (
        Field("iso_a2", "text", "ISO 3166-1 alpha-2 code.", unique=True),
        Field("iso_a3", "text", "ISO 3166-1 alpha-3 code."),
        Field("iso_n3", "text", "ISO 3166-1 numeric code, three digits; empty when it has none.", required=False),
        Field("name", "text", "Name as GeoNames gives it."),
        Field("country", "text", "Name in data/countries.geojson; empty when it has no feature there.", required=False),
    ),
)

REFERENCE_TABLES: dict[str, Table] = {t.name: t for t in (CITIES, COUNTRY_CODES)}


def inf_class(range_km: float) -> str:
    """Treaty class (by range only) of a range in km."""
    if range_km < INF_BAND_KM[0]:
        return INF_CLASSES[0]
    if range_km <= INF_SHORTER_RANGE_KM[1]:
        return INF_CLASSES[1]
    if range_km <= INF_BAND_KM[1]:
        return INF_CLASSES[2]
    return INF_CLASSES[3]


def headline_claims(claims: list[tuple[str, float, bool]]) -> tuple[float, bool] | None:
    """The headline range by HEADLINE_RULE from one missile's claims, as (range_km, is_lower_bound); None if no claims.

    `claims`: (source_kind, range_km, is_lower_bound) for each. A figure that is only a floor loses a tie to an exact one.
    """
    if not claims:
        return None
    best = min(CLAIM_SOURCE_RANKS[kind] for kind, _, _ in claims)
    top = [(km, lower) for kind, km, lower in claims if CLAIM_SOURCE_RANKS[kind] == best]
    km = max(k for k, _ in top)
    return km, all(lower for k, lower in top if k == km)


def range_label(range_km: float, is_lower_bound: bool = False) -> str:
    """1000, True → 'more than 1,000 km'; 2500 → '2,500 km'."""
    return f"{'more than ' if is_lower_bound else ''}{range_km:,.0f} km"
