"""The map figure and its logic: posture as of a date, markers per kind, escaped hover, size, link parameters."""

from __future__ import annotations

import json
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from dashboard import basemap, data
from dashboard import map_figures as mf
from dashboard.charts import SIDE_COLOURS

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def ds():
    return data.load_dataset()


@pytest.fixture(scope="module")
def maps(ds):
    seas = ds.places.loc[ds.places["kind"] == "sea_or_strait", ["name", "lon", "lat"]]
    layers = (data.load_countries(), data.load_occupied_areas(), data.load_regions(), seas)
    return {key: basemap.build_basemap(*layers, key) for key in basemap.VIEWS}


def _places(rows):
    frame = pd.DataFrame(rows)
    for col in ("start_date", "end_date"):
        frame[col] = pd.to_datetime(frame[col])
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")


def _place(pid, kind="naval_base", operator="rus", start=None, end=None, name=None, lon=33.5, lat=44.6):
    return {
        "place_id": pid,
        "name": name or pid,
        "country": "Ukraine",
        "kind": kind,
        "operator": operator,
        "lat": lat,
        "lon": lon,
        "start_date": start,
        "end_date": end,
    }


ACTORS = pd.DataFrame(
    {"actor_id": ["rus", "usa", "ukr"], "name": ["Russia", "United States", "Ukraine"], "side": ["Russia", "NATO", "Other"]}
)


def _events(rows):
    return pd.DataFrame([{"event_id": e, "date": pd.Timestamp(d), "title": t, "place_id": p} for e, d, t, p in rows])


def test_places_as_of_hides_places_not_built_or_closed():
    places = _places(
        [
            _place("old", start="1983-11-14", end="1991-05-31"),
            _place("new", start="2016-05-12"),
            _place("always"),
        ]
    )
    assert set(mf.places_as_of(places, date(1990, 1, 1))["place_id"]) == {"old", "always"}
    assert set(mf.places_as_of(places, date(2016, 5, 12))["place_id"]) == {"new", "always"}
    assert set(mf.places_as_of(places, date(1991, 5, 31))["place_id"]) == {"always"}  # closed that day


def test_events_as_of_and_for_places_are_dated_and_sorted():
    events = _events([("a", "2014-03-18", "A", "p"), ("b", "2019-08-02", "B", "p"), ("c", "2016-01-01", "C", "q")])
    assert list(mf.events_as_of(events, date(2016, 1, 1))["event_id"]) == ["a", "c"]
    assert list(mf.events_for_places(events, ["p"])["event_id"]) == ["b", "a"]


def test_statements_for_places_include_those_of_events_there():
    events = _events([("e1", "2019-02-02", "E", "p"), ("e2", "2019-02-03", "F", "q")])
    statements = pd.DataFrame(
        {
            "statement_id": ["s_place", "s_event", "s_other"],
            "date": pd.to_datetime(["2019-01-01", "2019-02-02", "2019-03-01"]),
            "place_id": ["p", "", "q"],
            "event_id": ["", "e1", ""],
        }
    )
    assert list(mf.statements_for_places(statements, events, ["p"])["statement_id"]) == ["s_event", "s_place"]


def test_marker_hover_is_escaped_and_names_kind_operator_and_latest_events(maps):
    places = _places([_place("x", name="<img src=x onerror=alert(1)>", kind="naval_base", operator="rus")])
    events = _events([(f"e{i}", f"201{i}-01-01", f"Event <b>{i}</b>", "x") for i in range(5)])
    markers = mf.build_marker_table(places, events, ACTORS, maps["black_sea"])
    hover = markers.loc[0, "hover"]
    assert "<img" not in hover and "&lt;img src=x onerror=alert(1)&gt;" in hover
    assert "Naval base · Russia (Russia)" in hover
    assert "2014-01-01 · Event &lt;b&gt;4&lt;/b&gt;" in hover and "Event &lt;b&gt;0" not in hover  # latest three only
    assert "and 2 more" in hover
    assert markers.loc[0, "n_events"] == 5 and markers.loc[0, "side"] == "Russia"


def test_side_colour_scale_maps_each_code_to_its_side_colour():
    scale = mf.side_colour_scale()
    n = len(mf.SIDE_CODES)
    for side, code in mf.SIDE_CODES.items():
        # Plotly normalises a code to code / (n - 1) with cmin 0 and cmax n - 1; it must fall in a flat band of the side's colour.
        position = code / (n - 1)
        bands = [(a[1], b[1]) for a, b in zip(scale, scale[1:], strict=False) if a[0] <= position <= b[0] and a[1] == b[1]]
        assert bands and all(colour == SIDE_COLOURS[side] for colour, _ in bands), side


def _roles(fig, role):
    return [t for t in fig.data if (t.meta or {}).get("role") == role]


def test_one_marker_trace_and_one_legend_entry_per_kind_present(ds, maps):
    places = mf.places_as_of(ds.places, TODAY)
    markers = mf.build_marker_table(places, ds.events, ds.actors, maps["europe"])
    fig = mf.build_map_figure(maps["europe"], markers)
    kinds = set(places["kind"])
    traces = _roles(fig, "places")
    assert sorted(t.meta["kind"] for t in traces) == sorted(kinds)
    for t in traces:
        assert len(t.x) == (places["kind"] == t.meta["kind"]).sum()
        assert set(t.customdata[:, 0]) == set(places.loc[places["kind"] == t.meta["kind"], "place_id"])
    legend = [t.name for t in fig.data if t.showlegend and (t.legend in (None, "legend"))]
    assert sorted(legend) == sorted(mf.kind_label(k) for k in kinds)
    # Colour = side of the operator, symbol = kind, and every kind has its own symbol.
    brigades = next(t for t in traces if t.meta["kind"] == "missile_brigade")
    assert set(brigades.marker.color) == {mf.SIDE_CODES["Russia"]}
    capitals = next(t for t in traces if t.meta["kind"] == "capital")
    assert {mf.SIDE_CODES["NATO"], mf.SIDE_CODES["Russia"], mf.SIDE_CODES["Other"]} <= set(capitals.marker.color)
    assert len({s.symbol for s in mf.KIND_STYLES.values()}) == len(mf.KIND_STYLES)
    sides = {t.name for t in fig.data if t.legend == "legend2"}
    assert {
        "Operator: NATO or a member (filled)",
        "Russia or an ally (dark outline)",
        "Other or none (hollow)",
        "Occupied by Russia (since 2014)",
        "Region outline",
    } <= sides
    # The side shows without colour too: other or no operator hollow, Russia with a dark outline.
    for code, symbol, width in zip(capitals.marker.color, capitals.marker.symbol, capitals.marker.line.width, strict=True):
        assert symbol == ("star-open" if code == mf.SIDE_CODES["Other"] else "star")
        assert width == (1.0 if code == mf.SIDE_CODES["NATO"] else 2.0)


def test_figure_draws_countries_crimea_regions_and_labels(ds, maps):
    base = maps["black_sea"]
    markers = mf.build_marker_table(ds.places, ds.events, ds.actors, base)
    fig = mf.build_map_figure(base, markers, selected=["deveselu"])
    land = _roles(fig, "land")[0]
    assert land.fill == "toself" and len(land.x) == len(base.land_x)
    occupied = _roles(fig, "occupied")[0]
    assert occupied.fillpattern.shape == "/" and "Ukraine" in occupied.meta["label"]
    assert len(_roles(fig, "region")) == 2
    labels = " ".join(_roles(fig, "labels")[0].text)
    # Beside markers on every side, the note about Crimea takes its short form.
    assert "UKRAINE" in labels and "<b>Crimea</b> (occupied)" in labels
    assert "Black Sea" in " ".join(_roles(fig, "sea_labels")[0].text)
    selected = _roles(fig, "selected")[0]
    assert list(selected.customdata[:, 0]) == ["deveselu"]
    assert fig.layout.yaxis.scaleanchor == "x"  # km are km in both directions
    # Nothing in the figure asks plotly for its own (CDN) outlines or tiles.
    assert not any(t.type in ("scattergeo", "choropleth", "scattermap", "scattermapbox") for t in fig.data)


@pytest.mark.parametrize("view", list(basemap.VIEWS))
def test_figure_json_stays_under_one_megabyte(ds, maps, view):
    markers = mf.build_marker_table(ds.places, ds.events, ds.actors, maps[view])
    payload = mf.build_map_figure(maps[view], markers, selected=list(ds.places["place_id"][:5])).to_json()
    assert len(payload.encode()) < 1_000_000
    json.loads(payload)


def test_empty_selection_draws_no_highlight_and_no_markers(maps):
    empty = mf.build_marker_table(
        _places([_place("x")]).iloc[0:0], _events([("e", "2019-01-01", "E", "x")]), ACTORS, maps["baltic"]
    )
    fig = mf.build_map_figure(maps["baltic"], empty)
    assert not _roles(fig, "places") and not _roles(fig, "selected") and not _roles(fig, "events")
    assert _roles(fig, "land")


def test_place_ids_from_selection_reads_click_box_and_lasso():
    selection = {"points": [{"customdata": ["deveselu"]}, {"customdata": ["deveselu"]}, {"customdata": "sofia"}, {"x": 1}]}
    assert mf.place_ids_from_selection(selection) == ("deveselu", "sofia")
    assert mf.place_ids_from_selection(None) == ()
    assert mf.place_ids_from_selection({"points": []}) == ()


EVENT_PLACES = {"2016-05-12-deveselu": "deveselu", "1987-12-08-signed": ""}
BOUNDS = (date(1979, 12, 12), TODAY)


def _parse(params):
    return mf.parse_map_params(params, ["deveselu", "sofia", "kaliningrad"], EVENT_PLACES, BOUNDS)


def test_parse_map_params_reads_good_values():
    p = _parse({"view": ["baltic"], "place": ["kaliningrad", "sofia,kaliningrad"], "asof": ["2017-07-01"]})
    assert (p.view, p.places, p.event, p.asof, p.notices) == ("baltic", ("kaliningrad", "sofia"), None, date(2017, 7, 1), [])


def test_parse_map_params_event_selects_its_place():
    p = _parse({"event": ["2016-05-12-deveselu"], "place": ["sofia"]})
    assert p.event == "2016-05-12-deveselu" and p.places == ("deveselu", "sofia")


def test_parse_map_params_bad_values_give_notices_and_defaults():
    p = _parse({"view": ["atlantis"], "place": ["nowhere"], "event": ["nope"], "asof": ["yesterday"]})
    assert (p.view, p.places, p.event, p.asof) == (basemap.DEFAULT_VIEW, (), None, None)
    text = " ".join(p.notices)
    for fragment in ("unknown map view “atlantis”", "unknown place “nowhere”", "unknown event “nope”", "use YYYY-MM-DD"):
        assert fragment in text
    p = _parse({"asof": ["1900-01-01"], "event": ["1987-12-08-signed"]})
    assert p.asof == BOUNDS[0] and "outside" in p.notices[-1] and "no place on the map" in p.notices[0]


def test_map_params_round_trip_and_defaults_left_out():
    assert mf.map_params_to_query(basemap.DEFAULT_VIEW, (), None, TODAY, TODAY) == {}
    query = mf.map_params_to_query("black_sea", ("deveselu", "sofia"), "2016-05-12-deveselu", date(2019, 8, 2), TODAY)
    assert query == {
        "view": ["black_sea"],
        "place": ["deveselu", "sofia"],
        "event": ["2016-05-12-deveselu"],
        "asof": ["2019-08-02"],
    }
    back = _parse(query)
    assert (back.view, back.places, back.event, back.asof, back.notices) == (
        "black_sea",
        ("deveselu", "sofia"),
        "2016-05-12-deveselu",
        date(2019, 8, 2),
        [],
    )


# --------------------------------------------------------------------------------------------
# The reader's own rows, and aggregation at scale


def _user_places(rows):
    return _places(rows).assign(is_user_data=True)


def test_user_places_get_their_own_trace_outline_legend_and_escaped_hover(ds, maps):
    curated = mf.places_as_of(ds.places, TODAY).assign(is_user_data=False)
    mine = _user_places([_place("my-<x>", name="<script>alert(1)</script>", kind="air_base", operator="rus", lon=28.5, lat=44.4)])
    places = pd.concat([curated, mine], ignore_index=True)
    markers = mf.build_marker_table(places, ds.events, ds.actors, maps["black_sea"])
    fig = mf.build_map_figure(maps["black_sea"], markers, selected=["my-<x>"])
    user = _roles(fig, "user_places")
    assert len(user) == 1 and list(user[0].customdata[:, 0]) == ["my-<x>"]
    assert user[0].marker.line.color == mf.USER_COLOUR and user[0].legendgroup == "air_base"
    hover = user[0].hovertext[0]
    assert "<i>your data</i>" in hover and "&lt;script&gt;" in hover and "<script>" not in hover
    # Curated places keep their traces and never carry the tag.
    assert "my-<x>" not in {pid for t in _roles(fig, "places") for pid in t.customdata[:, 0]}
    assert not any("your data" in h for t in _roles(fig, "places") for h in t.hovertext)
    assert "Your data (magenta)" in [t.name for t in fig.data if t.showlegend and t.legend == "legend2"]
    assert list(_roles(fig, "selected")[0].customdata[:, 0]) == ["my-<x>"]


def test_no_user_rows_means_no_user_traces_or_legend(ds, maps):
    markers = mf.build_marker_table(ds.places, ds.events, ds.actors, maps["europe"])
    fig = mf.build_map_figure(maps["europe"], markers)
    assert not _roles(fig, "user_places") and not _roles(fig, "user_events") and not _roles(fig, "clusters")
    assert "Your data (magenta)" not in [t.name for t in fig.data]


def test_user_events_with_own_coordinates_become_tagged_escaped_markers(maps):
    events = pd.DataFrame(
        {
            "event_id": ["cur", "at-place", "own", "no-xy"],
            "date": pd.to_datetime(["2019-01-01"] * 4),
            "title": ["Curated", "Mine at a place", "Strike <b>near</b> port", "Nowhere"],
            "event_type": ["incident"] * 4,
            "place_id": ["x", "x", "", ""],
            "lat": [None, 44.0, 46.5, None],
            "lon": [None, 30.0, 30.7, None],
            "is_user_data": [False, True, True, True],
        }
    )
    own = mf.events_with_own_coordinates(events, ["x"])
    assert list(own["event_id"]) == ["own"]
    table = mf.build_event_markers(own, maps["black_sea"])
    fig = mf.build_map_figure(
        maps["black_sea"],
        mf.build_marker_table(_places([_place("x")]), events, ACTORS, maps["black_sea"]),
        event_markers=table,
        selected=["own"],
    )
    trace = _roles(fig, "user_events")[0]
    assert list(trace.customdata[:, 0]) == ["own"] and trace.marker.color == mf.USER_COLOUR
    assert "your data" in trace.hovertext[0] and "Strike &lt;b&gt;near&lt;/b&gt; port" in trace.hovertext[0]
    assert list(_roles(fig, "selected")[0].customdata[:, 0]) == ["own"]
    # Curated frames without the upload columns give no event markers.
    assert mf.events_with_own_coordinates(events.drop(columns=["lat", "lon"]), ["x"]).empty


def test_only_the_readers_events_drawn_one_by_one_are_written_out_the_rest_are_counted(maps, monkeypatch):
    import numpy as np

    rng = np.random.default_rng(3)
    n, limit, base = 400, 30, maps["black_sea"]
    inside = np.arange(n) < 20  # 20 in the Black Sea view, the rest far outside it
    own = pd.DataFrame(
        {
            "event_id": [f"e{i}" for i in range(n)],
            "date": pd.to_datetime("2023-05-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "title": [f"Strike <i>{i % 7}</i>" for i in range(n)],
            "event_type": rng.choice(["missile_strike", "drone_attack"], n),
            "place_id": "",
            "lat": np.where(inside, rng.uniform(43.5, 45.5, n), rng.uniform(60, 65, n)),
            "lon": np.where(inside, rng.uniform(31, 36, n), rng.uniform(60, 70, n)),
            "is_user_data": True,
        }
    )
    every = mf.build_event_markers(own, base)  # the reference: every event written out
    one_by_one = mf.individual_mask(every["x"].to_numpy(float), every["y"].to_numpy(float), base, limit)
    assert 0 < one_by_one.sum() < n
    written = []
    original = mf.build_event_markers
    monkeypatch.setattr(mf, "build_event_markers", lambda ev, b: written.append(len(ev)) or original(ev, b))
    layers = mf.build_map_layers(_places([_place("x")]), own.iloc[0:0], ACTORS, base, own_events=own, limit=limit)
    assert written == [int(one_by_one.sum())]  # hover texts only for those drawn one by one
    pd.testing.assert_frame_equal(layers.event_markers, every[one_by_one].reset_index(drop=True))
    counted = layers.clusters[layers.clusters["slot"] == mf.USER_EVENTS]
    assert counted["n"].sum() == n - one_by_one.sum()
    assert all("Missile strike" in h or "Drone attack" in h for h in counted["hover"])


def _many_places(n, seed=1):
    import numpy as np

    rng = np.random.default_rng(seed)
    kinds = list(mf.KIND_STYLES)
    return _places(
        [
            _place(
                f"p{i}",
                kind=kinds[i % len(kinds)],
                operator=("rus", "usa", "ukr")[i % 3],
                name=f"<Site {i}>",
                lon=float(rng.uniform(20, 40)),
                lat=float(rng.uniform(42, 58)),
            )
            for i in range(n)
        ]
    )


def test_small_selections_are_drawn_exactly_as_before(ds, maps):
    layers = mf.build_map_layers(ds.places, ds.events, ds.actors, maps["europe"])
    expected = mf.build_marker_table(ds.places, ds.events, ds.actors, maps["europe"])
    assert layers.clusters.empty and layers.n_clustered == 0 and layers.event_markers.empty
    pd.testing.assert_frame_equal(layers.markers, expected)


def test_many_places_are_grouped_into_cells_with_counts_and_a_small_payload(maps):
    places = _many_places(3000)
    events = _events([(f"e{i}", "2019-01-01", f"E{i}", f"p{i % 50}") for i in range(500)])
    layers = mf.build_map_layers(places, events, ACTORS, maps["europe"], selected=["p7"])
    # Every place is counted once: singly (the selected one) or inside a cluster.
    assert list(layers.markers["place_id"]) == ["p7"] and layers.n_clustered == 2999 and layers.n_places == 3000
    assert layers.clusters["n_events"].sum() + layers.markers["n_events"].sum() == 500
    assert len(layers.clusters) < 500 and set(layers.clusters["slot"]) == {mf.CURATED_PLACES}
    fig = mf.build_map_figure(maps["europe"], layers.markers, ["p7"], clusters=layers.clusters)
    clusters = _roles(fig, "clusters")
    assert [t.meta["slot"] for t in clusters] == [mf.CURATED_PLACES]
    hover = clusters[0].hovertext[0]
    assert " places</b>" in hover and "NATO: " in hover and "events at them" in hover and "see each one" in hover
    assert "Site" not in hover  # counts only, no per-place text
    # Operators alternate between the sides, so most cells have no clear majority and are drawn as mixed.
    colours = list(clusters[0].marker.color)
    assert colours.count(mf.MIXED_COLOUR) > len(colours) / 2
    assert "Grouped places: count; colour of most, dark grey if mixed" in [t.name for t in fig.data if t.showlegend]
    assert len(fig.to_json().encode()) < 1_000_000
    # A regional view with few places in its extent draws those singly and groups only the rest.
    north = _places([_place(f"n{i}", lon=20 + i % 20, lat=56 + (i % 7) / 3) for i in range(600)])
    south = _places([_place(f"s{i}", lon=30 + (i % 10) / 2, lat=44 + (i % 5) / 2) for i in range(50)])
    mixed = mf.build_map_layers(pd.concat([north, south], ignore_index=True), events, ACTORS, maps["black_sea"])
    assert set(mixed.markers["place_id"]) == set(south["place_id"]) and mixed.n_clustered == 600


def test_clusters_keep_the_readers_places_apart_and_escape_kinds(maps):
    points = pd.DataFrame(
        {
            "x": [0.0, 1.0, 2.0, 3.0, 4.0],
            "y": [0.0, 1.0, 2.0, 3.0, 4.0],
            "slot": [mf.CURATED_PLACES] * 3 + [mf.USER_PLACES] * 2,
            "side": ["NATO", "NATO", "Russia", "Russia", "Russia"],
            "kind": ["<b>odd</b>", "Air base", "Air base", "Air base", "Air base"],
            "n_events": [1, 2, 3, 4, 5],
        }
    )
    clusters = mf.build_clusters(points, maps["europe"])
    by_slot = clusters.set_index("slot")
    curated, mine = by_slot.loc[mf.CURATED_PLACES], by_slot.loc[mf.USER_PLACES]
    assert curated["n"] == 3 and curated["n_events"] == 6 and mine["n"] == 2
    assert "&lt;b&gt;odd&lt;/b&gt;: 1" in curated["hover"] and "NATO: 2 · Russia: 1" in curated["hover"]
    assert curated["colour"] == SIDE_COLOURS["NATO"]  # two of three is a clear majority
    assert "your data" in mine["hover"] and "your data" not in curated["hover"]
    # The reader's group sits beside the curated one in the same cell, not on top of it.
    assert clusters[["x", "y"]].drop_duplicates().shape[0] == 2


def test_clusters_of_categorical_columns_match_those_of_plain_text(maps):
    """The reader's events reach build_clusters as categoricals (codes, not 300,000 strings): the same clusters."""
    import numpy as np

    rng = np.random.default_rng(7)
    n = 500
    plain = pd.DataFrame(
        {
            "x": rng.uniform(-900, 900, n),
            "y": rng.uniform(-900, 900, n),
            "slot": mf.USER_EVENTS,
            "side": "Other",
            "kind": rng.choice(["Missile strike", "Drone <b>attack</b>", "Shelling"], n),
            "n_events": 0,
        }
    )
    coded = plain.assign(**{c: plain[c].astype("category") for c in ("slot", "side", "kind")})
    expected = mf.build_clusters(plain, maps["europe"], noun="events")
    got = mf.build_clusters(coded, maps["europe"], noun="events")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert expected["n"].sum() == n and "Drone &lt;b&gt;attack&lt;/b&gt;" in " ".join(expected["hover"])


def test_event_kinds_read_as_words_once_per_type():
    events = pd.DataFrame({"event_type": ["missile_test", "exercise", "missile_test", "Missile test"]}, index=[5, 6, 7, 8])
    kinds = mf.event_kinds(events)
    assert kinds.tolist() == ["Missile test", "Exercise", "Missile test", "Missile test"]
    assert list(kinds.index) == [5, 6, 7, 8] and list(kinds.cat.categories) == ["Exercise", "Missile test"]
    assert mf.event_kinds(events.iloc[0:0]).tolist() == []


def test_own_event_rows_copy_only_what_the_map_draws():
    events = pd.DataFrame({c: [f"{c}{i}" for i in range(4)] for c in [*mf.OWN_EVENT_COLUMNS, "summary", "source_url"]})
    rows = mf.own_event_rows(events, [3, 1])
    assert list(rows.columns) == mf.OWN_EVENT_COLUMNS and rows["event_id"].tolist() == ["event_id3", "event_id1"]


def _label(x, y, text, must=False, spots=(("middle center", 0, 0), ("middle center", 0, -20))):
    return mf.MapLabel(x, y, ((text, (text,)),), 10, 0.5, spots, must)


def test_plan_labels_moves_a_label_off_another_leaves_out_one_without_room_and_never_stacks_a_must():
    km_per_px = 1.0  # a 10-character label at 10 px is 50 × 12.5 km, and 2 km more on each side
    labels = [
        _label(0, 0, "aaaaaaaaaa"),
        _label(10, 2, "bbbbbbbbbb"),  # covers the first where it is: moves 20 km down
        _label(0, 0, "cccccccccc", spots=(("middle center", 0, 0),)),  # nowhere else to go: left out
        _label(200, 0, "dddddddddd", must=True),  # on a marker at both spots: shown all the same
        _label(200, 5, "eeeeeeeeee", must=True),  # a must, but the label before covers both its spots: left out
    ]
    plan = mf.plan_labels(labels, [[200, 0], [200, -20]], km_per_px)
    assert plan[0] == (0, 0, "aaaaaaaaaa", "middle center")
    assert plan[1] == (10, -18, "bbbbbbbbbb", "middle center")
    assert plan[2] is None
    assert plan[3] == (200, 0, "dddddddddd", "middle center")
    assert plan[4] is None
    # A frame keeps labels whole inside the map: a label that would cross its edge is left out.
    assert mf.plan_labels([_label(0, 0, "aaaaaaaaaa")], [], km_per_px, frame=(-20, -20, 100, 100)) == [None]


def _boxes_overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("view", list(basemap.VIEWS))
def test_base_map_labels_cover_no_other_label_at_the_smallest_map(ds, maps, view):
    """At the planned scale (the map on a phone) no two labels written overlap, all lie inside the map, and only the
    region names and the note about Crimea may cover a marker; the countries it names are written in any case."""
    base = maps[view]
    markers = mf.build_marker_table(mf.places_as_of(ds.places, TODAY), ds.events, ds.actors, base)
    points = markers[["x", "y"]].to_numpy(dtype=float)
    first, seas, countries = mf._base_labels(base)
    plans = mf._label_plan(base, points)
    km_per_px = max(
        (base.x_range[1] - base.x_range[0]) / mf.LABEL_PLOT_PX[0], (base.y_range[1] - base.y_range[0]) / mf.LABEL_PLOT_PX[1]
    )
    written = []
    for labels, plan in zip((first, seas, countries), plans, strict=True):
        for label, spot in zip(labels, plan, strict=True):
            if spot is None:
                continue
            x, y, text, position = spot
            lines = next(lines for form, lines in label.forms if form == text)
            box = mf.label_box(x, y, lines, label.size, position, km_per_px, label.char_em)
            assert base.x_range[0] <= box[0] and box[2] <= base.x_range[1], text
            assert base.y_range[0] <= box[1] and box[3] <= base.y_range[1], text
            if not label.must:
                half = mf.MARKER_BOX_PX / 2 * km_per_px
                assert not any(_boxes_overlap(box, (px - half, py - half, px + half, py + half)) for px, py in points), text
            written.append((text, box))
    for i, (text, box) in enumerate(written):
        for other, other_box in written[i + 1 :]:
            assert not _boxes_overlap(box, other_box), f"{text} covers {other}"
    texts = " ".join(t for t, _ in written)
    if view != "baltic":  # Crimea lies outside the Baltic view
        assert "Crimea" in texts and "UKRAINE" in texts and "RUSSIA" in texts
    assert len(written) >= 10  # still a map with names on it


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((mf._luminance(a), mf._luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_map_text_contrasts_at_least_4_5_to_1_with_what_it_is_written_on():
    for colour in (mf.COUNTRY_LABEL_COLOUR, mf.REGION_LABEL_COLOUR, mf.OCCUPIED_LABEL_COLOUR, mf.SEA_LABEL_COLOUR):
        assert min(_contrast(colour, mf.LAND_COLOUR), _contrast(colour, mf.SEA_COLOUR)) >= 4.5, colour
    for fill in [*SIDE_COLOURS.values(), mf.MIXED_COLOUR, mf.USER_COLOUR]:
        # A cluster's count on its circle, drawn at 85 % opacity over the land.
        top = [int(fill[i : i + 2], 16) for i in (1, 3, 5)]
        land = [int(mf.LAND_COLOUR[i : i + 2], 16) for i in (1, 3, 5)]
        seen = "#" + "".join(f"{round(0.85 * t + 0.15 * b):02x}" for t, b in zip(top, land, strict=True))
        assert _contrast(mf.text_colour_on(fill, 0.85), seen) >= 4.5, fill
