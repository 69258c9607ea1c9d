"""python -m bench [--quick | --scale-out] [--workloads W1,W2,W5] [--contestants C1,C3,…] …

Starts every server it measures, drives it over loopback, prints the tables and writes the JSON
(machine and its load before and after, git commit, command line, versions, settings, each
contestant's configuration, every sample). Stops by itself. Exits 1 when the run is not sound
(`bench.checks`: a loss, duplicate or misdelivery, a refused socket, a missing figure), so CI can
run `python -m bench --quick`.
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

from bench import checks, databases, machine, private_redis, runner
from bench.lineup import NAMES as CONTESTANTS
from bench.procs import raise_open_files
from bench.report import render

WORKLOADS = ("W1", "W2", "W3", "W4", "W5")

# Sizes per mode. W5 tuples are (threads, messages per thread) of its one practice.
MODES = {
    "quick": {
        "reps": 1, "contestants": ("C1", "C1d", "C2", "C2p", "C3", "C3n"), "w2_tabs": 1,
        "w1_sizes": [50], "w1_idle_seconds": 1, "w1_open_budget": 20, "w1_procs": 1,
        "w1_settle_limit": 15, "w1_settle_window": 0.5,
        "w2_sizes": [50], "w2_latency_messages": 5, "w2_saturation_deliveries": 1000,
        "w3_practices": 2, "w3_clients": 3, "w3_rates": [5], "w3_step_seconds": 2,
        "w4_size": 50, "w4_messages": 3,
        "w5_small": (100, 10), "w5_large": (500, 10), "w5_requests": 5, "w5_chunk": 5,
        "w5_large_db": "quick_large", "w5_small_db": "quick_small",
    },
    "full": {
        "reps": 3, "contestants": ("C1", "C1d", "C2", "C2s", "C2p", "C3", "C3b"),
        "w2_tabs": 1,
        # W1 settles for at most 45 s: Cairn's daphne gives up a handshake after 30 s and cancels
        # what is left of it 10 s later (application_close_timeout), checking every 1–2 s; samples
        # of 2 s span daphne's 2-second sweep over its connections. The idle window holds one of
        # Cairn's once-a-minute session sweeps (consumers/hub.py) and two of its 30-second ping
        # rounds (three of stock daphne's 20-second ones): a shorter one catches the sweep or
        # misses it.
        "w1_sizes": [1000, 10000], "w1_idle_seconds": 60, "w1_open_budget": 60, "w1_procs": 1,
        "w1_settle_limit": 45, "w1_settle_window": 2.0,
        "w2_sizes": [10, 100, 1000], "w2_latency_messages": 20,
        "w2_saturation_deliveries": 20000,
        "w3_practices": 5, "w3_clients": 12, "w3_rates": [1, 2, 5, 10, 20, 40, 80, 160],
        "w3_step_seconds": 10,
        "w4_size": 200, "w4_messages": 30,
        "w5_small": (100, 10), "w5_large": (100_000, 10), "w5_requests": 1000,
        "w5_chunk": 100, "w5_large_db": "large", "w5_small_db": "small",
    },
}
# Issue 17's scale-out target: three `serve` behind nginx hold 50,000 sockets (three client
# processes, each under the 20,000 descriptors a process may have) and deliver exactly to 1,000.
# Opening 50,000 takes about 80 s here (F17); the budget leaves room for a loaded machine.
MODES["scale-out"] = {**MODES["full"], "reps": 1, "contestants": ("C3n",),
                      "workloads": ["W1", "W2"], "w1_sizes": [50000], "w1_procs": 3,
                      "w1_open_budget": 900, "w2_sizes": [1000]}


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="small sizes, one repetition: 2–3 minutes (CI)")
    mode.add_argument("--scale-out", action="store_true",
                      help="issue 17's scale-out target: W1 at 50,000 sockets (3 client "
                           "processes) and W2 at 1,000 with C3n (three serve behind nginx), once")
    parser.add_argument("--workloads", default=None,
                        help=f"comma-separated, from {','.join(WORKLOADS)} (default: all; "
                             "W1,W2 with --scale-out)")
    parser.add_argument("--contestants", default=None,
                        help=f"comma-separated, from {','.join(CONTESTANTS)} "
                             "(default: C1,C1d,C2,C2p,C3,C3n quick; C1,C1d,C2,C2s,C2p,C3,C3b "
                             "full; C3n scale-out)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions (default 1 quick, 3 full)")
    parser.add_argument("--w1-sizes", default=None, help="socket counts for W1, comma-separated")
    parser.add_argument("--w1-budget", type=float, default=None,
                        help="seconds W1 may spend opening its sockets (default 20 quick, 60 full)")
    parser.add_argument("--w1-idle", type=float, default=None,
                        help="seconds W1 measures the idle CPU (default 1 quick, 60 full)")
    parser.add_argument("--w1-procs", type=int, default=None,
                        help="W1 server processes, and as many client processes, each with its own "
                             "open-file limit: past 20,000 sockets here with 2 (default 1; 3 with "
                             "--scale-out). C3n is one server whatever this says")
    parser.add_argument("--w2-sizes", default=None, help="group sizes for W2, comma-separated")
    parser.add_argument("--w2-tabs", type=int, default=None,
                        help="Cairn's W2 recipients per signed-in user (default 1; reported)")
    parser.add_argument("--w2-deliveries", type=int, default=None,
                        help="deliveries in W2's saturation phase (messages = this / group size)")
    parser.add_argument("--w3-rates", default=None,
                        help="W3's post rates, comma-separated, climbed until p99 passes 100 ms "
                             "(default 1,2,5,10,20,40,80,160)")
    parser.add_argument("--w5-requests", type=int, default=None)
    parser.add_argument("--db-prefix", default="bench",
                        help="names of the PostgreSQL databases the run creates (must start with "
                             "'bench'; the full W5 database is the prefix itself)")
    parser.add_argument("--keep-databases", action="store_true",
                        help="keep the template, live and small databases (the full large one is "
                             "always kept, to be reused)")
    parser.add_argument("--profile", default=None, metavar="DIR",
                        help="sample the daphne servers (C1d, C2, C3) with py-spy into DIR "
                             "(collapsed stacks; py-spy from the bench extra)")
    parser.add_argument("--json", default=None, help="where to write the JSON (default "
                        "var/bench/bench-<time>.json)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "scale-out" if args.scale_out else "full"
    config = {**MODES[mode], "mode": mode}
    if args.workloads:
        config["workloads"] = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    config.setdefault("workloads", list(WORKLOADS))
    if args.contestants:
        config["contestants"] = tuple(c.strip() for c in args.contestants.split(",") if c.strip())
    if args.reps:
        config["reps"] = args.reps
    if args.w1_sizes:
        config["w1_sizes"] = [int(n) for n in args.w1_sizes.split(",")]
    if args.w1_budget:
        config["w1_open_budget"] = args.w1_budget
    if args.w1_idle:
        config["w1_idle_seconds"] = args.w1_idle
    if args.w1_procs:
        config["w1_procs"] = args.w1_procs
    if args.w3_rates:
        config["w3_rates"] = [float(r) for r in args.w3_rates.split(",")]
    if args.w2_sizes:
        config["w2_sizes"] = [int(n) for n in args.w2_sizes.split(",")]
    if args.w2_tabs:
        config["w2_tabs"] = args.w2_tabs
    if args.w2_deliveries:
        config["w2_saturation_deliveries"] = args.w2_deliveries
    if args.w5_requests:
        config["w5_requests"] = args.w5_requests
        config["w5_chunk"] = min(config["w5_chunk"], args.w5_requests)
    if not args.db_prefix.startswith("bench"):
        parser.error("--db-prefix must start with 'bench'")
    config["db_prefix"] = databases.PREFIX = args.db_prefix
    if args.profile:
        os.environ["BENCH_PROFILE"] = str(Path(args.profile).resolve())
        config["profile"] = os.environ["BENCH_PROFILE"]
    for w in config["workloads"]:
        if w not in WORKLOADS:
            parser.error(f"unknown workload {w}")
    for c in config["contestants"]:
        if c not in CONTESTANTS:
            parser.error(f"unknown contestant {c}")
    return args, config


def _stop_on_sigterm(signum, frame):
    # SIGTERM unwinds like Ctrl-C, so the servers, Redis and databases are cleaned up.
    raise KeyboardInterrupt


def main(argv=None) -> dict:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args, config = parse(argv)
    started = time.monotonic()
    config["open_files"] = raise_open_files()
    result = machine.describe({k: v for k, v in config.items()},
                              command=[sys.executable, "-m", "bench", *(sys.argv[1:]
                                                                        if argv is None else argv)])
    result["results"] = {}
    tables = []
    made = []
    try:
        runner.run(config, result, made, log)
        tables = render(result)
    finally:
        private_redis.stop()
        if not args.keep_databases:
            for db in dict.fromkeys(made):
                if db != databases.name("large"):
                    databases.drop(db)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    result["machine"]["loadavg_at_end"] = machine.loadavg()
    for text in tables:
        print(text + "\n")
    result["failures"] = checks.failures(result)
    out = Path(args.json) if args.json else (
        Path("var/bench") / f"bench-{config['mode']}-{time.strftime('%Y%m%d-%H%M%S')}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    log(f"done in {result['seconds']} s; JSON in {out}")
    for problem in result["failures"]:
        log(f"FAILED {problem}")
    return result


if __name__ == "__main__":
    sys.exit(1 if main()["failures"] else 0)
