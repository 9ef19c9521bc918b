"""Server CPU per reader action: what one rerun of each page costs the server, measured so that two versions compare
fairly on a busy machine.

    python -m benchmarks.server_cost                                  # this checkout, 3 rounds
    python -m benchmarks.server_cost --app OTHER/dashboard/app.py     # another checkout (e.g. the last release)
    python -m benchmarks.server_cost --app A/dashboard/app.py --app B/dashboard/app.py --rounds 4   # interleaved

One protocol reader (benchmarks/stclient.py) goes through the same seeded sequence on each page: open it, change the
sidebar's region filter three times (Baltic, Black Sea, back to all), and on the statements page search, on the ranges
page pick launch points, on About download the events. The server's CPU time (user and system, every thread) is read
before and after each action. CPU time, unlike the time a reader waits, hardly changes when other processes compete for
the cores, so it is the fair measure of how much work a rerun is. The first round fills the caches, as a running server's
first readers do, and is left out. With several `--app`s the rounds alternate between them.

Printed per page and action: median server CPU (ms) and median time to `script_finished` (ms); then the CPU of an
average action of the load test's mix (benchmarks/readers.py WEIGHTS), and what it implies: one server process (which
Python holds to one core) is saturated at 1 / (CPU per action) actions a second, that is at that many times the mean
think time in readers (10 s for 5–15 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psutil

from benchmarks.load_test import ROOT
from benchmarks.readers import PAGES, REGIONS, SEARCH_WORDS, WEIGHTS
from benchmarks.server import free_port, start_single, stop, wait_healthy, wait_until_idle
from benchmarks.stclient import StreamlitClient

LAUNCH_POINTS = 6  # launch points picked per round on the ranges page (the same ones every round)
THINK_MEAN_S = 10.0  # the load test's readers think 5–15 s


class Server:
    """One `streamlit run` of an app, and its CPU time."""

    def __init__(self, app: Path) -> None:
        self.app = app
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.proc, pids = start_single(port, "", app=str(app), cwd=app.parents[1])
        self.ps = psutil.Process(pids[0])
        wait_healthy(self.base)

    def cpu_s(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system


def _actions_on(client: StreamlitClient, page: str) -> list[tuple[str, Callable]]:
    """What the reader does once `page` is open: three filter changes, then the page's own actions."""
    name = page or "home"
    acts = [(f"{name}: filter", partial(client.set_widget, "flt_regions", r)) for r in ([REGIONS[1]], [REGIONS[0]], [])]
    if page == "statements":
        acts += [(f"{name}: search", partial(client.set_widget, "stm_query", word)) for word in SEARCH_WORDS[:4]]
    if page == "ranges":
        options = [o for o in client.options["rng_launch"] if not o.endswith("…")][1 : 1 + LAUNCH_POINTS]
        acts += [(f"{name}: launch point", partial(client.set_widget, "rng_launch", launch)) for launch in options]
    if page == "about":
        acts += [(f"{name}: download", partial(_download, client))] * 2
    return acts


def one_round(server: Server, samples: dict, keep: bool) -> None:
    """The reader's sequence once, on a new session; each action's (CPU s, seconds to finished) added to `samples`."""
    client = StreamlitClient(server.base)
    client.connect()

    def timed(label: str, call: Callable) -> None:
        before = server.cpu_s()
        run = call()
        cpu = server.cpu_s() - before
        if run.errors:
            raise SystemExit(f"{label}: {run.errors}")
        if keep:
            samples[label].append((cpu, run.seconds))

    timed("(connect)", lambda: client.open_page(""))
    for page in PAGES:
        timed(f"{page or 'home'}: open", partial(client.open_page, page))
        for label, call in _actions_on(client, page):
            timed(label, call)
    client.close()


class _Done:
    def __init__(self, seconds: float) -> None:
        self.seconds, self.errors = seconds, []


def _download(client: StreamlitClient) -> _Done:
    seconds, _ = client.download("dl_events")
    return _Done(seconds)


def mix_cpu_ms(samples: dict) -> float:
    """Mean server CPU (ms) of one action of the load test's mix: a filter change or a page open on a random page, a
    search, a launch point or a download (each of the last three after opening its page half of the time)."""

    def med(label: str) -> float:
        return statistics.median(c for c, _ in samples[label]) * 1000

    per_page = {p or "home": (med(f"{p or 'home'}: open"), med(f"{p or 'home'}: filter")) for p in PAGES}
    filter_ms = statistics.mean(f for _, f in per_page.values())
    page_ms = statistics.mean(o for o, _ in per_page.values())
    costs = {
        "change_filters": filter_ms,
        "move_page": page_ms,
        "search_statements": med("statements: search") + page_ms / 2,
        "pick_launch_point": med("ranges: launch point") + page_ms / 2,
        "download_export": med("about: download") + page_ms / 2,
    }
    return sum(costs[a] * w for a, w in WEIGHTS.items()) / sum(WEIGHTS.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action="append", default=[], help="dashboard/app.py of a checkout (repeat to compare)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds after the first (which only fills the caches)")
    args = parser.parse_args()
    apps = [Path(a).resolve() for a in args.app] or [ROOT / "dashboard" / "app.py"]
    servers = [Server(app) for app in apps]
    samples = [defaultdict(list) for _ in apps]
    try:
        for r in range(args.rounds + 1):
            for server, s in zip(servers, samples, strict=True):
                one_round(server, s, keep=r > 0)
                print(f"round {r} done: {server.app}", file=sys.stderr)
            if r == 0:  # the first round started each server's warm-up: measure after it
                for server in servers:
                    wait_until_idle([server.ps.pid])
    finally:
        for server in servers:
            stop(server.proc)
    labels = list(samples[0])
    head = " | ".join(f"{a.parents[1].name}: CPU (ms) | {a.parents[1].name}: to finished (ms)" for a in apps)
    print(f"| action | {head} |\n|---|" + "---|---|" * len(apps))
    for label in labels:
        cells = []
        for s in samples:
            cells += [
                f"{statistics.median(c for c, _ in s[label]) * 1000:.0f}",
                f"{statistics.median(w for _, w in s[label]) * 1000:.0f}",
            ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for app, s in zip(apps, samples, strict=True):
        ms = mix_cpu_ms(s)
        print(
            f"\n{app.parents[1].name}: an action of the load test's mix costs the server {ms:.0f} ms of CPU: one process is "
            f"saturated at {1000 / ms:.1f} actions/s, that is {THINK_MEAN_S * 1000 / ms:.0f} readers thinking {THINK_MEAN_S:.0f} s "
            "on average."
        )


if __name__ == "__main__":
    main()
