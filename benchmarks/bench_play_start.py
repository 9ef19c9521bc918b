"""Benchmark: how long after pressing ▶ Play the map's animation shows its next step (budget: under 1 s).

Run: .venv/bin/python benchmarks/bench_play_start.py [--rounds 5]
Starts the app on a free loopback port, opens /map?mode=play&asof=1990-01-01 in Debian's headless Chromium (a fresh
context each round), waits until the page has finished running, presses ▶ Play and times, in the browser, until the
figure's title names another step. Prints each round and the median.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

from benchmarks.server import free_port, start_single, stop, wait_healthy

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Resolves with the milliseconds from the click to the first title that names another step.
_TIME_PLAY = """() => new Promise(resolve => {
  const plot = document.querySelector('.js-plotly-plot');
  const before = plot.layout.title.text;
  const start = performance.now();
  const poll = () => plot.layout.title.text !== before ? resolve(performance.now() - start) : requestAnimationFrame(poll);
  plot.querySelector('.updatemenu-button').dispatchEvent(new MouseEvent('click', {bubbles: true}));
  requestAnimationFrame(poll);
})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server, _ = start_single(port)
    try:
        wait_healthy(url, server, seconds=60)
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for i in range(args.rounds):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.goto(f"{url}/map?mode=play&asof=1990-01-01")
                page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=120_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
                ms = page.evaluate(_TIME_PLAY)
                times.append(ms)
                print(f"round {i + 1}: {ms:,.0f} ms from pressing Play to the next step")
                context.close()
            browser.close()
        print(f"median: {statistics.median(times):,.0f} ms (budget 1,000 ms)")
    finally:
        stop(server)


if __name__ == "__main__":
    main()
