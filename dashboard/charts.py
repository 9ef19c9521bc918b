"""Plotly figure builders for the pages: pure functions from frames to figures."""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from dashboard.sides import OTHER, actor_sides, side_of

# Okabe–Ito colours: distinguishable with the common forms of colour blindness.
SIDE_COLOURS = {"NATO": "#0072B2", "Russia": "#D55E00", "Other": "#7F7F7F"}
# Each side also has its own marker symbol, bar pattern and line style, so that no chart tells the sides apart by
# colour alone (the map's places, whose symbols give their kind, show the side by fill and outline instead).
SIDE_SYMBOLS = {"NATO": "circle", "Russia": "square", "Other": "triangle-up"}
SIDE_PATTERNS = {"NATO": "", "Russia": "/", "Other": "."}
SIDE_DASHES = {"NATO": "solid", "Russia": "dot", "Other": "dash"}
# Bar patterns for categories beyond colour: with the colours above, every event type's bars look different in grey.
CATEGORY_PATTERNS = ("", "/", "\\", "x", ".", "-", "|", "+")
CATEGORY_COLOURS = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"

# The reader's own uploads look the same on every page: one colour (magenta: apart from the side colours above and
# the map's region green), its name wherever a caption or legend names it, and one tag in every text about such a row.
USER_COLOUR = "#C51B8A"
USER_COLOUR_NAME = "magenta"
USER_TAG = "your data"
USER_LABEL = "Your data"  # the tag at the start of a legend entry
# Markdown colours only with Streamlit's named colours. Red and violet are about as far from magenta; red means an
# error and sits near Russia's orange mark, so Markdown shows the reader's data in violet.
USER_MARKDOWN_COLOUR = "violet"


def plotly_text(value: object, width: int = 60) -> str:
    """Data text made safe for plotly labels (no markup), wrapped for hover boxes."""
    s = "" if value is None else str(value)
    lines = textwrap.wrap(s, width=width) or [""]
    return "<br>".join(html.escape(line, quote=False) for line in lines)


def humanise(code: str) -> str:
    """`treaty_milestone` → `Treaty milestone`."""
    return code.replace("_", " ").capitalize()


# Plotly's toolbar (its modebar) is a row 26 px high, 2 px below a figure's top right corner, and shown whenever a
# touch screen is tapped: titles and legends at the top start below this many px, so that it covers neither.
MODEBAR_ROW_PX = 36


def title_below_toolbar(text: str, size: int = 18) -> dict:
    """A figure title at the top left, below the toolbar's row (MODEBAR_ROW_PX), that makes room for itself."""
    # plotly.js anchors a title of several lines by its first line and writes the others above it.
    extra_lines = text.count("<br>")
    return {
        "text": text,
        "x": 0,
        "xanchor": "left",
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": MODEBAR_ROW_PX + round(1.3 * size * extra_lines)},
        "automargin": True,
        "font": {"size": size},
    }


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title=title_below_toolbar(title),
        height=height,
        # Room for the toolbar's row and every line of the title: with less, plotly.js drew a two-line title under the
        # toolbar.
        margin={"l": 10, "r": 10, "t": 60 + MODEBAR_ROW_PX + 24 * title.count("<br>"), "b": 10},
        font={"family": FONT, "size": 13},
        hoverlabel={"font": {"family": FONT, "size": 13}, "align": "left"},
        plot_bgcolor="white",
        # The legend below the chart, at the bottom of the figure: above the plot it ran into the title on wide
        # screens, where the title and a one-row legend share the top margin.
        legend={
            "title": {"text": ""},
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "x": 0,
            "xanchor": "left",
        },
    )
    return fig


def empty_figure(
    message: str, title: str, height: int = 260, fig: go.Figure | None = None, keep_x_axis: bool = False
) -> go.Figure:
    """A figure that says nothing matches: `message` in its middle and no axes (the x axis stays with `keep_x_axis`).

    `fig` may already hold what should still show, such as shading and its legend; else the figure starts empty.
    """
    fig = go.Figure() if fig is None else fig
    fig.add_annotation(text=message, showarrow=False, font={"size": 16}, x=0.5, y=0.5, xref="paper", yref="paper")
    if not keep_x_axis:
        fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return base_layout(fig, title, height=height)


# Above this many events the timeline shows monthly counts instead of one marker per event.
TIMELINE_MAX_POINTS = 1500


def events_timeline(events: pd.DataFrame, actors: pd.DataFrame, colour_by: str = "event_type") -> go.Figure:
    """Events over time: one row per event type (or per actor), hover with title, date and actors.

    `colour_by` is `event_type` (rows and colours by type) or `actor` (one row per actor, coloured
    by the side the actor stands on; an event with several actors appears on each of their rows).
    """
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    sides = actor_sides(actors)
    if events.empty:
        return empty_figure("No events match the filters", "Events over time")
    if len(events) > TIMELINE_MAX_POINTS:
        return events_per_period(events, actors, colour_by)
    frame = events.assign(
        actor_names=[", ".join(names.get(a, a) for a in ids) for ids in events["actors"]],
        hover=[plotly_text(t) for t in events["title"]],
    )
    fig = go.Figure()
    if colour_by == "actor":
        rows = frame.explode("actors").dropna(subset=["actors"])
        rows = rows.assign(row=[names.get(a, a) for a in rows["actors"]], group=[sides.get(a, OTHER) for a in rows["actors"]])
        colours = SIDE_COLOURS
        order = rows.groupby("row")["date"].count().sort_values().index.tolist()
    else:
        rows = frame.assign(row=[humanise(t) for t in frame["event_type"]], group=[humanise(t) for t in frame["event_type"]])
        groups = sorted(rows["group"].unique())
        colours = {g: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, g in enumerate(groups)}
        order = sorted(rows["row"].unique(), reverse=True)
    for group, part in rows.groupby("group", sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["date"],
                y=part["row"],
                mode="markers",
                name=str(group),
                marker={
                    "size": 11,
                    "symbol": SIDE_SYMBOLS.get(group, "circle") if colour_by == "actor" else "circle",
                    "color": colours.get(group, "#7F7F7F"),
                    "line": {"width": 1, "color": "white"},
                    "opacity": 0.9,
                },
                customdata=list(zip(part["hover"], part["actor_names"].map(plotly_text), part["event_id"], strict=True)),
                hovertemplate="<b>%{customdata[0]}</b><br>%{x|%d %b %Y}<br>Actors: %{customdata[1]}<extra></extra>",
            )
        )
    fig.update_yaxes(categoryorder="array", categoryarray=order, title=None, showgrid=True, gridcolor="#eeeeee")
    fig.update_xaxes(title="Date (year)", showgrid=True, gridcolor="#eeeeee", type="date")
    height = max(300, 28 * len(order) + 140)
    fig = base_layout(fig, f"Events over time ({len(events)} events)", height=height)
    # By type, each row is labelled with its type: a legend would repeat the rows and, on a phone, squeeze them out.
    return fig.update_layout(showlegend=colour_by == "actor")


def events_per_period(events: pd.DataFrame, actors: pd.DataFrame, colour_by: str = "event_type") -> go.Figure:
    """Stacked bars of events per month (or per year over long spans), by event type or by actor's side.

    Used when there are too many events to draw one marker each: what the browser receives stays small.
    """
    span_years = (events["date"].max() - events["date"].min()).days / 365.25
    freq, label = ("YS", "year") if span_years > 15 else ("MS", "month")
    if colour_by == "actor":
        rows = events[["date", "actors"]].explode("actors").dropna(subset=["actors"])
        groups = side_of(rows["actors"], actors)
        colours = SIDE_COLOURS
    else:
        rows = events[["date"]]
        groups = events["event_type"].map({t: humanise(t) for t in events["event_type"].unique()})  # once per type
        names = sorted(groups.unique())
        colours = {g: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, g in enumerate(names)}
    period = rows["date"].dt.to_period("Y" if freq == "YS" else "M").dt.to_timestamp()
    counts = pd.crosstab(period, groups)
    patterns = (
        SIDE_PATTERNS
        if colour_by == "actor"
        else {g: CATEGORY_PATTERNS[i % len(CATEGORY_PATTERNS)] for i, g in enumerate(counts.columns)}
    )
    fig = go.Figure()
    for group in counts.columns:
        fig.add_trace(
            go.Bar(
                x=counts.index,
                y=counts[group],
                name=str(group),
                marker_color=colours.get(group, "#7F7F7F"),
                marker_pattern={"shape": patterns.get(group, ""), "fgcolor": "#FFFFFF", "size": 6, "solidity": 0.3},
                hovertemplate=f"<b>{plotly_text(group)}</b><br>%{{x|%b %Y}}: %{{y:,}} events<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.05)
    fig.update_xaxes(title=f"Date ({label})", type="date")
    fig.update_yaxes(title=f"Events per {label} (count)", gridcolor="#eeeeee")
    # Room for the legend below the bars, which takes a row per entry on a phone.
    return base_layout(
        fig, f"Events over time ({len(events):,} events, counted per {label})", height=420 + 12 * len(counts.columns)
    )


class DrawnFigure(dict):
    """A figure reduced to what a page needs to draw it again: its JSON, and (as the dict) its layout's width and height.

    A figure object keeps every trace as validated plotly objects, about twice its JSON's memory; a shared figure that
    is only ever drawn (the ring map of each launch point) is kept as this. widgets.plotly_chart draws either.
    """

    __slots__ = ("json",)


def drawn_figure(figure: go.Figure) -> DrawnFigure:
    """`figure` as DrawnFigure: its JSON as st.plotly_chart makes it (plotly.io.to_json of its dict, not validated
    again, so without the traces' uids), and its layout size."""
    import plotly.io

    full = figure.to_dict()
    drawn = DrawnFigure({"layout": {k: v for k, v in full.get("layout", {}).items() if k in ("width", "height")}})
    to_json = getattr(plotly.io.to_json, "__wrapped__", plotly.io.to_json)  # plotly's own (widgets wraps it)
    drawn.json = to_json(full, validate=False)
    return drawn
