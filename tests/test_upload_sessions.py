"""Uploads on a real server: two readers uploading at the same time each see only their own rows, and a file over the
byte limit set by the environment is refused by its size, with the limit named."""

from __future__ import annotations

import gzip
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.server import serving
from benchmarks.stclient import StreamlitClient
from benchmarks.synthetic import acled_export

MAX_BYTES = 300_000


@pytest.fixture(scope="module")
def server():
    with serving(env_extra={"INF_WATCH_UPLOAD_MAX_BYTES": str(MAX_BYTES)}) as base:
        yield base


def _export(rows: int, seed: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return acled_export(Path(folder) / "acled.csv.gz", rows, seed=seed).read_bytes()


def _upload(base: str, name: str, data: bytes) -> tuple[StreamlitClient, str]:
    reader = StreamlitClient(base, timeout=300)
    reader.connect()
    assert not reader.open_page("your-data").errors
    run = reader.upload("uploader_events", name, data)
    assert not run.errors, run.errors
    return reader, " ".join(run.texts).replace("\\", "")


def test_two_readers_uploading_at_once_each_see_only_their_own_rows(server):
    files = {"alice.csv.gz": _export(2_000, seed=1), "bob.csv.gz": _export(3_000, seed=2)}
    with ThreadPoolExecutor(2) as pool:  # both uploads in flight together
        (alice, alice_said), (bob, bob_said) = pool.map(lambda item: _upload(server, *item), files.items())
    try:
        assert "Rows accepted: 2,000" in alice_said and "Rows accepted: 3,000" in bob_said
        for reader, mine, theirs in ((alice, "2,000", "3,000"), (bob, "3,000", "2,000")):
            held = " ".join(reader.open_page("your-data").texts)
            assert f"{mine} events" in held and f"{theirs} events" not in held, held
            home = " ".join(reader.open_page("").texts)
            assert f"Including {mine} of your own events" in home, home
            assert f"Including {theirs} of your own events" not in home
    finally:
        alice.close()
        bob.close()


def test_a_file_over_the_byte_limit_is_refused_by_its_size_naming_the_limit(server):
    data = gzip.compress(os.urandom(MAX_BYTES + 1000))  # random bytes do not compress: over the limit as uploaded
    assert len(data) > MAX_BYTES
    reader, said = _upload(server, "big.csv.gz", data)
    try:
        assert f"big.csv.gz is {len(data):,} bytes; the limit is 0.3 MB (300,000 bytes)." in said, said
        assert "Rows accepted: 0" in said
        assert "No uploaded data." in " ".join(reader.open_page("your-data").texts)
    finally:
        reader.close()
