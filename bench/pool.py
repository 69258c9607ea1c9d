"""The client side every socket workload shares: recipient sockets (`Pool`), each with a reader
that only appends (time, frame, socket); `Deliveries`, which counts each (socket, message) once
so that a duplicate cannot hide a loss; and `until`, the wait for a condition."""

import asyncio
import time

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

# Source addresses for client sockets, so one run is not capped by one address's ephemeral ports.
SOURCES = [f"127.0.0.{i}" for i in range(2, 18)]
OPEN_CONCURRENCY = 200   # W1: handshakes in flight at once (the stock layer refused at 200)
GROUP_CONCURRENCY = 50   # W2–W4: the group is built gently, the connect storm is W1's subject
DELIVERY_TIMEOUT = 10.0  # W2, W4: seconds to wait for a message to reach every open recipient


def ws_connect(url: str, i: int, headers=None, origin=None):
    """Client socket number `i` (its source address is chosen by `i`)."""
    return connect(url, compression=None, ping_interval=None, open_timeout=60, close_timeout=2,
                   max_queue=None, additional_headers=headers, origin=origin,
                   local_addr=(SOURCES[i % len(SOURCES)], 0))


class Pool:
    """Recipient sockets of one contestant (anything with `recipient(i, port)` and `hello`),
    each with a reader appending (perf_counter, frame, socket index) to `frames`."""

    def __init__(self, contestant):
        self.contestant = contestant
        self.sockets, self.readers = [], []
        self.frames = []
        self.where = []           # server port of each socket
        self.numbers = []         # the number `i` each socket was opened as
        self.failed = 0
        self.errors = {}

    async def _read(self, ws, index):
        clock = time.perf_counter
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
            self.where.append(ws.remote_address[1])
            self.numbers.append(i)
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


class Deliveries:
    """The deliveries among `frames` (from `start` on) whose sequence number `accept`s, counted
    once per (socket, message): `count` distinct, `duplicates` beyond the first. Each call scans
    only the frames that arrived since the last one (other frames, e.g. Cairn's badges, do not
    count)."""

    def __init__(self, frames, seq_of, accept=lambda s: True, start: int = 0):
        self.frames, self.seq_of, self.accept = frames, seq_of, accept
        self.scanned = start
        self.first = {}           # (socket index, seq) -> time of its first arrival
        self.duplicates = 0

    def __call__(self) -> int:
        end = len(self.frames)
        seq_of, accept, first = self.seq_of, self.accept, self.first
        for at, frame, index in self.frames[self.scanned:end]:
            s = seq_of(frame)
            if s is None or not accept(s):
                continue
            if (index, s) in first:
                self.duplicates += 1
            else:
                first[(index, s)] = at
        self.scanned = end
        return len(first)


async def until(condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True
