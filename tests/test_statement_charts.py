"""dashboard.statement_charts: the statements timeline and reading a click back."""

from __future__ import annotations

import pandas as pd

from dashboard import statement_charts as sc
from dashboard.charts import SIDE_COLOURS

ACTORS = pd.DataFrame(
    {
        "actor_id": ["nato", "rus", "ukr"],
        "name": ["NATO", "Russia", "Ukraine"],
        "kind": ["alliance", "state", "state"],
        "side": ["NATO", "Russia", "Other"],
    }
)


def statements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "statement_id": ["a", "b", "c"],
            "date": pd.to_datetime(["2019-02-01", "2019-02-02", "2024-01-01"]),
            "speaker": ["Jens <b>Stoltenberg</b>", "Vladimir Putin", "Someone"],
            "speaker_role": ["Secretary General", "", ""],
            "actor": ["nato", "rus", "ukr"],
            "text": ["We will respond.", "Putin said Russia would respond in kind.", "x" * 500],
            "quote_type": ["verbatim", "paraphrase", "translation"],
            "topics": [["inf_treaty"], ["deployments", "inf_treaty"], []],
        }
    )


def data_traces(fig):
    return [t for t in fig.data if t.x is not None and len(t.x) and t.x[0] is not None]


def test_timeline_by_side_has_one_row_per_actor_coloured_by_side():
    fig = sc.statements_timeline(statements(), ACTORS)
    traces = data_traces(fig)
    assert {t.name for t in traces} == {"NATO", "Russia", "Other"}
    for t in traces:
        assert t.marker.color == SIDE_COLOURS[t.name]
    # NATO side at the top: plotly lists categories bottom-up.
    assert list(fig.layout.yaxis.categoryarray) == ["Ukraine", "Russia", "NATO"]
    assert "Date" in fig.layout.xaxis.title.text and "actor" in fig.layout.yaxis.title.text
    assert "3 statements" in fig.layout.title.text
    legend_names = {t.name for t in fig.data if t.showlegend is not False}
    assert {"Verbatim", "Translation", "Paraphrase", "NATO", "Russia"} <= legend_names


def test_customdata_starts_with_the_id_and_hover_is_escaped_and_honest():
    fig = sc.statements_timeline(statements(), ACTORS)
    rows = {cd[0]: cd for t in data_traces(fig) for cd in t.customdata}
    assert set(rows) == {"a", "b", "c"}
    assert "<b>Stoltenberg" not in rows["a"][1] and "&lt;b&gt;" in rows["a"][1]
    assert rows["a"][2].startswith("“") and not rows["b"][2].startswith("“")  # paraphrase never in quotation marks
    assert "Paraphrase" in rows["b"][3]
    assert len(rows["c"][2]) < 300 and rows["c"][2].rstrip("”").endswith("…")


def test_timeline_by_topic_uses_the_first_topic():
    fig = sc.statements_timeline(statements(), ACTORS, colour_by=sc.COLOUR_BY_TOPIC)
    assert {t.name for t in data_traces(fig)} == {"Inf treaty", "Deployments", "No topic"}


def test_empty_timeline_says_so():
    fig = sc.statements_timeline(statements().iloc[:0], ACTORS)
    assert "No statements" in fig.layout.annotations[0].text


def test_selected_statement_id_reads_dicts_and_state_objects():
    event = {"selection": {"points": [{"customdata": ["b", "who"], "point_index": 0}]}}
    assert sc.selected_statement_id(event) == "b"
    assert sc.selected_statement_id({"selection": {"points": []}}) is None
    assert sc.selected_statement_id(None) is None

    class State:
        class selection:  # noqa: N801 - mimics Streamlit's attribute access
            points = [{"customdata": ["c"]}]

    assert sc.selected_statement_id(State()) == "c"


def test_many_statements_are_counted_per_actor_and_year_and_uploads_ringed():
    n = sc.MAX_POINTS + 500
    many = pd.DataFrame(
        {
            "statement_id": [f"s{i}" for i in range(n)],
            "date": pd.to_datetime("2000-01-01") + pd.to_timedelta([i % 7000 for i in range(n)], unit="D"),
            "speaker": "Someone",
            "speaker_role": "",
            "actor": ["nato", "rus", "ukr"] * (n // 3) + ["nato"] * (n % 3),
            "text": "words",
            "quote_type": "verbatim",
            "topics": [["inf_treaty"]] * n,
            "is_user_data": [False] * (n - 1) + [True],
        }
    )
    many.loc[n - 1, "text"] = "<img src=x onerror=alert(1)>"
    fig = sc.statements_timeline(many, ACTORS)
    counted = [t for t in fig.data if t.customdata is not None and t.name in SIDE_COLOURS]
    assert sum(int(sum(t.customdata)) for t in counted) == n  # every statement counted once
    assert sum(len(t.x) for t in counted) < 100  # per actor and year, not per statement
    ring = next(t for t in fig.data if t.name == "Your data (ringed)")
    assert list(ring.customdata[0][:1]) == [f"s{n - 1}"]  # clickable: opens the statement
    assert "&lt;img" in ring.customdata[0][2] and "<img" not in ring.customdata[0][2]
    assert "per actor and year" in fig.layout.title.text


def test_few_statements_are_drawn_one_by_one_with_uploads_ringed():
    rows = statements().assign(is_user_data=[False, False, True])
    fig = sc.statements_timeline(rows, ACTORS)
    ring = next(t for t in fig.data if t.name == "Your data (ringed)")
    assert [c[0] for c in ring.customdata] == ["c"]
    assert sc.selected_statement_id({"selection": {"points": [{"customdata": list(ring.customdata[0])}]}}) == "c"
