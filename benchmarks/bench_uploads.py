"""Benchmark: server time to read one hostile or large upload (wide headers, the most rows allowed).

Run: .venv/bin/python benchmarks/bench_uploads.py [--repeat 3]
Times `uploads.read_upload` for a places file with the template's columns plus 20,000 and 40,000 extra
columns and one data row (the shape that any header check of quadratic cost would choke on; refused at once),
the same with the column limit lifted (the header checks alone, linear), a well-formed places file of
50,000 rows, and the widest file allowed (200 columns) filled to 5 MB. The reference data is loaded once, as the
app caches it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import uploads  # noqa: E402
from dashboard.data import load_dataset, load_regions  # noqa: E402
from dashboard.templates import TEMPLATE_EXAMPLES  # noqa: E402


def wide_places_file(extra_columns: int) -> bytes:
    """The places template (header and example row) with `extra_columns` more, empty, columns."""
    header, row = uploads.template_csv("places", TEMPLATE_EXAMPLES["places"]).decode("utf-8").splitlines()
    extra = [f"c{i}" for i in range(extra_columns)]
    return ("\n".join([",".join([header, *extra]), row + "," * extra_columns]) + "\n").encode("utf-8")


def long_places_file(rows: int) -> bytes:
    """A well-formed places file of `rows` rows in the template's columns, distinct ids, spread over the Black Sea region."""
    header = uploads.template_csv("places", TEMPLATE_EXAMPLES["places"]).decode("utf-8").splitlines()[0]
    lines = [header]
    for i in range(rows):
        lat, lon = 42.0 + (i % 400) / 100, 28.0 + (i // 400) / 100
        lines.append(f"b{i},S{i},Romania,air_base,rou,{lat:.2f},{lon:.2f},,,A site.,Report,Paper,,https://example.org/{i}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def widest_allowed_file(columns: int = 200, size: int = 4_900_000) -> bytes:
    """The places template widened to `columns` columns, then copies of its row (ids made distinct) up to `size` bytes."""
    template_columns = len(
        uploads.template_csv("places", TEMPLATE_EXAMPLES["places"]).decode("utf-8").split("\n", 1)[0].split(",")
    )
    header, row = wide_places_file(columns - template_columns).decode("utf-8").splitlines()
    place_id = TEMPLATE_EXAMPLES["places"]["place_id"]
    rows = (size - len(header)) // (len(row) + 8)
    return ("\n".join([header, *(row.replace(place_id, f"w{i}", 1) for i in range(rows))]) + "\n").encode("utf-8")


def time_upload(name: str, raw: bytes, repeat: int, ds, regions) -> None:
    """Print the median time of `repeat` reads of one file, with what the reader is told first."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = uploads.read_upload("bench.csv", raw, "places", ds, regions)
        times.append(time.perf_counter() - t)
    said = (result.messages or [""])[0][:70]
    print(f"{name:<46}{len(raw) / 1000:>8,.0f}{len(result.accepted):>10,}{statistics.median(times):>10.2f}  {said}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per file (the median is printed)")
    args = parser.parse_args()
    ds, regions = load_dataset(), load_regions()
    files = {
        "places + 20,000 extra columns, 1 row": wide_places_file(20_000),
        "places + 40,000 extra columns, 1 row": wide_places_file(40_000),
        "places, 50,000 rows": long_places_file(50_000),
        "places, 200 columns, 5 MB of rows": widest_allowed_file(),
    }
    print(f"{'file':<46}{'KB':>8}{'accepted':>10}{'median s':>10}  first message")
    for name, raw in files.items():
        time_upload(name, raw, args.repeat, ds, regions)
    # The column limit refuses wide files at once; without it, the header checks themselves must still be linear.
    limit, uploads.MAX_COLUMNS = uploads.MAX_COLUMNS, 10**9
    time_upload(
        "same, 40,000 columns, column limit lifted", files["places + 40,000 extra columns, 1 row"], args.repeat, ds, regions
    )
    uploads.MAX_COLUMNS = limit


if __name__ == "__main__":
    main()
