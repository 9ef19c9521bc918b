"""Opening the app under AppTest as a reader does: from a link, on one page, optionally after uploading files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
# An uploaded file as the "Your data" page receives it: (kind, file name, bytes).
Upload = tuple[str, str, bytes]


def _upload_files(app_path: str, files: list) -> None:
    """The "Your data" page's own calls for each file (AppTest cannot drive st.file_uploader)."""
    import sys
    from pathlib import Path as _P

    sys.path.insert(0, str(_P(app_path).parents[1]))
    from dashboard.ui import upload_flow

    for kind, name, data in files:
        upload_flow.process_upload(kind, name, data, key=name)


def session_after_uploads(uploads: Iterable[Upload], timeout: float = 90) -> dict:
    """The session state of a reader who has uploaded `uploads`, to start another AppTest with."""
    at = AppTest.from_function(_upload_files, args=(APP, list(uploads)), default_timeout=timeout).run()
    assert not at.exception, at.exception
    return {key: at.session_state[key] for key in at.session_state}


def open_page(
    page: str | None = None,
    params: Mapping[str, object] | None = None,
    *,
    uploads: Iterable[Upload] = (),
    timeout: float = 90,
) -> AppTest:
    """The whole app (navigation, sidebar, page) opened from a link holding `params`, straight on `page`
    (for example "views/map.py"; Home when None), in a session that has uploaded `uploads`. Fails on an exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in session_after_uploads(uploads, timeout).items() if uploads else ():
        at.session_state[key] = value
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def choose_tab(at: AppTest, key: str, label_start: str) -> AppTest:
    """Choose the tab of `widgets.lazy_tabs(..., key)` whose label starts with `label_start`, as a reader clicking it
    (the page reruns and builds that tab only). Fails on an exception."""
    label = next(label for label in at.session_state[f"{key}_labels"] if label.startswith(label_start))
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at
