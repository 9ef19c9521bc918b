"""Plotly figures for the statements page: who said what when, claim and counter-claim side by side."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import CATEGORY_COLOURS, SIDE_COLOURS, base_layout, humanise, plotly_text

COLOUR_BY_SIDE = "side"
COLOUR_BY_TOPIC = "topic"
COLOUR_CHOICES = {COLOUR_BY_SIDE: "Side", COLOUR_BY_TOPIC: "Main topic"}
# Above this many points the timeline switches to WebGL so it stays responsive.
WEBGL_FROM = 5000
_EXCERPT_CHARS = 220
_QUOTE_LABEL = {"verbatim": "Verbatim", "translation": "Translation", "paraphrase": "Paraphrase (not a direct quote)"}
_SYMBOLS = {"verbatim": "circle", "translation": "diamond", "paraphrase": "square-open"}


def excerpt(text: object, limit: int = _EXCERPT_CHARS) -> str:
    """The first `limit` characters of a text, cut at a word and marked with an ellipsis when shortened."""
    s = " ".join(("" if text is None else str(text)).split())
    if len(s) <= limit:
        return s
    cut = s[:limit].rsplit(" ", 1)[0] or s[:limit]
    return cut + "…"


def quoted_excerpt(text: object, quote_type: str, limit: int = _EXCERPT_CHARS) -> str:
    """An excerpt in quotation marks for verbatim words and translations; a paraphrase never gets quotation marks."""
    short = excerpt(text, limit)
    return short if quote_type == "paraphrase" else f"“{short}”"


def timeline_frame(statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str = COLOUR_BY_SIDE) -> pd.DataFrame:
    """One row per statement with what the timeline plots.

    Columns: statement_id, date, actor_name (y axis), side, group (colour: the side, or the first
    listed topic humanised), speaker, quote_type, hover_text (escaped, wrapped excerpt),
    hover_who (escaped speaker and role), hover_topics (escaped).
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    sides = dict(zip(actors["actor_id"], actors["side"], strict=True))
    side = [sides.get(a, "Other") for a in statements["actor"]]
    main_topic = [humanise(ts[0]) if isinstance(ts, list | tuple) and len(ts) else "No topic" for ts in statements["topics"]]
    who = [
        plotly_text(f"{sp}, {role}" if role else sp, width=70)
        for sp, role in zip(statements["speaker"], statements["speaker_role"], strict=True)
    ]
    return pd.DataFrame(
        {
            "statement_id": statements["statement_id"].to_numpy(),
            "date": statements["date"].to_numpy(),
            "actor_name": [names.get(a, a) for a in statements["actor"]],
            "side": side,
            "group": side if colour_by != COLOUR_BY_TOPIC else main_topic,
            "speaker": statements["speaker"].to_numpy(),
            "quote_type": statements["quote_type"].to_numpy(),
            "hover_text": [
                plotly_text(quoted_excerpt(t, q), width=70)
                for t, q in zip(statements["text"], statements["quote_type"], strict=True)
            ],
            "hover_who": who,
            "hover_topics": [
                plotly_text(", ".join(humanise(t) for t in ts) if isinstance(ts, list | tuple) else "", width=70)
                for ts in statements["topics"]
            ],
        }
    )


def statements_timeline(statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str = COLOUR_BY_SIDE) -> go.Figure:
    """Statements over time, one row per actor (NATO side, then Russia, then others), so claim and counter-claim line up.

    Colour is the actor's side (`colour_by="side"`) or the statement's first topic (`"topic"`); the
    marker shape tells verbatim (circle), translation (diamond) and paraphrase (open square) apart.
    Each point's customdata starts with its statement_id, which the page reads back on a click.
    """
    fig = go.Figure()
    if statements.empty:
        fig.add_annotation(
            text="No statements match the search and filters",
            showarrow=False,
            font={"size": 16},
            x=0.5,
            y=0.5,
            xref="paper",
            yref="paper",
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return base_layout(fig, "Statements over time", height=240)
    frame = timeline_frame(statements, actors, colour_by)
    if colour_by == COLOUR_BY_TOPIC:
        groups = sorted(frame["group"].unique())
        colours = {g: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, g in enumerate(groups)}
    else:
        groups = [s for s in SIDE_COLOURS if s in set(frame["group"])]
        colours = SIDE_COLOURS
    scatter = go.Scattergl if len(frame) >= WEBGL_FROM else go.Scatter
    for group in groups:
        part = frame[frame["group"] == group]
        colour = colours.get(group, "#7F7F7F")
        fig.add_trace(
            scatter(
                x=part["date"],
                y=part["actor_name"],
                mode="markers",
                name=str(group),
                legendgroup=str(group),
                showlegend=False,
                marker={
                    "size": 12,
                    "color": colour,
                    "symbol": [_SYMBOLS.get(q, "circle") for q in part["quote_type"]],
                    "line": {"width": 1.5, "color": colour},
                    "opacity": 0.85,
                },
                customdata=list(
                    zip(
                        part["statement_id"],
                        part["hover_who"],
                        part["hover_text"],
                        part["quote_type"].map(_QUOTE_LABEL).fillna(""),
                        part["hover_topics"],
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{x|%d %b %Y} · %{customdata[3]}<br>%{customdata[2]}"
                    "<br><i>Topics: %{customdata[4]}</i><br><i>Click to open</i><extra></extra>"
                ),
            )
        )
        # Legend entries are drawn by empty traces, so that colour and shape each get a clear key.
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=str(group),
                legendgroup=str(group),
                hoverinfo="skip",
                marker={"size": 11, "color": colour, "symbol": "circle"},
            )
        )
    for quote_type, symbol in _SYMBOLS.items():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=_QUOTE_LABEL[quote_type].split(" (")[0],
                hoverinfo="skip",
                marker={"size": 11, "color": "#555555", "symbol": symbol, "line": {"width": 1.5, "color": "#555555"}},
            )
        )
    # NATO-side actors at the top, Russia-side below, others last; plotly draws categories bottom-up.
    side_rank = {s: i for i, s in enumerate(SIDE_COLOURS)}
    rows = frame.drop_duplicates("actor_name")[["actor_name", "side"]]
    order = sorted(zip(rows["side"], rows["actor_name"], strict=True), key=lambda r: (side_rank.get(r[0], 9), r[1].casefold()))
    categories = [name for _, name in reversed(order)]
    fig.update_yaxes(
        title="Speaking for (actor)", categoryorder="array", categoryarray=categories, showgrid=True, gridcolor="#eeeeee"
    )
    fig.update_xaxes(title="Date said (year)", showgrid=True, gridcolor="#eeeeee", type="date")
    fig = base_layout(fig, f"Who said what, when ({len(frame):,} statements)", height=max(320, 30 * len(categories) + 180))
    fig.update_layout(
        clickmode="event+select",
        dragmode="zoom",
        legend={
            "title": {"text": f"<b>{COLOUR_CHOICES.get(colour_by, 'Side')}</b> (colour)<br>and record (shape)"},
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
        },
    )
    return fig


def selected_statement_id(selection: object) -> str | None:
    """The statement_id of the first clicked point in a plotly selection event (dict or Streamlit state), if any."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        try:
            points = selection.selection.points  # type: ignore[union-attr]
        except AttributeError:
            return None
    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, list | tuple) and data and isinstance(data[0], str):
            return data[0]
    return None
