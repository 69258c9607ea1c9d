"""One run: the databases and Redis it needs, every workload for every contestant that takes it,
alternating (each repetition visits every contestant, in reversed order every other time, so that
drift on a shared machine favours none), then medians and ratios to the reference contestants of
the same run. W1 `bench.idle`, W2 `bench.fanout`, W3 `bench.traffic`, W4 `bench.crossprocess`,
W5 `bench.inbox`."""

import asyncio

from bench import crossprocess, databases, fanout, idle, inbox, lineup, private_redis, traffic
from bench.cairn import Cairn
from bench.stats import median, ratio

LIVE = ("W1", "W2", "W3", "W4")
W1_KEYS = ("procs", "server_processes", "opened", "held", "failed", "open_seconds", "open_rate",
           "rss_per_socket_kb", "kernel_per_socket_kb", "mem_per_socket_kb", "idle_cpu_pct",
           "idle_cpu_us_per_socket_s", "idle_cpu_pct_proxy", "idle_cpu_pct_postgres",
           "idle_cpu_pct_redis", "settle_seconds")
W2_KEYS = ("recipients", "tabs_per_user", "p50_ms", "p99_ms", "last_p50_ms", "last_p99_ms",
           "rate", "cpu_us_per_delivery", "cpu_us_server", "cpu_us_proxy", "cpu_us_postgres",
           "cpu_us_redis", "delivered", "expected", "lost", "lost_latency_phase", "duplicates",
           "refused")
W3_KEYS = ("rate_reached", "delivered_per_s", "events_per_s", "cpu_ms_per_message",
           "cpu_ms_server", "cpu_ms_postgres", "cpu_ms_redis", "first_p99_ms", "last_post_rate",
           "last_p99_ms")
W3_SUMS = ("misdelivered", "lost", "duplicates", "post_errors", "refused")
W4_KEYS = ("recipients", "same_p50_ms", "same_p99_ms", "other_p50_ms", "other_p99_ms",
           "added_p50_ms", "redis_commands_per_message", "redis_commands_per_message_per_process",
           "redis_idle_commands_per_s", "lost", "duplicates", "refused")
# (workload, figure, name of the ratio, the contestants it is taken against)
RATIOS = [("W1", "mem_per_socket_kb", "memory", ("C1", "C1d")),
          ("W1", "open_rate", "open_rate", ("C1d", "C2")),
          ("W1", "idle_cpu_pct", "idle_cpu", ("C1d",)),
          ("W2", "rate", "rate", ("C1", "C1d", "C2", "C2p")),
          ("W2", "last_p99_ms", "last_p99", ("C1", "C2p")),
          ("W2", "cpu_us_per_delivery", "cpu", ("C1", "C2", "C2p")),
          ("W3", "rate_reached", "rate", ("C2", "C2p")),
          ("W4", "redis_commands_per_message", "redis", ("C2",))]


def run(config: dict, result: dict, made: list, log) -> None:
    """Measure every workload of `config`; figures into `result["results"]`, the databases the
    run created into `made` (dropped by the caller)."""
    contestants = [lineup.make(name, tabs_per_user=config["w2_tabs"])
                   for name in config["contestants"]]
    live = set(LIVE) & set(config["workloads"])
    takers = [c for c in contestants if live & c.workloads]
    result["contestants"] = {c.name: c.settings() for c in takers}
    if any(c.redis for c in takers):
        result["settings"]["redis_url"] = private_redis.start()
    w3 = "W3" in live and any("W3" in c.workloads for c in takers)
    if "W5" in config["workloads"] or w3 or any(c.cairn_schema for c in takers):
        log("migrating the template database")
        databases.make_template()
        made.append(databases.name("template"))
    if w3 or any(c.cairn_schema for c in takers):
        Cairn.make_database()  # W3's practices are seeded there for every contestant
        made.append(databases.name("live"))
    for setup in dict.fromkeys(type(c).setup for c in takers):
        made += setup()
    if live:
        result["results"].update(asyncio.run(_live(takers, config, log)))
    if "W5" in config["workloads"]:
        result["results"]["W5"] = inbox.measure(config, made, log)


async def _live(contestants: list, config: dict, log) -> dict:
    steps = {"W1": (idle.idle, config["w1_sizes"]), "W2": (fanout.fanout, config["w2_sizes"]),
             "W3": (_traffic, [0]), "W4": (crossprocess.cross, [config["w4_size"]])}
    samples = {w: {} for w in LIVE}
    for rep in range(config["reps"]):
        for contestant in contestants if rep % 2 == 0 else contestants[::-1]:
            for workload in LIVE:
                if workload not in config["workloads"] or workload not in contestant.workloads:
                    continue
                if workload == "W4" and not contestant.redis:
                    continue  # two processes need a layer between them
                step, sizes = steps[workload]
                for size in sizes:
                    key = (contestant.name, contestant.label, size)
                    samples[workload].setdefault(key, []).append(
                        await _guarded(step, contestant, size, config, log))
    results = {}
    for workload, keys in (("W1", W1_KEYS), ("W2", W2_KEYS), ("W3", W3_KEYS), ("W4", W4_KEYS)):
        if samples[workload]:
            rows = summarise(samples[workload], keys, W3_SUMS if workload == "W3" else ())
            for w, figure, as_name, refs in RATIOS:
                if w == workload:
                    ratios(rows, figure, as_name, refs)
            results[workload] = {"rows": rows}
    return results


def summarise(samples: dict, keys, sums=()) -> list:
    """Per (contestant, size): the median of every key over the repetitions that did not fail,
    the sum of each of `sums`, and the repetitions themselves."""
    rows = []
    for (name, label, size), reps in samples.items():
        ok = [r for r in reps if "error" not in r]
        row = {"contestant": name, "label": label, "size": size, "reps": len(reps)}
        row.update({key: median([r.get(key) for r in ok]) for key in keys})
        row.update({key: sum(r.get(key) or 0 for r in ok) for key in sums})
        for key in ("users", "sockets"):
            if ok and key in ok[0]:
                row[key] = ok[0][key]
        row["samples"] = reps
        rows.append(row)
    return rows


def ratios(rows, key, as_name, refs) -> None:
    """`<as_name>_vs_<ref>`: each row's `key` over the reference's at the same size."""
    by = {(r["contestant"], r["size"]): r for r in rows}
    for row in rows:
        for ref in refs:
            other = by.get((ref, row["size"]))
            if other is not None:
                row[f"{as_name}_vs_{ref}"] = ratio(row.get(key), other.get(key))


async def _traffic(contestant, size, config, log) -> dict:
    return await traffic.run(contestant, config, log)


async def _guarded(step, contestant, size, config, log) -> dict:
    """Run one measurement; a contestant that breaks is reported, not fatal to the run."""
    try:
        return await step(contestant, size, config, log)
    except Exception as error:  # noqa: BLE001 - recorded in the results
        log(f"{step.__name__} {contestant.name} n={size} failed: {error!r}")
        return {"error": repr(error)[:2000]}
