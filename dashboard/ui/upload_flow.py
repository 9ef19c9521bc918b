"""The upload widget flow: read a file once per session, keep its report, and show it safely."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import upload_process, uploads
from dashboard.export import to_csv_bytes
from dashboard.memory import return_freed_memory
from dashboard.text import counted, escape_markdown
from dashboard.ui import cache, userdata

_KEY_SEEN = "upload_seen"  # (key, kind) -> UploadResult, so reruns don't add a file twice
_KEY_LAST_NAME = "upload_last_name"  # the file name of the last upload, for its report


def process_file(kind: str, file) -> uploads.UploadResult:
    """process_upload for the upload widget's file: its size is checked before its bytes are read, and once read the
    server forgets the bytes (the session keeps the accepted rows only, not the file as well)."""
    too_big = uploads.size_refusal(file.name, file.size)
    if too_big:  # refused on its size alone: not one byte of it is read
        seen = st.session_state.setdefault(_KEY_SEEN, {})
        result = seen.setdefault((file.file_id, kind), uploads.refused(kind, too_big))
        _remember_last((file.file_id, kind), file.name)
    else:
        result = process_upload(kind, file.name, file.getvalue(), key=file.file_id)
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, file.file_id)
    return result


def process_upload(kind: str, name: str, data: bytes, key: str) -> uploads.UploadResult:
    """Validate an uploaded file (once per key) and add its accepted rows to this session's data."""
    seen = st.session_state.setdefault(_KEY_SEEN, {})
    marker = (key, kind)
    if marker not in seen:
        # A large file takes seconds to read and check: say so while it does, batch by batch.
        with st.status(f"Reading and checking {name} ({len(data):,} bytes)…", expanded=True) as status:
            bar = st.progress(0.0, text=f"Reading {name}…")
            result = upload_process.read_upload(
                name,
                data,
                kind,
                cache.get_dataset(),
                cache.get_regions(),
                userdata.user_rows("places"),
                progress=lambda fraction, text: bar.progress(fraction, text=text),
            )
            if result.ok:
                userdata.add_rows(kind, result.accepted)
            bar.progress(1.0, text=f"Read {name}.")
            status.update(
                label=f"Read {name}: {counted(len(result.accepted), 'row')} accepted.", state="complete", expanded=False
            )
        seen[marker] = result
        return_freed_memory()  # the file's text and the batches' scratch rows
    _remember_last(marker, name)
    return seen[marker]


def _remember_last(marker: tuple[str, str], name: str) -> None:
    """The upload whose report the page shows."""
    st.session_state["upload_last"] = marker
    st.session_state[_KEY_LAST_NAME] = name


def last_upload_name() -> str | None:
    """The name of the file whose report render_report shows, or None before any upload."""
    return st.session_state.get(_KEY_LAST_NAME)


def forget_reports() -> None:
    st.session_state.pop(_KEY_SEEN, None)
    st.session_state.pop("upload_last", None)
    st.session_state.pop(_KEY_LAST_NAME, None)


def render_report(kind: str, name: str) -> None:
    """Show what happened to the last upload: counts, messages, the first 20 rejects and a download of all."""
    marker = st.session_state.get("upload_last")
    result = st.session_state.get(_KEY_SEEN, {}).get(marker) if marker else None
    if result is None:
        return
    kind = marker[1]  # the kind the file was read as, whichever the page now has chosen
    st.subheader("Upload report")
    detected = ", ".join(f"{k}: {v}" for k, v in result.detected.items())
    st.caption(escape_markdown(f"{name} — {detected}"))
    rejected_lines = result.rejects["line"].nunique() if len(result.rejects) and "line" in result.rejects else 0
    c1, c2 = st.columns(2)
    c1.metric("Rows accepted", f"{len(result.accepted):,}")
    c2.metric("Rows rejected", f"{rejected_lines:,}")
    for message in result.messages:
        if result.ok:
            st.info(escape_markdown(message))
        else:
            st.error(escape_markdown(message))
    if len(result.rejects):
        n = len(result.rejects)
        shown = "the first 20 of " if n > 20 else ""
        st.markdown(f"**Rejected rows** ({shown}{n:,} problem{'s' if n != 1 else ''}; download them all below)")
        st.dataframe(result.rejects[["line", "column", "reason"]].head(20), hide_index=True, width="stretch")
        st.download_button(
            "Download all rejects (CSV)",
            to_csv_bytes(result.rejects),
            file_name="inf_watch_rejects.csv",
            mime="text/csv",
            key="dl_rejects",
            on_click="ignore",  # no rerun: during one, no session holds the file the browser is fetching
        )
    if result.ok:
        st.success(
            f"{counted(len(result.accepted), kind.removesuffix('s'), kind)} added. They now appear on every page, tagged as your data."
        )
