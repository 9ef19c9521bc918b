"""The upload widget flow: read a file once per session, keep its report, and show it safely."""

from __future__ import annotations

import streamlit as st

from dashboard import uploads
from dashboard.export import to_csv_bytes
from dashboard.text import escape_markdown
from dashboard.ui import cache, userdata

_KEY_SEEN = "upload_seen"  # (key, kind) -> UploadResult, so reruns don't add a file twice


def process_upload(kind: str, name: str, data: bytes, key: str) -> uploads.UploadResult:
    """Validate an uploaded file (once per key) and add its accepted rows to this session's data."""
    seen = st.session_state.setdefault(_KEY_SEEN, {})
    marker = (key, kind)
    if marker not in seen:
        # A large file takes seconds to read and check: say so while it does.
        with st.status(f"Reading and checking {name} ({len(data):,} bytes)…") as status:
            result = uploads.read_upload(name, data, kind, cache.get_dataset(), cache.get_regions(), userdata.user_rows("places"))
            if result.ok:
                userdata.add_rows(kind, result.accepted)
            status.update(label=f"Read {name}: {len(result.accepted):,} rows accepted.", state="complete")
        seen[marker] = result
    st.session_state["upload_last"] = marker
    return seen[marker]


def forget_reports() -> None:
    st.session_state.pop(_KEY_SEEN, None)
    st.session_state.pop("upload_last", None)


def render_report(kind: str, name: str) -> None:
    """Show what happened to the last upload: counts, messages, the first 20 rejects and a download of all."""
    marker = st.session_state.get("upload_last")
    result = st.session_state.get(_KEY_SEEN, {}).get(marker) if marker else None
    if result is None:
        return
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
        )
    if result.ok:
        st.success(f"{len(result.accepted):,} {kind} added. They now appear on every page, tagged as your data.")
