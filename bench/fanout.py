"""W2 fan-out: one message to a group of recipients. First latency, one message at a time, each
awaited at every recipient; then messages published back to back: deliveries per second and CPU
per delivery (server + PostgreSQL backends + Redis, `bench.cpu`). Deliveries are counted per
(socket, message), so a duplicate cannot stand in for a loss."""

import asyncio
import math
import time

from bench import cpu, private_redis
from bench.pool import DELIVERY_TIMEOUT, GROUP_CONCURRENCY, Deliveries, Pool, until
from bench.stats import ms, percentile


async def fanout(contestant, size: int, config: dict, log) -> dict:
    contestant.prepare(size)
    private_redis.flush()
    with contestant.server(size) as server:
        pool = Pool(contestant)
        await pool.open(size, max(120.0, config["w1_open_budget"]), concurrency=GROUP_CONCURRENCY)
        n = len(pool.sockets)
        await contestant.open_publisher()
        await asyncio.sleep(1.0)
        pool.frames.clear()
        sent = {}
        for seq in range(1, config["w2_latency_messages"] + 1):
            mark = len(pool.frames)
            sent[seq] = time.perf_counter()
            await contestant.publish(seq)
            arrived = Deliveries(pool.frames, contestant.seq_of, lambda s, seq=seq: s == seq, mark)
            await until(lambda: arrived() >= pool.held(), DELIVERY_TIMEOUT)
            await asyncio.sleep(0.02)
        latency = Deliveries(pool.frames, contestant.seq_of, lambda s: s in sent)
        latency()
        every, last = latencies(latency.first, sent)
        # Saturation: publish back to back, wait until every delivery arrived (or the timeout).
        pool.frames.clear()
        messages = max(5, math.ceil(config["w2_saturation_deliveries"] / max(n, 1)))
        first = len(sent) + 1
        seqs = list(range(first, first + messages))
        meter = cpu.Meter(contestant, [server])
        meter.start()
        started = time.perf_counter()
        await contestant.publish_all(seqs)
        expected = messages * n
        saturation = Deliveries(pool.frames, contestant.seq_of, lambda s: s >= first)
        await until(lambda: saturation() >= expected, DELIVERY_TIMEOUT + messages * 0.05)
        await asyncio.sleep(0.2)
        delivered = saturation()
        ended = max(saturation.first.values(), default=started)
        spent = meter.stop()
        dropped = pool.closed_codes()
        processes = server.processes()
        await contestant.close_publisher()
        await pool.close()
    elapsed = ended - started
    per_delivery = cpu.per(spent, delivered, 1e6)
    row = {"recipients": n, "refused": size - n, "refused_by": pool.errors,
           "tabs_per_user": contestant.tabs_per_user,
           "latency_messages": len(sent), "p50_ms": ms(percentile(every, 50)),
           "p99_ms": ms(percentile(every, 99)), "last_p50_ms": ms(percentile(last, 50)),
           "last_p99_ms": ms(percentile(last, 99)),
           "lost_latency_phase": len(sent) * n - len(latency.first),
           "duplicates": latency.duplicates + saturation.duplicates,
           "saturation_messages": messages, "delivered": delivered, "expected": expected,
           "lost": expected - delivered, "closed_by_server": dropped,
           "rate": delivered / elapsed if elapsed > 0 else None,
           "cpu_us_per_delivery": per_delivery["total"], "postgres_backends": meter.backends,
           **{f"cpu_us_{part}": per_delivery[part] for part in cpu.PARTS},
           "cpu_us_proxy": per_delivery["proxy"], "processes": processes,
           **({"server_settings": server.settings} if server.settings else {})}
    log(f"W2 {contestant.name} n={n}: p50 {row['p50_ms'] or 0:.1f} ms, last p99 "
        f"{row['last_p99_ms'] or 0:.1f} ms, {row['rate'] or 0:,.0f} deliveries/s, "
        f"{row['cpu_us_per_delivery'] or 0:.0f} µs CPU each (server "
        f"{row['cpu_us_server'] or 0:.0f}"
        + (f" of which proxy {row['cpu_us_proxy']:.0f}" if row["cpu_us_proxy"] is not None else "")
        + f", PostgreSQL {row['cpu_us_postgres'] or 0:.0f}, Redis "
        f"{row['cpu_us_redis'] or 0:.0f}), {delivered}/{expected} delivered, "
        f"{row['duplicates']} duplicates {dropped or ''}")
    return row


def latencies(first: dict, sent: dict) -> tuple:
    """Every delivery's latency and, per message, the latency to its last recipient, from the
    first arrival of each (socket, message)."""
    by_message = {}
    for (_, s), at in first.items():
        by_message.setdefault(s, []).append(at - sent[s])
    every = [x for xs in by_message.values() for x in xs]
    return every, [max(xs) for xs in by_message.values()]
