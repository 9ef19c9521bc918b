"""A disk cache of work the data has not changed: the validated tables and the statements' search index.

A restarted server reads back the tables it validated last time instead of reading and validating every CSV file
again (at 100,000 events and statements, under half a second instead of seconds), and the search index it built.

- **Keyed by bytes.** The tables are stored under the SHA-256 of every file in the data folder (name and bytes) and
  of the code that reads them (the `dashboard` package's modules, and the versions of pandas, pyarrow, geopandas and
  shapely), so a changed data file, or a new release of the code, can never load a stale table. The search index is
  stored under the digest of the very statements it indexes (ids, the searched fields, topics, row labels).
- **Safe to lose.** A missing, unreadable, cut-short or corrupt entry (its manifest, written last, holds a CRC-32
  of every file and names every column and type) is treated as absent: the data is loaded afresh and the entry rewritten.
  Nothing is written for data that fails validation.
- **Where.** `$INF_WATCH_CACHE_DIR`, else `.cache/` in the repository's root (git-ignored). Set the variable to `off`
  to neither read nor write it. A folder that cannot be written to is only not used.

Not for analysts' edits to a data folder: `dashboard.data.load_dataset` always reads and validates the files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import shutil
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import shapely

from dashboard import data, search

CACHE_DIR_ENV = "INF_WATCH_CACHE_DIR"
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache"
OFF = "off"
KEEP_ENTRIES = 4  # entries kept per kind (tables, search index); older ones are removed when a new one is written
_PACKAGE_DIR = Path(__file__).resolve().parent
_VERSIONED = ("pandas", "pyarrow", "geopandas", "shapely", "numpy")
_MANIFEST = "manifest.json"
_GEOMETRY_WKB = "__geometry_wkb"
_FILE_DIGESTS = "file-digests.json"
_SETTLED_NS = 2_000_000_000


def cache_dir() -> Path | None:
    """The cache folder ($INF_WATCH_CACHE_DIR, else .cache/ in the repository), or None when it is switched off."""
    setting = os.environ.get(CACHE_DIR_ENV, "").strip()
    if setting.lower() == OFF:
        return None
    return Path(setting) if setting else DEFAULT_CACHE_DIR


# --------------------------------------------------------------------------------------------
# Keys


def code_digest() -> str:
    """SHA-256 of the package's modules and of the libraries that shape the frames: any change gives a new key."""
    h = hashlib.sha256(platform.python_version().encode())
    for name in _VERSIONED:
        h.update(f"{name}={metadata.version(name)};".encode())
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def data_digest(data_dir: Path) -> str:
    """SHA-256 of every file in `data_dir` (its name and bytes, in name order) and of the code that reads them."""
    h = hashlib.sha256(code_digest().encode())
    files = sorted(p for p in Path(data_dir).iterdir() if p.is_file() and not p.name.startswith("."))
    for path, digest in zip(files, _file_digests(files), strict=True):
        h.update(f"{path.name}\0{digest}\0".encode())
    return h.hexdigest()


def _stat_key(path: Path) -> list:
    """What changes whenever a file's bytes may have: size, modification and change times (ns), device and inode.

    The change time (ctime) cannot be set back by any program, so a rewrite that keeps the size and restores the
    modification time still gives a new key."""
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_dev, st.st_ino]


def _file_digests(files: list[Path]) -> list[str]:
    """The SHA-256 of each file's bytes, remembered in the cache folder by path and _stat_key, as git's index does:
    a restart does not hash 100 MB of unchanged data again (0.07 s). Files modified within the last two seconds are
    always hashed, so that a write in the same clock tick as the last hash is never missed."""
    root = cache_dir()
    memo_path = None if root is None else root / _FILE_DIGESTS
    memo: dict = {}
    if memo_path is not None:
        with contextlib.suppress(OSError, ValueError):
            memo = json.loads(memo_path.read_text(encoding="utf-8"))
    if not isinstance(memo, dict):
        memo = {}
    out, changed = [], False
    for path in files:
        name, key = str(path.resolve()), _stat_key(path)
        known = memo.get(name)
        if isinstance(known, list) and len(known) == 2 and known[0] == key and isinstance(known[1], str):
            out.append(known[1])
            continue
        digest = _file_sha256(path)
        out.append(digest)
        if _stat_key(path) == key and time.time_ns() - max(key[1], key[2]) > _SETTLED_NS:  # unchanged, and settled
            memo[name], changed = [key, digest], True
    if changed and memo_path is not None:
        memo = {name: entry for name, entry in memo.items() if os.path.exists(name)}  # forget removed files
        with contextlib.suppress(OSError):
            memo_path.parent.mkdir(parents=True, exist_ok=True)
            scratch = memo_path.with_name(f".{_FILE_DIGESTS}.{os.getpid()}.{threading.get_ident()}")
            scratch.write_text(json.dumps(memo), encoding="utf-8")
            os.replace(scratch, memo_path)
    return out


def _arrow_bytes(arrow: pa.Array | pa.ChunkedArray) -> list[bytes | memoryview]:
    """An Arrow array's buffers as they are (a list array's values included), with each chunk's offset and length."""
    out: list[bytes | memoryview] = []
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        out.append(f"{chunk.type};{chunk.offset},{len(chunk)};".encode())
        out += [memoryview(b) for b in chunk.buffers() if b is not None]
    return out


def _column_bytes(values: pd.Series) -> list[bytes | memoryview]:
    """The content of a column as bytes, without a pass in Python over its values where that can be helped."""
    dtype = values.dtype
    if (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or isinstance(dtype, pd.ArrowDtype):
        return _arrow_bytes(values.array.__arrow_array__())
    if pd.api.types.is_object_dtype(dtype):
        with contextlib.suppress(pa.ArrowException):  # lists of text (topics), converted in one step
            return _arrow_bytes(pa.array(values.to_numpy(), type=pa.list_(pa.large_string())))
        values = values.map(repr)
    return [pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes()]


def statements_digest(statements: pd.DataFrame) -> str:
    """SHA-256 of everything search.build_search_index reads from `statements`, row labels included."""
    h = hashlib.sha256(code_digest().encode())
    h.update(pd.util.hash_pandas_object(statements.index.to_series(), index=False).to_numpy().tobytes())
    for column in ("statement_id", *search.SEARCH_FIELDS, "topics"):
        if column in statements.columns:
            h.update(column.encode() + b"\0")
            for part in _column_bytes(statements[column]):
                h.update(part)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Frames to and from Arrow files


def _write_frame(frame: pd.DataFrame, path: Path) -> dict:
    """Write `frame` (a GeoDataFrame's geometry as WKB) to an Arrow file; return what is needed to read it back exactly.

    A column of lists (an event's actors, a statement's topics) is written as a code per row and its distinct lists in
    a file of their own: read back, rows with the same list share one list object, so a restart makes a Python list
    per distinct value (a few hundred in the curated data, a quarter of the rows in the synthetic 100,000) rather than
    one per row, with its strings. The frames are never mutated, so sharing is safe."""
    spec = {"columns": list(frame.columns), "dtypes": {c: str(frame[c].dtype) for c in frame.columns}, "lists": {}}
    plain = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame):
        geometry = frame.geometry.name
        spec["geometry"] = {"column": geometry, "crs": frame.crs.to_json() if frame.crs is not None else None}
        plain = plain.drop(columns=geometry).assign(**{_GEOMETRY_WKB: shapely.to_wkb(frame.geometry.to_numpy())})
    for column in plain.columns:
        if pd.api.types.is_object_dtype(plain[column].dtype) and column != _GEOMETRY_WKB:
            if not plain[column].map(lambda v: isinstance(v, list)).all():
                raise TypeError(f"column {column} holds values other than lists")
            codes, distinct = pd.factorize(plain[column].map(tuple), use_na_sentinel=False)
            lists_path = path.with_name(f"{path.stem}.{len(spec['lists'])}.lists.arrow")
            lists = pa.table({"values": pa.array([list(v) for v in distinct], type=pa.large_list(pa.large_string()))})
            feather.write_feather(lists, lists_path, compression="uncompressed")
            spec["lists"][column] = {
                "file": lists_path.name,
                "crc32": zlib.crc32(lists_path.read_bytes()),
                "count": len(distinct),
            }
            plain[column] = codes.astype("int32")
    table = pa.Table.from_pandas(plain)  # a RangeIndex as metadata, any other index as a column
    # Uncompressed Arrow IPC: read back in a few ms (Parquet took a few hundred at 100,000 rows, a restart's whole budget).
    feather.write_feather(table, path, compression="uncompressed")
    spec["rows"] = len(frame)
    spec["crc32"] = zlib.crc32(path.read_bytes())
    return spec


def _file_sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _read_table(path: Path, crc32: int) -> pa.Table:
    """The Arrow table in `path`, if its bytes still have the checksum they were written with (else ValueError)."""
    # Mapped, not read: the table's columns point into the file's pages in the page cache, with no copy of them to make
    # (entries are replaced by renaming folders, never rewritten in place, so a mapped file does not change under us).
    raw = pa.memory_map(str(path)).read_buffer()
    # A checksum, not a digest: the key already names the data; this only has to catch a damaged file, at 3 GB/s.
    if zlib.crc32(raw) != crc32:
        raise ValueError(f"{path.name} has changed since it was written")
    return pa.ipc.open_file(raw).read_all()


def _read_frame(path: Path, spec: dict) -> pd.DataFrame:
    """The frame _write_frame wrote; raises ValueError when it is not exactly what the manifest describes."""
    frame = _read_table(path, spec["crc32"]).to_pandas()
    for column, lists in spec["lists"].items():
        values = _read_table(path.with_name(lists["file"]), lists["crc32"]).column("values").to_pylist()
        distinct = np.empty(len(values), dtype=object)
        distinct[:] = values
        codes = frame[column].to_numpy()
        bad_codes = len(codes) and not 0 <= codes.min() <= codes.max() < len(distinct)
        if len(distinct) != lists["count"] or codes.dtype != np.int32 or bad_codes:
            raise ValueError(f"{path.name} does not match its manifest")
        frame[column] = pd.Series(distinct[codes], index=frame.index, dtype=object)
    geometry = spec.get("geometry")
    if geometry:
        crs = geometry["crs"]
        geoms = shapely.from_wkb(frame.pop(_GEOMETRY_WKB).to_numpy())
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index, crs=crs), crs=crs)
        frame = frame.rename_geometry(geometry["column"]) if geometry["column"] != "geometry" else frame
    frame = frame[spec["columns"]]
    found = {c: str(frame[c].dtype) for c in frame.columns}
    if len(frame) != spec["rows"] or found != spec["dtypes"]:
        raise ValueError(f"{path.name} does not match its manifest")
    return frame


# --------------------------------------------------------------------------------------------
# Entries: a folder of Arrow files with a manifest written last


def _read_entry(folder: Path) -> dict[str, pd.DataFrame]:
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    return {name: _read_frame(folder / f"{name}.arrow", spec) for name, spec in manifest["frames"].items()}


def _write_entry(folder: Path, frames: dict[str, pd.DataFrame]) -> None:
    """Write every frame, then the manifest, in a scratch folder renamed into place: readers never see half an entry."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        specs = {name: _write_frame(frame, scratch / f"{name}.arrow") for name, frame in frames.items()}
        (scratch / _MANIFEST).write_text(json.dumps({"frames": specs}), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(scratch, folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _prune(folder.parent, folder.name.split("-")[0])


def _prune(root: Path, kind: str, keep: int = KEEP_ENTRIES) -> None:
    """Remove all but the `keep` newest entries of one kind."""
    entries = sorted((p for p in root.glob(f"{kind}-*") if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def _cached(kind: str, key: Callable[[], str], build: Callable[[], dict[str, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """The frames stored under `kind` and key(), or build() (then stored); any fault with the cache only costs the build."""
    root = cache_dir()
    try:
        folder = None if root is None else root / f"{kind}-{key()}"
    except OSError:  # e.g. a data folder that is not there: build() says so in its own words
        folder = None
    if folder is None:
        return build()
    with contextlib.suppress(Exception):  # absent, unreadable or corrupt: built afresh below
        return _read_entry(folder)
    frames = build()
    with contextlib.suppress(Exception):  # a read-only or full disk: the app works, only without this cache
        _write_entry(folder, frames)
    return frames


# --------------------------------------------------------------------------------------------
# What the app stores


def load_dataset(data_dir: Path | None = None) -> data.Dataset:
    """data.load_dataset(data_dir), read from the cache when no byte of the data files or of the code has changed."""
    data_dir = Path(data_dir or data.default_data_dir())
    names = [f.name for f in dataclasses.fields(data.Dataset)]

    def build() -> dict[str, pd.DataFrame]:
        ds = data.load_dataset(data_dir)
        return {name: getattr(ds, name) for name in names}

    frames = _cached("tables", lambda: data_digest(data_dir), build)
    return data.Dataset(**{name: frames[name] for name in names})


def search_index(statements: pd.DataFrame) -> pd.DataFrame:
    """search.build_search_index(statements), read from the cache when these very statements were indexed before."""
    index = _cached("search", lambda: statements_digest(statements), lambda: {"index": search.build_search_index(statements)})[
        "index"
    ]
    if not (index.index.equals(statements.index) and search.index_matches(index, statements)):
        return search.build_search_index(statements)  # a digest collision is beyond belief; this costs one comparison
    return index
