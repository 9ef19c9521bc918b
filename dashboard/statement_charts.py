"""Plotly figures for the statements page: who said what when, claim and counter-claim side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.charts import (
    CATEGORY_COLOURS,
    SIDE_COLOURS,
    USER_COLOUR,
    USER_LABEL,
    USER_TAG,
    base_layout,
    empty_figure,
    humanise,
    plotly_text,
)
from dashboard.citations import QUOTE_TYPES, quote_label, quoted_text
from dashboard.sides import OTHER, actor_sides, side_of

COLOUR_BY_SIDE = "side"
COLOUR_BY_TOPIC = "topic"
COLOUR_CHOICES = {COLOUR_BY_SIDE: "Side", COLOUR_BY_TOPIC: "Main topic"}
# Above this many points the timeline switches to WebGL so it stays responsive.
WEBGL_FROM = 5000
# Above this many statements the timeline counts them per actor and year instead of drawing each one
# (each point carries its own hover text: thousands of them would be megabytes and seconds per rerun).
MAX_POINTS = 1000
_EXCERPT_CHARS = 220
_SYMBOLS = {"verbatim": "circle", "translation": "diamond", "paraphrase": "square-open"}


def _groups_and_colours(group: pd.Series, colour_by: str) -> tuple[list[str], dict[str, str]]:
    """The groups present, in legend order, and their colours: topics in the category palette, sides in theirs."""
    if colour_by == COLOUR_BY_TOPIC:
        groups = sorted(group.unique())
        return groups, {g: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, g in enumerate(groups)}
    present = set(group)
    return [s for s in SIDE_COLOURS if s in present], SIDE_COLOURS


def timeline_frame(statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str = COLOUR_BY_SIDE) -> pd.DataFrame:
    """One row per statement with what the timeline plots.

    Columns: statement_id, date, actor_name (y axis), side, group (colour: the side, or the first
    listed topic humanised), speaker, quote_type, hover_text (escaped, wrapped excerpt),
    hover_who (escaped speaker and role), hover_record (escaped citations.quote_label), hover_topics (escaped).
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    sides = actor_sides(actors)
    side = [sides.get(a, OTHER) for a in statements["actor"]]
    translators = statements["translated_by"] if "translated_by" in statements.columns else [""] * len(statements)
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
                plotly_text(quoted_text(t, q, limit=_EXCERPT_CHARS), width=70)
                for t, q in zip(statements["text"], statements["quote_type"], strict=True)
            ],
            "hover_who": who,
            "hover_record": [
                plotly_text(quote_label(q, t), width=70) for q, t in zip(statements["quote_type"], translators, strict=True)
            ],
            "hover_topics": [
                plotly_text(", ".join(humanise(t) for t in ts) if isinstance(ts, list | tuple) else "", width=70)
                for ts in statements["topics"]
            ],
        }
    )


def statements_timeline(
    statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str = COLOUR_BY_SIDE, max_points: int = MAX_POINTS
) -> go.Figure:
    """Statements over time, one row per actor (NATO side, then Russia, then others), so claim and counter-claim line up.

    Colour is the actor's side (`colour_by="side"`) or the statement's first topic (`"topic"`); the
    marker shape tells verbatim (circle), translation (diamond) and paraphrase (open square) apart.
    Each point's customdata starts with its statement_id, which the page reads back on a click.
    More than `max_points` statements are counted per actor and year (marker area ~ count) instead; the
    reader's own statements (`is_user_data`) are always drawn one by one, ringed in USER_COLOUR.
    """
    if statements.empty:
        return empty_figure("No statements match the search and filters", "Statements over time", height=240)
    user = statements["is_user_data"].to_numpy(bool) if "is_user_data" in statements.columns else None
    if len(statements) > max_points:
        return _counts_timeline(statements, actors, colour_by, user)
    frame = timeline_frame(statements, actors, colour_by)
    fig = go.Figure()
    groups, colours = _groups_and_colours(frame["group"], colour_by)
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
                        part["hover_record"],
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
    if user is not None and user.any():
        _add_user_ring(fig, frame[user])
    for quote_type, symbol in _SYMBOLS.items():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=QUOTE_TYPES[quote_type],
                hoverinfo="skip",
                marker={"size": 11, "color": "#555555", "symbol": symbol, "line": {"width": 1.5, "color": "#555555"}},
            )
        )
    return _finish_layout(fig, frame, colour_by, f"Who said what, when ({len(frame):,} statements)")


def _finish_layout(fig: go.Figure, frame: pd.DataFrame, colour_by: str, title: str) -> go.Figure:
    # NATO-side actors at the top, Russia-side below, others last; plotly draws categories bottom-up.
    side_rank = {s: i for i, s in enumerate(SIDE_COLOURS)}
    rows = frame.drop_duplicates("actor_name")[["actor_name", "side"]]
    order = sorted(zip(rows["side"], rows["actor_name"], strict=True), key=lambda r: (side_rank.get(r[0], 9), r[1].casefold()))
    categories = [name for _, name in reversed(order)]
    fig.update_yaxes(
        title="Speaking for (actor)", categoryorder="array", categoryarray=categories, showgrid=True, gridcolor="#eeeeee"
    )
    fig.update_xaxes(title="Date said (year)", showgrid=True, gridcolor="#eeeeee", type="date")
    # The legend below the chart, as base_layout puts it, and without a title (the caption under the chart says what
    # colour and shape mean): at the right it left a phone's chart a few pixels wide.
    fig = base_layout(fig, title, height=max(320, 30 * len(categories) + 220))
    fig.update_layout(clickmode="event+select", dragmode="zoom")
    return fig


def _add_user_ring(fig: go.Figure, mine: pd.DataFrame) -> None:
    """The reader's own statements (rows of timeline_frame): a USER_COLOUR ring round each point, clickable like the rest."""
    fig.add_trace(
        go.Scatter(
            x=mine["date"],
            y=mine["actor_name"],
            mode="markers",
            name=f"{USER_LABEL} (ringed)",
            marker={"size": 20, "symbol": "circle-open", "color": USER_COLOUR, "line": {"width": 2.5, "color": USER_COLOUR}},
            customdata=list(zip(mine["statement_id"], mine["hover_who"], mine["hover_text"], strict=True)),
            hovertemplate=f"<b>%{{customdata[1]}}</b> ({USER_TAG})<br>%{{x|%d %b %Y}}<br>%{{customdata[2]}}<br><i>Click to open</i><extra></extra>",
        )
    )


def timeline_counts(statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str = COLOUR_BY_SIDE) -> pd.DataFrame:
    """Statements counted per actor, year and colour group (vectorised, for many statements).

    Columns: actor_name, side, group (the side, or the first listed topic humanised), year, date (1 July
    of the year, where the point is drawn), n (statements).
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    actor = statements["actor"].astype(str)
    side = side_of(actor, actors)
    if colour_by == COLOUR_BY_TOPIC:
        first = statements["topics"].map(lambda ts: ts[0] if isinstance(ts, list | tuple) and len(ts) else "")
        group = first.map({t: humanise(t) if t else "No topic" for t in first.unique()})
    else:
        group = side
    keys = pd.DataFrame(
        {
            "actor": actor.to_numpy(),
            "side": side.to_numpy(),
            "group": group.to_numpy(),
            "year": pd.DatetimeIndex(statements["date"]).year.to_numpy(),
        }
    )
    counts = keys.groupby(["actor", "side", "group", "year"], sort=True).size().reset_index(name="n")
    counts["actor_name"] = counts["actor"].map(names).fillna(counts["actor"])
    counts["date"] = pd.to_datetime(counts["year"].astype(str) + "-07-01")
    return counts[["actor_name", "side", "group", "year", "date", "n"]]


def _counts_timeline(statements: pd.DataFrame, actors: pd.DataFrame, colour_by: str, user) -> go.Figure:
    counts = timeline_counts(statements, actors, colour_by)
    groups, colours = _groups_and_colours(counts["group"], colour_by)
    biggest = max(int(counts["n"].max()), 1)
    scatter = go.Scattergl if len(counts) >= WEBGL_FROM else go.Scatter
    fig = go.Figure()
    for group in groups:
        part = counts[counts["group"] == group]
        colour = colours.get(group, "#7F7F7F")
        n = part["n"].to_numpy()
        fig.add_trace(
            scatter(
                x=part["date"],
                y=part["actor_name"],
                mode="markers",
                name=plotly_text(group),
                marker={"size": 5 + 25 * np.sqrt(n / biggest), "color": colour, "opacity": 0.7, "line": {"width": 0}},
                customdata=n,
                hovertemplate=f"<b>%{{y}}</b><br>%{{x|%Y}}: %{{customdata:,}} statements<extra>{plotly_text(group)}</extra>",
            )
        )
    if user is not None and user.any():
        mine = timeline_frame(statements[user], actors, colour_by)
        _add_user_ring(fig, mine)
        counts = pd.concat([counts, mine[["actor_name", "side"]]], ignore_index=True)
    title = (
        f"Statements per actor and year ({len(statements):,} statements; marker area shows the count — "
        "search or filter to fewer than " + f"{MAX_POINTS + 1:,} to see and open each one)"
    )
    fig = _finish_layout(fig, counts, colour_by, title)
    fig.update_layout(legend={"title": {"text": f"<b>{COLOUR_CHOICES.get(colour_by, 'Side')}</b> (colour)"}})
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
