"""dashboard.disk_cache: tables and the search index come back exactly, never stale, and a damaged cache costs a reload."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas.testing
import pandas as pd
import pytest

from dashboard import data, disk_cache, search
from tests import fixtures

NAMES = [f.name for f in dataclasses.fields(data.Dataset)]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def folder(tmp_path) -> Path:
    return fixtures.write_dataset(tmp_path / "data")


@pytest.fixture
def loads(monkeypatch) -> list[Path]:
    """Every time the data is read and validated from its files (rather than from the cache)."""
    seen: list[Path] = []
    original = data.load_dataset

    def counted(data_dir=None):
        seen.append(Path(data_dir))
        return original(data_dir)

    monkeypatch.setattr(data, "load_dataset", counted)
    return seen


def assert_same(a: data.Dataset, b: data.Dataset) -> None:
    for name in NAMES:
        left, right = getattr(a, name), getattr(b, name)
        if name == "places":
            geopandas.testing.assert_geodataframe_equal(left, right)
            assert left.crs == right.crs
        else:
            pd.testing.assert_frame_equal(left, right)


def entries(cache_dir: Path, kind: str) -> list[Path]:
    return sorted(cache_dir.glob(f"{kind}-*"))


def test_tables_come_back_exactly_and_are_read_once(cache_dir, folder, loads):
    fresh = data.load_dataset(folder)
    first = disk_cache.load_dataset(folder)
    second = disk_cache.load_dataset(folder)
    assert len(loads) == 2  # the test's own load and the first call; the second is read back from the cache
    assert_same(fresh, first)
    assert_same(fresh, second)
    assert isinstance(second.events.loc[0, "actors"], list)  # lists stay lists, as the pages expect
    assert len(entries(cache_dir, "tables")) == 1


@pytest.mark.parametrize(
    "lists",
    [
        [["a", "b"], ["b", "a"], [], ["a", "b"], ["c"], [], ["a", "b"]],  # order kept, empty lists, repeats
        [],  # no rows at all
    ],
    ids=["rows", "empty"],
)
def test_columns_of_lists_come_back_exactly(tmp_path, lists):
    frame = pd.DataFrame({"id": pd.Series([f"e{i}" for i in range(len(lists))], dtype="str"), "actors": lists})
    frame["actors"] = frame["actors"].astype(object)
    spec = disk_cache._write_frame(frame, tmp_path / "t.arrow")
    back = disk_cache._read_frame(tmp_path / "t.arrow", spec)
    pd.testing.assert_frame_equal(frame, back)
    assert all(isinstance(v, list) for v in back["actors"])
    if lists:
        assert spec["lists"]["actors"]["count"] == 4  # ["a", "b"], ["b", "a"], [], ["c"]
        assert back.loc[0, "actors"] == ["a", "b"] and back.loc[1, "actors"] == ["b", "a"]


def test_codes_that_point_past_the_distinct_lists_are_refused(tmp_path):
    frame = pd.DataFrame({"actors": [["a"], ["b"]]})
    spec = disk_cache._write_frame(frame, tmp_path / "t.arrow")
    spec["lists"]["actors"]["count"] = 1  # as if the manifest and the files disagreed
    with pytest.raises(ValueError, match="does not match"):
        disk_cache._read_frame(tmp_path / "t.arrow", spec)


def test_the_curated_data_comes_back_exactly(cache_dir):
    disk_cache.load_dataset()
    assert_same(data.load_dataset(), disk_cache.load_dataset())


def test_a_changed_data_file_is_never_answered_from_the_cache(cache_dir, folder, loads):
    before = disk_cache.load_dataset(folder)
    rows = fixtures.events()
    rows[0]["title"] = "A title changed by one word"
    fixtures.write_table(folder, "events", rows)
    after = disk_cache.load_dataset(folder)
    assert len(loads) == 2
    assert "A title changed by one word" in set(after.events["title"])
    assert "A title changed by one word" not in set(before.events["title"])
    assert len(entries(cache_dir, "tables")) == 2


@pytest.fixture
def settled_at_once(monkeypatch):
    """File digests are remembered at once, not only for files unchanged for two seconds."""
    monkeypatch.setattr(disk_cache, "_SETTLED_NS", -(10**18))


@pytest.fixture
def hashed(monkeypatch) -> list[str]:
    """The names of the files whose bytes are hashed."""
    seen: list[str] = []
    original = disk_cache._file_sha256

    def counted(path):
        seen.append(Path(path).name)
        return original(path)

    monkeypatch.setattr(disk_cache, "_file_sha256", counted)
    return seen


@pytest.mark.parametrize("remembered", [False, True], ids=["just-written", "digests-remembered"])
def test_a_file_with_the_same_size_and_time_but_other_bytes_is_read_afresh(cache_dir, folder, loads, remembered, monkeypatch):
    if remembered:
        monkeypatch.setattr(disk_cache, "_SETTLED_NS", -(10**18))
    disk_cache.load_dataset(folder)
    path = folder / "statements.csv"
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    swapped = text.replace("planning", "PLANNING", 1)
    assert swapped != text and len(swapped) == len(text)
    path.write_text(swapped, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert any("PLANNING" in t for t in disk_cache.load_dataset(folder).statements["text"])
    assert len(loads) == 2


def test_unchanged_files_are_not_hashed_again_and_a_changed_one_is(cache_dir, folder, loads, settled_at_once, hashed):
    files = sorted(p.name for p in folder.iterdir() if p.is_file())
    disk_cache.load_dataset(folder)
    assert sorted(hashed) == files
    hashed.clear()
    disk_cache.load_dataset(folder)
    assert hashed == [] and len(loads) == 1  # a restart: neither hashed nor validated again
    rows = fixtures.events()
    rows[0]["title"] = "A title changed by one word"
    fixtures.write_table(folder, "events", rows)
    after = disk_cache.load_dataset(folder)
    assert hashed == ["events.csv"] and len(loads) == 2
    assert "A title changed by one word" in set(after.events["title"])


def test_files_written_moments_ago_are_always_hashed(cache_dir, folder, hashed):
    disk_cache.load_dataset(folder)
    hashed.clear()
    disk_cache.load_dataset(folder)
    assert sorted(hashed) == sorted(p.name for p in folder.iterdir() if p.is_file())  # written by the fixture just now


@pytest.mark.parametrize("memo", ["{not json", "[1, 2]", '{"x": 1}', ""])
def test_a_damaged_digest_memo_only_costs_hashing(cache_dir, folder, loads, settled_at_once, memo):
    disk_cache.load_dataset(folder)
    (cache_dir / disk_cache._FILE_DIGESTS).write_text(memo, encoding="utf-8")
    assert_same(data.load_dataset(folder), disk_cache.load_dataset(folder))
    assert len(loads) == 2  # the test's own load; the cache entry was still found under the same digest
    rows = fixtures.events()
    rows[0]["title"] = "A title changed by one word"
    fixtures.write_table(folder, "events", rows)
    (cache_dir / disk_cache._FILE_DIGESTS).write_text(memo, encoding="utf-8")
    assert "A title changed by one word" in set(disk_cache.load_dataset(folder).events["title"])


@pytest.mark.parametrize("damage", ["truncate", "flip", "manifest", "remove"])
@pytest.mark.parametrize("file", ["statements.arrow", "statements.0.lists.arrow"], ids=["table", "its-lists"])
def test_a_damaged_cache_entry_falls_back_to_a_fresh_load(cache_dir, folder, loads, damage, file):
    fresh = disk_cache.load_dataset(folder)
    (entry,) = entries(cache_dir, "tables")
    target = entry / file
    assert target.exists()
    if damage == "truncate":
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    elif damage == "flip":
        raw = bytearray(target.read_bytes())
        middle = len(raw) // 2
        raw[middle : middle + 8] = bytes(b ^ 0xFF for b in raw[middle : middle + 8])
        target.write_bytes(bytes(raw))
    elif damage == "manifest":
        (entry / "manifest.json").write_text("{not json", encoding="utf-8")
    else:
        target.unlink()
    again = disk_cache.load_dataset(folder)
    assert len(loads) == 2  # read and validated afresh
    assert_same(fresh, again)
    assert_same(fresh, disk_cache.load_dataset(folder))  # and the entry was rewritten: read back once more
    assert len(loads) == 2


def test_a_manifest_that_does_not_match_its_table_is_refused(cache_dir, folder, loads):
    disk_cache.load_dataset(folder)
    (entry,) = entries(cache_dir, "tables")
    manifest = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))
    manifest["frames"]["events"]["dtypes"]["date"] = "object"
    (entry / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    disk_cache.load_dataset(folder)
    assert len(loads) == 2


def test_invalid_data_raises_and_writes_nothing(cache_dir, tmp_path):
    broken = fixtures.write_dataset(tmp_path / "broken", events=[{**fixtures.events()[0], "date": "not a date"}])
    with pytest.raises(data.DataValidationError):
        disk_cache.load_dataset(broken)
    assert not entries(cache_dir, "tables")


def test_a_missing_data_folder_reports_its_files(cache_dir, tmp_path):
    with pytest.raises(data.DataValidationError, match="missing"):
        disk_cache.load_dataset(tmp_path / "nowhere")


def test_switched_off_or_unwritable_the_cache_only_costs_time(tmp_path, folder, monkeypatch, loads):
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, "off")
    disk_cache.load_dataset(folder)
    disk_cache.load_dataset(folder)
    assert len(loads) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(blocker / "cache"))
    assert_same(data.load_dataset(folder), disk_cache.load_dataset(folder))


def test_the_default_cache_folder_is_ignored_by_git(monkeypatch):
    monkeypatch.delenv(disk_cache.CACHE_DIR_ENV, raising=False)
    root = Path(__file__).resolve().parents[1]
    assert disk_cache.cache_dir() == root / ".cache"
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".cache/" in ignored


def test_old_entries_are_pruned(cache_dir, folder):
    rows = fixtures.events()
    for i in range(disk_cache.KEEP_ENTRIES + 2):
        rows[0]["title"] = f"Version {i}"
        fixtures.write_table(folder, "events", rows)
        disk_cache.load_dataset(folder)
    assert len(entries(cache_dir, "tables")) == disk_cache.KEEP_ENTRIES


# ---------------------------------------------------------------------------------- the search index


def ordered_statements(folder: Path) -> pd.DataFrame:
    return search.sort_statements(data.load_dataset(folder).statements, search.SORT_OLDEST)


def test_the_search_index_comes_back_exactly_and_is_built_once(cache_dir, folder, monkeypatch):
    statements = ordered_statements(folder)
    built = []
    original = search.build_search_index
    monkeypatch.setattr(search, "build_search_index", lambda s: built.append(1) or original(s))
    first = disk_cache.search_index(statements)
    second = disk_cache.search_index(statements)
    assert len(built) == 1
    pd.testing.assert_frame_equal(first, original(statements))
    pd.testing.assert_frame_equal(second, first)


def test_edited_statements_get_a_fresh_index(cache_dir, folder):
    statements = ordered_statements(folder)
    disk_cache.search_index(statements)
    edited = statements.copy()
    edited.loc[edited.index[0], "text"] = "Zyzzyva is a word found nowhere else."
    index = disk_cache.search_index(edited)
    assert search.search_statements(edited, "zyzzyva", index=index)["statement_id"].tolist() == [edited.iloc[0]["statement_id"]]
    topics = statements.copy()
    topics["topics"] = [["flight_time"]] * len(topics)
    assert disk_cache.statements_digest(topics) != disk_cache.statements_digest(statements)
    relabelled = statements.set_axis(statements.index + 1000)
    assert disk_cache.search_index(relabelled).index.equals(relabelled.index)


# One server process opening the Statements page (the tables, then the search index); with "restarted", reading the
# data files or indexing the statements fails the run, so only a cache left by the previous process can serve it.
_SERVER_RUN = """
import sys
from dashboard import data, search

if sys.argv[1] == "restarted":
    def refuse(*args, **kwargs):
        raise AssertionError("a restarted server read the data files or indexed the statements again")

    data.load_dataset = search.build_search_index = refuse
from tests.pages import open_page

at = open_page("views/statements.py")
print(next(m.value for m in at.markdown if m.value.startswith("**") and "match" in m.value))
"""


def test_a_restarted_server_reads_the_tables_and_the_search_index_from_the_cache(cache_dir, folder):
    env = {**os.environ, disk_cache.CACHE_DIR_ENV: str(cache_dir), data.DATA_DIR_ENV: str(folder)}
    root = Path(__file__).resolve().parents[1]

    def serve(state: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-c", _SERVER_RUN, state]
        return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=300)

    first = serve("first")
    assert first.returncode == 0, first.stderr[-3000:]
    assert entries(cache_dir, "tables") and entries(cache_dir, "search")
    restarted = serve("restarted")
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    statements = len(data.load_dataset(folder).statements)
    assert first.stdout.strip() == restarted.stdout.strip() == f"**{statements:,} statements** match."
    shutil.rmtree(cache_dir)
    assert serve("restarted").returncode != 0  # without the cache the same run does read the files: the check bites
