"""The server's allocator settings: freed frames go back to the operating system."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_in_fresh_process(script: str) -> None:
    """Run `script` in a new Python process from the repository root (allocator settings, the collector and gc.freeze
    are process-wide); its own asserts decide, and a failure shows its stderr."""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]


def test_freed_frames_are_returned_to_the_system_after_tuning():
    # In a fresh process, so that the settings and the measurement do not depend on this one.
    script = textwrap.dedent(
        """
        import threading
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        from dashboard.memory import tune_allocator

        def rss():
            for line in open("/proc/self/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

        assert tune_allocator()
        assert pa.default_memory_pool().backend_name == "system"

        def work():
            # Many mid-sized arrays and Arrow string columns from a worker thread, as a session's script makes them.
            frames = [pd.DataFrame({"x": np.random.rand(200_000), "s": pd.Series([f"row {i}" for i in range(20_000)] * 10, dtype="str")})
                      for _ in range(40)]
            sorted_frames = [f.sort_values("x") for f in frames]
            return len(frames) + len(sorted_frames)

        before = rss()
        t = threading.Thread(target=work)
        t.start(); t.join()
        import gc; gc.collect()  # no release_memory(): a server frees frames at the end of each rerun, without a trim
        after = rss()
        print(before, after)
        assert after - before < 60, (before, after)
        """
    )
    _run_in_fresh_process(script)


def test_tuning_is_idempotent():
    from dashboard.memory import tune_allocator

    assert tune_allocator() == tune_allocator()


def test_what_is_alive_after_a_big_load_is_kept_out_of_later_collections():
    script = textwrap.dedent(
        """
        import gc, weakref
        from dashboard.memory import release_memory

        class Node:
            pass

        kept = [[f"actor {i}"] for i in range(100_000)]  # as a loaded table's list cells
        cycle = Node(); cycle.me = cycle  # the load's own cyclic garbage
        gone = weakref.ref(cycle)
        del cycle
        frozen_before = gc.get_freeze_count()
        release_memory()
        release_memory()  # asked twice, done once
        assert gc.get_freeze_count() == frozen_before  # nothing frozen before the next full collection
        gc.collect(1)
        assert gc.get_freeze_count() == frozen_before  # a younger collection is not the one
        gc.collect()  # as Streamlit's after a script run
        assert gone() is None  # the garbage was collected, not frozen
        assert gc.get_freeze_count() >= len(kept), gc.get_freeze_count()
        assert not any(row is kept[0] for row in gc.get_objects())  # no collection walks them any more
        assert not gc.callbacks
        later = [[i] for i in range(1000)]
        gc.collect()
        assert any(row is later[0] for row in gc.get_objects())  # one freeze per call: later objects stay collectable
        """
    )
    _run_in_fresh_process(script)


def test_the_collector_frees_cycles_without_a_script_run_and_starts_once():
    script = textwrap.dedent(
        """
        import gc, time, weakref
        from dashboard import memory

        gc.disable()  # only the collector may collect here
        class Node:
            pass
        cycle = Node(); cycle.me = cycle  # as an ended session's state
        gone = weakref.ref(cycle)
        del cycle
        assert gone() is not None
        assert memory.start_collector(every_s=0.2)
        assert not memory.start_collector(every_s=0.2)  # once per process
        deadline = time.time() + 10
        while gone() is not None and time.time() < deadline:
            time.sleep(0.05)
        assert gone() is None
        """
    )
    _run_in_fresh_process(script)


def test_once_the_collector_runs_its_collections_are_the_only_full_ones():
    # Python's own full collections stopped every reader's run for 0.2-0.4 s every few seconds under load; the
    # collector's thread runs them instead, and the younger generations are still collected where objects are made.
    script = textwrap.dedent(
        """
        import gc, threading, time, weakref
        from dashboard import memory

        seen = []
        gc.callbacks.append(lambda phase, info: phase == "start" and seen.append((info["generation"], threading.current_thread().name)))
        assert memory.start_collector(every_s=0.3)
        class Node:
            pass
        kept = []
        for _ in range(20):  # objects that live on, as sessions' do: reason enough for Python's own full collection
            kept.extend([[i] for i in range(20_000)])
        cycle = Node(); cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
        deadline = time.time() + 10
        while gone() is not None and time.time() < deadline:
            time.sleep(0.05)
        assert gone() is None
        full = {name for generation, name in seen if generation == 2}
        assert full == {"inf-watch-gc"}, sorted(set(seen))
        assert any(generation < 2 and name == "MainThread" for generation, name in seen)
        """
    )
    _run_in_fresh_process(script)


def test_the_server_config_leaves_collecting_to_the_app_and_does_not_watch_files():
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert "start_collector()" in (ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")


def test_a_run_that_leaves_the_process_much_larger_wakes_the_collector_at_once():
    script = textwrap.dedent(
        """
        import gc, time, weakref
        import numpy as np
        from dashboard import memory

        gc.disable()
        memory.COLLECT_GROWTH_MB = 40
        assert memory.start_collector(every_s=1000)  # its rounds never come during this test

        class Frame:
            pass

        def garbage(mb):
            f = Frame(); f.me = f; f.data = np.ones(int(mb * 1e6) // 8)  # a frame in a reference cycle
            ref = weakref.ref(f)
            return ref

        small = garbage(1)
        memory.script_run_ended()  # grown by far less than 40 MB: no collection
        time.sleep(1.0)
        assert small() is not None
        big = garbage(120)
        memory.script_run_ended()  # grown by 120 MB: collected at once
        deadline = time.time() + 10
        while big() is not None and time.time() < deadline:
            time.sleep(0.05)
        assert big() is None and small() is None
        """
    )
    _run_in_fresh_process(script)


def test_a_freeze_asked_for_comes_at_once_so_that_a_later_session_stays_collectable():
    """release_memory's freeze must not wait for the collector's next round: whatever is alive at the freeze is never
    collected again, and a reader's upload opened in between stayed after they had left."""
    script = textwrap.dedent(
        """
        import gc, time, weakref
        from dashboard import memory

        gc.disable()
        assert memory.start_collector(every_s=1000)  # its rounds never come during this test
        memory.release_memory()  # after a load: freeze what is alive once the next full collection has run
        deadline = time.time() + 10
        while gc.get_freeze_count() == 0 and time.time() < deadline:
            time.sleep(0.05)
        assert gc.get_freeze_count() > 0  # frozen without waiting 1000 s

        class Rows:
            pass

        rows = Rows(); rows.me = rows  # a session's data in a reference cycle, made after the freeze
        gone = weakref.ref(rows)
        del rows
        memory.release_memory()  # another freeze later (the search index): it collects first, then freezes
        deadline = time.time() + 10
        while gone() is not None and time.time() < deadline:
            time.sleep(0.05)
        assert gone() is None
        """
    )
    _run_in_fresh_process(script)


def test_sessions_of_readers_who_left_are_shut_down_once_streamlit_stops_keeping_them():
    # Streamlit's own in-memory session storage, behind a stand-in for the server: sessions are stored when their
    # reader disconnects and dropped (without a shutdown) only when a later one is stored, so an idle server kept them.
    script = textwrap.dedent(
        """
        import asyncio, threading, time, types
        import streamlit.runtime as st_runtime
        from streamlit.runtime.memory_session_storage import MemorySessionStorage
        from streamlit.runtime.session_manager import SessionInfo
        from dashboard.ui import sessions as reaper

        class Session:
            def __init__(self, session_id):
                self.id, self.shut_down = session_id, 0
            def shutdown(self):
                self.shut_down += 1

        storage = MemorySessionStorage(ttl_seconds=0.3)
        active = set()
        manager = types.SimpleNamespace(_session_storage=storage, is_active_session=lambda sid: sid in active)
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, daemon=True).start()
        server = types.SimpleNamespace(_session_mgr=manager, _async_objs=types.SimpleNamespace(eventloop=loop))

        assert reaper.close_expired_sessions() == 0  # no server running: nothing to do
        st_runtime.exists = lambda: True
        st_runtime.get_instance = lambda: server

        left, resumed, later = Session("left"), Session("resumed"), Session("later")
        for s in (left, resumed):
            storage.save(SessionInfo(client=None, session=s))
        assert reaper.close_expired_sessions() == 0  # kept for a reconnect while their time lasts
        # A reconnect takes its session out of storage, alive.
        active.add("resumed"); storage.delete("resumed")
        time.sleep(0.4)
        assert reaper.close_expired_sessions() == 1 and left.shut_down == 1 and resumed.shut_down == 0
        assert storage.list() == []
        # A session dropped because a later one is stored is shut down too, on the spot.
        storage.save(SessionInfo(client=None, session=later))
        time.sleep(0.4)
        storage.save(SessionInfo(client=None, session=Session("newest")))
        assert later.shut_down == 1
        assert reaper.close_expired_sessions() == 0 and left.shut_down == 1  # each only once
        """
    )
    _run_in_fresh_process(script)


def test_the_collector_runs_its_hooks_before_each_collection_and_survives_a_failing_one():
    script = textwrap.dedent(
        """
        import threading
        from dashboard import memory

        ran = threading.Event()
        calls = []

        def failing():
            calls.append("failing")
            raise RuntimeError("a change in Streamlit's internals")

        def hook():
            calls.append("hook")
            ran.set()

        memory.before_each_collection(failing)
        memory.before_each_collection(hook)
        memory.before_each_collection(hook)  # once, however often it is given
        assert memory.start_collector(every_s=0.05)
        assert ran.wait(5)
        ran.clear()
        assert ran.wait(5)  # a later round too: the failing hook did not stop the collector
        assert calls[:2] == ["failing", "hook"] and calls.count("hook") == calls.count("failing")
        """
    )
    _run_in_fresh_process(script)


def test_a_session_with_uploads_left_for_the_exit_does_not_hold_the_process_up():
    # With the collector's rounds the only full collections, a session's state can still be alive when the server
    # exits; its release marker must not start a thread then (one seen in CI kept a replica from stopping).
    script = textwrap.dedent(
        """
        import gc
        from dashboard.ui.userdata import _ReleaseOnDrop
        gc.disable()
        held = [_ReleaseOnDrop()]
        held.append(held)  # a cycle, collected only as the interpreter exits
        del held
        """
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
