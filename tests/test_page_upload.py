"""The "Your data" page: every corpus file gives its message without an exception; accepted rows reach other pages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import APP, open_page
from tests.upload_corpus import ACLED_HEADER, ACLED_ROW, CASES, _csv


def _run_upload(app_path: str, kind: str, name: str, data: bytes) -> None:
    """The upload page's own path (read, validate, add to the session) with the file injected.

    AppTest cannot drive st.file_uploader, so this script runs the same calls the page makes.
    """
    import sys
    from pathlib import Path as _P

    sys.path.insert(0, str(_P(app_path).parents[1]))
    from dashboard.ui import upload_flow

    upload_flow.process_upload(kind, name, data, key=name)
    upload_flow.render_report(kind, name)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_corpus_file_through_the_upload_page(case):
    at = AppTest.from_function(_run_upload, args=(APP, case.kind, case.name, case.data), default_timeout=60).run()
    assert not at.exception, at.exception
    shown = [e.value for e in (*at.warning, *at.error, *at.info)]
    rejects = at.dataframe[0].value["reason"].astype(str).tolist() if at.dataframe else []
    said = " ".join(shown + rejects)
    # Messages are escaped for Markdown: compare without the escaping backslashes.
    assert case.expect in said.replace("\\", ""), said
    accepted = next(m.value for m in at.metric if m.label == "Rows accepted")
    assert accepted == f"{case.accepted:,}"


def test_upload_page_renders_and_offers_templates():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("views/upload.py").run()
    assert not at.exception
    assert at.title[0].value == "Your data"
    labels = [b.label for b in at.get("download_button")]
    assert any("Template: events.csv" in lbl for lbl in labels)
    assert any("No uploaded data." in m.value for m in at.markdown)


def test_uploaded_acled_rows_appear_on_the_home_page_tagged():
    """Session uploads merge into every page's data, tagged as the reader's own."""

    at = open_page(uploads=[("events", "acled.csv", _csv(ACLED_HEADER, ACLED_ROW))])
    at.session_state["home_events_table"] = True  # open the events table
    at.run()
    table = at.dataframe[0].value
    assert (table["origin"] == "your data").sum() == 1


def test_held_rows_are_counted_in_the_right_number():
    at = open_page(uploads=[("events", "acled.csv", _csv(ACLED_HEADER, ACLED_ROW))])
    at.switch_page("views/upload.py").run()
    said = [m.value for m in at.markdown]
    assert "1 event" in said, said  # not "1 events"


def test_clear_my_data_removes_the_rows():
    def script(app_path: str, data: bytes) -> None:
        import sys
        from pathlib import Path as _P

        sys.path.insert(0, str(_P(app_path).parents[1]))
        import streamlit as st

        from dashboard.ui import upload_flow, userdata

        upload_flow.process_upload("events", "acled.csv", data, key="acled")
        if st.button("Clear my data"):
            userdata.clear()
        st.metric("held", sum(userdata.counts().values()))

    at = AppTest.from_function(script, args=(APP, _csv(ACLED_HEADER, ACLED_ROW)), default_timeout=60).run()
    assert at.metric[0].value == "1"
    at.button[0].click().run()
    assert at.metric[0].value == "0"


def test_a_60000_row_acled_export_is_read_and_reaches_every_page(tmp_path, monkeypatch):
    """A large export (gzip, limits raised as a self-hosted server raises them) is read whole and every page runs with it."""
    from benchmarks.synthetic import acled_export
    from tests.pages import session_after_uploads

    for name, value in (("MAX_ROWS", "60000"), ("MAX_BYTES", "50000000"), ("MAX_TEXT_BYTES", "50000000")):
        monkeypatch.setenv(f"INF_WATCH_UPLOAD_{name}", value)
    path = acled_export(tmp_path / "acled.csv.gz", 60_000)
    state = session_after_uploads([("events", path.name, path.read_bytes())], timeout=600)
    said: dict[str, str] = {}
    for page in (None, "views/map.py", "views/ranges.py", "views/statements.py", "views/about.py", "views/upload.py"):
        at = AppTest.from_file(APP, default_timeout=300)
        for key, value in state.items():
            at.session_state[key] = value
        if page == "views/upload.py":  # this page is reached from a running app (as its own test does)
            at.run()
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, (page, at.exception)
        said[page or "home"] = " ".join(str(e.value) for e in (*at.markdown, *at.info, *at.caption))
    assert "Including 60,000 of your own events" in said["home"]
    assert "60,000 events" in said["views/upload.py"]
