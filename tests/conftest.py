"""Settings for the whole test suite."""

import os

# A server (or a page run in-process) would otherwise spend its first half minute building every curated launch
# point's ring map (dashboard/ui/cache.py: start_warming) while the tests use it; tests/test_cache.py tests the warm-up.
os.environ.setdefault("INF_WATCH_WARM", "off")
