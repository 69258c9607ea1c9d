"""W3 practice traffic: several practices, staff in every role and clients on the portal; users
post at a rising rate, open loop, until the p99 from post to delivery passes 100 ms.

The practices, users and every thread's viewers (by the rules, `server.actions.viewers`) are
seeded once per run in Cairn's database and shared by every contestant. Cairn: one inbox socket
per user, posts over HTTP (`bench.cairn.Tabs`). The Channels peers: one socket per viewer in the
thread's room, posts sent on the author's socket (`bench.peers.Rooms`). Every delivery is checked:
a message at a user who may not see its thread (or in another thread's room) is a misdelivery,
one missing at a user who may is lost, a second copy at the same socket is a duplicate."""

import asyncio
import random
import time

from bench import cpu, databases, private_redis
from bench.pool import GROUP_CONCURRENCY, Pool, until
from bench.stats import ms, percentile

P99_LIMIT_MS = 100.0
DRAIN_SECONDS = 5.0
_layout = {}  # (practices, clients) -> the seeded users and threads, for every contestant


def layout(config: dict) -> dict:
    key = (config["w3_practices"], config["w3_clients"])
    if key not in _layout:
        _layout[key] = databases.seed(databases.name("live"), "traffic", "--practices",
                                      str(key[0]), "--clients", str(key[1]))
    return _layout[key]


async def run(contestant, config: dict, log) -> dict:
    seeded = layout(config)
    users, threads = seeded["users"], seeded["threads"]
    private_redis.flush()
    rng = random.Random(7)
    steps = []
    with contestant.server(1) as server:
        side = contestant.traffic(users, threads)
        pool = Pool(side)
        await pool.open(len(side.sockets), 120.0, concurrency=GROUP_CONCURRENCY)
        if pool.failed:
            log(f"W3 {contestant.name}: {pool.failed} sockets failed to open {pool.errors}")
        owner = {index: side.sockets[i] for index, i in enumerate(pool.numbers)}
        who = {u["id"]: u.get("who", u["kind"]) for u in users}
        await side.open_posters(pool)
        await asyncio.sleep(1.0)
        seq = 0
        for rate in config["w3_rates"]:
            pool.frames.clear()
            sent, failures, tasks = {}, [], []
            meter = cpu.Meter(contestant, [server])
            meter.start()
            started = time.perf_counter()
            for k in range(int(rate * config["w3_step_seconds"])):
                await asyncio.sleep(max(0.0, started + k / rate - time.perf_counter()))
                seq += 1
                thread = rng.choice(threads)
                sent[seq] = (time.perf_counter(), thread)
                tasks.append(asyncio.ensure_future(
                    _post(side, rng.choice(thread["viewers"]), thread, seq, failures)))
            await asyncio.gather(*tasks)
            posted_in = time.perf_counter() - started
            expected = sum(len(sent[s][1]["viewers"]) for s in sent if s not in failures)
            count = _Count(pool.frames, side.seq_of)
            await until(lambda: count() >= expected, DRAIN_SECONDS)
            elapsed = time.perf_counter() - started
            step = judge(rate, sent, failures, pool.frames, owner, who, side.seq_of, expected)
            step.update(_rates(step, posted_in, elapsed, len(pool.frames), meter.stop()))
            step["closed_by_server"] = pool.closed_codes()
            steps.append(step)
            log(f"W3 {contestant.name} {rate}/s: posted {step['posted']} at "
                f"{step['post_rate']:.1f}/s, p99 {step['p99_ms'] or 0:.0f} ms, "
                f"{step['delivered']}/{step['expected']} delivered, {step['misdelivered']} "
                f"misdelivered, {step['lost']} lost, {step['duplicates']} duplicates "
                f"{step['closed_by_server'] or ''} {step['lost_by'] or ''}")
            if step["p99_ms"] is None or step["p99_ms"] > P99_LIMIT_MS or step["errors"]:
                break
        await side.close_posters()
        await pool.close()
    return summary(contestant, users, threads, config, steps, len(side.sockets), len(pool.sockets))


async def _post(side, author, thread, seq, failures):
    if not await side.post(author, thread, seq):
        failures.append(seq)


class _Count:
    """Frames that are deliveries of some message, counted as they arrive (for the drain)."""

    def __init__(self, frames, seq_of):
        self.frames, self.seq_of, self.scanned, self.count = frames, seq_of, 0, 0

    def __call__(self):
        end = len(self.frames)
        self.count += sum(1 for _, frame, _ in self.frames[self.scanned:end]
                          if self.seq_of(frame) is not None)
        self.scanned = end
        return self.count


def judge(rate, sent, failures, frames, owner, who, seq_of, expected) -> dict:
    """The step's deliveries against the rules: `owner` maps a socket to (user, room's thread
    or None), `sent` a message number to (time, thread)."""
    got, latencies, misdelivered, duplicates = set(), [], 0, 0
    for at, frame, index in frames:
        s = seq_of(frame)
        if s is None or s not in sent:
            continue
        user, room = owner[index]
        at_sent, thread = sent[s]
        if user not in thread["viewers"] or room not in (None, thread["id"]):
            misdelivered += 1
            continue
        if (s, user) in got:
            duplicates += 1
            continue
        got.add((s, user))
        latencies.append(at - at_sent)
    lost_by = {}  # who the missing deliveries were for (by role), to tell a dead socket from a rule
    for s, (_, thread) in sent.items():
        if s not in failures:
            for user in thread["viewers"]:
                if (s, user) not in got:
                    lost_by[who.get(user, "?")] = lost_by.get(who.get(user, "?"), 0) + 1
    return {"rate": rate, "posted": len(sent) - len(failures), "errors": len(failures),
            "expected": expected, "delivered": len(got), "lost": expected - len(got),
            "misdelivered": misdelivered, "duplicates": duplicates, "lost_by": lost_by,
            "p50_ms": ms(percentile(latencies, 50)), "p99_ms": ms(percentile(latencies, 99))}


def _rates(step, posted_in, elapsed, frames, spent) -> dict:
    posted = step["posted"]
    per = cpu.per(spent, posted, 1000)
    return {"post_rate": posted / posted_in if posted_in else None,
            "delivered_per_s": step["delivered"] / elapsed, "events_per_s": frames / elapsed,
            "cpu_ms_per_message": per["total"],
            **{f"cpu_ms_{part}": per[part] for part in cpu.PARTS}}


def summary(contestant, users, threads, config, steps, wanted, opened) -> dict:
    within = [s for s in steps if s["p99_ms"] is not None and s["p99_ms"] <= P99_LIMIT_MS]
    best = within[-1] if within else {}
    last = steps[-1] if steps else {}
    return {"contestant": contestant.name, "label": contestant.label, "users": len(users),
            "threads": len(threads), "practices": config["w3_practices"], "sockets": opened,
            "refused": wanted - opened,
            "steps": steps, "rate_reached": best.get("post_rate"),
            "events_per_s": best.get("events_per_s"),
            "delivered_per_s": best.get("delivered_per_s"),
            "cpu_ms_per_message": best.get("cpu_ms_per_message"),
            **{f"cpu_ms_{part}": best.get(f"cpu_ms_{part}") for part in cpu.PARTS},
            "first_p99_ms": steps[0]["p99_ms"] if steps else None,
            "last_post_rate": last.get("post_rate"), "last_p99_ms": last.get("p99_ms"),
            "misdelivered": sum(s["misdelivered"] for s in steps),
            "lost": sum(s["lost"] for s in steps),
            "duplicates": sum(s["duplicates"] for s in steps),
            "post_errors": sum(s["errors"] for s in steps)}
