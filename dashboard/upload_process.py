"""Reading a large upload in a short-lived process of its own, so that the server keeps only the rows it accepted.

uploads.read_upload checks a file row by row, as Python strings and dicts: for an export of 300,000 rows that is
hundreds of MB of small objects. Python's allocator hands such memory back to the system only in whole arenas, and a
few objects that outlive the read (anything any other reader's session allocates meanwhile) keep most arenas in use:
a server that read one large file stayed about 200 MB larger after that reader had left. Read in a process of its
own, the scratch memory goes with that process; the server receives the result (Arrow buffers and a few hundred
shared lists) through a file, and reports progress as the process sends it.

Files up to APART_BYTES (as uploaded) are read in the server itself: starting a process costs about two seconds, and
Community Cloud's limits (5 MB) never reach it. Self-hosted deployments can set INF_WATCH_UPLOAD_APART_BYTES.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard import uploads
from dashboard.data import Dataset

APART_BYTES = 5_000_000  # files larger than this (as uploaded) are read in a process of their own
APART_ENV = "INF_WATCH_UPLOAD_APART_BYTES"
# The command that reads one upload: this module run as a script, on the folder that holds its input and output.
CHILD_COMMAND = [sys.executable, "-m", "dashboard.upload_process"]
_ROOT = Path(__file__).resolve().parents[1]


def apart_bytes() -> int:
    """The size (bytes as uploaded) above which a file is read apart: APART_BYTES, or INF_WATCH_UPLOAD_APART_BYTES."""
    raw = os.environ.get(APART_ENV, "").replace("_", "").strip()
    return int(raw) if raw.isdigit() else APART_BYTES


def read_upload(
    name: str,
    raw: bytes,
    kind: str,
    reference: Dataset,
    regions: gpd.GeoDataFrame,
    user_places: pd.DataFrame | None = None,
    progress: uploads.Progress | None = None,
) -> uploads.UploadResult:
    """uploads.read_upload, in a process of its own when `raw` is larger than apart_bytes(); the same result."""
    if len(raw) <= apart_bytes():
        return uploads.read_upload(name, raw, kind, reference, regions, user_places, progress)
    report = progress or (lambda fraction, text: None)
    label = name or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="inf-watch-upload-") as folder:
        inbox, outbox = Path(folder) / "input.pickle", Path(folder) / "result.pickle"
        with inbox.open("wb") as f:
            pickle.dump((name, raw, kind, reference, regions, user_places), f, protocol=pickle.HIGHEST_PROTOCOL)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])))
        errors_file = Path(folder) / "errors.txt"
        with errors_file.open("w") as errors_out:
            child = subprocess.Popen(
                [*CHILD_COMMAND, folder], stdout=subprocess.PIPE, stderr=errors_out, env=env, text=True, encoding="utf-8"
            )
            assert child.stdout is not None
            for line in child.stdout:  # "fraction<TAB>text" per batch checked
                fraction, _, text = line.rstrip("\n").partition("\t")
                try:
                    report(float(fraction), text)
                except ValueError:
                    continue
            code = child.wait()
        errors = errors_file.read_text(encoding="utf-8", errors="replace")
        if code != 0 or not outbox.exists():
            last = errors.strip().splitlines()[-1:] or [f"exit status {code}"]
            return uploads.refused(
                kind,
                f"{label} could not be read: the process reading it stopped ({last[0][:200]}). If the file is very "
                "large, the server may be short of memory: split it into smaller files and upload them one by one.",
            )
        with outbox.open("rb") as f:
            return pickle.load(f)  # noqa: S301 (written just now by our own process, in our own private folder)


def _main(folder: str) -> None:
    """The reading process: the input from `folder`, the result written there, progress on stdout."""
    from dashboard.memory import tune_allocator

    tune_allocator()
    inbox, outbox = Path(folder) / "input.pickle", Path(folder) / "result.pickle"
    with inbox.open("rb") as f:
        name, raw, kind, reference, regions, user_places = pickle.load(f)  # noqa: S301 (our own input, see above)

    def report(fraction: float, text: str) -> None:
        print(f"{fraction:.4f}\t{' '.join(text.split())}", flush=True)

    result = uploads.read_upload(name, raw, kind, reference, regions, user_places, progress=report)
    partial = outbox.with_suffix(".partial")
    with partial.open("wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(outbox)  # whole or not at all


if __name__ == "__main__":
    _main(sys.argv[1])
