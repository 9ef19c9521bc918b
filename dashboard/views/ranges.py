"""Missile ranges: rings from any launch point, what lies in range, flight times and the missile catalogue."""

import pandas as pd
import streamlit as st

from dashboard import briefing, describe, geo_export, range_charts, ranges, schema
from dashboard.charts import USER_TAG
from dashboard.citations import quoted_markdown
from dashboard.sides import side_of
from dashboard.text import escape_markdown, is_safe_url
from dashboard.ui import cache, range_products, userdata, widgets
from dashboard.ui.sidebar import current_filters
from dashboard.ui.text_version import MAP_LABEL, show_text_version

ds = userdata.current_dataset()  # the curated data plus this session's uploads (is_user_data)
filters = current_filters()
DEFAULT = ranges.RangeView()
PUTIN_2019_ID = "2019-02-20-putin-10-12-minutes"
# NATO-side sites from which US missiles could reach Moscow: where the 2019 claim is tested.
MOSCOW_LAUNCH_SITES = ("deveselu", "redzikowo", "wiesbaden", "mutlangen", "greenham_common", "comiso")

KEY_LAUNCH, KEY_LAT, KEY_LON = "rng_launch", "rng_lat", "rng_lon"
KEY_SYSTEM, KEY_RANGE, KEY_SPEED, KEY_VIEW = "rng_system", "rng_range", "rng_speed", "rng_view"
KEY_TYPES, KEY_BASINGS = "rng_types", "rng_basings"
KEY_OVERLAY, KEY_TARGET, KEY_TLAT, KEY_TLON, KEY_BSYSTEM = "rng_overlay", "rng_target", "rng_tlat", "rng_tlon", "rng_bsystem"
KEY_REACH_TAB, KEY_TARGET_TAB = "rng_reach_tab", "rng_target_tab"
DEFAULT_TARGET = ranges.TargetView()
MAX_TABLE_ROWS = 500  # the places table shows the nearest this many; the CSV has them all

places = ds.places
user_place_ids = set(places.loc[places["is_user_data"], "place_id"])
# Plain lists first: iterating Arrow-backed columns cell by cell costs seconds with 50,000 uploaded places.
place_ids = places["place_id"].tolist()
place_names = dict(zip(place_ids, places["name"].tolist(), strict=True))
place_coords = dict(
    zip(place_ids, zip(places["lat"].astype(float).tolist(), places["lon"].astype(float).tolist(), strict=True), strict=True)
)
system_names = dict(zip(ds.missiles["system_id"], ds.missiles["name"], strict=True))
system_ranges = dict(zip(ds.missiles["system_id"], ds.missiles["range_km_max"].astype(float), strict=True))
# A headline range that is only a floor ("more than 1,000 km") is labelled so wherever it is shown.
system_floors = dict(zip(ds.missiles["system_id"], ranges.lower_bound_flags(ds.missiles), strict=True))
version = cache.get_data_version()
system_sides = dict(zip(ds.missiles["system_id"], side_of(ds.missiles["operator"], ds.actors), strict=True))


def show_claim(said: pd.DataFrame) -> None:
    """The 2019 claim of 10 to 12 minutes to Moscow as recorded in the statements (`said`: its row), with its source."""
    if said.empty:
        st.info(
            "In his address to the Federal Assembly in February 2019 Vladimir Putin said, in paraphrase, that "
            "missiles deployed in Europe could reach Moscow in 10 to 12 minutes. (Not recorded in the statements data.)"
        )
        return
    s = said.iloc[0]
    st.markdown("> " + quoted_markdown(escape_markdown(s["text"]), s["quote_type"]))
    how = s["quote_type"] + (f" by {s['translated_by']}" if s["quote_type"] == "translation" and s["translated_by"] else "")
    st.caption(
        escape_markdown(
            f"{s['speaker']}, {s['speaker_role']}, {s['venue'] or s['context']}, {s['date']:%d %B %Y} ({how}). "
            f"Source: {s['source_publisher']}, “{s['source_title']}”."
        )
    )
    if is_safe_url(s["source_url"]):
        st.link_button("Open the source ↗", s["source_url"])


def show_moscow_flight_times(statements: pd.DataFrame, speed_kmh: float) -> None:
    """From NATO sites to Moscow: the model's flight times beside the 2019 claim (nothing when the places are missing)."""
    merged = places if user_place_ids else None  # the reader's places could stand in for a site: theirs, in their session
    to_moscow = cache.get_flight_times_between("moscow", MOSCOW_LAUNCH_SITES, speed_kmh, merged)
    if to_moscow is None:
        return
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**From NATO sites to Moscow, by the model**")
        widgets.shared_dataframe(
            to_moscow,
            "to_moscow",
            lambda t: t[["name", "distance_km", "ballistic_min", "cruise_min"]],
            hide_index=True,
            width="stretch",
            column_config={
                "name": "Launch site",
                "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.0f"),
                "ballistic_min": st.column_config.NumberColumn("Ballistic (min)", format="%.1f"),
                "cruise_min": st.column_config.NumberColumn(f"Cruise at {speed_kmh:,.0f} km/h (min)", format="%.0f"),
            },
        )
    with right:
        st.markdown("**The claim**")
        show_claim(cache.derived(statements, ("statement", PUTIN_2019_ID), lambda s: s[s["statement_id"] == PUTIN_2019_ID]))
        st.markdown(
            f"The model gives {to_moscow['ballistic_min'].min():.1f} to {to_moscow['ballistic_min'].max():.1f} minutes for a "
            f"ballistic missile from these sites, and hours for a cruise missile at {speed_kmh:,.0f} km/h."
        )


st.title("Missile ranges")
st.markdown(
    "The 1987 INF Treaty banned **ground-launched** ballistic and cruise missiles with ranges of **500 to 5,500 km**, "
    "in two classes: **shorter-range** (500–1,000 km) and **intermediate-range** (1,000–5,500 km). Missiles launched "
    "from the sea or the air were not covered, whatever their range. Pick a launch site and a missile to see its reach."
)

# ---- Read the link once per session (bad values give a notice and the default), then keep it in step.
from_url, notices = ranges.parse_range_params(widgets.query_params_as_lists(), place_coords, system_ranges, DEFAULT)
if KEY_LAUNCH not in st.session_state:
    for notice in notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")
for key, value in (
    (KEY_LAUNCH, from_url.launch),
    (KEY_LAT, from_url.lat),
    (KEY_LON, from_url.lon),
    (KEY_SYSTEM, from_url.system),
    (KEY_RANGE, from_url.range_km if from_url.system == ranges.CUSTOM else system_ranges.get(from_url.system, DEFAULT.range_km)),
    (KEY_SPEED, from_url.speed_kmh),
    (KEY_VIEW, from_url.view),
    (KEY_OVERLAY, list(from_url.overlay)),
):
    st.session_state.setdefault(key, value)
target_from_url, target_notices = ranges.parse_target_params(
    widgets.query_params_as_lists(), place_coords, system_ranges, DEFAULT_TARGET
)
if KEY_TARGET not in st.session_state:
    for notice in target_notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")
for key, value in (
    (KEY_TARGET, target_from_url.target),
    (KEY_TLAT, target_from_url.lat),
    (KEY_TLON, target_from_url.lon),
    (KEY_BSYSTEM, target_from_url.basket_system),
):
    st.session_state.setdefault(key, value)

launch_options = [ranges.CUSTOM, *sorted(place_names, key=lambda p: str(place_names[p]).casefold())]


def launch_label(place_id: str) -> str:
    """Selectbox label: the place's name, tagged when the reader uploaded it (a selectbox shows plain text)."""
    if place_id == ranges.CUSTOM:
        return "Any latitude and longitude…"
    name = str(place_names.get(place_id, place_id))
    return f"{name} ({USER_TAG})" if place_id in user_place_ids else name


system_options = [*sorted(system_names, key=lambda s: system_names[s].casefold()), ranges.CUSTOM]

c1, c2, c3 = st.columns([2, 1, 1])
launch = c1.selectbox(
    "Launch point",
    launch_options,
    key=KEY_LAUNCH,
    format_func=launch_label,
    help="A place from the data (bases, reported 9M729 battalions, test ranges, capitals), one of your uploaded "
    "places (marked “your data”) or any coordinates.",
)
if launch == ranges.CUSTOM:
    lat = c2.number_input("Latitude (°N, −90 to 90)", key=KEY_LAT, step=0.5, format="%.4f")
    lon = c3.number_input("Longitude (°E, −180 to 180)", key=KEY_LON, step=0.5, format="%.4f")
else:
    lat, lon = place_coords[launch]
    c2.metric("Latitude", f"{lat:.3f}°")
    c3.metric("Longitude", f"{lon:.3f}°")

c4, c5, c6, c7 = st.columns([2, 1, 1, 2])
system = c4.selectbox(
    "Missile system",
    system_options,
    key=KEY_SYSTEM,
    format_func=lambda s: (
        "Custom range…"
        if s == ranges.CUSTOM
        else f"{system_names.get(s, s)} ({schema.range_label(system_ranges.get(s, 0), system_floors.get(s, False))})"
    ),
    help="The ring uses the system's headline range (range_km_max); every claim is drawn too. " + schema.HEADLINE_RULE,
)
if system == ranges.CUSTOM:
    range_km = c5.number_input("Range (km)", key=KEY_RANGE, step=100.0, format="%.0f")
else:
    range_km = system_ranges[system]
    c5.metric("Range used", schema.range_label(range_km, system_floors[system]))
speed_kmh = c6.number_input(
    "Cruise speed (km/h)",
    key=KEY_SPEED,
    step=50.0,
    format="%.0f",
    help="Constant ground speed for cruise-missile flight times; subsonic missiles fly at about 800 km/h.",
)
view = c7.radio("Map", list(ranges.VIEWS), key=KEY_VIEW, format_func=ranges.VIEWS.get, horizontal=True)
overlay = st.multiselect(
    f"Compare with other systems (up to {ranges.MAX_OVERLAY})",
    system_options[:-1],
    key=KEY_OVERLAY,
    max_selections=ranges.MAX_OVERLAY,
    format_func=lambda s: (
        f"{system_names.get(s, s)} ({schema.range_label(system_ranges.get(s, 0), system_floors.get(s, False))})"
    ),
    placeholder="Draw more systems' rings on the map, each in its own colour and line style",
)

current = ranges.RangeView(
    launch, float(lat), float(lon), system, float(range_km), float(speed_kmh), view, tuple(s for s in overlay if s != system)
)
wanted = ranges.range_params(current, DEFAULT)
widgets.write_query_params(ranges.RANGE_PARAMS, wanted)

problems = ranges.check_point(lat, lon) + ranges.check_range(range_km) + ranges.check_speed(speed_kmh)
for problem in problems:
    st.error(escape_markdown(problem), icon=":material/block:")

if not problems:
    floor = system != ranges.CUSTOM and system_floors[system]
    launch_name, label = ranges.ring_names(current, place_names.get(launch, ""), system_names.get(system, ""), floor)
    side = system_sides.get(system, "Other")
    claims = None if system == ranges.CUSTOM else cache.get_system_claims(system)
    # Everything for one launch point is computed once and shared (keyed by the view), so a change elsewhere
    # (the sidebar, the catalogue filters) reruns in a few ms; the reader's own places join in their session only.
    user_places = userdata.user_rows("places")
    everywhere = cache.get_places_in_reach(current, user_places)
    targets = cache.derived(everywhere, ("within", range_km), lambda e: e[e["distance_km"] <= range_km])
    countries = cache.get_countries_in_range(float(lat), float(lon), float(range_km))
    fig = cache.get_ring_map(current, launch_name, label, side, user_places)

    widgets.plotly_chart(fig, width="stretch", config={"displaylogo": False, "scrollZoom": True}, key="rng_map")
    compared = [
        range_charts.OverlayRing(f"{system_names[s]}, {schema.range_label(system_ranges[s], system_floors[s])}", system_ranges[s])
        for s in current.overlay
    ]
    show_text_version(
        lambda: describe.ring_map_text(
            launch_name, range_km, describe.ring_map_rings(label, range_km, claims, compared), everywhere, countries
        ),
        "rng_map_text",
        MAP_LABEL,
    )
    band_col, *metric_cols = st.columns([3, 1, 1, 1])
    with band_col:
        st.markdown(
            "**The band explained.** Shaded yellow: the **shorter-range** class, 500–1,000 km. Shaded green: the "
            "**intermediate-range** class, 1,000–5,500 km. Dashed circles mark 500, 1,000 and 5,500 km. The ban covered "
            "ground-launched missiles only: a sea- or air-launched missile of the same range was allowed."
        )
    metric_cols[0].metric(
        "Range drawn",
        schema.range_label(range_km, floor),
        help="For a catalogued system: its headline range. " + schema.HEADLINE_RULE,
    )
    metric_cols[1].metric("Places in range", f"{len(targets):,}")
    metric_cols[2].metric("Countries in range", f"{len(countries):,}", help="Countries with any territory within range.")
    if claims is not None and len(claims) > 1:
        with st.expander(
            f"Published range claims for {escape_markdown(system_names[system])} (dotted rings; hatched band between them)",
            expanded=True,
        ):
            # One list, one element: an element per claim cost more of each rerun than the rest of the section.
            st.markdown(
                "\n".join(
                    f"- **{schema.range_label(row.range_km, row.is_lower_bound)}**: {escape_markdown(claimant)} — source: "
                    f"{escape_markdown(publisher)}, “{escape_markdown(title)}”"
                    for row in claims.itertuples(index=False)
                    for claimant, (publisher, title, _url) in zip(row.claimants, row.sources, strict=True)
                )
            )

    st.subheader("What is in range")
    st.caption(
        f"Geodesic distances on the WGS84 ellipsoid from {escape_markdown(launch_name)}, within {range_km:,.0f} km. "
        "Countries: distance to the nearest point of their boundary (0 if the launch point is inside). "
        "Click a column heading to sort."
    )
    people_tab = range_products.people_tab_label(float(lat), float(lon), float(range_km), float(speed_kmh))
    # Only the chosen tab is built (widgets.lazy_tabs): the people's three tables cost a visitor's browser as much
    # when hidden as when shown.
    tab_places, tab_countries, tab_people = widgets.lazy_tabs(
        [f"Places ({len(targets):,})", f"Countries ({len(countries):,})", people_tab], KEY_REACH_TAB
    )
    with tab_places:
        if tab_places.open:

            def nearest(rows: pd.DataFrame) -> pd.DataFrame:
                columns = ["name", "kind", "country", "side", "distance_km", "bearing_deg", "ballistic_min", "cruise_min"]
                shown = rows.head(MAX_TABLE_ROWS)[columns]
                if rows["is_user_data"].any():
                    origin = rows["is_user_data"].head(MAX_TABLE_ROWS).map({True: USER_TAG, False: "curated"})
                    shown.insert(1, "origin", origin.to_numpy())
                return shown

            if len(targets) > MAX_TABLE_ROWS:
                st.caption(f"The nearest {MAX_TABLE_ROWS:,} of {len(targets):,} places in range; the CSV below has them all.")
            widgets.shared_dataframe(
                targets,
                ("nearest", MAX_TABLE_ROWS),
                nearest,
                hide_index=True,
                width="stretch",
                column_config={
                    "name": "Place",
                    "origin": "Origin",
                    "kind": "Kind",
                    "country": "Country",
                    "side": "Operator's side",
                    "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.0f"),
                    "bearing_deg": st.column_config.NumberColumn("Bearing (° from north)", format="%.0f"),
                    "ballistic_min": st.column_config.NumberColumn(
                        "Ballistic flight (min)", format="%.1f", help="Minimum-energy trajectory; see the model below."
                    ),
                    "cruise_min": st.column_config.NumberColumn(f"Cruise flight at {speed_kmh:,.0f} km/h (min)", format="%.0f"),
                },
            )
            widgets.csv_download("Download places in range (CSV)", lambda: targets, "places_in_range", key="rng_dl_places")
    with tab_countries:
        if tab_countries.open:
            widgets.shared_dataframe(
                countries,
                "all",
                lambda c: c,
                hide_index=True,
                width="stretch",
                column_config={
                    "country": "Country",
                    "nearest_km": st.column_config.NumberColumn("Nearest territory (km)", format="%.0f"),
                },
            )
            widgets.csv_download(
                "Download countries in range (CSV)", lambda: countries, "countries_in_range", key="rng_dl_countries"
            )
    with tab_people:
        if tab_people.open:
            range_products.show_people(float(lat), float(lon), float(range_km), float(speed_kmh), launch_name)

    st.subheader("Flight time")
    st.markdown(
        "**Ballistic model.** The minimum-energy ellipse between launch and target on a spherical Earth "
        "(radius 6,371 km) that does not rotate, with no atmosphere, launched and landing at the surface with no "
        "boost phase. Depressed trajectories arrive sooner and lofted ones later; boost and re-entry add time. "
        f"**Cruise model.** The geodesic distance flown at a constant {speed_kmh:,.0f} km/h (change it above); real "
        "cruise missiles fly longer, indirect routes."
    )
    show_moscow_flight_times(ds.statements, speed_kmh)

    # ---- Against a target: every system's reach and flight time to it, and the launch basket (the reverse question).
    st.subheader("Against a target")
    st.caption(
        "Pick a target: the table times every system from the launch point to it; the basket shows where a system could hit it from."
    )
    t1, t2, t3, t4 = st.columns([2, 1, 1, 2])
    target = t1.selectbox(
        "Target", launch_options, key=KEY_TARGET, format_func=launch_label, help="A place from the data or any coordinates."
    )
    if target == ranges.CUSTOM:
        tlat = t2.number_input("Target latitude (°N)", key=KEY_TLAT, step=0.5, format="%.4f")
        tlon = t3.number_input("Target longitude (°E)", key=KEY_TLON, step=0.5, format="%.4f")
    else:
        tlat, tlon = place_coords[target]
        t2.metric("Latitude", f"{tlat:.3f}°")
        t3.metric("Longitude", f"{tlon:.3f}°")
    basket_options = [ranges.SAME_SYSTEM, *system_options[:-1]]
    basket_system = t4.selectbox(
        "System for the launch basket",
        basket_options,
        key=KEY_BSYSTEM,
        format_func=lambda s: (
            f"Same as the ring ({system_names[system]})"
            if s == ranges.SAME_SYSTEM and system != ranges.CUSTOM
            else "Same as the ring"
            if s == ranges.SAME_SYSTEM
            else system_names.get(s, s)
        ),
    )
    target_view = ranges.TargetView(target, float(tlat), float(tlon), basket_system)
    widgets.write_query_params(ranges.TARGET_PARAMS, ranges.target_params(target_view, DEFAULT_TARGET))
    target_problems = ranges.check_point(tlat, tlon)
    for problem in target_problems:
        st.error(escape_markdown(problem), icon=":material/block:")
    basket_export = None
    if not target_problems:
        target_name = f"{tlat:.3f}°N {tlon:.3f}°E" if target == ranges.CUSTOM else str(place_names[target])
        tab_all, tab_basket = widgets.lazy_tabs(
            [f"Every system from {launch_name}", f"Launch basket against {target_name}"], KEY_TARGET_TAB
        )
        with tab_all:
            if tab_all.open:
                table = cache.get_every_system(current, (float(tlat), float(tlon)), user_places)
                range_products.show_every_system(table, launch_name, target_name, float(speed_kmh))
        with tab_basket:
            chosen = system if basket_system == ranges.SAME_SYSTEM else basket_system
            if chosen == ranges.CUSTOM:
                if tab_basket.open:
                    st.info("A custom range has no operator: pick a system for the launch basket.", icon=":material/info:")
            else:
                row = cache.get_full_catalogue().set_index("system_id").loc[chosen]
                # Drawn only while its tab is open; the map layers' files carry the basket either way.
                basket = range_products.show_launch_basket if tab_basket.open else range_products.launch_basket_export
                basket_export = basket(float(tlat), float(tlon), target_name, row, user_places)

    # ---- Take it away: the map's layers as files, and the ring map as a briefing image.
    st.subheader("Take it away")
    st.markdown(
        "**Map layers** for QGIS, Google Earth or a spreadsheet: the ring, the compared rings, the disputed band, the "
        "launch basket with its target, and the places in range. Circles are written as polygons of 720 points on the "
        "geodesic circle (WGS84); each file names its launch point, range, sources and method."
    )
    overlay_rings = [
        (f"{system_names[s]}, {schema.range_label(system_ranges[s], system_floors[s])}", system_ranges[s])
        for s in current.overlay
    ]
    spread = None if claims is None or claims.empty else (float(claims["range_km"].min()), float(claims["range_km"].max()))
    layer_meta = geo_export.ExportMeta(
        f"Range rings from {launch_name}: {label}",
        launch_name,
        float(lat),
        float(lon),
        float(range_km),
        range_products.claim_sources(claims) or "custom range",
        range_products.today_text(),
    )
    range_products.show_layer_downloads(
        lambda: geo_export.range_features(
            launch_name=launch_name,
            lat=float(lat),
            lon=float(lon),
            ring_label=label,
            range_km=float(range_km),
            overlays=overlay_rings,
            claim_spread=spread,
            basket=basket_export,
            places=targets,
        ),
        layer_meta,
        f"ranges_{launch}_{system}",
        version,
    )
    st.markdown("**Briefing image** of the ring map: A4 landscape with title, legend, sources, date, projection and datum.")
    range_products.show_briefing_downloads(
        lambda: cache.get_ring_map_figure(current, launch_name, label, side, user_places),
        briefing.BriefingNotes(
            title=f"Range rings from {launch_name}: {label}",
            sources="; ".join(
                filter(None, [range_products.claim_sources(claims), "places: INF Watch", "boundaries: Natural Earth"])
            ),
            as_of=range_products.today_text(),
            projection=range_charts.map_frame(view, float(lat), float(lon), 0.0).note,
        ),
        f"ring_map_{launch}_{system}",
        version,
        "rng_dl_image",
    )


# A fragment: the catalogue's own filters rerun only the catalogue, not the ring map and tables above it.
@st.fragment
def show_catalogue() -> None:
    """The missile catalogue as a chart and a table, filtered by flight profile, basing and the sidebar's actors."""
    st.subheader("Missile catalogue")
    f1, f2 = st.columns(2)
    types = f1.multiselect("Flight profile", list(schema.MISSILE_TYPES), key=KEY_TYPES, placeholder="All types")
    basings = f2.multiselect("Basing", list(schema.BASINGS), key=KEY_BASINGS, placeholder="All basings")
    catalogue, catalogue_chart = cache.get_missile_catalogue(tuple(filters.actors), tuple(types), tuple(basings))
    if filters.actors:
        st.caption("Filtered by the sidebar's actor filter (operator; an alliance includes its members).")
    widgets.plotly_chart(catalogue_chart, width="stretch", config={"displaylogo": False}, key="rng_chart")
    show_text_version(lambda: describe.range_chart_text(catalogue), "rng_catalogue_text")
    widgets.shared_dataframe(
        catalogue,
        "catalogue",
        lambda c: c[
            [
                "name",
                "missile_type",
                "basing",
                "operator_name",
                "range_km_min",
                "headline_range",
                "inf_class",
                "inf_status",
                "status",
                "source_url",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "name": "System",
            "missile_type": "Type",
            "basing": "Basing",
            "operator_name": "Operator",
            "range_km_min": st.column_config.NumberColumn("Range min (km)", format="%.0f"),
            "headline_range": st.column_config.TextColumn("Headline range", help=schema.HEADLINE_RULE),
            "inf_class": "Treaty class (by headline range)",
            "inf_status": "Under the treaty",
            "status": "Status",
            "source_url": st.column_config.LinkColumn("Source", display_text="open source ↗"),
        },
    )
    widgets.csv_download("Download the catalogue (CSV)", lambda: catalogue, "missile_catalogue", key="rng_dl_catalogue")


show_catalogue()
