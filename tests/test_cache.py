"""The cache layer: shared objects hold only the curated data; a reader's uploads live and die with their session."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from streamlit.runtime.caching.cache_resource_api import _resource_caches
from streamlit.testing.v1 import AppTest

from dashboard import charts, population, range_charts, ranges, systems
from dashboard.ui import cache
from tests.pages import open_page


def _many_secret_places() -> bytes:
    from tests.upload_corpus import PL_HEADER, _csv

    return _csv(
        PL_HEADER,
        *(
            f"secret-{i},Secret site {i},Poland,air_base,pol,{50 + i % 50 / 10:.2f},{18 + i % 70 / 10:.2f},,,x,T,P,,https://example.org/{i}"
            for i in range(2000)
        ),
    )


def _shared_values():
    """Every value held by every st.cache_resource function of the server (not by a session)."""
    for caches in _resource_caches._function_caches.values():
        for resource_cache in caches.values():
            for result in list(resource_cache._mem_cache.values()):
                yield resource_cache.display_name, result.value


def _mentions(value, needle: str) -> bool:
    if isinstance(value, pd.DataFrame):
        return any(value[c].astype(str).str.contains(needle, regex=False).any() for c in value.columns if value[c].dtype != bool)
    if isinstance(value, go.Figure):
        return needle in value.to_json()
    if isinstance(value, charts.DrawnFigure):  # a figure kept as its JSON (the ring maps)
        return needle in value.json
    if isinstance(value, tuple | list):
        return any(_mentions(v, needle) for v in value)
    if isinstance(value, dict):
        return any(_mentions(v, needle) for v in value.values())
    return False


def test_a_readers_places_never_reach_a_shared_cache():
    at = open_page("views/ranges.py", uploads=[("places", "p.csv", _many_secret_places())])
    places = next(d.value for d in at.dataframe if "distance_km" in d.value.columns and "bearing_deg" in d.value.columns)
    assert (places["origin"] == "your data").any()  # the reader sees their places ...
    assert "Secret site" in at.get("plotly_chart")[0].proto.spec
    shared = list(_shared_values())
    assert any(name.endswith("_curated_reach") for name, _ in shared)  # the page did use the shared caches
    leaks = [name for name, value in shared if _mentions(value, "Secret site")]
    assert leaks == []  # ... but nothing shared by every session holds them
    held = at.session_state["cache_session_values"]
    assert {"dataset", "places_in_reach", "ring_map"} <= set(held)


def test_clearing_uploads_forgets_what_was_built_from_them():
    def script():
        import streamlit as st

        from dashboard.ui import cache

        st.session_state["built"] = cache.session_value("thing", ("view",), lambda: object())
        st.session_state["again"] = cache.session_value("thing", ("view",), lambda: object())
        st.session_state["other_key"] = cache.session_value("thing", ("other",), lambda: object())
        cache.forget_session_values()
        st.session_state["after_forget"] = cache.session_value("thing", ("other",), lambda: object())

    at = AppTest.from_function(script).run()
    assert not at.exception, at.exception
    s = at.session_state
    assert s["built"] is s["again"]  # the same key: built once
    assert s["other_key"] is not s["built"]  # another key: built again, and only one value kept per name
    assert s["after_forget"] is not s["other_key"]


def test_every_shared_cache_follows_a_reload_of_the_data(tmp_path, monkeypatch):
    from dashboard import data
    from tests import fixtures

    cache.get_dataset.clear()
    before = cache.dataset_key()
    frames = cache.get_map_frames(), cache.get_statements_by_date(), cache.get_statement_search_index()
    folder = fixtures.write_dataset(tmp_path / "data")
    monkeypatch.setenv(data.DATA_DIR_ENV, str(folder))
    cache.get_dataset.clear()
    try:
        assert cache.dataset_key() != before
        assert cache.get_map_frames() is not frames[0]
        statements = cache.get_statements_by_date()
        assert len(statements) == len(cache.get_dataset().statements) != len(frames[1])
        assert list(cache.get_statement_search_index()["statement_id"]) == list(statements["statement_id"])
    finally:
        cache.get_dataset.clear()


def _secret_events() -> bytes:
    from tests.upload_corpus import EV_HEADER, _csv

    return _csv(
        EV_HEADER,
        *(
            f"secret-{i},2024-05-0{i + 1},Secret drill {i},A drill.,exercise,rou;nato,,Report,Publisher,2024-05-09,"
            "https://example.org/r,44.17,28.65"
            for i in range(3)
        ),
    )


def test_a_readers_events_stay_out_of_the_shared_timeline_and_map():
    uploads = [("events", "e.csv", _secret_events())]
    home = open_page(None, uploads=uploads)
    assert "Secret drill" in home.get("plotly_chart")[0].proto.spec  # the reader's timeline has their events ...
    mapped = open_page("views/map.py", uploads=uploads)
    leaks = [name for name, value in _shared_values() if _mentions(value, "Secret drill")]
    assert leaks == []  # ... no cache shared by every session does
    assert "events_timeline" in home.session_state["cache_session_values"]
    assert "map_figure" in mapped.session_state["cache_session_values"]


def test_the_shared_timeline_and_map_are_the_ones_the_filters_ask_for():
    import json

    from dashboard import charts
    from dashboard.filters import Filters, filter_events

    def spec(at: AppTest) -> str:
        return at.get("plotly_chart")[0].proto.spec

    baltic, black_sea, again = (open_page(None, {"region": r}) for r in ("Baltic", "Black Sea", "Baltic"))
    assert spec(baltic) == spec(again) != spec(black_sea)
    ds = cache.get_dataset()
    expected = charts.events_timeline(filter_events(ds.events, Filters(regions=("Baltic",))), ds.actors)
    assert json.loads(spec(baltic))["data"] == json.loads(expected.to_json())["data"]
    maps = [open_page("views/map.py", {"region": r}) for r in ("Baltic", "Black Sea", "Baltic")]
    assert spec(maps[0]) == spec(maps[2]) != spec(maps[1])


def test_the_map_of_a_readers_events_is_the_one_drawn_in_one_go():
    """The reader's events with their own coordinates are drawn apart from the places (so that they can be kept while
    they stay the same); laid over the places they give exactly what build_map_layers makes of both at once."""
    import numpy as np

    from dashboard import map_figures as mf

    tables, base = cache.get_map_frames(), cache.get_map_basemap("black_sea")
    n = mf.MAX_MARKERS * 3  # enough to be grouped into circles
    rng = np.random.default_rng(7)
    own = pd.DataFrame(
        {
            "event_id": [f"own-{i}" for i in range(n)],
            "date": pd.Timestamp("2024-05-01"),
            "title": [f"Drill {i % 40}" for i in range(n)],
            "event_type": ["exercise", "incident"] * (n // 2),
            "place_id": "",
            "lat": rng.uniform(41.0, 48.0, n),
            "lon": rng.uniform(27.0, 42.0, n),
            "is_user_data": True,
        }
    )
    for own_events in (own.head(5), own):
        whole = mf.build_map_layers(tables.places, tables.events, tables.actors, base, ("deveselu",), own_events)
        apart = cache._own_event_layers("black_sea", tables.places, tables.events, tables.actors, own_events)
        laid = cache._with_own_events(
            mf.build_map_layers(tables.places, tables.events, tables.actors, base, ("deveselu",)), apart
        )
        for layer in ("markers", "clusters", "event_markers"):
            pd.testing.assert_frame_equal(getattr(laid, layer), getattr(whole, layer))
        assert (laid.n_places, laid.n_outside) == (whole.n_places, whole.n_outside)
    assert len(whole.clusters) and (whole.clusters["slot"] == mf.USER_EVENTS).any()  # the large case did group them


def test_a_readers_events_are_drawn_again_only_when_those_shown_change():
    at = open_page("views/map.py", uploads=[("events", "e.csv", _secret_events())])  # three events on the Romanian coast
    held = at.session_state["cache_session_values"]
    first, figure = held["map_own_events"][1], held["map_figure"][1]  # (key, value)
    at.multiselect(key="flt_regions").set_value(["Black Sea"]).run()  # the same three events shown
    held = at.session_state["cache_session_values"]
    assert held["map_own_events"][1] is first and held["map_figure"][1] is not figure
    today = at.slider(key="map_asof").value
    at.slider(key="map_asof").set_value(pd.Timestamp("2024-05-02").date()).run()  # the first two of them
    assert at.session_state["cache_session_values"]["map_own_events"][1] is not first
    at.slider(key="map_asof").set_value(today).run()  # back to all three: kept from before
    assert at.session_state["cache_session_values"]["map_own_events"][1] is first
    assert not at.exception, at.exception


def test_filtered_tables_are_shared_for_the_curated_data_and_equal_filtering_them():
    import dataclasses

    from dashboard.filters import Filters, filter_events, filter_places, filter_statements

    ds = cache.get_dataset()
    baltic = Filters(regions=("Baltic",))
    shown = cache.get_filtered(ds, baltic)
    assert cache.get_filtered(ds, Filters(regions=("Baltic",))) is shown  # every reader with these filters: one value
    pd.testing.assert_frame_equal(shown.events, filter_events(ds.events, baltic))
    pd.testing.assert_frame_equal(shown.statements, filter_statements(ds.statements, baltic))
    pd.testing.assert_frame_equal(shown.places, filter_places(ds.places, baltic))
    assert set(shown.events["region"]) == {"Baltic"} and len(shown.events) < len(ds.events)
    # Another data set (a session with uploads) is filtered on the spot and never kept by the shared cache.
    other = dataclasses.replace(ds, events=ds.events.iloc[:10])
    mine = cache.get_filtered(other, baltic)
    pd.testing.assert_frame_equal(mine.events, filter_events(ds.events.iloc[:10], baltic))
    assert not any(value is mine for _name, value in _shared_values())


def test_the_warm_up_builds_what_the_ranges_page_then_finds(monkeypatch):
    """The start of a server builds every curated launch point's ring map and tables (cache.start_warming): under the
    keys the page asks for, so that a reader picking one builds nothing."""
    cache._ring_map.clear()
    cache._curated_reach.clear()
    cache._every_system.clear()
    assert cache.warm_launch_points(limit=3) == 3
    warmed = cache.get_dataset().places["place_id"].head(3).tolist()
    at = open_page("views/ranges.py")  # the page's own shared results (the Moscow table, the catalogue) first
    built = []

    def recorder(name, real):
        def record(*args, **kwargs):
            built.append(name)
            return real(*args, **kwargs)

        return record

    for module, name in (
        (range_charts, "ring_map"),
        (ranges, "places_in_reach"),
        (systems, "every_system"),
        (population, "people_in_range"),
    ):
        monkeypatch.setattr(module, name, recorder(name, getattr(module, name)))
    for place_id in warmed:
        at.selectbox(key="rng_launch").set_value(place_id).run()
        assert not at.exception and not at.error, (at.exception, at.error)
        name = cache.get_dataset().places.set_index("place_id").at[place_id, "name"]
        assert name in at.get("plotly_chart")[0].proto.spec  # the ring map drawn is that launch point's
    assert built == []
    at.selectbox(key="rng_launch").set_value(cache.get_dataset().places["place_id"].iloc[5]).run()  # not warmed
    assert "ring_map" in built and "places_in_reach" in built


def test_the_warm_up_starts_once_per_server_and_can_be_switched_off(monkeypatch):
    calls = []
    monkeypatch.setattr(cache, "warm_launch_points", lambda pause_s: calls.append(pause_s))
    monkeypatch.setitem(cache._warm, "thread", None)
    monkeypatch.setenv(cache.WARM_ENV, "off")
    assert cache.start_warming() is False and cache._warm["thread"] is None
    monkeypatch.setenv(cache.WARM_ENV, "")
    assert cache.start_warming(pause_s=0.5) is True
    assert cache.start_warming() is False  # once per process
    cache._warm["thread"].join(10)
    assert calls == [0.5]
