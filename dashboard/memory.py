"""Keeping a long-running server's memory near what it holds, not what it once needed.

A Streamlit server runs each session's script on its own thread and builds large, short-lived frames
(filters, sorts, exports). Left alone, glibc gives each thread its own arena and keeps freed blocks
for reuse, and Arrow's default allocator keeps its own pool: the process then sits at its peak. Two
settings stop that, and `release_memory` hands what is free back after a big load.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc

# mallopt parameters (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
# Blocks from this size up get their own mapping, returned to the system when freed (glibc otherwise
# raises this threshold as large blocks are freed, up to 32 MB, and keeps them in the heap).
MMAP_THRESHOLD_BYTES = 1 << 20
# Arenas shared by all threads (glibc's default is eight per core).
ARENA_MAX = 2

_tuned = False


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
    out of the cyclic garbage collector's sight.

    Call it after building what the server keeps for its whole life (the shared data set, the search index). Freezing
    (gc.freeze) spares every later collection a walk over those objects: Streamlit collects after every script run,
    and 100,000 rows' lists (an event's actors, a statement's topics) made that walk 0.1-0.15 s of each run.
    """
    gc.collect()
    gc.freeze()
    return_freed_memory()


def return_freed_memory() -> None:
    """Hand memory that is already free back to the operating system, without freezing anything: after a reader's
    large upload is read, and when a session holding one has ended (its rows must stay collectable, so no gc.freeze)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
