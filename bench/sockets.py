"""The socket workloads for every contestant, alternating, repeated; medians and ratios to C1
(the ceiling) and C2 (the stock peer): W1 idle sockets (`bench.idle`), W2 fan-out (here), W3
(`bench.traffic`), W4 (`bench.crossprocess`); `Pool`, the recipient sockets they share."""

import asyncio
import math
import time

from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from bench import crossprocess, drivers, private_redis, procs
from bench.stats import median, ms, percentile, ratio

OPEN_CONCURRENCY = 200   # W1: handshakes in flight at once (the stock layer refused at 200)
GROUP_CONCURRENCY = 50   # W2–W4: the group is built gently, the connect storm is W1's subject
W2_TIMEOUT = 10.0        # seconds to wait for a message to reach every recipient still open


class Pool:
    """Recipient sockets of one contestant, each with a reader appending (time, frame)."""

    def __init__(self, contestant):
        self.contestant = contestant
        self.sockets, self.readers = [], []
        self.frames = []          # (perf_counter, frame, socket index) of every frame received
        self.where = []           # server port of each socket
        self.failed = 0
        self.errors = {}

    async def _read(self, ws, index):
        clock = time.perf_counter
        self.where.append(ws.remote_address[1])
        try:
            async for frame in ws:
                self.frames.append((clock(), frame, index))
        except ConnectionClosed:
            pass

    async def _open_one(self, i, gate, ports):
        async with gate:
            try:
                ws = await self.contestant.recipient(i, ports[i % len(ports)] if ports else None)
                if self.contestant.hello:
                    await asyncio.wait_for(ws.recv(), 60)
            except (OSError, asyncio.TimeoutError, WebSocketException) as error:
                self.failed += 1
                key = type(error).__name__ + (f" {error.response.status_code}"
                                              if isinstance(error, InvalidStatus) else "")
                self.errors[key] = self.errors.get(key, 0) + 1
                return
            self.sockets.append(ws)
            self.readers.append(asyncio.ensure_future(self._read(ws, len(self.sockets) - 1)))

    async def open(self, n: int, budget: float, ports=None,
                   concurrency: int = OPEN_CONCURRENCY, first: int = 0) -> float:
        """Open up to `n` sockets (numbered from `first`: socket i goes to `ports[i % len]`),
        `concurrency` at a time, within `budget` seconds; returns the seconds it took (the
        budget when it ran out)."""
        gate = asyncio.Semaphore(concurrency)
        started = time.perf_counter()
        tasks = [asyncio.ensure_future(self._open_one(first + i, gate, ports)) for i in range(n)]
        done, pending = await asyncio.wait(tasks, timeout=budget)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return time.perf_counter() - started

    def held(self) -> int:
        return sum(1 for ws in self.sockets if ws.state.name == "OPEN")

    def closed_codes(self) -> dict:
        """{close code: sockets} for the sockets the server closed while they were held."""
        codes = {}
        for ws in self.sockets:
            if ws.state.name != "OPEN":
                code = str(ws.close_code)
                codes[code] = codes.get(code, 0) + 1
        return codes

    async def close(self):
        for task in self.readers:
            task.cancel()
        gate = asyncio.Semaphore(500)

        async def shut(ws):
            async with gate:
                try:
                    await asyncio.wait_for(ws.close(), 3)
                except Exception:
                    pass
        await asyncio.gather(*(shut(ws) for ws in self.sockets))
        await asyncio.gather(*self.readers, return_exceptions=True)


async def fanout(contestant, size: int, config: dict, log) -> dict:
    """W2: one message to `size` sockets; latency one message at a time, then throughput and
    server CPU per delivery with messages published back to back."""
    contestant.prepare(size)
    private_redis.flush()
    with contestant.server(size) as server:
        pool = Pool(contestant)
        await pool.open(size, max(120.0, config["w1_open_budget"]), concurrency=GROUP_CONCURRENCY)
        n = len(pool.sockets)
        await contestant.open_publisher()
        await asyncio.sleep(1.0)
        pool.frames.clear()
        # Latency: one message at a time, each awaited at every recipient.
        sent = {}
        seq = 0
        for _ in range(config["w2_latency_messages"]):
            seq += 1
            mark = len(pool.frames)
            sent[seq] = time.perf_counter()
            await contestant.publish(seq)
            tally = seq_tally(pool.frames, mark, contestant, seq)
            await until(lambda: tally() >= pool.held(), W2_TIMEOUT)
            await asyncio.sleep(0.02)
        latencies, last, lost = latencies_of(pool.frames, contestant, sent, n)
        # Saturation: publish back to back, measure until every delivery arrived.
        pool.frames.clear()
        messages = max(5, math.ceil(config["w2_saturation_deliveries"] / max(n, 1)))
        first = seq + 1
        seqs = list(range(first, first + messages))
        cpu0 = server.cpu_seconds()
        started = time.perf_counter()
        await _publish_all(contestant, seqs)
        expected = messages * n
        tally = Tally(pool.frames, contestant, lambda s: s >= first)
        await until(lambda: tally() >= messages * pool.held(), W2_TIMEOUT + messages * 0.05)
        await asyncio.sleep(0.2)
        delivered = Tally(pool.frames, contestant, lambda s: s >= first)()
        ended = max((t for t, _, _ in pool.frames), default=started)
        cpu = server.cpu_seconds() - cpu0
        dropped = pool.closed_codes()
        await contestant.close_publisher()
        await pool.close()
    elapsed = ended - started
    row = {"recipients": n, "latency_messages": len(sent), "p50_ms": ms(percentile(latencies, 50)),
           "p99_ms": ms(percentile(latencies, 99)), "last_p50_ms": ms(percentile(last, 50)),
           "last_p99_ms": ms(percentile(last, 99)), "lost_latency_phase": lost,
           "saturation_messages": messages, "delivered": delivered, "expected": expected,
           "closed_by_server": dropped,
           "rate": delivered / elapsed if elapsed > 0 else None,
           "cpu_us_per_delivery": cpu / delivered * 1e6 if delivered else None}
    log(f"W2 {contestant.name} n={n}: p50 {row['p50_ms'] or 0:.1f} ms, last p99 "
        f"{row['last_p99_ms'] or 0:.1f} ms, {row['rate'] or 0:,.0f} deliveries/s, "
        f"{row['cpu_us_per_delivery'] or 0:.0f} µs CPU each, {delivered}/{expected} delivered "
        f"{dropped or ''}")
    return row


class Tally:
    """Counts the deliveries among the frames received so far whose sequence number `accept`s,
    scanning only the frames that arrived since the last call (Cairn's badge frames and other
    events do not count)."""

    def __init__(self, frames, contestant, accept, start: int = 0):
        self.frames, self.contestant, self.accept = frames, contestant, accept
        self.scanned, self.count = start, 0

    def __call__(self) -> int:
        end = len(self.frames)
        seq_of, accept = self.contestant.seq_of, self.accept
        for _, frame, _ in self.frames[self.scanned:end]:
            s = seq_of(frame)
            if s is not None and accept(s):
                self.count += 1
        self.scanned = end
        return self.count


def seq_tally(frames, mark, contestant, seq):
    tally = Tally(frames, contestant, lambda s: s == seq, mark)
    return tally


async def until(condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def _publish_all(contestant, seqs) -> None:
    if isinstance(contestant, drivers.Cairn):
        queue = list(seqs)

        async def poster():
            while queue:
                await contestant.publish(queue.pop(0))
        await asyncio.gather(*(poster() for _ in range(contestant.POSTERS)))
    else:
        for s in seqs:
            await contestant.publish(s)


def latencies_of(frames, contestant, sent, n, only=None):
    """Every recipient's latency, the latency to the last recipient per message, and how many
    deliveries never came (`only`: a predicate on the socket index)."""
    arrivals = {}
    for at, frame, index in frames:
        if only is not None and not only(index):
            continue
        s = contestant.seq_of(frame)
        if s in sent:
            arrivals.setdefault(s, []).append(at - sent[s])
    every = [x for xs in arrivals.values() for x in xs]
    last = [max(xs) for xs in arrivals.values()]
    lost = sum(max(0, n - len(arrivals.get(s, []))) for s in sent)
    return every, last, lost


W1_KEYS = ("procs", "opened", "held", "failed", "open_seconds", "open_rate", "rss_per_socket_kb",
           "kernel_per_socket_kb", "mem_per_socket_kb", "idle_cpu_pct", "settle_seconds")
W4_KEYS = ("recipients", "same_p50_ms", "same_p99_ms", "other_p50_ms", "other_p99_ms",
           "added_p50_ms", "redis_commands_per_message", "redis_commands_per_message_per_process",
           "redis_idle_commands_per_s", "lost")
W2_KEYS = ("recipients", "p50_ms", "p99_ms", "last_p50_ms", "last_p99_ms", "rate",
           "cpu_us_per_delivery", "delivered", "expected", "lost_latency_phase")


def _summarise(samples: dict, keys) -> list:
    """Median of every key over the repetitions, per (contestant, size)."""
    rows = []
    for (name, label, size), reps in samples.items():
        row = {"contestant": name, "label": label, "size": size, "reps": len(reps)}
        for key in keys:
            row[key] = median([r.get(key) for r in reps])
        row["samples"] = reps
        rows.append(row)
    return rows


def _ratios(rows, key, as_name) -> None:
    by = {(r["contestant"], r["size"]): r for r in rows}
    for row in rows:
        for ref in ("C1", "C2"):
            other = by.get((ref, row["size"]))
            if other is not None:
                row[f"{as_name}_vs_{ref}"] = ratio(row.get(key), other.get(key))


async def run(config: dict, log) -> dict:
    from bench import idle

    procs.raise_open_files()
    names = config["contestants"]
    contestants = [drivers.contestant(name) for name in names]
    if any(isinstance(c, drivers.Cairn) for c in contestants):
        drivers.Cairn.make_database()
        drivers.SEEDED.clear()
    w1, w2, w3, w4 = {}, {}, {}, {}
    for rep in range(config["reps"]):
        # Alternate: each repetition visits every contestant, in reversed order every other time.
        order = contestants if rep % 2 == 0 else contestants[::-1]
        for contestant in order:
            key = lambda size: (contestant.name, contestant.label, size)  # noqa: E731
            if "W1" in config["workloads"]:
                for size in config["w1_sizes"]:
                    w1.setdefault(key(size), []).append(await _guarded(
                        idle.idle, contestant, size, config, log))
            if "W2" in config["workloads"]:
                for size in config["w2_sizes"]:
                    w2.setdefault(key(size), []).append(await _guarded(fanout, contestant, size,
                                                                        config, log))
            if "W3" in config["workloads"] and isinstance(contestant, drivers.Cairn):
                w3.setdefault(contestant.name, []).append(await _guarded(
                    _traffic, contestant, 0, config, log))
            if "W4" in config["workloads"] and contestant.name in ("C2", "C3", "C3b"):
                size = config["w4_size"]
                w4.setdefault(key(size), []).append(await _guarded(
                    crossprocess.cross, contestant, size, config, log))
    results = {}
    if w1:
        rows = _summarise(w1, W1_KEYS)
        _ratios(rows, "mem_per_socket_kb", "memory")
        _ratios(rows, "open_rate", "open_rate")
        results["W1"] = {"rows": rows}
    if w2:
        rows = _summarise(w2, W2_KEYS)
        _ratios(rows, "rate", "rate")
        _ratios(rows, "last_p99_ms", "last_p99")
        _ratios(rows, "cpu_us_per_delivery", "cpu")
        results["W2"] = {"rows": rows}
    if w3:
        rows = []
        for name, reps in w3.items():
            ok = [r for r in reps if "error" not in r]
            row = {"contestant": name, "reps": len(reps), "samples": reps}
            for key in ("rate_reached", "delivered_per_s", "events_per_s", "cpu_ms_per_message",
                        "first_p99_ms", "last_post_rate", "last_p99_ms"):
                row[key] = median([r.get(key) for r in ok])
            for key in ("misdelivered", "lost", "post_errors"):
                row[key] = sum(r.get(key, 0) for r in ok)
            row["users"] = ok[0]["users"] if ok else None
            rows.append(row)
        results["W3"] = {"rows": rows}
    if w4:
        rows = _summarise(w4, W4_KEYS)
        _ratios(rows, "redis_commands_per_message", "redis")
        results["W4"] = {"rows": rows}
    return results


async def _traffic(contestant, size, config, log) -> dict:
    from bench import traffic
    return await traffic.run(contestant, config, log)


async def _guarded(step, contestant, size, config, log) -> dict:
    """Run one measurement; a contestant that breaks is reported, not fatal to the run."""
    try:
        return await step(contestant, size, config, log)
    except Exception as error:  # noqa: BLE001 - recorded in the results
        log(f"{step.__name__} {contestant.name} n={size} failed: {error!r}")
        return {"error": repr(error)[:2000]}
