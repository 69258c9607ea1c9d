"""W1 idle sockets, on one server process or several (`--w1-procs`).

The client side always runs in separate OS processes, "shards" (`python -m bench.idle`, driven
over their stdin/stdout with one JSON line per step), so that each has its own open-file limit:
with P server processes and P shards a run holds up to about P × 20,000 sockets here. Socket i
goes to server i mod P, whichever shard opens it, so every server gets the same share of the
storm. A contestant whose processes sit behind one proxy (C3n) is one server, reached by all P
shards. The bench process itself only starts, watches and measures.

Idle CPU is measured once the servers have finished the storm (`settle`), not at a fixed delay
after the opening stopped: a daphne server may still be working through handshakes its clients
gave up on when the opening budget ran out.
"""

import asyncio
import contextlib
import json
import sys
import time

from bench import cpu, lineup, private_redis, procs
from bench.pool import OPEN_CONCURRENCY, Pool

SETTLE_STABLE = 3  # CPU samples in a row that must agree before the servers count as settled


def _steady(rates) -> bool:
    recent = rates[-SETTLE_STABLE:]
    return len(recent) == SETTLE_STABLE and max(recent) - min(recent) <= 0.02 + 0.1 * max(recent)


async def settle(servers, *, answered: bool, limit: float, window: float) -> dict:
    """Wait until the servers are done with the storm. "Steady": SETTLE_STABLE samples of
    `window` seconds in a row alike (within 2 % of a core + 10 %) and — unless every handshake
    was answered, so nothing was left in flight — down to half the highest rate seen since the
    opening stopped (the backlog is worked off). Otherwise "timed": `limit` seconds gone by
    (daphne's own timeouts have by then ended whatever its clients gave up on). Returns how long
    it waited, which of the two, and the samples (CPU in cores, all servers together)."""
    started = last_t = time.perf_counter()
    last_cpu = sum(s.cpu_seconds() for s in servers)
    rates = []
    while True:
        await asyncio.sleep(window)
        now_t, now_cpu = time.perf_counter(), sum(s.cpu_seconds() for s in servers)
        rates.append((now_cpu - last_cpu) / (now_t - last_t))
        last_t, last_cpu = now_t, now_cpu
        waited = now_t - started
        if _steady(rates) and (answered or max(rates[-SETTLE_STABLE:]) <= 0.5 * max(rates)):
            return {"seconds": waited, "settled": "steady", "rates": rates}
        if waited >= limit:
            return {"seconds": waited, "settled": "timed", "rates": rates}


class Shard:
    """One client process of W1, holding sockets `first` … `first + count - 1`."""

    def __init__(self, proc):
        self.proc = proc

    @classmethod
    async def start(cls, contestant, *, first: int, count: int, ports: list, budget: float,
                    concurrency: int) -> "Shard":
        proc = await asyncio.create_subprocess_exec(
            procs.PYTHON, "-m", "bench.idle", cwd=procs.REPO, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, limit=1 << 22, start_new_session=True)
        shard = cls(proc)
        try:
            await shard.send({"contestant": contestant.name, "state": contestant.shard_state(),
                              "first": first, "count": count, "ports": ports, "budget": budget,
                              "concurrency": concurrency})
            await shard.expect("ready")
        except BaseException:
            await shard.stop(politely=False)
            raise
        return shard

    async def send(self, message) -> None:
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        await self.proc.stdin.drain()

    async def expect(self, event: str, timeout: float = 120.0) -> dict:
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not line:
            await self.proc.wait()
            raise RuntimeError(f"W1 client shard exited ({self.proc.returncode}) "
                               f"before '{event}' (its error is on stderr above)")
        answer = json.loads(line)
        if answer.get("event") != event:
            raise RuntimeError(f"W1 client shard answered {answer} instead of '{event}'")
        return answer

    async def ask(self, step: str, timeout: float = 120.0) -> dict:
        await self.send(step)
        return await self.expect(step, timeout)

    async def stop(self, *, politely: bool = True) -> None:
        """Let the shard close its sockets and exit; kill it if it does not (or, when not
        `politely`, at once: it reads no command while it is still opening)."""
        if politely and self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.ask("closed", 150)
        with contextlib.suppress(ProcessLookupError):
            if self.proc.returncode is None:
                self.proc.kill()
        await self.proc.wait()


def _add(total: dict, more: dict) -> dict:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total


async def idle(contestant, size: int, config: dict, log) -> dict:
    """W1: open `size` sockets over P servers (one if the contestant is `proxied`) from P client
    processes (P = `w1_procs`), wait until the servers settle, then measure memory per socket and
    idle CPU (summed over the servers and all their processes) while the sockets are held."""
    nprocs = config.get("w1_procs", 1)
    contestant.prepare(size)
    private_redis.flush()
    servers = [contestant.server(size) for _ in range(1 if contestant.proxied else nprocs)]
    ports = [s.port for s in servers]
    shards = []
    with procs.running(servers):
        try:
            cuts = [size * k // nprocs for k in range(nprocs + 1)]
            # Each shard keeps OPEN_CONCURRENCY handshakes in flight, as one client did before:
            # spread over the servers, each server sees the same storm as in a one-process run.
            for k in range(nprocs):
                shards.append(await Shard.start(
                    contestant, first=cuts[k], count=cuts[k + 1] - cuts[k], ports=ports,
                    budget=config["w1_open_budget"], concurrency=OPEN_CONCURRENCY))
            await asyncio.sleep(0.5)
            rss0, kernel0 = [s.rss_bytes() for s in servers], procs.tcp_kernel_bytes()
            opening = await asyncio.gather(*(shard.ask("opened", config["w1_open_budget"] + 120)
                                             for shard in shards))
            opened = sum(o["opened"] for o in opening)
            failed = sum(o["failed"] for o in opening)
            errors, by_port = {}, {}
            for o in opening:
                _add(errors, o["errors"])
                _add(by_port, o["by_port"])
            budget_ran_out = opened + failed < size
            answered = not budget_ran_out and all(k.startswith("InvalidStatus") for k in errors)
            settled = await settle(servers, answered=answered, limit=config["w1_settle_limit"],
                                   window=config["w1_settle_window"])
            rss1, kernel1 = [s.rss_bytes() for s in servers], procs.tcp_kernel_bytes()
            meter = cpu.Meter(contestant, servers)
            meter.start()
            cpu0, t0 = [s.cpu_seconds() for s in servers], time.perf_counter()
            await asyncio.sleep(config["w1_idle_seconds"])
            cpu1, elapsed = [s.cpu_seconds() for s in servers], time.perf_counter() - t0
            spent = meter.stop()
            holding = await asyncio.gather(*(shard.ask("held") for shard in shards))
            processes = [server.processes() for server in servers]
        except BaseException:
            # Interrupted (SIGTERM, Ctrl-C) or broken: do not wait for the shards to finish.
            await asyncio.gather(*(shard.stop(politely=False) for shard in shards),
                                 return_exceptions=True)
            raise
        await asyncio.gather(*(shard.stop() for shard in shards), return_exceptions=True)
    started = min(o["started"] for o in opening)
    seconds = max(o["started"] + o["seconds"] for o in opening) - started
    held_by_port, dropped = {}, {}
    for h in holding:
        _add(held_by_port, h["held_by_port"])
        _add(dropped, h["closed_by_server"])
    kernel_kb = (kernel1 - kernel0) / 1024
    per_server = []
    for k, server in enumerate(servers):
        n = by_port.get(str(server.port), 0)
        rss_kb = (rss1[k] - rss0[k]) / 1024
        per_server.append({
            "port": server.port, "opened": n, "held": held_by_port.get(str(server.port), 0),
            "rss_per_socket_kb": rss_kb / n if n else None,
            # The kernel's TCP memory is machine-wide: each server is charged its share.
            "mem_per_socket_kb": (rss_kb + max(0.0, kernel_kb) * n / opened) / n if n else None,
            "idle_cpu_pct": (cpu1[k] - cpu0[k]) / elapsed * 100,
            "processes": processes[k],
            **({"server_settings": server.settings} if server.settings else {})})
    held = sum(held_by_port.values())
    idle_cpu_pct = sum(s["idle_cpu_pct"] for s in per_server)
    row = {"procs": nprocs, "server_processes": sum(len(p) for p in processes),
           "opened": opened, "held": held,
           "failed": failed, "errors": errors, "closed_by_server": dropped,
           "open_seconds": seconds, "open_rate": opened / seconds if seconds else None,
           "budget_ran_out": budget_ran_out,
           "settle_seconds": settled["seconds"], "settled": settled["settled"],
           "settle_cpu_pct": [round(r * 100, 1) for r in settled["rates"]],
           "rss_per_socket_kb": (sum(rss1) - sum(rss0)) / 1024 / opened if opened else None,
           "kernel_per_socket_kb": kernel_kb / opened if opened else None,
           "idle_cpu_pct": idle_cpu_pct,
           # CPU µs per held socket per second, server processes only (the idle CPU spread out)
           "idle_cpu_us_per_socket_s": idle_cpu_pct * 1e4 / held if held else None,
           "idle_cpu_pct_proxy": (None if spent["proxy"] is None
                                  else spent["proxy"] / elapsed * 100),
           "idle_cpu_pct_postgres": spent["postgres"] / elapsed * 100,
           "idle_cpu_pct_redis": spent["redis"] / elapsed * 100,
           "servers": per_server}
    row["mem_per_socket_kb"] = (None if row["rss_per_socket_kb"] is None else
                                row["rss_per_socket_kb"] + max(0.0, row["kernel_per_socket_kb"]))
    servers_text = "; ".join(f"{s['held']} held, {s['mem_per_socket_kb'] or 0:.1f} KB/socket, "
                             f"{s['idle_cpu_pct']:.1f} % CPU" for s in per_server)
    descriptors = ", ".join(f"{p['name']} {p['descriptors']}" for ps in processes for p in ps)
    log(f"W1 {contestant.name} n={size} on {nprocs} process(es): opened {opened} ({failed} "
        f"failed {errors or ''}) in {seconds:.1f} s, held {row['held']} {dropped or ''}, "
        f"{row['mem_per_socket_kb'] or 0:.1f} KB/socket, idle CPU {row['idle_cpu_pct']:.1f} % "
        f"after {settled['seconds']:.0f} s to settle ({settled['settled']})"
        + (f" [{servers_text}]" if len(servers) > 1 else "")
        + (f"; descriptors: {descriptors}" if row["server_processes"] > 1 else ""))
    return row


# --- the client shard: python -m bench.idle, one JSON line in, one out, per step -------------

def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _shard() -> None:
    procs.raise_open_files()
    loop = asyncio.get_running_loop()

    async def step() -> str:
        # End of input (the bench went away) means close too.
        line = await loop.run_in_executor(None, sys.stdin.readline)
        return json.loads(line) if line.strip() else "closed"

    spec = await step()
    contestant = lineup.make(spec["contestant"])
    contestant.adopt(spec["state"])
    pool = Pool(contestant)
    _say({"event": "ready"})
    while (command := await step()) != "closed":
        if command == "opened":
            started = time.monotonic()  # CLOCK_MONOTONIC: comparable between the shards
            seconds = await pool.open(spec["count"], spec["budget"], ports=spec["ports"],
                                      first=spec["first"], concurrency=spec["concurrency"])
            by_port = {}
            for ws in pool.sockets:
                _add(by_port, {str(ws.remote_address[1]): 1})
            _say({"event": "opened", "opened": len(pool.sockets), "failed": pool.failed,
                  "errors": pool.errors, "by_port": by_port, "started": started,
                  "seconds": seconds})
        elif command == "held":
            held = {}
            for ws in pool.sockets:
                if ws.state.name == "OPEN":
                    _add(held, {str(ws.remote_address[1]): 1})
            _say({"event": "held", "held_by_port": held, "closed_by_server": pool.closed_codes()})
    await pool.close()
    _say({"event": "closed"})


if __name__ == "__main__":
    asyncio.run(_shard())
