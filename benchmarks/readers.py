"""One simulated reader of the dashboard, without a browser: what benchmarks/protocol_load.py's Locust users do, and
what tests/test_protocol_load.py runs for a few seconds.

A reader (on a benchmarks/stclient.py client) opens the app, then changes the sidebar's region filter, moves to
another page, searches the statements for a word, picks a launch point on the ranges page or downloads the events as
CSV from About. Each action is handed to a `record(action, call)` callback, which runs `call` (it returns the
stclient.Run it caused) and keeps its time and errors: Locust's users record them per stage, the test checks them.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.stclient import Run, StreamlitClient

PAGES = ("", "map", "ranges", "statements", "about")  # url paths ("" is Home); "your-data" is left to the upload tests
REGIONS = ("Black Sea", "Baltic", "Elsewhere")
SEARCH_WORDS = ("missile", "treaty", "Kaliningrad", "Aegis", "deployment", "moratorium", "Iskander", '"black sea"', "NATO")
DOWNLOAD = "dl_events"  # About's events.csv, written when clicked
# How often each action is picked, relative to the others.
WEIGHTS = {"change_filters": 3, "move_page": 3, "search_statements": 2, "pick_launch_point": 2, "download_export": 1}

Record = Callable[[str, Callable[[], Run]], object]


class ReaderActions:
    """The actions of one reader on `client`, its choices drawn from `rng`."""

    def __init__(self, client: StreamlitClient, rng: random.Random) -> None:
        self.client = client
        self.rng = rng

    def open(self, record: Record) -> None:
        """Connect and open Home, as following a link to the app does."""
        record("connect", lambda: (self.client.connect(), self.client.open_page(""))[1])

    def any_action(self, record: Record) -> None:
        """One action, picked by WEIGHTS."""
        name = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        getattr(self, name)(record)

    def _on(self, page: str, record: Record) -> None:
        if self.client.pages.get(page) != self.client.page_hash:
            record("page", lambda: self.client.open_page(page))

    def change_filters(self, record: Record) -> None:
        regions = self.rng.sample(REGIONS, self.rng.randint(0, 2))
        record("filter", lambda: self.client.set_widget("flt_regions", regions))

    def move_page(self, record: Record) -> None:
        page = self.rng.choice(PAGES)
        record("page", lambda: self.client.open_page(page))

    def search_statements(self, record: Record) -> None:
        self._on("statements", record)
        word = self.rng.choice(SEARCH_WORDS)
        record("search", lambda: self.client.set_widget("stm_query", word))

    def pick_launch_point(self, record: Record) -> None:
        self._on("ranges", record)
        options = [o for o in self.client.options.get("rng_launch", []) if not o.endswith("…")]
        if options:
            choice = self.rng.choice(options)
            record("launch point", lambda: self.client.set_widget("rng_launch", choice))

    def download_export(self, record: Record) -> None:
        self._on("about", record)
        if DOWNLOAD in self.client.downloads:
            record("download", self._download)

    def _download(self) -> Run:
        seconds, data = self.client.download(DOWNLOAD)
        run = Run(seconds, ForwardMsg.FINISHED_SUCCESSFULLY)
        if not data.lstrip(b"\xef\xbb\xbf").startswith(b'"event_id"'):
            run.errors.append(f"{DOWNLOAD}: not the events CSV ({len(data):,} bytes)")
        return run
