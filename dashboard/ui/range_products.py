"""Cards of the ranges page that an analyst takes away: people in range, every system at once, the launch basket,
map layers as files and briefing images (also used by the map page)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import baskets, briefing, describe, export, geo_export, population
from dashboard.data import DataValidationError
from dashboard.text import escape_markdown
from dashboard.ui import cache, widgets
from dashboard.ui.text_version import MAP_LABEL, show_text_version

MAX_CITIES_SHOWN = 10
IMAGE_LABELS = {"png": "PNG, A4 300 dpi", "svg": "SVG", "pdf": "PDF, A4"}
LAYER_LABELS = {"geojson": "GeoJSON", "kml": "KML (Google Earth)", "kmz": "KMZ (Google Earth)", "csv": "CSV (WKT)"}
BASING_NOTES = {
    "sea": "A sea-launched system can also be fired from ships beyond this territory: the basket shows only where it could "
    "be launched from land its side holds.",
    "air": "An air-launched system can also be fired from aircraft beyond this territory: the basket shows only where it "
    "could be launched from land its side holds.",
}


def _people_count(total: int) -> str:
    """417,361,205 → '417.4 million'; 23,000 → '23,000'."""
    return f"{total / 1e6:,.1f} million" if total >= 1e6 else f"{total:,}"


def people_tab_label(lat: float, lon: float, range_km: float, speed_kmh: float) -> str:
    """'People (at least 417 million)': the tab's label, which never reads as a total."""
    try:
        people, _ = cache.get_people_in_range(lat, lon, range_km, speed_kmh)
    except DataValidationError:
        return "People"
    return f"People (at least {_people_count(int(people['population'].sum()))})"


def show_people(lat: float, lon: float, range_km: float, speed_kmh: float, launch_name: str) -> None:
    """People within the ring: the total, per band and per country, and the largest places with distance and flight times."""
    try:
        people, largest = cache.get_people_in_range(lat, lon, range_km, speed_kmh)
    except DataValidationError as exc:
        st.error(escape_markdown(f"The population figures cannot be read: {exc}"), icon=":material/block:")
        return
    counted = population.count_label(cache.get_cities_source_title())
    total = int(people["population"].sum())
    st.markdown(f"**At least {_people_count(total)} people** live within {range_km:,.0f} km of {escape_markdown(launch_name)}.")
    st.caption(
        escape_markdown(
            f"Counted: {counted}. A place counts whole when its point lies within the range (geodesic distance on WGS84); "
            "city districts are counted in their city, so nobody is counted twice. People in smaller places are not "
            "counted, so this is not the whole population within range. GeoNames data: CC BY 4.0."
        )
    )
    if people.empty:
        st.info("No place of 15,000 people or more lies within this range.", icon=":material/info:")
        return
    bands, by_country = cache.get_people_totals(lat, lon, range_km, speed_kmh)
    left, right = st.columns(2)
    number = st.column_config.NumberColumn
    left.dataframe(
        bands[["band", "population", "places"]],
        hide_index=True,
        width="stretch",
        column_config={
            "band": "Distance band",
            "population": number("People (at least)", format="%,d"),
            "places": number("Places", format="%,d"),
        },
    )
    right.dataframe(
        by_country,
        hide_index=True,
        width="stretch",
        height=min(35 * len(by_country) + 38, 300),
        column_config={
            "country": "Country",
            "population": number("People (at least)", format="%,d"),
            "places": number("Places", format="%,d"),
        },
    )
    st.markdown(f"**The {min(MAX_CITIES_SHOWN, len(largest))} largest places in range**")
    st.dataframe(
        largest[["name", "country", "population", "distance_km", "ballistic_min", "cruise_min"]],
        hide_index=True,
        width="stretch",
        column_config={
            "name": "Place",
            "country": "Country",
            "population": number("People", format="%,d"),
            "distance_km": number("Distance (km)", format="%.0f"),
            "ballistic_min": number("Ballistic flight (min)", format="%.1f"),
            "cruise_min": number(f"Cruise at {speed_kmh:,.0f} km/h (min)", format="%.0f"),
        },
    )
    widgets.csv_download(
        "Download people in range by band and country (CSV)", lambda: people, "people_in_range", key="rng_dl_people"
    )


def show_every_system(table: pd.DataFrame, launch_name: str, target_name: str, speed_kmh: float) -> None:
    """Every system of the catalogue from the launch point: range, claims, class, what it reaches, flight time to the target."""
    target_km = float(table["target_km"].iloc[0]) if len(table) else float("nan")
    st.caption(
        escape_markdown(
            f"From {launch_name}, every system at its headline range; {target_name} is {target_km:,.0f} km away "
            f"(geodesic, WGS84). Flight times: cruise missiles at {speed_kmh:,.0f} km/h, every other type by the "
            "minimum-energy ballistic model (see Flight time); blank when the target is out of range."
        )
    )

    def shown(rows: pd.DataFrame) -> pd.DataFrame:
        spread = [
            f"{lo:,.0f}–{hi:,.0f} km ({n} claims)" if lo < hi else f"{hi:,.0f} km ({n} claim{'s' if n != 1 else ''})"
            for lo, hi, n in zip(rows["claims_min_km"], rows["claims_max_km"], rows["claims"], strict=True)
        ]
        out = rows.assign(
            claims_spread=spread, reaches=rows["reaches_target"].map({True: "yes", False: "no"}), treaty_class=rows["inf_class"]
        )
        return out[
            [
                "name",
                "operator_name",
                "basing",
                "headline_range",
                "claims_spread",
                "treaty_class",
                "capitals_reached",
                "capitals",
                "places_reached",
                "reaches",
                "flight_min",
                "flight_model",
            ]
        ]

    number = st.column_config.NumberColumn
    widgets.shared_dataframe(
        table,
        "every_system",
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "name": "System",
            "operator_name": "Operator",
            "basing": "Basing",
            "headline_range": "Range",
            "claims_spread": st.column_config.TextColumn("Spread of the claims", help="Lowest and highest published claim"),
            "treaty_class": "Treaty class",
            "capitals_reached": number("Capitals reached", format="%d"),
            "capitals": st.column_config.TextColumn("Which capitals (nearest first)", width="medium"),
            "places_reached": number("Places reached", format="%d", help="Places of the data within range"),
            "reaches": f"Reaches {target_name}",
            "flight_min": number(f"Flight to {target_name} (min)", format="%.1f"),
            "flight_model": "Model",
        },
    )
    widgets.csv_download("Download every system from here (CSV)", lambda: table, "every_system", key="rng_dl_systems")


def territory_words(territory: baskets.LaunchTerritory) -> str:
    """'Russia, Belarus and occupied Crimea' — the countries (and occupied areas) of a launch territory."""
    parts = list(territory.countries) + [f"occupied {name}" for name in territory.occupied]
    if not parts:
        return "no territory in the data"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def launch_basket_export(
    target_lat: float,
    target_lon: float,
    target_name: str,
    system: pd.Series,
    user_places: pd.DataFrame | None,
) -> geo_export.BasketExport:
    """The launch basket as the map layers' files carry it, whether or not its tab is open (nothing drawn)."""
    range_km = float(system["range_km_max"])
    territory, basket, area, sites = cache.get_launch_basket(
        target_lat, target_lon, range_km, (str(system["operator"]),), user_places
    )
    return _basket_export(target_lat, target_lon, target_name, system, basket, area, territory_words(territory), sites)


def _basket_export(
    target_lat: float, target_lon: float, target_name: str, system: pd.Series, basket, area: float, words: str, sites
) -> geo_export.BasketExport:
    nearest = baskets.nearest_site(sites)
    return geo_export.BasketExport(
        basket,
        target_name,
        target_lat,
        target_lon,
        float(system["range_km_max"]),
        f"{system['name']}, {system['headline_range']}, launched from {words}",
        {
            "system": str(system["name"]),
            "area_km2": round(area, 1),
            "nearest_site": "" if nearest is None else str(nearest["name"]),
        },
    )


def show_launch_basket(
    target_lat: float,
    target_lon: float,
    target_name: str,
    system: pd.Series,
    user_places: pd.DataFrame | None,
) -> geo_export.BasketExport:
    """Where the system could reach the target from, on land its side holds: map, area, sites inside, the nearest."""
    operators = (str(system["operator"]),)
    range_km = float(system["range_km_max"])
    range_label = f"{system['name']}, {system['headline_range']}"
    territory, basket, area, sites = cache.get_launch_basket(target_lat, target_lon, range_km, operators, user_places)
    words = territory_words(territory)
    cols = st.columns(3)
    cols[0].metric("Basket area", f"{area:,.0f} km²", help="Geodesic area on the WGS84 ellipsoid.")
    cols[1].metric(
        "Known launch sites inside", f"{len(sites):,}", help=", ".join(k.replace("_", " ") for k in baskets.LAUNCH_SITE_KINDS)
    )
    nearest = baskets.nearest_site(sites)
    cols[2].metric(
        "Nearest known site",
        "none" if nearest is None else f"{nearest['distance_km']:,.0f} km",
        help=None if nearest is None else f"{nearest['name']}: distance to {target_name}",
    )
    if basket.is_empty:
        st.info(
            escape_markdown(f"No launch territory ({words}) lies within {range_km:,.0f} km of {target_name}."),
            icon=":material/info:",
        )
    labels = (target_name, range_label, f"{system['operator_name']} and allies")
    fig = cache.get_basket_map(target_lat, target_lon, range_km, operators, labels, str(system["side"]), sites)
    widgets.plotly_chart(fig, width="stretch", config={"displaylogo": False, "scrollZoom": True}, key="rng_basket_map")
    show_text_version(
        lambda: describe.basket_text(target_name, range_label, words, 0.0 if basket.is_empty else area, sites),
        "rng_basket_text",
        MAP_LABEL,
    )
    st.caption(
        escape_markdown(
            f"Launch territory of {system['operator_name']}: {words}. Own territory, the states on its side or in its "
            "alliances (actors.csv), and land they occupy; the rule is in dashboard/baskets.py. "
            + BASING_NOTES.get(str(system["basing"]), "")
        )
    )
    if nearest is not None:
        st.dataframe(
            sites[["name", "kind", "country", "distance_km"]].assign(kind=sites["kind"].str.replace("_", " ")),
            hide_index=True,
            width="stretch",
            column_config={
                "name": "Known site",
                "kind": "Kind",
                "country": "Country",
                "distance_km": st.column_config.NumberColumn(f"Distance to {target_name} (km)", format="%.0f"),
            },
        )
    return _basket_export(target_lat, target_lon, target_name, system, basket, area, words, sites)


def show_layer_downloads(
    build: Callable[[], list[geo_export.ExportFeature]], meta: geo_export.ExportMeta, stem: str, version: str
):
    """One button per file kind (GeoJSON, KML, KMZ, CSV); each file is written when its button is clicked."""
    cols = st.columns(len(geo_export.WRITERS))
    for col, (kind, (_, mime)) in zip(cols, geo_export.WRITERS.items(), strict=True):
        widgets.download_on_click(
            LAYER_LABELS[kind],
            lambda kind=kind: geo_export.export_bytes(kind, build(), meta),
            export.export_file_name(stem, version, kind),
            mime,
            f"rng_dl_layers_{kind}",
            col,
            icon=":material/download:",
        )


def show_briefing_downloads(figure: Callable[[], go.Figure], notes: briefing.BriefingNotes, stem: str, version: str, key: str):
    """PNG, SVG and PDF of a figure laid out for A4 landscape, rendered when a button is clicked (a few seconds);
    without a renderer on the server, the reason in words instead."""
    problem = briefing.renderer_problem()
    if problem:
        st.info(escape_markdown(problem + " The other downloads still work."), icon=":material/print_disabled:")
        return
    cols = st.columns(len(briefing.FORMATS))
    for col, (fmt, mime) in zip(cols, briefing.FORMATS.items(), strict=True):
        widgets.download_on_click(
            IMAGE_LABELS[fmt],
            lambda fmt=fmt: briefing.render_briefing(figure(), notes, fmt),
            export.export_file_name(stem, version, fmt),
            mime,
            f"{key}_{fmt}",
            col,
            icon=":material/image:",
        )


def today_text() -> str:
    """Today's date as a briefing's "as of" line gives it."""
    return date.today().isoformat()


def claim_sources(claims: pd.DataFrame | None) -> str:
    """The publishers of a system's range claims, '; '-joined, for a file's or image's source line."""
    if claims is None or claims.empty:
        return ""
    publishers = dict.fromkeys(p for sources in claims["sources"] for p, _, _ in sources)
    return "; ".join(publishers)
