"""Closing the sessions of readers who left: what Streamlit keeps for a reconnect, shut down once it stops keeping it."""

from __future__ import annotations

import threading

from streamlit import runtime

_closed_sessions = [0]  # how many sessions the hook below has shut down in this process


def _shut_down_unless_resumed(sessions):
    """What the session cache calls for every session it drops (see close_expired_sessions)."""

    def on_remove(session_id: str, info) -> None:
        if not sessions.is_active_session(session_id):  # a reconnect takes its session out of the cache, alive
            info.session.shutdown()
            _closed_sessions[0] += 1

    return on_remove


def close_expired_sessions() -> int:
    """Shut down the sessions of readers who left more than `server.disconnectedSessionTTL` seconds ago (120 by
    default); returns how many this call shut down. Runs on every collector round, just before its collection.

    Streamlit keeps a reader's session that long after their websocket closes, so that a reconnect resumes it, in a
    TTL cache that only drops an expired session when another is stored, and drops it without shutting it down. So on
    a server whose readers had all left, every one of their sessions (state, widgets) stayed in memory until the next
    reader came (109 sessions 160 s after 100 readers had left), and a dropped session's uploaded files were never
    released at all.

    The first call hooks the cache so that every session it drops, now or when a later one is stored, is shut down as
    Streamlit shuts down a closed session (uploaded and media files released, session caches cleared), unless the
    reader has reconnected to it. Both run on the server's event loop, where Streamlit handles sessions. Does nothing
    outside a running server, or where the session storage is not the in-memory one this knows.
    """
    if not runtime.exists():
        return 0
    server = runtime.get_instance()
    sessions = getattr(server, "_session_mgr", None)
    kept = getattr(getattr(sessions, "_session_storage", None), "_cache", None)
    async_objs = getattr(server, "_async_objs", None)
    if not hasattr(kept, "expire") or not hasattr(kept, "_on_remove") or async_objs is None:
        return 0
    done = threading.Event()
    closed = [0]

    def on_event_loop() -> None:
        try:
            if kept._on_remove is None:
                kept._on_remove = _shut_down_unless_resumed(sessions)
            before = _closed_sessions[0]
            kept.expire()
            closed[0] = _closed_sessions[0] - before
        finally:
            done.set()

    try:
        async_objs.eventloop.call_soon_threadsafe(on_event_loop)
    except RuntimeError:  # the event loop is closed: the server is stopping
        return 0
    done.wait(10.0)
    return closed[0]
