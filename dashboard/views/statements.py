"""Statements: search what leaders and officials said, compare sides over time, open, cite and export statements."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard import describe, schema, search, statement_charts
from dashboard.charts import SIDE_COLOURS, USER_COLOUR_NAME, USER_MARKDOWN_COLOUR, USER_TAG, humanise
from dashboard.citations import (
    CONTEXT_LABELS,
    PARAPHRASE,
    format_citation,
    format_date,
    markdown_map_link,
    markdown_source_link,
    quote_label,
    quoted_markdown,
)
from dashboard.filters import filter_statements
from dashboard.text import escape_markdown
from dashboard.ui import cache, userdata, widgets
from dashboard.ui.sidebar import current_filters
from dashboard.ui.text_version import show_text_version

# Widget and state keys owned by this page.
KEY_QUERY = "stm_query"
KEY_SPEAKERS = "stm_speakers"
KEY_TOPICS = "stm_topics"
KEY_SORT = "stm_sort"
KEY_PAGE = "stm_page"
KEY_OPEN = "stm_open"
KEY_TIMELINE = "stm_timeline"
KEY_TAB = "stm_tab"
KEY_SIGNATURE = "stm_signature"
SORT_LABELS = {search.SORT_NEWEST: "Newest first", search.SORT_OLDEST: "Oldest first"}
# Markdown colour names closest to charts.SIDE_COLOURS, for the side marker on each card.
SIDE_MARKS = {"NATO": ":blue[●]", "Russia": ":orange[●]", "Other": ":gray[●]"}
# Shown on every card of the reader's own uploaded statements (fixed Markdown, never data).
USER_DATA_TAG = f":{USER_MARKDOWN_COLOUR}-badge[:material/upload_file: {USER_TAG}]"


def _initialise_from_url(speakers: list[str], statements: pd.DataFrame) -> list[str] | None:
    """On the first run (or on coming back to the page), set the widgets from the link and return notices; else None."""
    if KEY_QUERY in st.session_state:
        return None
    statement_ids = set(statements["statement_id"])
    parsed = search.parse_search_params(widgets.query_params_as_lists(), speakers, schema.TOPICS, statement_ids)
    s = parsed.state
    st.session_state[KEY_QUERY] = s.query
    st.session_state[KEY_SPEAKERS] = list(s.speakers)
    st.session_state[KEY_TOPICS] = list(s.topics)
    st.session_state[KEY_SORT] = s.sort
    st.session_state[KEY_PAGE] = s.page
    st.session_state[KEY_OPEN] = s.open_id
    st.session_state.pop(KEY_SIGNATURE, None)
    return parsed.notices


def _write_url(wanted: dict[str, list[str]]) -> None:
    widgets.write_query_params(search.PAGE_PARAMS, wanted)


def _open(statement_id: str | None) -> None:
    st.session_state[KEY_OPEN] = statement_id


def _on_timeline_select() -> None:
    picked = statement_charts.selected_statement_id(st.session_state.get(KEY_TIMELINE))
    if picked:
        st.session_state[KEY_OPEN] = picked


def _step_page(delta: int, count: int) -> None:
    st.session_state[KEY_PAGE] = min(max(1, int(st.session_state.get(KEY_PAGE, 1)) + delta), count)


def _blockquote(markdown: str) -> str:
    return "\n".join("> " + line for line in markdown.split("\n"))


_MAP_TARGETS = (("Event", "event", "events", "event_id"), ("Place", "place", "places", "place_id"))


def _map_links(row: Mapping, lookups: dict[str, dict]) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """Links to the map for the card's event and place: Markdown, or (label, query) for a page link when the reader uploaded it.

    A Markdown link opens a new tab, which is a new session without the reader's uploads; a page link stays in this one.
    """
    markdown: list[str] = []
    in_session: list[tuple[str, dict[str, str]]] = []
    for what, param, kind, column in _MAP_TARGETS:
        value = row[column]
        if not value:
            continue
        name = lookups[kind].get(value, value)
        held = userdata.user_rows(kind)
        if held is not None and bool((held[column] == value).any()):
            in_session.append((f"{what}: {escape_markdown(str(name))}", {param: value}))
        else:
            markdown.append(f"{what}: " + markdown_map_link(name, **{column: value}))
    return markdown, in_session


def _caption(text: str) -> str:
    """Plain `text` (escaped, on one line) in st.caption's small grey, as Markdown to set inside a larger Markdown."""
    # Every bracket in the text is escaped, so nothing in it can close the directives or open another one.
    return ":small[:gray[" + escape_markdown(" ".join(text.split())) + "]]"


def show_statement(row: Mapping, terms: tuple[str, ...], lookups: dict[str, dict], *, with_open_button: bool) -> None:
    """One quote card: who, for whom, when, where, how recorded, the words, links to source, event and place, topics.

    The text is one Markdown element, so a card is three messages with its border and button: each element is a message
    that the server serialises and sends, and the cards are most of the page. Guarded by
    test_a_card_is_one_markdown_and_its_button_with_words_quoted_or_paraphrased in tests/test_page_statements.py.
    """
    actor = row["actor"]
    side = lookups["sides"].get(actor, "Other")
    who = "**" + search.highlight_markdown(row["speaker"], terms, bold=False) + "**"
    if row["speaker_role"]:
        who += ", " + search.highlight_markdown(row["speaker_role"], terms)
    if bool(row.get("is_user_data", False)):
        who += f" {USER_DATA_TAG}"
    speaking = f"{SIDE_MARKS.get(side, '')} speaking for {escape_markdown(lookups['actors'].get(actor, actor))} ({escape_markdown(side)} side)"
    setting = [format_date(row["date"]), CONTEXT_LABELS.get(row["context"], humanise(row["context"]))]
    if row["venue"]:
        setting.append(row["venue"])
    words = quoted_markdown(search.highlight_markdown(row["text"], terms), row["quote_type"])
    recorded = escape_markdown(quote_label(row["quote_type"], row["translated_by"]))
    links = [recorded] if row["quote_type"] != PARAPHRASE else []
    links += [markdown_source_link(row["source_title"], row["source_publisher"], row["source_url"])]
    markdown_links, page_links = _map_links(row, lookups)
    paragraphs = [
        f"{who}  \n{speaking}",
        _caption(" · ".join(setting)),
        # Words as said are set as a block quote; a paraphrase, which says it is one, stays in the running text.
        words if row["quote_type"] == PARAPHRASE else _blockquote(words),
        " · ".join(links + markdown_links),
    ]
    topics = _caption("Topics: " + ", ".join(humanise(t) for t in row["topics"]))
    if page_links:  # links to the reader's own event or place are elements of their own, after the other links
        st.markdown("\n\n".join(paragraphs))
        for label, params in page_links:
            st.page_link("views/map.py", label=label, icon=":material/map:", query_params=params)
        st.markdown(topics)
    else:
        st.markdown("\n\n".join([*paragraphs, topics]))
    if with_open_button:
        st.button(
            "Open and cite",
            key=f"stm_open_{row['statement_id']}",
            on_click=_open,
            args=(row["statement_id"],),
            icon=":material/format_quote:",
        )


def show_comparison(ordered: pd.DataFrame, actors: pd.DataFrame, user_statements: pd.DataFrame | None) -> None:
    """The "Compare sides" tab: the statements that match on a timeline by actor, colour chosen in the link, and its key."""
    colour_by = widgets.url_radio("Colour points by", statement_charts.COLOUR_CHOICES, param="colour", key="stm_colour")
    widgets.plotly_chart(
        statement_charts.statements_timeline(ordered, actors, colour_by=colour_by),
        key=KEY_TIMELINE,
        on_select=_on_timeline_select,
        selection_mode="points",
        width="stretch",
    )
    st.caption(
        "Each point is one statement: ● verbatim, ◆ translation, □ paraphrase. Colours: "
        + ", ".join(f"{SIDE_MARKS[side]} {side}" for side in SIDE_COLOURS)
        + " side (or one colour per topic). Click a point to open the statement above the tabs."
        + (
            f" Your own uploaded statements are ringed in {USER_COLOUR_NAME}."
            if user_statements is not None and len(user_statements)
            else ""
        )
    )
    show_text_version(lambda: describe.statements_timeline_text(ordered, actors), "stm_timeline_text")


ds = cache.get_dataset()
# The reader's own uploads (this session only) join the curated statements; without any, the cached frames are used as they are.
user_statements = userdata.user_rows("statements")
statements, index = cache.get_statements_with_uploads(user_statements)
filters = current_filters()
lookups = cache.get_statement_lookups(userdata.user_rows("events"), userdata.user_rows("places"), user_statements)
all_speakers = lookups["speakers"]
notices = _initialise_from_url(all_speakers, statements)
initialising = notices is not None

st.title("Statements")
st.markdown(
    "What leaders, officials and governments said about the INF Treaty, its end and the missile balance. "
    "Words in quotation marks are verbatim or a named translation; paraphrases are marked as such and never quoted."
)
st.caption(widgets.describe_filters(filters, ds.actors) + " Region, actor and dates are set in the sidebar.")
for notice in notices or []:
    st.warning(escape_markdown(notice), icon=":material/warning:")

query = st.text_input(
    "Search the statements",
    key=KEY_QUERY,
    max_chars=search.MAX_QUERY_CHARS,
    placeholder='e.g.  9M729   or   "arms control" Kaliningrad',
    help="Finds words by their start, ignoring case and accents. Several words must all appear; put a phrase in "
    '"quotation marks" to find those words in that order. Searches the words, speaker, role, venue and source.',
    icon=":material/search:",
)
col_speaker, col_topic, col_sort = st.columns([3, 3, 2])
speakers = col_speaker.multiselect("Speaker", all_speakers, key=KEY_SPEAKERS, placeholder="All speakers")
topics = col_topic.multiselect("Topic", list(schema.TOPICS), key=KEY_TOPICS, format_func=humanise, placeholder="All topics")
sort = col_sort.radio("Order", list(search.SORTS), key=KEY_SORT, format_func=SORT_LABELS.get, horizontal=True)

parsed = search.parse_query(query)
shared = filter_statements(statements, filters)
narrowed = search.filter_by_speaker_and_topic(shared, speakers, topics, index=index)
ordered = search.sort_statements(search.search_statements(narrowed, parsed, index=index), sort)

if parsed.ignored_everything:
    st.info(
        "There is nothing to search for in that text (punctuation is ignored), so every statement is shown.",
        icon=":material/info:",
    )
elif parsed.truncated:
    st.info(f"Only the first {search.MAX_TERMS} words and phrases of the search were used.", icon=":material/info:")

# A new search or filter starts again at page 1.
signature = (parsed.terms, tuple(speakers), tuple(topics), sort, filters)
if st.session_state.get(KEY_SIGNATURE) not in (None, signature):
    st.session_state[KEY_PAGE] = 1
st.session_state[KEY_SIGNATURE] = signature
requested = st.session_state.get(KEY_PAGE, 1)
page = search.paginate(ordered, requested if isinstance(requested, int) else 1)
if page.clamped:
    if initialising and requested != 1:
        st.warning(
            f"The link asked for page {requested:,}, but there are only {page.count:,}; showing page {page.number:,}.",
            icon=":material/warning:",
        )
    st.session_state[KEY_PAGE] = page.number

head, download = st.columns([3, 1], vertical_alignment="center")
head.markdown(
    f"**{len(ordered):,} statement{'s' if len(ordered) != 1 else ''}** match"
    + (f" (of {len(shared):,} in the sidebar's selection)" if len(ordered) != len(shared) else "")
    + "."
)
widgets.csv_download(
    "Download CSV",
    lambda: ordered,
    "statements",
    key="stm_download",
    container=download,
    icon=":material/download:",
    help="Every statement that matches, in this order, as CSV (spreadsheet-safe).",
    disabled=ordered.empty,
    width="stretch",
)

opened = search.find_statement(statements, st.session_state.get(KEY_OPEN))
if opened is not None:
    with st.container(border=True):
        top, close = st.columns([5, 1], vertical_alignment="center")
        top.subheader("Opened statement", anchor=False)
        close.button("Close", key="stm_close", on_click=_open, args=(None,), icon=":material/close:", width="stretch")
        show_statement(opened, parsed.terms, lookups, with_open_button=False)
        st.markdown("**Cite this statement** (copy with the button at the top right of the box):")
        citation = format_citation(opened, lookups["actors"].get(opened["actor"], ""), accessed=pd.Timestamp.today().date())
        st.code(citation, language=None, wrap_lines=True)
        st.caption("Share: the address bar now links straight to this statement.")

# The comparison is built and sent only while its tab is open (choosing a tab that keeps its state reruns the page),
# so a shared link to this page draws no chart and its browser loads no charting code at all. The quotes are always
# drawn: their page number is a widget, whose state would be dropped with it.
tab_quotes, tab_compare = st.tabs(["Quotes", "Compare sides"], key=KEY_TAB, on_change="rerun")
with tab_quotes:
    if ordered.empty:
        st.info(
            "No statement matches. Try fewer words, check the spelling, or widen the filters in the sidebar.",
            icon=":material/search_off:",
        )
    else:
        st.caption(f"Showing {page.first:,}–{page.last:,} of {len(ordered):,}, {SORT_LABELS[sort].lower()}.")
        for row in page.rows.to_dict("records"):  # a dict per row: iterrows made a Series of each, a tenth of the list's time
            with st.container(border=True):
                show_statement(row, parsed.terms, lookups, with_open_button=True)
        prev_col, page_col, next_col = st.columns([1, 1, 1], vertical_alignment="bottom")
        prev_col.button(
            "Previous page",
            key="stm_prev",
            on_click=_step_page,
            args=(-1, page.count),
            disabled=page.number <= 1,
            icon=":material/chevron_left:",
            width="stretch",
        )
        page_col.number_input(f"Page (of {page.count:,})", min_value=1, max_value=page.count, step=1, key=KEY_PAGE)
        next_col.button(
            "Next page",
            key="stm_next",
            on_click=_step_page,
            args=(1, page.count),
            disabled=page.number >= page.count,
            icon=":material/chevron_right:",
            icon_position="right",
            width="stretch",
        )
with tab_compare:
    if tab_compare.open:
        show_comparison(ordered, ds.actors, user_statements)

_write_url(
    search.search_state_to_params(
        search.SearchState(
            query=query,
            speakers=tuple(speakers),
            topics=tuple(topics),
            sort=sort,
            page=page.number,
            open_id=st.session_state.get(KEY_OPEN) if opened is not None else None,
        )
    )
)
