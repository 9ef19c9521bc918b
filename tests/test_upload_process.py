"""A large upload read in a process of its own (dashboard/upload_process.py): the same result as reading it in the
server, progress on the way, and a clear refusal when that process fails."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from dashboard import upload_process, uploads
from dashboard.data import load_dataset, load_regions
from dashboard.origin import mark_curated


@pytest.fixture(scope="module")
def reference():
    return mark_curated(load_dataset()), load_regions()


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    from benchmarks.synthetic import acled_export

    path = acled_export(tmp_path_factory.mktemp("acled") / "acled.csv.gz", 3_000)
    return path.name, path.read_bytes()


BAD_EVENTS = (
    "event_id,date,title,summary,event_type,actors,place_id,source_title,source_publisher,source_date,source_url,lat,lon\n"
    "ok-1,2020-05-01,Drill,A drill.,exercise,rou,,Report,Paper,2020-05-02,https://example.org/a,44.6,33.5\n"
    "bad-1,not a date,<b>Bad</b>,x,exercise,nobody,,Report,Paper,2020-05-02,https://example.org/b,44.6,33.5\n"
)


def _same(apart: uploads.UploadResult, here: uploads.UploadResult) -> None:
    pd.testing.assert_frame_equal(apart.accepted, here.accepted)
    pd.testing.assert_frame_equal(apart.rejects, here.rejects)
    assert (apart.kind, apart.messages, apart.detected) == (here.kind, here.messages, here.detected)


def test_a_file_over_the_threshold_is_read_apart_with_the_same_result_and_progress(reference, export, monkeypatch):
    ds, regions = reference
    name, raw = export
    here = uploads.read_upload(name, raw, "events", ds, regions)
    started = []
    original = upload_process.subprocess.Popen
    monkeypatch.setattr(upload_process.subprocess, "Popen", lambda *a, **k: started.append(a) or original(*a, **k))
    monkeypatch.setenv(upload_process.APART_ENV, str(len(raw) - 1))
    told: list[tuple[float, str]] = []
    apart = upload_process.read_upload(name, raw, "events", ds, regions, progress=lambda f, t: told.append((f, t)))
    assert len(started) == 1  # read in a process of its own
    _same(apart, here)
    assert len(apart.accepted) == 3_000 and apart.detected["format"] == "ACLED export"
    fractions = [f for f, _ in told]
    assert told[0][1].startswith("Unpacking and decoding") and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(t.startswith("Checked 3,000 rows") for _, t in told)


def test_rejects_and_the_readers_places_cross_to_the_process(reference, monkeypatch):
    ds, regions = reference
    places = uploads.read_upload(
        "p.csv",
        (
            b"place_id,name,country,kind,operator,lat,lon,start_date,end_date,description,source_title,source_publisher,"
            b"source_date,source_url\nmy-site,My site,Romania,air_base,rou,44.36,28.49,,,A site.,Report,Paper,,"
            b"https://example.org/p\n"
        ),
        "places",
        ds,
        regions,
    ).accepted
    raw = (BAD_EVENTS + "at-mine,2021-01-01,At my site,x,exercise,rou,my-site,R,P,2021-01-02,https://example.org/c,,\n").encode()
    here = uploads.read_upload("e.csv", raw, "events", ds, regions, places)
    monkeypatch.setenv(upload_process.APART_ENV, "0")
    apart = upload_process.read_upload("e.csv", raw, "events", ds, regions, places)
    _same(apart, here)
    assert set(apart.accepted["event_id"]) == {"ok-1", "at-mine"} and set(apart.rejects["line"]) == {3}


def test_a_file_at_the_threshold_is_read_in_the_server(reference, monkeypatch):
    ds, regions = reference
    raw = BAD_EVENTS.encode()
    monkeypatch.setenv(upload_process.APART_ENV, str(len(raw)))
    monkeypatch.setattr(upload_process.subprocess, "Popen", None)  # would fail if called
    assert set(upload_process.read_upload("e.csv", raw, "events", ds, regions).accepted["event_id"]) == {"ok-1"}
    assert upload_process.apart_bytes() == len(raw)
    monkeypatch.setenv(upload_process.APART_ENV, "lots")
    assert upload_process.apart_bytes() == upload_process.APART_BYTES


def test_a_reading_process_that_fails_gives_one_clear_refusal(reference, monkeypatch):
    ds, regions = reference
    monkeypatch.setenv(upload_process.APART_ENV, "0")
    crash = [sys.executable, "-c", "import sys; sys.stderr.write('MemoryError\\n'); sys.exit(1)"]
    monkeypatch.setattr(upload_process, "CHILD_COMMAND", crash)
    result = upload_process.read_upload("big.csv", BAD_EVENTS.encode(), "events", ds, regions)
    assert not result.ok and result.accepted.empty
    assert result.messages == [
        "big.csv could not be read: the process reading it stopped (MemoryError). If the file is very large, the server "
        "may be short of memory: split it into smaller files and upload them one by one."
    ]
