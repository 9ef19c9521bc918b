"""Tables about the data itself: file inventory, coverage counts and the data dictionary."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard import schema
from dashboard.charts import SIDE_COLOURS
from dashboard.data import Dataset
from dashboard.schema import Table


def file_inventory(ds: Dataset, sources: pd.DataFrame, other_rows: Mapping[str, int]) -> pd.DataFrame:
    """One row per data file: file, rows, title, publisher, licence, accessed, url, notes.

    Rows of the data set's tables are counted here; `other_rows` gives those of every other file by name
    (geometry and reference tables)."""
    counts = {t.file: len(getattr(ds, name)) for name, t in schema.TABLES.items()} | dict(other_rows)
    out = sources.assign(rows=[counts.get(f, 0) for f in sources["file"]])
    return out[["file", "rows", "title", "publisher", "licence", "accessed", "url", "notes"]]


def data_dictionary(table: Table) -> pd.DataFrame:
    """Column, meaning, type, unit, allowed values and whether required, for one table."""
    return pd.DataFrame(
        [
            {
                "column": f.name,
                "meaning": f.description,
                "type": f.kind,
                "unit": f.unit,
                "allowed values": ", ".join(f.allowed),
                "required": "derived on load" if f.derived else ("yes" if f.required else "no"),
                "refers to": f.references,
            }
            for f in table.fields
        ]
    )


def dictionary_markdown() -> str:
    """The README's data dictionary, generated from the schema: one Markdown table per curated table.

    tests/test_config.py checks that the README holds exactly this, so the two cannot drift apart.
    """
    parts = []
    for table in schema.TABLES.values():
        rows = ["| column | meaning | type | unit | allowed values |", "|---|---|---|---|---|"]
        for f in table.fields:
            meaning = f.description
            meaning += " (derived on load)" if f.derived else ("" if f.required else " (optional)")
            meaning += f" → `{f.references}`" if f.references else ""
            allowed = ", ".join(f"`{a}`" for a in f.allowed)
            rows.append(f"| `{f.name}` | {meaning} | {f.kind} | {f.unit} | {allowed} |")
        parts.append(f"### `{table.name}` — `data/{table.file}`\n\n{table.description}\n\n" + "\n".join(rows))
    regions = "\n".join(f"- **{name}**: {text}" for name, text in schema.REGION_DEFINITIONS.items())
    parts.append(f"### Regions\n\n{regions}")
    return "\n\n".join(parts) + "\n"


def coverage_by(ds: Dataset, by: str) -> pd.DataFrame:
    """Counts of events, statements and places by `region` or by `actor` (name)."""
    if by == "region":
        parts = {
            "events": ds.events["region"].value_counts(),
            "statements": ds.statements["region"].value_counts(),
            "places": ds.places["region"].value_counts(),
        }
        label = "region"
    else:
        names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
        parts = {
            "events": ds.events["actors"].explode().dropna().map(names).value_counts(),
            "statements": ds.statements["actor"].map(names).value_counts(),
            "places": ds.places["operator"].map(names).value_counts(),
        }
        label = "actor"
    table = pd.DataFrame(parts).fillna(0).astype(int)
    table = table.assign(total=table.sum(axis=1)).sort_values("total", ascending=False)
    return table.rename_axis(label).reset_index()


def sources_cited(ds: Dataset) -> pd.DataFrame:
    """Every distinct source cited by a record: publisher, title, source_date, url, records citing it, tables."""
    parts = []
    for name in ("events", "places", "statements", "missiles", "range_claims"):
        frame = getattr(ds, name)
        parts.append(
            pd.DataFrame(
                {
                    "publisher": frame["source_publisher"],
                    "title": frame["source_title"],
                    "source_date": frame["source_date"].dt.strftime("%Y-%m-%d").fillna(""),
                    "url": frame["source_url"],
                    "table": name,
                }
            )
        )
    allrows = pd.concat(parts, ignore_index=True)
    out = (
        allrows.groupby("url", sort=False)
        .agg(
            publisher=("publisher", "first"),
            title=("title", "first"),
            source_date=("source_date", "first"),
            records=("table", "size"),
            tables=("table", lambda t: ", ".join(sorted(set(t)))),
        )
        .reset_index()
    )
    return (
        out[["publisher", "title", "source_date", "records", "tables", "url"]]
        .sort_values(["publisher", "source_date"])
        .reset_index(drop=True)
    )


def counts_per_year(frame: pd.DataFrame, date_col: str = "date") -> pd.DataFrame:
    """Rows per calendar year of `date_col`: columns `year` (1 January of the year, datetime64) and `records`
    (count), oldest first; years without a row are left out."""
    counts = frame[date_col].dt.year.value_counts().sort_index()
    return pd.DataFrame({"year": pd.to_datetime(counts.index.astype(str) + "-01-01"), "records": counts.to_numpy(dtype="int64")})


def per_year_bars(per_year: pd.DataFrame, colour: str, height: int = 300) -> dict:
    """A Vega-Lite bar chart of counts_per_year's table, its rows inline: built once and drawn as it is (st.bar_chart
    built an Altair chart and validated it against Vega-Lite's schema on every rerun, a fifth of the About page's
    CPU). Years are read and shown in UTC, so that no reader's time zone moves 1 January into the year before."""
    year = {"field": "year", "type": "temporal", "timeUnit": "utcyear", "title": "Year"}
    records = {"field": "records", "type": "quantitative"}
    return {
        "data": {
            "values": [
                {"year": f"{y:%Y}-01-01", "records": int(n)} for y, n in zip(per_year["year"], per_year["records"], strict=True)
            ]
        },
        "mark": {"type": "bar", "color": colour},
        "encoding": {
            "x": {**year, "axis": {"grid": False, "format": "%Y"}},
            "y": {**records, "title": "Records (count)", "axis": {"tickMinStep": 1}},
            "tooltip": [{**year, "format": "%Y"}, {**records, "title": "Records"}],
        },
        "height": height,
        "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x", "y"]}, "bind": "scales"}],
    }


def coverage(ds: Dataset) -> dict:
    """The coverage part of the About page: rows per year `events_per_year`, `statements_per_year`
    (counts_per_year), their bar charts `events_per_year_chart`, `statements_per_year_chart` (per_year_bars) and the
    tables `by_region`, `by_actor` (coverage_by)."""
    per_year = {"events_per_year": counts_per_year(ds.events), "statements_per_year": counts_per_year(ds.statements)}
    return {
        **per_year,
        **{f"{name}_chart": per_year_bars(table, SIDE_COLOURS["NATO"]) for name, table in per_year.items()},
        "by_region": coverage_by(ds, "region"),
        "by_actor": coverage_by(ds, "actor"),
    }
