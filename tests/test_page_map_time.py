"""The map's time modes in AppTest: play (frames, step buttons, link) and compare (two maps, what changed, link), bad links."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import briefing
from tests import fixtures
from tests.pages import open_page
from tests.test_page_map import MY_FILES

PAGE = "views/map.py"


def _specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _qp(at: AppTest) -> dict[str, str]:
    return {key: at.query_params[key] for key in at.query_params}


def _text(at: AppTest) -> str:
    return "\n".join(str(m.value).replace("\\", "") for m in [*at.markdown, *at.caption, *at.subheader])


def _shown_places(spec: dict) -> set[str]:
    ids = set()
    for trace in spec["data"]:
        if (trace.get("meta") or {}).get("role") == "play_places":
            ids |= {row[0] for row, x in zip(trace["customdata"], trace["x"], strict=True) if x is not None}
    return ids


def test_play_link_opens_the_animation_on_the_linked_step_and_step_buttons_move_it():
    at = open_page(PAGE, {"mode": "play", "asof": "2016-01-01", "fade": "5"})
    assert not at.warning
    (spec,) = _specs(at)
    labels = [step["label"] for step in spec["layout"]["sliders"][0]["steps"]]
    assert len(spec["frames"]) == len(labels) and labels[spec["layout"]["sliders"][0]["active"]] == "2015"
    assert "deveselu" not in _shown_places(spec)
    assert spec["layout"]["title"]["text"].startswith("<b>2015</b>") and "5 years before" in spec["layout"]["title"]["text"]
    at.button(key="map_play_forward").click().run()
    (spec,) = _specs(at)
    assert "deveselu" in _shown_places(spec)
    assert _qp(at) == {"mode": "play", "asof": "2016-12-31", "fade": "5"}  # the step shown when paused is in the link
    again = open_page(PAGE, _qp(at))
    assert _specs(again)[0]["layout"]["sliders"][0]["active"] == spec["layout"]["sliders"][0]["active"]


def test_play_by_month_in_a_window():
    at = open_page(PAGE, {"mode": "play", "step": "month", "a": "2019-01-01", "b": "2019-12-31", "asof": "2019-08-02"})
    (spec,) = _specs(at)
    labels = [step["label"] for step in spec["layout"]["sliders"][0]["steps"]]
    assert labels[0] == "2019-01" and labels[-1] == "2019-12" and len(labels) == 12
    assert labels[spec["layout"]["sliders"][0]["active"]] == "2019-07"


@pytest.mark.skipif(briefing.renderer_problem() is not None, reason="no Chromium at /usr/bin/chromium to render with")
def test_play_offers_the_animation_as_a_gif_made_when_clicked(monkeypatch):
    downloads = fixtures.capture_downloads(monkeypatch)
    at = open_page(PAGE, {"mode": "play", "a": "2014-01-01", "b": "2016-12-31", "view": "black_sea"})
    (button,) = [b for b in at.get("download_button") if b.proto.label == "Animation as a GIF"]
    assert "3 frames" in button.proto.help and "seconds" in button.proto.help
    (name,) = [n for n in downloads if n.endswith(".gif")]
    assert name.startswith("inf_watch_map_black_sea_2014-12-31_2016-12-31_")
    gif = Image.open(io.BytesIO(downloads[name]()))
    assert gif.is_animated and gif.n_frames == 3


def test_without_a_browser_play_says_why_there_is_no_gif(monkeypatch, tmp_path):
    monkeypatch.setenv(briefing.BROWSER_ENV, str(tmp_path / "no-chromium"))
    at = open_page(PAGE, {"mode": "play"})
    assert any("none is installed here" in info.value for info in at.info)
    assert not [b for b in at.get("download_button") if b.proto.label == "Animation as a GIF"]
    assert len(_specs(at)) == 1 and not at.exception  # the animation itself still plays


def test_compare_link_draws_two_maps_and_lists_what_changed_with_sources():
    at = open_page(PAGE, {"mode": "compare", "a": "2015-01-01", "b": "2017-12-31", "view": "black_sea"})
    assert not at.warning
    specs = _specs(at)
    assert len(specs) == 2
    assert specs[0]["layout"]["xaxis"]["range"] == specs[1]["layout"]["xaxis"]["range"]  # the same extent
    text = _text(at)
    assert "What changed from 2015-01-01 to 2017-12-31" in text
    assert "Aegis Ashore Romania (Deveselu)" in text and "opened 2016-05-12" in text
    assert "Source: [" in text
    assert _qp(at) == {"mode": "compare", "a": "2015-01-01", "b": "2017-12-31", "view": "black_sea"}
    at.date_input(key="map_time_b").set_value(at.date_input(key="map_time_a").value).run()
    assert "No site opened" in _text(at)
    assert _qp(at)["b"] == "2015-01-01"


def test_switching_modes_keeps_the_date_and_clears_the_time_link():
    at = open_page(PAGE, {"asof": "2017-07-01"})
    at.segmented_control(key="map_mode").set_value("compare").run()
    assert _qp(at)["mode"] == "compare" and "asof" not in _qp(at)
    at.segmented_control(key="map_mode").set_value("single").run()
    assert _qp(at) == {"asof": "2017-07-01"}


def test_bad_time_values_give_notices_and_defaults():
    at = open_page(PAGE, {"mode": "rewind", "a": "2019-02-30", "b": "1900-01-01", "step": "week", "fade": "x"})
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "unknown map mode “rewind”" in warnings and "2019-02-30" in warnings and "1900-01-01" in warnings
    assert "step “week”" in warnings and "fade in years “x”" in warnings
    assert at.session_state["map_mode"] == "single" and "mode" not in _qp(at)


def test_time_modes_show_the_readers_uploads():
    at = open_page(PAGE, {"mode": "play"}, uploads=MY_FILES)
    (spec,) = _specs(at)
    assert "my-site" in _shown_places(spec)
    roles = {(t.get("meta") or {}).get("role") for t in spec["data"]}
    assert "play_user_events" in roles
    at = open_page(PAGE, {"mode": "compare", "a": "2020-01-01", "b": "2020-12-31"}, uploads=MY_FILES)
    text = _text(at)
    assert "Drill at my site · *your data*" in text


def test_the_style_sheet_lets_each_compare_map_shrink_to_its_minimum_width_and_no_further():
    """The two compare maps wrap onto two rows below COMPARE_MIN_PX each: the style sheet names their containers."""
    from dashboard.ui import accessibility, map_time

    css = accessibility.STYLE_SHEET.read_text(encoding="utf-8")
    rule = css[css.index(":has(> .st-key-map_compare_a_column)") :]
    rule = rule[: rule.index("}")]
    assert ":has(> .st-key-map_compare_b_column)" in rule
    assert f"flex: 1 1 {map_time.COMPARE_MIN_PX}px" in rule and f"min(100%, {map_time.COMPARE_MIN_PX}px)" in rule
