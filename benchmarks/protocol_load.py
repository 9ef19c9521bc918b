"""Many readers against the server, not the browsers: Locust users speaking Streamlit's websocket protocol.

    pip install -e '.[load]'                                  # Locust: not a dependency of the app or its tests
    python -m benchmarks.protocol_load                        # 25, 50, 100, 150, 200 readers, 120 s each, 180 s settle
    python -m benchmarks.protocol_load --stages 5 --stage-seconds 20 --settle 10 --think 1 2   # a quick look
    python -m benchmarks.protocol_load --replicas 2           # the same through deploy/run_local.sh 2 (nginx)

Each simulated reader (benchmarks/readers.py on benchmarks/stclient.py: one websocket, no browser) opens the app,
then, pausing a seeded 5–15 s between actions, changes the sidebar's region filter, moves to another page, searches
the statements for a word, picks a launch point on the ranges page or downloads the events as CSV. The readers are
ramped up in stages; in each stage, once every reader is connected, every action's time from request to the server's
`script_finished` (for a download, to the file's last byte) is recorded, with errors (an exception drawn, the
page-fault message, a dropped connection, a run that never finished). The server's CPU and resident memory (all
replicas together, their child processes included) are sampled every second. Reported per stage: actions, errors,
median, p95 and maximum, CPU, memory above the start; then the knee (the first stage whose p95 passes 1 s) and memory
`--settle` seconds after every reader has left. Traffic goes only to 127.0.0.1. Appends its table to
benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import psutil
from locust import User, between, task
from locust.env import Environment

from benchmarks.load_test import RESULTS, ROOT, percentile
from benchmarks.readers import PAGES, ReaderActions
from benchmarks.server import free_port, start_single, stop, wait_healthy, wait_until_idle
from benchmarks.stclient import StreamlitClient

THINK_S = (5.0, 15.0)
STAGES = (25, 50, 100, 150, 200)
KNEE_S = 1.0  # the knee: the first stage whose p95 passes this (seconds)
RUN_LOCAL = ROOT / "deploy" / "run_local.sh"


@dataclass
class Record:
    """Every timed action of the run, and the stage each belongs to."""

    stage: int = 0
    steady: bool = False  # every reader of the stage is connected
    actions: list[tuple[int, str, float]] = field(default_factory=list)  # (stage, action, seconds)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (stage, action, message)


RECORD = Record()


class Reader(User):
    """One reader: a websocket session that looks around the dashboard."""

    wait_time = between(*THINK_S)
    abstract = False

    def on_start(self) -> None:
        self.st = StreamlitClient(self.host, user_agent=f"protocol-load-{id(self)}")
        self.actions = ReaderActions(self.st, random.Random(id(self)))
        self.actions.open(self._timed)

    def on_stop(self) -> None:
        self.st.close()

    def _timed(self, action: str, call) -> None:
        stage, steady = RECORD.stage, RECORD.steady
        try:
            run = call()
        except Exception as exc:  # a dropped or refused connection is an error of the run, not of the script
            RECORD.errors.append((stage, action, f"{type(exc).__name__}: {exc}"))
            self._reconnect()
            return
        if run.errors:
            RECORD.errors.extend((stage, action, e) for e in run.errors)
        if steady:
            RECORD.actions.append((stage, action, run.seconds))

    def _reconnect(self) -> None:
        self.st.close()
        self.st = self.actions.client = StreamlitClient(self.host, user_agent=f"protocol-load-{id(self)}")
        try:
            self.st.connect()
            self.st.open_page("")
        except Exception as exc:
            RECORD.errors.append((RECORD.stage, "reconnect", f"{type(exc).__name__}: {exc}"))

    @task
    def act(self) -> None:
        self.actions.any_action(self._timed)


class ServerStats:
    """CPU and resident memory of the server processes (and their children), sampled every second."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(p) for p in pids]
        self.samples: list[tuple[int, float, float]] = []  # (stage, cpu %, rss MB)
        self._greenlet = None

    def rss_mb(self) -> float:
        total = 0
        for proc in self.procs:
            for p in [proc, *proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
        return total / 1e6

    def cpu_seconds(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.procs)

    def _loop(self) -> None:
        last_t, last_cpu = time.perf_counter(), self.cpu_seconds()
        while True:
            gevent.sleep(1.0)
            now, cpu = time.perf_counter(), self.cpu_seconds()
            self.samples.append((RECORD.stage, 100 * (cpu - last_cpu) / (now - last_t), self.rss_mb()))
            last_t, last_cpu = now, cpu

    def start(self) -> None:
        self._greenlet = gevent.spawn(self._loop)

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill()


# ---------------------------------------------------------------------------------- servers


def start_replicas(replicas: int, port: int) -> tuple[subprocess.Popen, list[int]]:
    """deploy/run_local.sh N: nginx on `port`, replicas on the ports after it. Returns it and the replicas' pids."""
    run_dir = Path(tempfile.mkdtemp(prefix="inf-watch-deploy-"))
    env = dict(os.environ, INF_WATCH_PROXY_PORT=str(port), INF_WATCH_RUN_DIR=str(run_dir))
    proc = subprocess.Popen(
        ["bash", str(RUN_LOCAL), str(replicas)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True
    )
    wait_healthy(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while len(pids := sorted(run_dir.glob("replica-*.pid"))) < replicas and time.monotonic() < deadline:
        time.sleep(0.5)
    return proc, [int(p.read_text()) for p in pids]


# ---------------------------------------------------------------------------------- the run


def warm(base: str) -> None:
    """One reader through every page and action first, as a deployed server would have been."""
    client = StreamlitClient(base)
    client.connect()
    for page in PAGES:
        client.open_page(page)
    client.open_page("ranges")
    client.set_widget("rng_launch", client.options["rng_launch"][1])
    client.open_page("statements")
    client.set_widget("stm_query", "missile")
    client.close()


def run_stages(base: str, stages: list[int], stage_s: float, spawn_rate: float, stats: ServerStats) -> None:
    env = Environment(user_classes=[Reader], host=base)
    runner = env.create_local_runner()
    for stage in stages:
        RECORD.stage, RECORD.steady = stage, False
        runner.start(stage, spawn_rate=spawn_rate)
        deadline = time.monotonic() + stage / spawn_rate + 30
        while runner.user_count < stage and time.monotonic() < deadline:
            gevent.sleep(0.5)
        RECORD.steady = True
        gevent.sleep(stage_s)
    runner.quit()  # every reader's on_stop closes its websocket
    RECORD.stage, RECORD.steady = 0, False


def stage_rows(stages: list[int], start_mb: float, stats: ServerStats) -> list[dict]:
    rows = []
    for stage in stages:
        times = [s for st, _, s in RECORD.actions if st == stage]
        samples = [(c, m) for st, c, m in stats.samples if st == stage]
        rows.append(
            {
                "readers": stage,
                "actions": len(times),
                "errors": sum(1 for st, _, _ in RECORD.errors if st == stage),
                "median": statistics.median(times) if times else float("nan"),
                "p95": percentile(times, 95),
                "max": max(times, default=float("nan")),
                "cpu": statistics.mean(c for c, _ in samples) if samples else float("nan"),
                "mem": max((m for _, m in samples), default=float("nan")) - start_mb,
            }
        )
    return rows


def table(rows: list[dict], header: str, start_mb: float, settled_mb: float, settle_s: int) -> str:
    knee = next((r["readers"] for r in rows if r["p95"] > KNEE_S), None)
    lines = [
        header,
        "",
        "| readers | actions | errors | median (s) | p95 (s) | max (s) | server CPU (% of one core) | memory above start (MB) | MB per 50 readers |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['readers']} | {r['actions']:,} | {r['errors']} | {r['median']:.2f} | {r['p95']:.2f} | {r['max']:.2f} | "
        f"{r['cpu']:.0f} | {r['mem']:.0f} | {r['mem'] / r['readers'] * 50:.0f} |"
        for r in rows
    ]
    lines += [
        "",
        f"Knee (first stage with p95 over {KNEE_S:.0f} s): {f'{knee} readers' if knee else 'not reached'}. "
        f"Memory at start {start_mb:.0f} MB; {settle_s} s after every reader left, {settled_mb - start_mb:+.0f} MB.",
    ]
    return "\n".join(lines)


def action_table(stages: list[int]) -> str:
    """p95 (s) of each kind of action in each stage: where the time goes."""
    actions = sorted({a for _, a, _ in RECORD.actions})
    lines = ["| readers | " + " | ".join(f"{a} p95 (s)" for a in actions) + " |", "|---|" + "---|" * len(actions)]
    for stage in stages:
        cells = [percentile([s for st, a, s in RECORD.actions if st == stage and a == action], 95) for action in actions]
        # "—" where a stage had no such action (a reader connects once, in the stage it joins).
        lines.append(f"| {stage} | " + " | ".join(f"{c:.2f}" if c == c else "—" for c in cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", default=",".join(map(str, STAGES)), help="concurrent readers in each stage, comma-separated")
    parser.add_argument("--stage-seconds", type=float, default=120, help="time each stage is held once every reader is in")
    parser.add_argument("--spawn-rate", type=float, default=5, help="readers started per second")
    parser.add_argument("--think", type=float, nargs=2, default=THINK_S, metavar=("MIN", "MAX"))
    parser.add_argument("--settle", type=int, default=180, help="seconds after the readers leave before the last memory reading")
    parser.add_argument("--replicas", type=int, default=1, help="1: one server; N > 1: deploy/run_local.sh N (nginx)")
    parser.add_argument("--url", default="", help="an already running server or proxy on 127.0.0.x (with --pids)")
    parser.add_argument("--pids", default="", help="its server processes, comma-separated, for CPU and memory")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    stages = [int(s) for s in args.stages.split(",")]
    Reader.wait_time = between(*args.think)
    port = free_port()
    proc = None
    if args.url:
        base, pids = args.url.rstrip("/"), [int(p) for p in args.pids.split(",") if p]
    elif args.replicas > 1:
        base, (proc, pids) = f"http://127.0.0.1:{port}", start_replicas(args.replicas, port)
    else:
        base, (proc, pids) = f"http://127.0.0.1:{port}", start_single(port, args.data_dir)
    if not base.startswith(("http://127.", "http://localhost")):
        raise SystemExit("load traffic stays on loopback: --url must be http://127.x.x.x")
    try:
        wait_healthy(base)
        if args.replicas > 1:  # every replica warm, each at its own port (deploy/run_local.sh: the ports after nginx's)
            for i in range(1, args.replicas + 1):
                warm(f"http://127.0.0.1:{port + i}")
        else:
            warm(base)
        stats = ServerStats(pids)
        wait_until_idle(pids)  # the start is read from a settled server, after its own warm-up
        start_mb = stats.rss_mb()
        stats.start()
        run_stages(base, stages, args.stage_seconds, args.spawn_rate, stats)
        gevent.sleep(args.settle)
        settled_mb = stats.rss_mb()
        stats.stop()
    finally:
        if proc is not None:
            stop(proc)
    header = (
        f"### Protocol load test, {time.strftime('%Y-%m-%d')}: {args.replicas} replica(s), stages {args.stages} readers, "
        f"{args.stage_seconds:.0f} s each, think {args.think[0]:g}–{args.think[1]:g} s, {os.cpu_count()} CPUs"
    )
    text = table(stage_rows(stages, start_mb, stats), header, start_mb, settled_mb, args.settle)
    text += "\n\n" + action_table(stages)
    for stage, action, message in RECORD.errors[:10]:
        text += f"\n- error at {stage} readers, {action}: {message}"
    print(text)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
