"""W4 cross-process: two server processes on one Redis, recipients split between them."""

import asyncio
import time

from bench import private_redis, procs
from bench.pool import DELIVERY_TIMEOUT, GROUP_CONCURRENCY, Deliveries, Pool, until
from bench.stats import ms, percentile


async def cross(contestant, size: int, config: dict, log) -> dict:
    """W4: two server processes on one Redis, recipients split between them, the publisher on
    the first; latency on the publisher's process and on the other one, and Redis commands per
    message (INFO commandstats of the bench's private Redis, idle rate subtracted)."""
    contestant.prepare(size)
    private_redis.flush()
    first, second = contestant.server(size), contestant.server(size)
    with procs.running([first, second]):
        contestant.port = first.port
        pool = Pool(contestant)
        await pool.open(size, max(120.0, config["w1_open_budget"]), ports=[first.port, second.port],
                        concurrency=GROUP_CONCURRENCY)
        n = len(pool.sockets)
        await contestant.open_publisher()
        await asyncio.sleep(1.0)
        idle0, t0 = _calls(), time.perf_counter()
        await asyncio.sleep(2.0)
        idle_rate = (_calls() - idle0) / (time.perf_counter() - t0)
        pool.frames.clear()
        before, t0 = private_redis.commandstats(), time.perf_counter()
        sent, seq = {}, 0
        for _ in range(config["w4_messages"]):
            seq += 1
            mark = len(pool.frames)
            sent[seq] = time.perf_counter()
            await contestant.publish(seq)
            arrived = Deliveries(pool.frames, contestant.seq_of, lambda s, seq=seq: s == seq, mark)
            await until(lambda: arrived() >= pool.held(), DELIVERY_TIMEOUT)
        await asyncio.sleep(0.1)
        after, elapsed = private_redis.commandstats(), time.perf_counter() - t0
        await contestant.close_publisher()
        where = list(pool.where)
        dropped = pool.closed_codes()
        await pool.close()
    # The bench's own INFO calls are not the contestant's.
    calls = {k: after.get(k, 0) - before.get(k, 0) for k in after if k != "info"}
    total = sum(calls.values())
    arrivals = Deliveries(pool.frames, contestant.seq_of, lambda s: s in sent)
    arrivals()
    local = [at - sent[s] for (i, s), at in arrivals.first.items() if where[i] == first.port]
    remote = [at - sent[s] for (i, s), at in arrivals.first.items() if where[i] == second.port]
    per_message = (total - idle_rate * elapsed) / len(sent)
    row = {"recipients": n, "messages": len(sent),
           "same_p50_ms": ms(percentile(local, 50)), "same_p99_ms": ms(percentile(local, 99)),
           "other_p50_ms": ms(percentile(remote, 50)), "other_p99_ms": ms(percentile(remote, 99)),
           "redis_commands_per_message": per_message,
           "redis_commands_per_message_per_process": per_message / 2,
           "redis_idle_commands_per_s": idle_rate,
           "redis_calls": {k: v for k, v in sorted(calls.items()) if v},
           "lost": n * len(sent) - len(local) - len(remote), "duplicates": arrivals.duplicates,
           "refused": size - n, "closed_by_server": dropped}
    row["added_p50_ms"] = (None if row["other_p50_ms"] is None or row["same_p50_ms"] is None
                           else row["other_p50_ms"] - row["same_p50_ms"])
    log(f"W4 {contestant.name} n={n}: same process p50 {row['same_p50_ms'] or 0:.1f} ms, other "
        f"{row['other_p50_ms'] or 0:.1f} ms, {per_message:.1f} Redis commands/message "
        f"({idle_rate:.0f}/s idle) {row['redis_calls']} {dropped or ''}")
    return row


def _calls() -> int:
    return sum(v for k, v in private_redis.commandstats().items() if k != "info")
