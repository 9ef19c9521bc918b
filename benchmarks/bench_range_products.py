"""Benchmark: the ranges page's take-away products, against their budgets.

Run: .venv/bin/python benchmarks/bench_range_products.py

Budgets, curated data, warm (indexes and launch territories built once, as the page caches them; timed separately):
people in range, the launch basket and the every-system table each under 200 ms for any launch point; every map-layer
export (GeoJSON, KML, KMZ, CSV) under 1 s and under 2 MB; the ranges page's script rerun under 500 ms (AppTest, median
of three, after a change to the cruise speed). Briefing images are timed too, though they have no budget here: they are
made only when a reader clicks (a Chromium render takes a few seconds).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import baskets, briefing, data, geo_export, population, range_charts, ranges, systems  # noqa: E402

# Launch points (and targets): the regions, across the antimeridian, near the North Pole, and the far side of the world.
POINTS = [
    ("Shuya", 56.85, 41.366667),
    ("Kaliningrad", 54.700278, 20.453056),
    ("Sevastopol", 44.607778, 33.53),
    ("Wiesbaden", 50.05, 8.33),
    ("Petropavlovsk (antimeridian)", 53.02, 158.65),
    ("Nome (antimeridian)", 64.5, -165.4),
    ("North Pole", 89.9, 0.0),
    ("Cape Town", -33.92, 18.42),
]
RANGES_KM = (500.0, 2500.0, 5500.0, 12000.0)
OPERATORS = (("rus",), ("usa",))
REPEATS = 5
BUDGET_MS = 200.0
EXPORT_BUDGET_S = 1.0
EXPORT_BUDGET_BYTES = 2_000_000
RERUN_BUDGET_MS = 500.0


def _median_ms(fn, repeats: int = REPEATS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def _worst(label: str, rows: list[tuple[str, float]], budget: float) -> float:
    worst = max(ms for _, ms in rows)
    print(f"  worst {worst:,.1f} ms: {'within' if worst < budget else 'OVER'} the {budget:,.0f} ms budget ({label})\n")
    return worst


def bench_people(cities) -> float:
    t = time.perf_counter()
    index = population.build_city_index(cities)
    print(f"People in range ({len(index):,} places; index built once in {(time.perf_counter() - t) * 1000:,.0f} ms)")
    rows = []
    for name, lat, lon in POINTS:
        for km in RANGES_KM:
            ms, people = _median_ms(
                lambda lat=lat, lon=lon, km=km: (
                    population.people_in_range(lat, lon, km, index),
                    population.largest_cities_in_range(lat, lon, km, index),
                )
            )
            rows.append((name, ms))
            print(f"  {name:<30}{km:>8,.0f} km{int(people[0]['population'].sum()):>16,} people{ms:>9.1f} ms")
    return _worst("people in range", rows, BUDGET_MS)


def bench_baskets(ds, world) -> tuple[float, dict]:
    print("Launch basket (territory built once per operator; basket, geodesic area and known sites timed)")
    rows, biggest = [], {}
    for ops in OPERATORS:
        t = time.perf_counter()
        territory = baskets.build_launch_territory(ops, **world)
        print(
            f"  territory of {ops[0]}: {len(territory.countries)} countries, built once in {(time.perf_counter() - t) * 1000:,.0f} ms"
        )
        for name, lat, lon in POINTS:
            for km in RANGES_KM:

                def run(lat=lat, lon=lon, km=km, ops=ops, territory=territory):
                    basket, area = baskets.measure_basket(lat, lon, km, territory)
                    return basket, area, baskets.sites_in_basket(basket, ds.places, lat, lon, territory.states)

                ms, (basket, area, sites) = _median_ms(run)
                rows.append((name, ms))
                vertices = (
                    0
                    if basket.is_empty
                    else len(basket.exterior.coords)
                    if basket.geom_type == "Polygon"
                    else sum(len(p.exterior.coords) for p in basket.geoms)
                )
                if vertices > biggest.get("vertices", -1):
                    biggest = {"vertices": vertices, "basket": basket, "name": name, "km": km, "ops": ops, "lat": lat, "lon": lon}
                print(f"  {ops[0]:<4}{name:<30}{km:>8,.0f} km{area:>14,.0f} km²{len(sites):>4} sites{ms:>9.1f} ms")
    return _worst("launch basket", rows, BUDGET_MS), biggest


def bench_every_system(ds) -> float:
    print("Every system at once (every place's distance from the launch point included)")
    rows = []
    for name, lat, lon in POINTS:

        def run(lat=lat, lon=lon):
            places = ranges.places_in_reach(lat, lon, 800.0, ds.places, ds.actors)
            return systems.every_system(lat, lon, ds.missiles, ds.actors, ds.range_claims, places, (52.516667, 13.4))

        ms, table = _median_ms(run)
        rows.append((name, ms))
        print(f"  {name:<30}{len(table):>4} systems{int(table['reaches_target'].sum()):>4} reach Berlin{ms:>9.1f} ms")
    return _worst("every system", rows, BUDGET_MS)


def bench_exports(ds, biggest) -> tuple[float, int]:
    print(
        f"Map-layer exports (largest basket: {biggest['ops'][0]} at {biggest['km']:,.0f} km from {biggest['name']}, "
        f"{biggest['vertices']:,} vertices, with every place as a place in range)"
    )
    basket = geo_export.BasketExport(
        biggest["basket"], biggest["name"], biggest["lat"], biggest["lon"], biggest["km"], "benchmark"
    )
    meta = geo_export.ExportMeta("Benchmark", "Shuya", 56.85, 41.366667, 5500.0, "benchmark")
    places = ranges.places_in_reach(56.85, 41.366667, 800.0, ds.places, ds.actors)
    worst_s, largest = 0.0, 0
    for kind in geo_export.WRITERS:

        def run(kind=kind):
            features = geo_export.range_features(
                launch_name="Shuya",
                lat=56.85,
                lon=41.366667,
                ring_label="5,500 km",
                range_km=5500.0,
                overlays=[(f"ring {i}", 500.0 * (i + 1)) for i in range(6)],
                claim_spread=(480.0, 5500.0),
                basket=basket,
                places=places,
            )
            return geo_export.export_bytes(kind, features, meta)

        ms, content = _median_ms(run, repeats=3)
        worst_s, largest = max(worst_s, ms / 1000), max(largest, len(content))
        print(f"  {kind:<8}{len(content) / 1e6:>8.2f} MB{ms:>9.1f} ms")
    ok = worst_s < EXPORT_BUDGET_S and largest < EXPORT_BUDGET_BYTES
    print(f"  worst {worst_s:.2f} s, largest {largest / 1e6:.2f} MB: {'within' if ok else 'OVER'} the 1 s and 2 MB budgets\n")
    return worst_s, largest


def bench_briefing(ds) -> None:
    problem = briefing.renderer_problem()
    if problem:
        print(f"Briefing images: not timed ({problem})\n")
        return
    outlines = range_charts.outline_lines(data.load_countries(), tolerance_deg=0.1)
    places = ranges.places_in_reach(56.85, 41.366667, 800.0, ds.places, ds.actors, "shuya")
    fig = range_charts.ring_map(
        launch_name="Shuya", lat=56.85, lon=41.366667, range_km=2500.0, range_label="9M729, 2,500 km", side="Russia",
        places=places, outlines=outlines, claims=ranges.system_claims(ds.range_claims, "9m729"),
    )  # fmt: skip
    notes = briefing.BriefingNotes("Benchmark", "benchmark", "2026-12-01", "Azimuthal equidistant")
    print("Briefing images (made on click only)")
    for fmt in briefing.FORMATS:
        t = time.perf_counter()
        content = briefing.render_briefing(fig, notes, fmt)
        print(f"  {fmt:<8}{len(content) / 1e6:>8.2f} MB{time.perf_counter() - t:>9.1f} s")
    print()


def bench_page_rerun() -> float:
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.switch_page("views/ranges.py")
    at.run()
    times = []
    for speed in (810.0, 820.0, 830.0):
        at.number_input(key="rng_speed").set_value(speed)
        t = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - t) * 1000)
    ms = statistics.median(times)
    print(f"Ranges page rerun after a cruise-speed change (AppTest, median of three): {ms:,.0f} ms: "
          f"{'within' if ms < RERUN_BUDGET_MS else 'OVER'} the {RERUN_BUDGET_MS:,.0f} ms budget")  # fmt: skip
    return ms


def main() -> None:
    ds = data.load_dataset()
    world = {
        "actors": ds.actors,
        "places": ds.places,
        "country_codes": data.load_country_codes(),
        "countries": data.load_countries(),
        "occupied": data.load_occupied_areas(),
    }
    bench_people(data.load_cities())
    _, biggest = bench_baskets(ds, world)
    bench_every_system(ds)
    bench_exports(ds, biggest)
    bench_briefing(ds)
    bench_page_rerun()


if __name__ == "__main__":
    main()
