"""The single definition of every table and field: validation, the data dictionary and the docs come from here."""

from __future__ import annotations

from dataclasses import dataclass, field

# Region names produced by the spatial join of a point with data/regions.geojson.
REGION_BLACK_SEA = "Black Sea"
REGION_BALTIC = "Baltic"
REGION_ELSEWHERE = "Elsewhere"
REGIONS = (REGION_BLACK_SEA, REGION_BALTIC, REGION_ELSEWHERE)

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

ACTOR_KINDS = ("alliance", "state", "former_state", "organisation", "occupation_authority")
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

MISSILE_TYPES = ("ballistic", "cruise", "hypersonic glide")
BASINGS = ("ground", "sea", "air")
INF_STATUSES = (
    "eliminated under the treaty",
    "alleged violation",
    "not covered: sea-launched",
    "not covered: air-launched",
    "not covered: outside the band",
    "post-treaty",
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
    "States, alliances and organisations that act or speak in the data.",
    (
        Field("actor_id", "text", "Short stable id, lower case (e.g. `nato`, `rus`).", unique=True),
        Field("name", "text", "Display name."),
        Field("kind", "text", "What sort of actor this is.", allowed=ACTOR_KINDS),
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
        Field("region", "text", "Region derived from the point and data/regions.geojson.", allowed=REGIONS, derived=True),
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
        Field("missile_type", "text", "Flight profile.", allowed=MISSILE_TYPES),
        Field("basing", "text", "Launch platform.", allowed=BASINGS),
        Field("range_km_min", "float", "Lowest range claim or estimate.", unit="km", min_value=0, max_value=20000),
        Field("range_km_max", "float", "Highest range claim or estimate.", unit="km", min_value=0, max_value=20000),
        Field("range_notes", "text", "Who claims which range; see missile_range_claims.csv.", required=False),
        Field("inf_status", "text", "How the treaty treated it.", allowed=INF_STATUSES),
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
        Field("range_km", "float", "Claimed range.", unit="km", min_value=0, max_value=20000),
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
        Field("licence", "text", "Licence under which the file may be used."),
        Field("notes", "text", "What was done to it, and anything else a re-user should know.", required=False),
    ),
)


def inf_class(range_km: float) -> str:
    """Treaty class (by range only) of a range in km."""
    if range_km < INF_BAND_KM[0]:
        return INF_CLASSES[0]
    if range_km <= INF_SHORTER_RANGE_KM[1]:
        return INF_CLASSES[1]
    if range_km <= INF_BAND_KM[1]:
        return INF_CLASSES[2]
    return INF_CLASSES[3]
