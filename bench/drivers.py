"""How the load client talks to each contestant: where a recipient connects, with which
headers, and how one message is published to all recipients (see `bench.contestants`)."""

import asyncio
import json
import math

from websockets.asyncio.client import connect

from bench import databases, private_redis as redis
from bench.cairn import cairn_server
from bench.httpclient import Connection
from bench.procs import HOST, PYTHON, Server, free_port

# Source addresses for client sockets, so one run is not capped by one address's ephemeral ports.
SOURCES = [f"127.0.0.{i}" for i in range(2, 18)]
TABS_PER_USER = 10  # Cairn: each clinical admin has this many inbox tabs open


def ws_connect(url: str, i: int, headers=None, origin=None):
    return connect(url, compression=None, ping_interval=None, open_timeout=60, close_timeout=2,
                   max_queue=None, additional_headers=headers, origin=origin,
                   local_addr=(SOURCES[i % len(SOURCES)], 0))


class Ceiling:
    name, label = "C1", "ceiling: websockets.broadcast"
    hello = False

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server("ceiling", [PYTHON, "-m", "bench.contestants.ceiling", "--port",
                                  str(self.port)], self.port)

    def prepare(self, size: int) -> None:
        pass

    def recipient(self, i: int, port: int | None = None):
        return ws_connect(f"ws://{HOST}:{port or self.port}/", i)

    def shard_state(self) -> dict:
        """What a W1 client process (`bench.idle`) needs to open recipients, as JSON."""
        return {}

    def adopt(self, state: dict) -> None:
        """In a W1 client process: take the `shard_state()` of the bench's contestant."""

    async def open_publisher(self):
        self.pub = await ws_connect(f"ws://{HOST}:{self.port}/pub", 0)

    async def publish(self, seq: int) -> None:
        await self.pub.send(json.dumps({"seq": seq}))

    async def close_publisher(self):
        await self.pub.close()

    @staticmethod
    def seq_of(frame):
        return json.loads(frame)["seq"]


class Floor(Ceiling):
    name, label = "C1d", "daphne floor: C1's broadcast as bare ASGI under Cairn's daphne"

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server("floor", [PYTHON, "-m", "bench.contestants.floor", "--port", str(self.port)],
                      self.port)


class Stock(Ceiling):
    name, label = "C2", "stock: Channels tutorial chat, RedisChannelLayer"

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server("stock", [PYTHON, "-m", "daphne", "-b", HOST, "-p", str(self.port),
                                "bench.contestants.stock:application"], self.port,
                      {"BENCH_REDIS_URL": redis.url()})

    def recipient(self, i: int, port: int | None = None):
        return ws_connect(f"ws://{HOST}:{port or self.port}/ws/chat/bench/", i)

    async def open_publisher(self):
        self.pub = await self.recipient(0)
        self.drain = asyncio.ensure_future(self._drain())

    async def _drain(self):
        # The tutorial echoes to the sender too: read it so nothing backs up.
        async for _ in self.pub:
            pass

    async def publish(self, seq: int) -> None:
        await self.pub.send(json.dumps({"message": str(seq)}))

    async def close_publisher(self):
        await self.pub.close()
        self.drain.cancel()

    @staticmethod
    def seq_of(frame):
        return int(json.loads(frame)["message"])


class Cairn:
    """Recipients are inbox tabs of clinical admins (TABS_PER_USER each) in a practice seeded for
    this group size; the publisher is the client's clinician posting to a clinical thread over
    HTTP (persisted, access-checked, fanned out after commit)."""

    hello = True
    POSTERS = 4

    def __init__(self, name: str, layer: str):
        self.name, self.layer = name, layer
        self.label = {"redis": "Cairn, RedisPubSubChannelLayer (default)", "list": "Cairn, RedisChannelLayer",
                      "memory": "Cairn, in-memory layer"}[layer]
        self.seeded = {}

    @classmethod
    def make_database(cls) -> None:
        databases.fresh(databases.name("live"))

    def prepare(self, size: int) -> None:
        if size not in self.seeded:
            self.seeded[size] = SEEDED.get(size) or databases.seed(
                databases.name("live"), "live", "--users", str(math.ceil(size / TABS_PER_USER)))
            SEEDED[size] = self.seeded[size]
        self.current = self.seeded[size]

    def shard_state(self) -> dict:
        return {"sessions": self.current["sessions"]}

    def adopt(self, state: dict) -> None:
        self.current = state

    def server(self, size: int) -> Server:
        srv = cairn_server(databases.name("live"), layer=self.layer)
        self.port = srv.port
        return srv

    def recipient(self, i: int, port: int | None = None):
        sessions = self.current["sessions"]
        port = port or self.port
        return ws_connect(f"ws://{HOST}:{port}/ws/", i,
                          headers={"Cookie": f"sessionid={sessions[(i // TABS_PER_USER) % len(sessions)]}"},
                          origin=f"http://{HOST}:{port}")

    async def open_publisher(self):
        self.posters = []
        for k in range(self.POSTERS):
            conn = Connection(HOST, self.port, local_host=SOURCES[k % len(SOURCES)],
                              cookies={"sessionid": self.current["sender_session"]},
                              headers={"Origin": f"http://{HOST}:{self.port}"})
            await conn.get("/api/auth/csrf")
            conn.headers["X-CSRFToken"] = conn.cookies["csrftoken"]
            self.posters.append(conn)
        self.next_poster = 0
        self.path = f"/api/threads/{self.current['thread_id']}/messages"

    async def publish(self, seq: int) -> None:
        conn = self.posters[self.next_poster]
        self.next_poster = (self.next_poster + 1) % len(self.posters)
        response = await conn.post(self.path, {"body": f"bench {seq}"})
        if response.status != 201:
            raise RuntimeError(f"post answered {response.status}: {response.body[:300]!r}")

    async def close_publisher(self):
        for conn in self.posters:
            await conn.close()

    @staticmethod
    def seq_of(frame):
        if isinstance(frame, bytes) or '"message.created"' not in frame:
            return None
        body = json.loads(frame)["message"]["body"]
        return int(body.split()[1]) if body.startswith("bench ") else None


SEEDED = {}  # group size -> seeded live practice, shared by the Cairn variants


def contestant(name: str):
    plain = {"C1": Ceiling, "C1d": Floor, "C2": Stock}
    return plain[name]() if name in plain else Cairn(
        name, {"C3": "redis", "C3b": "list", "C3m": "memory"}[name])
