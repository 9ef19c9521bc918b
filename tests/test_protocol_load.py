"""A short run of the load test's readers (benchmarks/readers.py) against a real server: every action ends in its
script's finished message (a download in its file), nothing fails, and each page draws what it should.

The long runs, with hundreds of readers and their timings, are benchmarks/protocol_load.py's; this only checks that the
readers still speak the protocol and that the pages answer them in full.
"""

from __future__ import annotations

import io
import random
import re
import threading
import time

import pandas as pd
import pytest
import requests
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.readers import PAGES, ReaderActions
from benchmarks.server import serving
from benchmarks.stclient import Run, StreamlitClient
from dashboard.data import load_dataset
from dashboard.filters import Filters, filter_events

READERS = 3
RUN_SECONDS = 4.0  # each reader acts for this long, pausing 0.2–0.6 s between actions
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY}


@pytest.fixture(scope="module")
def server():
    with serving() as base:
        yield base


def _check_page(page: str, run: Run) -> None:
    """What a reader must receive for each page: its heading, its charts, tables and the widgets the readers use."""
    assert not run.errors, (page, run.errors)
    assert run.status in FINISHED, (page, run.status)
    kinds, texts = run.elements, run.texts
    if page == "":
        assert "INF Watch" in texts
        assert any(re.fullmatch(r"Events: [\d,]+", t) for t in texts), texts
        assert kinds["plotly_chart"] >= 1, kinds  # the events table is built when its expander is opened
    elif page == "map":
        assert "Map of the missile balance" in texts
        assert kinds["plotly_chart"] >= 1 and "map_asof" in run.widgets, (kinds, run.widgets)
    elif page == "ranges":
        assert "Missile ranges" in texts
        assert kinds["plotly_chart"] >= 2 and kinds["dataframe"] >= 1, kinds  # the ring map and the catalogue
        assert len(run.options["rng_launch"]) > 10, run.options.get("rng_launch")
    elif page == "statements":
        assert "Statements" in texts and "stm_query" in run.widgets
        assert any(re.fullmatch(r"\*\*[\d,]+ statements?\*\* match.*", t) for t in texts), texts
    elif page == "about":
        assert "About the data" in texts and kinds["dataframe"] >= 1, kinds
        assert "dl_events" in run.downloads, run.downloads


def test_one_reader_gets_every_page_in_full_and_the_filter_applies(server):
    client = StreamlitClient(server, timeout=120)
    client.connect()
    try:
        for page in PAGES:
            _check_page(page, client.open_page(page))
        filtered = client.set_widget("flt_regions", ["Baltic"])
        _check_page("about", filtered)
        assert any("region Baltic" in t for t in filtered.texts), filtered.texts
        back = client.open_page("")
        _check_page("", back)
        assert any("region Baltic" in t for t in back.texts), back.texts  # the filter follows the reader to Home
    finally:
        client.close()


def test_readers_acting_together_get_every_run_finished_without_errors(server):
    runs: list[tuple[str, Run]] = []
    failures: list[str] = []
    lock = threading.Lock()

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        actions = ReaderActions(StreamlitClient(server, timeout=120), rng)

        def record(action: str, call) -> None:
            try:
                run = call()
            except Exception as exc:  # a refused or dropped connection, or a run that never finished
                with lock:
                    failures.append(f"{action}: {type(exc).__name__}: {exc}")
                raise
            with lock:
                runs.append((action, run))

        try:
            actions.open(record)
            stop = time.monotonic() + RUN_SECONDS
            # Every kind of action once, then random ones (as the load test picks them) until the time is up.
            for name in ("change_filters", "move_page", "search_statements", "pick_launch_point", "download_export"):
                getattr(actions, name)(record)
            while time.monotonic() < stop:
                actions.any_action(record)
                time.sleep(rng.uniform(0.2, 0.6))
        except Exception:
            pass  # already in `failures`
        finally:
            actions.client.close()

    threads = [threading.Thread(target=reader, args=(seed,)) for seed in range(READERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a reader never finished"
    assert not failures, failures
    done = {action for action, _ in runs}
    assert {"connect", "filter", "page", "search", "launch point", "download"} <= done, done
    assert len(runs) >= READERS * 6, len(runs)
    for action, run in runs:
        assert not run.errors, (action, run.errors)
        assert run.status in FINISHED, (action, run.status)


def test_a_file_written_on_click_is_still_there_after_other_readers_runs(server):
    """Streamlit prunes files that no session holds whenever any script run ends (marked by one run, deleted by the
    next), and a file written on click used to be held by none: on a busy server the reader's fetch came after two
    other runs and got 404. Here another reader's runs end between the click and the fetch."""
    reader, other = StreamlitClient(server, timeout=120), StreamlitClient(server, timeout=120)
    try:
        reader.connect()
        reader.open_page("about")
        _check_page("about", reader.set_widget("flt_regions", ["Baltic"]))
        other.connect()
        url = reader.request_file("dl_events")
        for page in ("about", "", "about"):
            _check_page(page, other.open_page(page))
        data = reader.fetch(url)
        got = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
        wanted = filter_events(load_dataset().events, Filters(regions=("Baltic",)))
        assert sorted(got["event_id"]) == sorted(wanted["event_id"]) and set(got["region"]) == {"Baltic"}
        assert reader.download("dl_events")[1] == data  # a second click writes it again
        for _ in range(2):  # the reader's own next runs let go of it: the server does not keep every file written
            reader.rerun()
        with pytest.raises(requests.HTTPError):
            reader.fetch(url)
    finally:
        reader.close()
        other.close()
