"""A corpus of malformed (and a few good) upload files, built in code, each with what the reader must be told."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

EV_HEADER = "event_id,date,title,summary,event_type,actors,place_id,source_title,source_publisher,source_date,source_url,lat,lon"
EV_ROW = "my-1,2020-05-01,Drill near Sofia,A drill.,exercise,bgr,sofia,Report,Paper,2020-05-02,https://example.org/a,,"
EV_ROW2 = "my-2,2021-06-01,Patrol,A patrol.,incident,rus,,Report,Paper,2021-06-02,https://example.org/b,44.6,33.5"
PL_HEADER = "place_id,name,country,kind,operator,lat,lon,start_date,end_date,description,source_title,source_publisher,source_date,source_url"
PL_ROW = "my-site,My site,Romania,air_base,rou,44.36,28.49,,,A site.,Report,Paper,,https://example.org/p"
ST_HEADER = "statement_id,date,speaker,speaker_role,actor,text,quote_type,translated_by,context,venue,event_id,place_id,topics,source_title,source_publisher,source_date,source_url"
ST_ROW = 'my-st,2019-03-02,A. Minister,Minister,bgr,"We said this.",verbatim,,interview,TV,,sofia,black_sea,Report,Paper,2019-03-02,https://example.org/s'
ACLED_HEADER = "event_id_cnty,event_date,year,event_type,sub_event_type,actor1,actor2,country,admin1,location,latitude,longitude,source,notes,fatalities"
ACLED_ROW = 'UKR1234,24 February 2022,2022,Explosions/Remote violence,Air/drone strike,Military Forces of Russia (2000-),,Ukraine,Odesa,Odesa,46.48,30.72,Ukrainska Pravda,"Strike on port.",0'
ACLED_ROW2 = 'UKR1235,2022-03-01,2022,Battles,Armed clash,Military Forces of Russia (2000-),Military Forces of Ukraine (2019-),Ukraine,Kherson,Kherson,46.63,32.61,Reuters,"Fighting.",3'


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    kind: str
    expect: str  # words that must appear in the messages or the rejects' reasons
    accepted: int  # rows that must be accepted


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", "x,y\n1,2\n")
    return buf.getvalue()


def _mixed_encodings() -> bytes:
    """A places file whose line 2 is UTF-8 and line 3 Windows-1252, as when rows are pasted from two sources."""
    utf8 = PL_ROW.replace("My site", "Café Zürich").encode("utf-8")
    cp1252 = PL_ROW.replace("my-site", "my-site-2").replace("My site", "Café Zürich").encode("cp1252")
    return PL_HEADER.encode() + b"\n" + utf8 + b"\n" + cp1252 + b"\n"


def _event_rows(n: int) -> list[str]:
    return [EV_ROW.replace("my-1", f"my-{i}") for i in range(n)]


CASES: list[Case] = [
    # Files that cannot be read at all
    Case("empty.csv", b"", "events", "is empty", 0),
    Case("whitespace.csv", b"  \n\n ", "events", "no text", 0),
    Case("header_only.csv", _csv(EV_HEADER), "events", "header row but no data rows", 0),
    Case("image.png.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "events", "PNG image", 0),
    # A zip of one CSV is unpacked and read (this one has the wrong columns).
    Case("archive.zip.csv", _zip(), "events", "required column(s) missing from the header", 0),
    Case("doc.pdf.csv", b"%PDF-1.4\n%binary", "places", "PDF document", 0),
    Case("nul_bytes.csv", b"a,b\x00,c\n1,2,3\n", "events", "NUL bytes", 0),
    Case("invalid_bytes.csv", _csv(PL_HEADER) + b"x,\x81\x8d\x8f,Romania\n", "places", "invalid bytes on line 2", 0),
    Case("too_big.csv", b"a" * (5 * 1024 * 1024 + 1), "events", "the limit is 5 MB", 0),
    Case("too_many_rows.csv", _csv("event_id", *(f"r{i}" for i in range(50_001))), "events", "the limit is 50,000", 0),
    Case("duplicate_columns.csv", _csv(EV_HEADER + ",title", EV_ROW + ",again"), "events", "appear more than once", 0),
    Case("missing_columns.csv", _csv("event_id,date", "x,2020-01-01"), "events", "required column(s) missing", 0),
    Case("wrong_kind.csv", _csv(PL_HEADER, PL_ROW), "events", "required column(s) missing", 0),
    # Encodings and delimiters that are fine
    Case("utf8_bom.csv", b"\xef\xbb\xbf" + _csv(EV_HEADER, EV_ROW), "events", "", 1),
    Case("utf16.csv", ("\n".join([EV_HEADER, EV_ROW]) + "\n").encode("utf-16"), "events", "", 1),
    Case(
        "cp1252.csv",
        _csv(PL_HEADER).replace(b"", b"") + PL_ROW.replace("My site", "Caf\u00e9 site").encode("cp1252") + b"\n",
        "places",
        "",
        1,
    ),
    Case("semicolons.csv", _csv(EV_HEADER.replace(",", ";"), EV_ROW.replace(",", ";")), "events", "", 1),
    Case("tabs.csv", _csv(EV_HEADER.replace(",", "\t"), EV_ROW.replace(",", "\t")), "events", "", 1),
    Case("crlf.csv", (EV_HEADER + "\r\n" + EV_ROW + "\r\n").encode(), "events", "", 1),
    Case("upper_case_header.csv", _csv(EV_HEADER.upper(), EV_ROW), "events", "", 1),
    Case(
        "extra_column.csv",
        _csv(EV_HEADER + ",my_notes", EV_ROW + ",hello"),
        "events",
        "Ignored column(s) this dashboard does not use: my_notes",
        1,
    ),
    # Broken rows: reported by line, the good rows kept
    Case("ragged_row.csv", _csv(EV_HEADER, EV_ROW, "my-x,2020-01-01,short"), "events", "this row has 3 cells", 1),
    Case("unclosed_quote.csv", _csv(EV_HEADER, EV_ROW, 'my-3,2020-01-01,"Broken title,x'), "events", "unclosed quote", 1),
    Case(
        "impossible_date.csv",
        _csv(EV_HEADER, EV_ROW, EV_ROW2.replace("2021-06-01", "2021-02-30")),
        "events",
        "not a real calendar date",
        1,
    ),
    Case("date_format.csv", _csv(EV_HEADER, EV_ROW2.replace("2021-06-01", "01/06/2021")), "events", "YYYY-MM-DD", 0),
    Case("future_date.csv", _csv(EV_HEADER, EV_ROW2.replace("2021-06-01", "2099-01-01")), "events", "in the future", 0),
    Case(
        "lat_out_of_range.csv",
        _csv(PL_HEADER, PL_ROW.replace("44.36,28.49", "95,28.49")),
        "places",
        "above the allowed maximum of 90",
        0,
    ),
    Case(
        "lon_out_of_range.csv",
        _csv(PL_HEADER, PL_ROW.replace("44.36,28.49", "44.36,200")),
        "places",
        "above the allowed maximum of 180",
        0,
    ),
    Case(
        "swapped_coords.csv",
        _csv(PL_HEADER, PL_ROW.replace("44.36,28.49", "128.49,44.36")),
        "places",
        "are lat and lon swapped",
        0,
    ),
    Case("coords_as_text.csv", _csv(PL_HEADER, PL_ROW.replace("44.36,28.49", "44°21'N,28°29'E")), "places", "is not a number", 0),
    Case(
        "decimal_commas.csv",
        _csv(PL_HEADER.replace(",", ";"), PL_ROW.replace(",", ";").replace("44.36;28.49", "44,36;28,49")),
        "places",
        "decimal comma",
        1,
    ),
    Case("missing_required.csv", _csv(EV_HEADER, EV_ROW.replace("Drill near Sofia", "")), "events", "required but empty", 0),
    Case(
        "bad_event_type.csv", _csv(EV_HEADER, EV_ROW.replace("exercise", "party")), "events", "not one of the allowed values", 0
    ),
    Case(
        "unknown_actor.csv",
        _csv(EV_HEADER, EV_ROW.replace(",bgr,", ",martians,")),
        "events",
        "'martians' does not match any actor_id",
        0,
    ),
    Case(
        "unknown_place.csv",
        _csv(EV_HEADER, EV_ROW.replace(",sofia,", ",atlantis,")),
        "events",
        "'atlantis' does not match any place_id",
        0,
    ),
    Case("duplicate_ids.csv", _csv(EV_HEADER, EV_ROW, EV_ROW), "events", "already used on line 2", 1),
    Case(
        "id_clashes_with_curated.csv",
        _csv(PL_HEADER, PL_ROW.replace("my-site", "sofia")),
        "places",
        "already used by the dashboard's own data",
        0,
    ),
    Case(
        "javascript_url.csv",
        _csv(EV_HEADER, EV_ROW.replace("https://example.org/a", "javascript:alert(1)")),
        "events",
        "not an http(s) web address",
        0,
    ),
    Case(
        "data_url.csv",
        _csv(PL_HEADER, PL_ROW.replace("https://example.org/p", '"data:text/html,<script>alert(1)</script>"')),
        "places",
        "not an http(s) web address",
        0,
    ),
    Case(
        "translation_without_translator.csv",
        _csv(ST_HEADER, ST_ROW.replace(",verbatim,", ",translation,")),
        "statements",
        "whose translation",
        0,
    ),
    # Hostile cell contents are kept as plain text (rendered safely everywhere)
    Case(
        "html_cells.csv",
        _csv(EV_HEADER, EV_ROW.replace("Drill near Sofia", "<script>alert(1)</script><img src=x onerror=alert(2)>")),
        "events",
        "",
        1,
    ),
    Case("markdown_link.csv", _csv(EV_HEADER, EV_ROW.replace("A drill.", "[click](javascript:alert(1))")), "events", "", 1),
    Case(
        "formula_cells.csv",
        _csv(ST_HEADER, ST_ROW.replace('"We said this."', '"=HYPERLINK(""http://evil"",""x"")"')),
        "statements",
        "",
        1,
    ),
    # ACLED exports
    Case("acled.csv", _csv(ACLED_HEADER, ACLED_ROW, ACLED_ROW2), "events", "ACLED export", 2),
    Case(
        "acled_unknown_actor.csv",
        _csv(
            ACLED_HEADER,
            ACLED_ROW.replace("Military Forces of Russia (2000-)", "Unidentified Armed Group").replace(
                "Ukraine,Odesa", "Narnia,Odesa"
            ),
        ),
        "events",
        "no actor this dashboard knows",
        0,
    ),
    Case(
        "acled_bad_coords.csv",
        _csv(ACLED_HEADER, ACLED_ROW.replace("46.48,30.72", "146.48,30.72")),
        "events",
        "above the allowed maximum of 90",
        0,
    ),
    # Hostile shapes and encodings: each refused or read with a message that says what happened
    Case(
        "mixed_encodings.csv", _mixed_encodings(), "places", "mixes two encodings: read the bytes that are not UTF-8 on line 3", 2
    ),
    Case("utf16le_no_bom.csv", ("\n".join([EV_HEADER, EV_ROW]) + "\n").encode("utf-16-le"), "events", "", 1),
    Case("utf16be_no_bom.csv", ("\n".join([EV_HEADER, EV_ROW]) + "\n").encode("utf-16-be"), "events", "", 1),
    Case(
        "cell_too_long.csv",
        _csv(ST_HEADER, ST_ROW, ST_ROW.replace("my-st", "my-long").replace("We said this.", "x" * 4_000_000)),
        "statements",
        "a cell starting on this line is longer than 131,072 characters",
        1,
    ),
    Case(
        "nul_after_4kb.csv",
        _csv(EV_HEADER, *_event_rows(60), "my-nul,2020-05-01,T\x00,S,exercise,bgr,sofia,R,P,2020-05-02,https://example.org,,"),
        "events",
        "NUL bytes, on line 62",
        0,
    ),
    Case(
        "too_wide.csv",
        _csv(PL_HEADER + "".join(f",c{i}" for i in range(20_000)), PL_ROW + "," * 20_000),
        "places",
        "has 20,014 columns; the limit is 200",
        0,
    ),
    Case("just_over_5mb.csv", b"a" * 5_000_001, "events", "the limit is 5 MB (5,000,000 bytes)", 0),
]
