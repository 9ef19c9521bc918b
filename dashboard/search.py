"""Full-text search of statements: normalised text, query parsing, filtering, sorting, paging and safe highlighting.

Usable from a notebook, without Streamlit:

    from dashboard.search import search_statements, highlight_terms
    hits = search_statements(statements, 'kaliningrad "arms control"')

Matching rules (the same for the app and for analysts):

- case- and accent-insensitive: text and query are casefolded, decomposed (NFKD) and stripped of
  combining marks, so `Zelenskyy`, `ZELENSKYY` and `Zelénskyy` are the same word;
- punctuation separates words and is otherwise ignored; symbols (`$`, `<`, `+`, emoji) are words
  of their own, so `<script>` finds `<script>` and `9M-729` finds `9M729`'s neighbours `9M 729`;
- each word matches the *start* of a word (`missile` finds `missiles`, not `antimissile`);
- a "quoted phrase" matches those words in that order; an unclosed quote runs to the end;
- several words or phrases must all match (AND), in any field that is searched (`SEARCH_FIELDS`).
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.links import LinkReader, echo, pick_one
from dashboard.text import escape_markdown

# Columns of a statements frame that the search looks in.
SEARCH_FIELDS = ("text", "speaker", "speaker_role", "venue", "translated_by", "source_title", "source_publisher")
# Longer queries are cut here; more terms than MAX_TERMS are dropped (the page says so).
MAX_QUERY_CHARS = 2000
MAX_TERMS = 16
PER_PAGE = 20
MAX_PAGE = 9_999_999  # a page number in a link beyond this is read as this (the page then says how many there are)
# Characters that open or close a phrase.
QUOTE_CHARS = frozenset('"“”„‟«»＂')
# Between the fields of one statement in the index, so that a phrase never spans two fields.
# (str.isspace() is true for it, so no query can ever contain it after normalisation.)
_FIELD_SEP = "\x1f"
# Markdown that wraps each highlighted run; data text is escaped, so it can never produce these.
HIGHLIGHT_OPEN = ":orange-background[**"
HIGHLIGHT_CLOSE = "**]"

SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORTS = (SORT_NEWEST, SORT_OLDEST)

# Query-string keys owned by the statements page (the sidebar owns region, actor, from, to).
PARAM_QUERY = "q"
PARAM_SPEAKER = "speaker"
PARAM_TOPIC = "topic"
PARAM_SORT = "sort"
PARAM_PAGE = "page"
PARAM_OPEN = "open"
PAGE_PARAMS = (PARAM_QUERY, PARAM_SPEAKER, PARAM_TOPIC, PARAM_SORT, PARAM_PAGE, PARAM_OPEN)


# --------------------------------------------------------------------------------------------
# Normalisation
#
# One pipeline, run by pyarrow's vectorised kernels (RE2 regular expressions with Unicode classes),
# normalises the stored text, the query and (character by character) the text being highlighted,
# so the three always agree.

# Letters that Unicode does not decompose but readers treat as plain letters, and ß/ς that
# lower-casing keeps.
_EXTRA_FOLD = (
    ("ß", "ss"),
    ("ς", "σ"),
    ("ø", "o"),
    ("đ", "d"),
    ("ł", "l"),
    ("ı", "i"),
    ("ħ", "h"),
    ("ŧ", "t"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("ð", "d"),
    ("þ", "th"),
)
_WORD_CLASS = r"\pL\pN\pM"
_SPACE = pa.scalar(" ", pa.large_string())
_EMPTY = pa.scalar("", pa.large_string())
_SYMBOL_CLASS = r"\pS"


_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def _literal_pattern(text: str) -> str:
    """An RE2 pattern that matches `text` literally."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def _as_arrow(values: Iterable[object]) -> pa.Array:
    """Text values as an Arrow large_string array; missing values become "". Arrow-backed columns are not copied."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        arr = pa.array(values.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return pc.fill_null(arr.cast(pa.large_string()), _EMPTY)
    cleaned = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            cleaned.append("")
        else:
            text = str(v)
            # Lone surrogates cannot be stored as UTF-8: replace them rather than fail.
            cleaned.append(text if text.isascii() else text.encode("utf-8", "replace").decode("utf-8"))
    return pa.array(cleaned, type=pa.large_string())


def _str_array(arr: pa.Array) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as the pandas `str` dtype, without a round trip through Python objects."""
    return pd.Series(arr.to_pandas(types_mapper={arr.type: pd.StringDtype("pyarrow", na_value=np.nan)}.get)).array


def _fold_array(arr: pa.Array) -> pa.Array:
    """Lower-case, decompose (NFKD), drop non-spacing marks, fold the few undecomposable letters."""
    arr = pc.utf8_normalize(pc.utf8_lower(arr), "NFKD")
    arr = pc.replace_substring_regex(arr, r"\p{Mn}+", "")
    for old, new in _EXTRA_FOLD:
        arr = pc.replace_substring(arr, old, new)
    return pc.utf8_lower(arr)


def _tokenise_array(arr: pa.Array) -> pa.Array:
    """Symbols become words of their own; every other non-word character separates words; single spaces."""
    arr = pc.replace_substring_regex(arr, f"([{_SYMBOL_CLASS}])", r" \1 ")
    arr = pc.replace_substring_regex(arr, f"[^{_WORD_CLASS}{_SYMBOL_CLASS}]+", " ")
    return pc.utf8_trim(arr, " ")


def normalise_texts(values: Iterable[object]) -> list[str]:
    """normalise_text() of many values at once (vectorised)."""
    return _tokenise_array(_fold_array(_as_arrow(values))).to_pylist()


def normalise_text(value: object) -> str:
    """The searchable form of a text: folded words and symbols separated by single spaces.

    `normalise_text("Zelénskyy's <b>NATO</b>!")` → `"zelenskyy s < b > nato < b >"`.
    """
    return normalise_texts([value])[0]


def build_search_index(statements: pd.DataFrame) -> pd.DataFrame:
    """Precompute the searchable text of each statement (the slow part: cache it and reuse it for every query).

    Returns a frame with the same index as `statements` and columns `statement_id` (to check that
    the index still belongs to the frame), `topic_key` (`;topic;topic;`) and `doc`: every field in SEARCH_FIELDS normalised, each
    field prefixed by a space (so ` term` matches the start of a word) and separated by a unit
    separator (so a phrase never spans two fields).
    """
    parts = []
    for f in SEARCH_FIELDS:
        if f in statements.columns:
            parts.append(pc.binary_join_element_wise(_SPACE, _tokenise_array(_fold_array(_as_arrow(statements[f]))), _EMPTY))
    if parts:
        joined = pc.binary_join_element_wise(*parts, pa.scalar(_FIELD_SEP, pa.large_string())) if len(parts) > 1 else parts[0]
    else:
        joined = pa.array([""] * len(statements), type=pa.large_string())
    ids = (
        _as_arrow(statements["statement_id"])
        if "statement_id" in statements.columns
        else pa.array([""] * len(statements), pa.large_string())
    )
    topic_keys = (
        _topic_keys(statements) if "topics" in statements.columns else pd.Series(";", index=statements.index, dtype="str")
    )
    index = pd.DataFrame(
        {"statement_id": _str_array(ids), "doc": _str_array(joined), "topic_key": topic_keys.array},
        index=statements.index,
    )
    return index


def index_matches(index: pd.DataFrame, statements: pd.DataFrame) -> bool:
    """True when `index` was built from exactly these statements (same ids in the same order)."""
    return len(index) == len(statements) and np.array_equal(
        index["statement_id"].to_numpy(dtype=object), statements["statement_id"].to_numpy(dtype=object)
    )


def join_statements(statements: pd.DataFrame, index: pd.DataFrame, extra: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`statements` (oldest first, with their search `index`) and the reader's `extra` statements as one frame and index.

    Only `extra` is indexed (a few rows beside a large curated set); its rows get `is_user_data` True and index
    labels after the curated ones. Returns (statements oldest first, their index, aligned).
    """
    start = int(statements.index.max()) + 1 if len(statements) else 0
    mine = extra.reindex(columns=list(statements.columns)).assign(is_user_data=True)
    mine.index = pd.RangeIndex(start, start + len(mine))
    combined = sort_statements(pd.concat([statements, mine]), SORT_OLDEST)
    return combined, pd.concat([index, build_search_index(mine)]).loc[combined.index]


# The indexes of the last few frames searched without one (remembered_index): (content token, what keeps the token's
# buffers alive, index). A few, since each is about as large as the text it indexes.
_REMEMBERED = 2
_remembered: list[tuple[tuple, list, pd.DataFrame]] = []
_remembered_lock = threading.Lock()


def _column_token(values: pd.Series) -> tuple[object, object]:
    """(token, what to keep) that changes whenever the column's content can have changed, in O(1) for Arrow strings.

    Arrow data is never changed in place: any edit of an Arrow-backed column gives it new buffers. Their addresses are
    the token, and the arrays are kept with it, so that no other data can take those addresses while it is remembered.
    Other columns (numpy arrays of objects can change in place) are hashed value by value.
    """
    dtype = values.dtype
    if (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or isinstance(dtype, pd.ArrowDtype):
        arrow = values.array.__arrow_array__()
        chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
        token = tuple((c.offset, len(c), *((b.address, b.size) if b is not None else None for b in c.buffers())) for c in chunks)
        return token, arrow
    hashed = pd.util.hash_pandas_object(values.map(repr) if pd.api.types.is_object_dtype(dtype) else values, index=False)
    return hashed.to_numpy().tobytes(), None


def remembered_index(statements: pd.DataFrame) -> pd.DataFrame:
    """build_search_index(statements), remembered for the next call with the same content and row labels.

    The key is the frame's length, row labels and the content of every column the index reads (its ids and
    SEARCH_FIELDS, see _column_token), not only its identity: a frame edited in place, or another frame, is indexed
    afresh, and never answered from a stale index.
    """
    columns = [c for c in ("statement_id", *SEARCH_FIELDS) if c in statements.columns]
    tokens = [_column_token(statements[c]) for c in columns]
    key = (len(statements), tuple(columns), tuple(t for t, _ in tokens))
    with _remembered_lock:
        for hit_key, _, index in _remembered:
            if hit_key == key and index.index.equals(statements.index):
                return index
    index = build_search_index(statements)
    with _remembered_lock:
        _remembered.insert(0, (key, [kept for _, kept in tokens], index))
        del _remembered[_REMEMBERED:]
    return index


# --------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class ParsedQuery:
    """What a query asks for: normalised terms (words or phrases) that must all match."""

    terms: tuple[str, ...] = ()
    truncated: bool = False  # the query was longer than MAX_QUERY_CHARS or had more than MAX_TERMS terms
    raw: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.terms

    @property
    def ignored_everything(self) -> bool:
        """The reader typed something, but nothing in it is searchable (only punctuation, say)."""
        return not self.terms and bool(self.raw.strip())


def parse_query(query: object) -> ParsedQuery:
    """Split a query into normalised terms: "quoted phrases" stay whole, other words stand alone.

    Never raises, whatever the text (empty, huge, regex characters, unbalanced quotes, NUL bytes).
    """
    raw = "" if query is None else str(query)
    truncated = len(raw) > MAX_QUERY_CHARS
    text = raw[:MAX_QUERY_CHARS]
    chunks: list[tuple[str, bool]] = []  # (text, is_phrase)
    buf: list[str] = []
    in_phrase = False
    for ch in text:
        if ch in QUOTE_CHARS:
            chunks.append(("".join(buf), in_phrase))
            buf = []
            in_phrase = not in_phrase
        else:
            buf.append(ch)
    chunks.append(("".join(buf), in_phrase))
    pieces = [piece for chunk, is_phrase in chunks for piece in ([chunk] if is_phrase else chunk.split())]
    terms: list[str] = []
    for term in normalise_texts(pieces) if pieces else []:
        if term and term not in terms:
            terms.append(term)
    if len(terms) > MAX_TERMS:
        terms = terms[:MAX_TERMS]
        truncated = True
    return ParsedQuery(tuple(terms), truncated, raw)


def highlight_terms(query: object) -> tuple[str, ...]:
    """The normalised words and phrases of `query` to highlight in results (same as the search uses)."""
    return parse_query(query).terms


def search_statements(statements: pd.DataFrame, query: object, index: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of `statements` that match `query`, in the same columns and order (a filter, not a copy-with-changes).

    An empty query (or one with nothing searchable) returns `statements` unchanged. `index` is an
    optional precomputed `build_search_index(...)` of a frame that contains these rows (same index
    labels); without it the index of `statements` is built on the first query and remembered for the next ones
    (remembered_index), so a notebook can search the same frame again and again at the speed of the app.
    """
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    if parsed.is_empty or statements.empty:
        return statements
    if index is None:
        docs = remembered_index(statements)["doc"]
    elif index.index.equals(statements.index):
        docs = index["doc"]
    else:
        docs = index["doc"].reindex(statements.index)
    texts = pa.array(docs.array)  # zero-copy for the Arrow-backed column build_search_index makes
    positions = np.arange(len(statements))
    # Longest terms first: they are usually the most selective, so later passes scan fewer rows.
    # RE2 with an escaped literal is several times faster here than pyarrow's plain substring kernel.
    terms = sorted(parsed.terms, key=len, reverse=True)
    for i, term in enumerate(terms):
        hit = pc.fill_null(pc.match_substring_regex(texts, _literal_pattern(" " + term)), False)
        keep = pc.indices_nonzero(hit).to_numpy()
        if len(keep) == len(positions):
            continue
        if len(keep) == 0:
            return statements.iloc[:0]
        if i + 1 < len(terms):  # the next pass only needs the surviving strings
            texts = texts.take(pa.array(keep))
        positions = positions[keep]
    return statements if len(positions) == len(statements) else statements.iloc[positions]


# --------------------------------------------------------------------------------------------
# The page's own filters, order and paging


def _topic_keys(statements: pd.DataFrame) -> pd.Series:
    """`;topic_a;topic_b;` for each row, so that a topic filter is one vectorised match."""
    keys = [
        ";" + ";".join(str(t) for t in ts) + ";" if isinstance(ts, list | tuple) else ";" for ts in statements["topics"].tolist()
    ]
    return pd.Series(keys, index=statements.index, dtype="str")


def _aligned(index: pd.DataFrame | None, column: str, statements: pd.DataFrame) -> pd.Series | None:
    if index is None or column not in index.columns:
        return None
    return index[column] if index.index.equals(statements.index) else index[column].reindex(statements.index)


def filter_by_speaker_and_topic(
    statements: pd.DataFrame, speakers: Iterable[str] = (), topics: Iterable[str] = (), index: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Rows said by any of `speakers` and tagged with any of `topics` (empty means all); same columns and order.

    `index` (optional) is a build_search_index(...) frame covering these rows; it makes the topic filter faster.
    """
    speakers = tuple(speakers)
    chosen_topics = tuple(t for t in topics if t)
    if not speakers and not chosen_topics:
        return statements
    mask = np.ones(len(statements), dtype=bool)
    if speakers:
        mask &= statements["speaker"].isin(speakers).to_numpy(dtype=bool)
    if chosen_topics:
        keys = _aligned(index, "topic_key", statements)
        keys = _topic_keys(statements) if keys is None else keys
        pattern = "|".join(_literal_pattern(";" + t + ";") for t in chosen_topics)
        hit = pc.fill_null(pc.match_substring_regex(pa.array(keys.array), pattern), False)
        mask &= hit.to_numpy(zero_copy_only=False)
    return statements[mask]


def sort_statements(statements: pd.DataFrame, sort: str = SORT_NEWEST) -> pd.DataFrame:
    """Statements by date, oldest first (a stable sort) or newest first (exactly the reverse); same columns.

    A frame that is already in date order (as the app keeps it) is only sliced, which is much cheaper.
    """
    dates = statements["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if len(dates) < 2 or bool(np.all(dates[1:] >= dates[:-1])):
        ascending = statements
    else:
        ascending = statements.iloc[np.argsort(dates, kind="stable")]
    return ascending if sort == SORT_OLDEST else ascending.iloc[::-1]


@dataclass(frozen=True)
class Page:
    """One page of results: `rows`, which page it is (1-based), of how many, and the row range shown."""

    rows: pd.DataFrame
    number: int
    count: int
    first: int  # 1-based position of the first row shown (0 when there are none)
    last: int
    clamped: bool  # the page asked for was outside 1..count


def paginate(frame: pd.DataFrame, page: int, per_page: int = PER_PAGE) -> Page:
    """The `page`-th slice of `per_page` rows; a page outside the range is clamped (and flagged)."""
    count = max(1, -(-len(frame) // per_page))
    number = min(max(1, int(page)), count)
    start = (number - 1) * per_page
    rows = frame.iloc[start : start + per_page]
    return Page(rows, number, count, start + 1 if len(rows) else 0, start + len(rows), number != page)


# --------------------------------------------------------------------------------------------
# Highlighting


# Every card on a page of results highlights the same few texts again on each rerun: the same text always gives
# the same result, so the latest are remembered (a few MB at most). Callers never mutate the result.
@lru_cache(maxsize=2048)
def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """normalise_text(text), built character by character, with the source index of every output character."""
    chars = list(text)
    folded = _fold_array(_as_arrow(chars)).to_pylist()
    pieces = [(i, f) for i, piece in enumerate(folded) for f in piece]
    if not pieces:
        return "", []
    out_chars = pa.array([f for _, f in pieces], type=pa.large_string())
    is_word = pc.match_substring_regex(out_chars, f"^[{_WORD_CLASS}]$").to_pylist()
    is_symbol = pc.match_substring_regex(out_chars, f"^[{_SYMBOL_CLASS}]$").to_pylist()
    out: list[str] = []
    origin: list[int] = []
    pending_space = False
    for (i, f), word, symbol in zip(pieces, is_word, is_symbol, strict=True):
        if word or symbol:
            if out and (pending_space or symbol):
                out.append(" ")
                origin.append(i)
            out.append(f)
            origin.append(i)
            pending_space = bool(symbol)
        else:
            pending_space = True
    return "".join(out), origin


def highlight_spans(text: object, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) character ranges of `text` where any of the normalised `terms` matches; merged and sorted."""
    s = "" if text is None else str(text)
    terms = [t for t in terms if t]
    if not s or not terms:
        return []
    norm, origin = _normalised_with_map(s)
    padded = " " + norm
    spans: list[tuple[int, int]] = []
    for term in terms:
        needle = " " + term
        at = padded.find(needle)
        while at != -1:
            first = at  # index in norm of the term's first character (padded is shifted by one)
            last = at + len(term) - 1
            spans.append((origin[first], origin[last] + 1))
            at = padded.find(needle, at + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        # Overlapping matches, or matches with only spaces between them, read as one highlight.
        if merged and (a <= merged[-1][1] or (s[merged[-1][1] : a].isspace() and "\n" not in s[merged[-1][1] : a])):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _mark(segment: str, bold: bool) -> str:
    # A highlight may not span a line break inside Markdown, so each line is wrapped on its own.
    opener, closer = (HIGHLIGHT_OPEN, HIGHLIGHT_CLOSE) if bold else (HIGHLIGHT_OPEN[:-2], HIGHLIGHT_CLOSE[2:])
    return "\n".join(
        f"{opener}{escape_markdown(line)}{closer}" if line.strip() else escape_markdown(line) for line in segment.split("\n")
    )


def highlight_markdown(text: object, terms: Iterable[str], bold: bool = True) -> str:
    """Streamlit Markdown showing `text` literally, with every match of `terms` on an orange background (and bold).

    Pass `bold=False` when the result goes inside `**…**` itself.
    Every piece of the text goes through escape_markdown, so no link, HTML, emphasis, directive or
    LaTeX in the data can take effect; the only live Markdown is the highlight wrapper itself.
    """
    s = "" if text is None else str(text).replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    pos = 0
    for a, b in highlight_spans(s, terms):
        parts.append(escape_markdown(s[pos:a]))
        parts.append(_mark(s[a:b], bold))
        pos = b
    parts.append(escape_markdown(s[pos:]))
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# The page's state in the URL


@dataclass(frozen=True)
class SearchState:
    """What the statements page shows: query, speakers, topics, order, page and opened statement."""

    query: str = ""
    speakers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sort: str = SORT_NEWEST
    page: int = 1
    open_id: str | None = None


@dataclass
class ParsedSearchState:
    """A SearchState read from a link, plus notices saying what in the link was ignored or changed."""

    state: SearchState
    notices: list[str] = field(default_factory=list)


def _open_from_link(link: LinkReader, statement_ids: Collection[str]) -> str | None:
    """The statement the link opens; one that does not exist (any more) gets a notice saying so."""
    wanted = link.last(PARAM_OPEN)
    found = pick_one(wanted, statement_ids) if wanted else None
    if wanted and found is None:
        link.note(f"There is no statement “{echo(wanted)}”; the link to it may be out of date.")
    return found


def parse_search_params(
    params: Mapping[str, Iterable[str]],
    speakers: Collection[str],
    topics: Collection[str],
    statement_ids: Collection[str],
) -> ParsedSearchState:
    """Read the page's state from query parameters (each key → list of values) by the rules of dashboard.links.

    Bad values are dropped with a notice; a page number below 1 or above MAX_PAGE moves to the nearest bound.
    """
    link = LinkReader(params)
    query = link.text(PARAM_QUERY, MAX_QUERY_CHARS, "search text")
    chosen_speakers = link.many(PARAM_SPEAKER, speakers, "speaker")
    chosen_topics = link.many(PARAM_TOPIC, topics, "topic")
    sort = link.one(PARAM_SORT, SORTS, "order", hint=": use “newest” or “oldest”") or SORT_NEWEST
    page = link.whole_number(PARAM_PAGE, (1, MAX_PAGE), "page number", hint="; showing page 1") or 1
    open_id = _open_from_link(link, statement_ids)
    return ParsedSearchState(SearchState(query, chosen_speakers, chosen_topics, sort, page, open_id), link.notices)


def search_state_to_params(state: SearchState) -> dict[str, list[str]]:
    """Query parameters that reproduce `state`; defaults are left out to keep links short."""
    params: dict[str, list[str]] = {}
    if state.query.strip():
        params[PARAM_QUERY] = [state.query]
    if state.speakers:
        params[PARAM_SPEAKER] = list(state.speakers)
    if state.topics:
        params[PARAM_TOPIC] = list(state.topics)
    if state.sort != SORT_NEWEST:
        params[PARAM_SORT] = [state.sort]
    if state.page != 1:
        params[PARAM_PAGE] = [str(state.page)]
    if state.open_id:
        params[PARAM_OPEN] = [state.open_id]
    return params


def find_statement(statements: pd.DataFrame, statement_id: str | None) -> pd.Series | None:
    """The row of the statement with this id (all columns), or None when there is none."""
    if not statement_id:
        return None
    hits = statements[statements["statement_id"] == statement_id]
    return None if hits.empty else hits.iloc[0]
