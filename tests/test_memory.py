"""The server's allocator settings: freed frames go back to the operating system."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]


def test_tuning_is_idempotent():
    from dashboard.memory import tune_allocator

    assert tune_allocator() == tune_allocator()


def test_what_is_alive_after_a_big_load_is_kept_out_of_later_collections():
    script = textwrap.dedent(
        """
        import gc
        from dashboard.memory import release_memory

        kept = [[f"actor {i}"] for i in range(100_000)]  # as a loaded table's list cells
        release_memory()
        assert gc.get_freeze_count() >= len(kept), gc.get_freeze_count()
        assert not any(row is kept[0] for row in gc.get_objects())  # no collection walks them any more
        """
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
