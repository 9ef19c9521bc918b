"""dashboard/ui/widgets.py: drawing a shared figure or table on every rerun without converting it each time."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io
from streamlit.testing.v1 import AppTest


def _page() -> None:
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from dashboard.ui import widgets

    if "figure" not in st.session_state:  # one figure object, drawn again on every rerun (as a cached one is)
        fig = go.Figure(go.Scatter(x=np.arange(5000.0), y=np.arange(5000.0) ** 0.5, name="<b>curve</b>", uid="u1"))
        fig.update_layout(title="Shared", xaxis_title="distance (km)")
        st.session_state["figure"] = fig
        st.session_state["copies"] = copies = [0]
        original = fig.to_dict

        def counted():
            copies[0] += 1
            return original()

        object.__setattr__(fig, "to_dict", counted)
    widgets.plotly_chart(st.session_state["figure"], key="chart")


def test_a_figure_drawn_again_is_serialised_once_and_sent_the_same(monkeypatch):
    from dashboard.ui import widgets

    serialised = []
    plain = widgets._plotly_to_json

    def counting(fig, *args, **kwargs):
        if fig["layout"]["title"]["text"] == "Shared":
            serialised.append(fig)
        return plain(fig, *args, **kwargs)

    # charts.drawn_figure makes the JSON with plotly's own to_json, which widgets' wrapper names as __wrapped__.
    monkeypatch.setattr(plotly.io.to_json, "__wrapped__", counting)
    at = AppTest.from_function(_page).run()
    assert not at.exception, at.exception
    first = at.get("plotly_chart")[0].proto.spec
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart")[0].proto.spec == first
    assert at.session_state["copies"] == [1]  # three runs, one copy
    assert len(serialised) == 1  # and one JSON
    # Anything else that asks the figure for its dict (a briefing image, say) still gets all of it.
    assert at.session_state["figure"].to_dict()["data"][0]["name"] == "<b>curve</b>"
    assert at.session_state["copies"] == [2]
    spec = json.loads(first)
    expected = json.loads(go.Figure(at.session_state["figure"]).to_json())
    assert spec["data"][0]["name"] == "<b>curve</b>" and spec["layout"]["title"]["text"] == "Shared"
    assert spec["data"][0]["x"] == expected["data"][0]["x"] and "uid" not in spec["data"][0]


def _table_page() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.ui import widgets

    if "frame" not in st.session_state:  # one frame object, shown again on every rerun (as a cached one is)
        st.session_state["frame"] = pd.DataFrame({"name": ["Kaliningrad", "Deveselu"], "km": [1.5, 2.25], "hidden": [1, 2]})
        st.session_state["made"] = 0

    def shown(frame):
        st.session_state["made"] += 1
        return frame[["name", "km"]]

    widgets.shared_dataframe(st.session_state["frame"], "two", shown, hide_index=True)


def test_a_shared_table_is_converted_once_and_shows_what_the_view_picks():
    at = AppTest.from_function(_table_page).run()
    at.run()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["made"] == 1  # three runs, one view and one conversion
    value = at.dataframe[0].value
    assert list(value.columns) == ["name", "km"]
    assert value["name"].tolist() == ["Kaliningrad", "Deveselu"] and value["km"].tolist() == [1.5, 2.25]


def test_derived_values_are_kept_per_frame_and_key():
    import pandas as pd

    from dashboard.ui import cache

    calls = []
    frame = pd.DataFrame({"km": [100.0, 600.0, 2000.0]})

    def within(limit):
        return lambda f: calls.append(limit) or f[f["km"] <= limit]

    assert cache.derived(frame, ("within", 700.0), within(700.0))["km"].tolist() == [100.0, 600.0]
    assert cache.derived(frame, ("within", 700.0), within(700.0))["km"].tolist() == [100.0, 600.0]
    assert cache.derived(frame, ("within", 150.0), within(150.0))["km"].tolist() == [100.0]
    assert calls == [700.0, 150.0]
    other = frame.copy()  # another frame (a reload, another session's) has its own
    assert cache.derived(other, ("within", 700.0), within(700.0))["km"].tolist() == [100.0, 600.0]
    assert calls == [700.0, 150.0, 700.0]
    assert list(frame.columns) == ["km"]  # nothing was added to the frame's columns


def _drawn_page() -> None:
    import plotly.graph_objects as go

    from dashboard import charts
    from dashboard.ui import widgets

    fig = go.Figure(go.Scatter(x=[1.0, 2.0], y=[3.0, 4.0], name="ring"), layout={"height": 420, "title": {"text": "Kept"}})
    widgets.plotly_chart(fig, key="figure")
    widgets.plotly_chart(charts.drawn_figure(fig), key="drawn")


def test_a_figure_kept_as_its_json_is_drawn_as_the_figure_itself():
    at = AppTest.from_function(_drawn_page).run()
    assert not at.exception, at.exception
    figure, drawn = at.get("plotly_chart")
    assert drawn.proto.spec == figure.proto.spec and json.loads(drawn.proto.spec)["data"][0]["name"] == "ring"
    assert json.loads(drawn.proto.spec)["layout"]["height"] == 420


def test_the_logo_and_icon_are_data_urls_streamlit_passes_on_as_they_are():
    import base64
    from pathlib import Path

    from streamlit.commands.logo import _process_logo_image
    from streamlit.commands.page_config import _get_favicon_string

    from dashboard.ui.widgets import image_data_url

    assets = Path(__file__).resolve().parents[1] / "assets"
    for name, mime in (("logo.svg", "image/svg+xml"), ("favicon.png", "image/png")):
        url = image_data_url(str(assets / name))
        head, _, body = url.partition(",")
        assert head == f"data:{mime};base64" and base64.b64decode(body) == (assets / name).read_bytes()
        assert image_data_url(str(assets / name)) is url  # read once
        # Neither st.logo nor st.set_page_config reads or converts it again: the URL is what the browser gets.
        assert _process_logo_image(url, "logo")[1] == url
        assert _get_favicon_string(url) == url
