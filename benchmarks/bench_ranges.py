"""Benchmark: rings and everything in range for one launch point (target: under 100 ms, rendering excluded).

Run: .venv/bin/python benchmarks/bench_ranges.py
Per launch point it times what the ranges page computes: the 500 / 1,000 / 5,500 km rings, the chosen system's ring and
one ring per distinct claim (as EPSG:4326 polygons and as drawing vertices), every place with distance and flight
times, and the countries in range. The country index is built once (the page caches it) and timed separately.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import data, ranges  # noqa: E402

CASES = [
    ("shuya", "9m729"),
    ("kaliningrad", "oreshnik"),
    ("chernyakhovsk", "9m723"),
    ("sevastopol", "kalibr"),
    ("kapustin_yar", "rs-26"),
    ("deveselu", "typhon-tomahawk"),
    ("wiesbaden", "dark-eagle"),
    ("kamyshlov", "9m729"),
]
REPEATS = 7


def compute_everything(lat, lon, range_km, claim_ranges, places, index, speed_kmh=800.0):
    """What the page computes for one launch point, without building any figure."""
    rings = [ranges.range_ring(lat, lon, r) for r in (500.0, 1000.0, 5500.0, range_km, *claim_ranges)]
    vertices = [ranges.ring_vertices(lat, lon, r) for r in (500.0, 1000.0, 5500.0, range_km, *claim_ranges)]
    everywhere = ranges.add_flight_times(ranges.place_distances(lat, lon, places), speed_kmh)
    targets = everywhere[everywhere["distance_km"] <= range_km]
    countries = ranges.countries_in_range(lat, lon, range_km, index)
    return rings, vertices, targets, countries


def main() -> None:
    ds = data.load_dataset()
    t0 = time.perf_counter()
    index = ranges.build_country_index(data.load_countries())
    build_s = time.perf_counter() - t0
    coords = ds.places.set_index("place_id")[["lat", "lon"]]
    print(f"country index: {len(index)} countries, {len(index.lon):,} vertices, built once in {build_s * 1000:,.0f} ms\n")
    print(f"{'launch':<15}{'system':<17}{'range km':>9}{'rings':>7}{'places':>8}{'countries':>10}{'median ms':>11}{'max ms':>9}")
    worst = 0.0
    for place_id, system_id in CASES:
        lat, lon = (float(v) for v in coords.loc[place_id])
        range_km = ranges.system_range_km(ds.missiles, system_id)
        claim_ranges = ranges.system_claims(ds.range_claims, system_id)["range_km"].tolist()
        times = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            rings, _, targets, countries = compute_everything(lat, lon, range_km, claim_ranges, ds.places, index)
            times.append((time.perf_counter() - t) * 1000)
        worst = max(worst, max(times))
        print(
            f"{place_id:<15}{system_id:<17}{range_km:>9,.0f}{len(rings):>7}{len(targets):>8}{len(countries):>10}"
            f"{statistics.median(times):>11.1f}{max(times):>9.1f}"
        )
    print(f"\nworst case {worst:.1f} ms: {'within' if worst < 100 else 'OVER'} the 100 ms budget")


if __name__ == "__main__":
    main()
