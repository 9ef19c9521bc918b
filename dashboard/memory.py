"""Keeping a long-running server's memory near what it holds, not what it once needed.

A Streamlit server runs each session's script on its own thread and builds large, short-lived frames
(filters, sorts, exports). Left alone, glibc gives each thread its own arena and keeps freed blocks
for reuse, and Arrow's default allocator keeps its own pool: the process then sits at its peak. Two
settings stop that, and `release_memory` hands what is free back after a big load.

Streamlit's own full collection after every script run (`runner.postScriptGC`) is switched off in
.streamlit/config.toml: it walked every live object on each reader's every action (a quarter of the server's CPU
per action in the load test). `start_collector` collects every COLLECT_EVERY_S seconds instead, on a thread of its
own, and Python's own full collections are left to it: what ended sessions leave in reference cycles still goes, idle
or not. Each round first runs the hooks given to before_each_collection (the server's: closing the sessions of readers
who left, dashboard/ui/sessions.py).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import threading
from collections.abc import Callable

# mallopt parameters (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
# Blocks from this size up get their own mapping, returned to the system when freed (glibc otherwise
# raises this threshold as large blocks are freed, up to 32 MB, and keeps them in the heap).
MMAP_THRESHOLD_BYTES = 1 << 20
# Arenas shared by all threads (glibc's default is eight per core).
ARENA_MAX = 2

# Seconds between the collector's full collections: an ended session's cycles live at most this long.
COLLECT_EVERY_S = 30.0

# Growth (MB of resident memory) since the last collection at which the end of a script run wakes the collector.
COLLECT_GROWTH_MB = 100.0

# Python's third threshold once the collector runs (gc.set_threshold): its own full collections then never come (they
# wait for this many collections of the middle generation), and the collector's are the only ones. With 100 readers
# Python's came every 6-10 s, on whichever reader's run was allocating, each a 0.15-0.45 s stop of every session; the
# younger generations are still collected as Python does.
FULL_COLLECTIONS_BY_PYTHON_AFTER = 1 << 30

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_wake = threading.Event()
_last_collected_mb: float | None = None
_tuned = False
_collector: threading.Thread | None = None
_freeze_pending = False
_before_collection: list[Callable[[], object]] = []
_lock = threading.RLock()  # re-entrant: a collection, and so the callback, can start in any allocation


def _libc():
    with contextlib.suppress(OSError, AttributeError):
        return ctypes.CDLL("libc.so.6")
    return None


def tune_allocator() -> bool:
    """Set the allocators for a server process, once; True if glibc's settings took effect.

    Arrow allocates through the system allocator (so freed column buffers are really freed), and
    glibc uses a fixed mmap threshold and at most ARENA_MAX arenas. Harmless where glibc is absent.
    """
    global _tuned
    import pyarrow as pa

    if _tuned:
        return True
    pa.set_memory_pool(pa.system_memory_pool())
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    _tuned = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(libc.mallopt(_M_ARENA_MAX, ARENA_MAX))
    return _tuned


def release_memory() -> None:
    """Hand freed memory back to the operating system (after a load, its parse buffers), and take what is left alive
    out of the cyclic garbage collector's sight, at the end of the next full collection.

    Call it after building what the server keeps for its whole life (the shared data set, the search index). Freezing
    (gc.freeze) spares every later collection a walk over those objects: Streamlit collects after every script run,
    and 100,000 rows' lists (an event's actors, a statement's topics) made that walk 0.1-0.15 s of each run.

    The freeze waits for a full collection so that the load's own cyclic garbage is collected, not frozen for good; it
    does not run one itself: the collector (start_collector) runs it at once on its own thread, so a reader who opens
    the first page after a restart does not wait for it (a collection over 100,000 rows' cells takes about 0.08 s).
    Without the collector (a notebook), Python's own thresholds run the next one.
    """
    global _freeze_pending
    with _lock:
        if not _freeze_pending:
            _freeze_pending = True
            gc.callbacks.append(_freeze_after_full_collection)
    # The collector's thread runs that collection now, not at its next round: whatever is alive when the freeze comes
    # is never collected, and a reader's upload opened in between (hundreds of MB) stayed for good after they left.
    _wake.set()


def _freeze_after_full_collection(phase: str, info: dict) -> None:
    global _freeze_pending
    if phase != "stop" or info.get("generation") != 2:
        return
    with _lock:
        if not _freeze_pending:
            return
        _freeze_pending = False
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(_freeze_after_full_collection)
    gc.freeze()
    return_freed_memory()


def start_collector(every_s: float | None = None) -> bool:
    """Start, once per process, a daemon thread that runs a full collection every `every_s` seconds (COLLECT_EVERY_S),
    or at once when a script run ends with the process grown by COLLECT_GROWTH_MB since the last one (see
    script_run_ended), and hands what it frees back to the system; True if this call started it. From then on it runs
    the process's only full collections (FULL_COLLECTIONS_BY_PYTHON_AFTER)."""
    global _collector, _last_collected_mb
    with _lock:
        if _collector is not None and _collector.is_alive():
            return False
        interval = COLLECT_EVERY_S if every_s is None else every_s
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTIONS_BY_PYTHON_AFTER)
        _last_collected_mb = resident_mb()
        _collector = threading.Thread(target=_collect_forever, args=(interval,), name="inf-watch-gc", daemon=True)
        _collector.start()
        return True


def script_run_ended() -> None:
    """Called at the end of every script run: wakes the collector if the process has grown by COLLECT_GROWTH_MB since
    its last collection. A reader's large upload leaves hundreds of MB of frames in reference cycles after a rerun,
    which would otherwise wait for the next round; a usual rerun grows by far less and costs one read of
    /proc/self/statm."""
    resident = resident_mb()
    if resident is None:
        return
    if _last_collected_mb is not None and resident - _last_collected_mb > COLLECT_GROWTH_MB:
        _wake.set()


def resident_mb() -> float | None:
    """This process's resident memory (MB), or None where /proc is not there."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * _PAGE_BYTES / 1e6
    except (OSError, ValueError, IndexError):
        return None


def before_each_collection(hook: Callable[[], object]) -> None:
    """Have the collector's thread call `hook` (no arguments) before each of its collections, once however often this is
    called: the server's clean-up of the sessions of readers who left (dashboard/ui/sessions.py). An exception in a
    hook is ignored: it must not stop the collector."""
    with _lock:
        if hook not in _before_collection:
            _before_collection.append(hook)


def _collect_forever(interval: float) -> None:
    global _last_collected_mb
    while True:
        _wake.wait(interval)
        _wake.clear()
        for hook in list(_before_collection):
            with contextlib.suppress(Exception):
                hook()
        gc.collect()
        return_freed_memory()
        _last_collected_mb = resident_mb()


def return_freed_memory() -> None:
    """Hand memory that is already free back to the operating system, without freezing anything: after a reader's
    large upload is read, and when a session holding one has ended (its rows must stay collectable, so no gc.freeze)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
