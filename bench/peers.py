"""The contestants Cairn is measured against (their servers are in `bench/contestants/`):

- C1 ceiling: a bare `websockets` server; `websockets.broadcast()` from a publisher socket.
- C1d daphne floor: C1's broadcast as a bare ASGI application under Cairn's daphne settings and
  collector tuning: what the stack costs before any application work.
- C2 Channels peer: the Channels tutorial chat consumer on daphne and `RedisChannelLayer`,
  configured as a competent user would (`bench.contestants.stock`); C2s the same on
  `RedisPubSubChannelLayer`.
- C2p persisted peer: the same consumer saving each message through the ORM to its own
  PostgreSQL database before `group_send` (`bench.contestants.persisted`).
"""

import asyncio
import json

from bench import databases, private_redis as redis
from bench.contestant import Contestant
from bench.contestants import layers
from bench.pool import ws_connect
from bench.procs import HOST, PYTHON, Server, free_port


class Ceiling(Contestant):
    name, label = "C1", "ceiling: websockets.broadcast"

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server("ceiling", [PYTHON, "-m", "bench.contestants.ceiling", "--port",
                                  str(self.port)], self.port)


class Floor(Contestant):
    name, label = "C1d", "daphne floor: C1's broadcast as bare ASGI under Cairn's daphne"

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server("floor", [PYTHON, "-m", "bench.contestants.floor", "--port", str(self.port)],
                      self.port)

    def settings(self) -> dict:
        return {**super().settings(), "daphne": "serve.daphne_server()",
                "gc": "serve._collect_less(): gc.freeze() after start-up, serve.GC_THRESHOLDS"}


class Stock(Contestant):
    """The tutorial consumer: recipients join the room `bench` (W2) or one room per thread (W3);
    a socket in the room publishes, and the consumer `group_send`s to the room."""

    redis = True
    workloads = frozenset({"W1", "W2", "W3", "W4"})
    module = "bench.contestants.stock:application"

    def __init__(self, name: str, layer: str):
        self.name, self.layer = name, layer
        self.label = f"Channels tutorial chat, {layers.LAYERS[layer]}"

    def _env(self) -> dict:
        return {"BENCH_REDIS_URL": redis.url(), "BENCH_LAYER": self.layer}

    def server(self, size: int) -> Server:
        self.port = free_port()
        return Server(self.name.lower(), [PYTHON, "-m", "daphne", "-b", HOST, "-p", str(self.port),
                                          self.module], self.port, self._env())

    def settings(self) -> dict:
        return {**super().settings(), "server": "daphne CLI, its defaults",
                "channel_layers": layers.channel_layers("redis://…", self.layer)}

    def url(self, i: int, port: int) -> tuple:
        return f"ws://{HOST}:{port}/ws/chat/bench/", None, None

    async def open_publisher(self) -> None:
        self.pub = await self.recipient(0)
        self.drain = asyncio.ensure_future(_drain(self.pub))

    async def publish(self, seq: int) -> None:
        await self.pub.send(json.dumps({"message": str(seq)}))

    async def close_publisher(self) -> None:
        await self.pub.close()
        self.drain.cancel()

    @staticmethod
    def seq_of(frame):
        message = json.loads(frame)["message"]
        return int(message) if message.isdigit() else None

    def traffic(self, users: list, threads: list):
        return Rooms(self, users, threads)


class Persisted(Stock):
    name = "C2p"
    workloads = frozenset({"W2", "W3"})  # W1 and W4 would measure what C2 does
    module = "bench.contestants.persisted.asgi:application"

    def __init__(self, layer: str = "list"):
        super().__init__("C2p", layer)
        self.label = f"Channels tutorial chat saving through the ORM, {layers.LAYERS[layer]}"
        self.database = databases.name("c2p")

    @classmethod
    def setup(cls) -> list:
        """The peer's own database, migrated from its own models (not Cairn's template)."""
        db = databases.name("c2p")
        databases.drop(db)
        databases.psql(f'CREATE DATABASE "{db}"')
        databases.run_django(["-m", "django", "migrate", "-v0"], db,
                             DJANGO_SETTINGS_MODULE="bench.contestants.persisted.settings")
        return [db]

    def _env(self) -> dict:
        return {**super()._env(), "DATABASE_URL": databases.url(self.database),
                "DJANGO_SETTINGS_MODULE": "bench.contestants.persisted.settings"}

    def settings(self) -> dict:
        from bench.contestants.persisted import settings as peer
        return {**super().settings(), "database": self.database,
                "conn_max_age": peer.DATABASES["default"]["CONN_MAX_AGE"]}


async def _drain(ws):
    # The tutorial echoes to the sender too: read it so nothing backs up.
    async for _ in ws:
        pass


class Rooms:
    """W3 for the Channels peers: every viewer of a thread has a socket in the thread's room (the
    tutorial's access control is who is given the room's address); a post is a frame the author
    sends on their own socket in that room."""

    hello = False

    def __init__(self, peer: Stock, users: list, threads: list):
        self.peer = peer
        self.sockets = [(user, thread["id"]) for thread in threads for user in thread["viewers"]]

    def recipient(self, i: int, port=None):
        _, thread = self.sockets[i]
        return ws_connect(f"ws://{HOST}:{port or self.peer.port}/ws/chat/t{thread}/", i)

    seq_of = staticmethod(Stock.seq_of)

    async def open_posters(self, pool) -> None:
        self.by_socket = {self.sockets[i]: ws for ws, i in zip(pool.sockets, pool.numbers)}

    async def post(self, author: int, thread: dict, seq: int) -> bool:
        ws = self.by_socket.get((author, thread["id"]))
        if ws is None:
            return False
        try:
            await ws.send(json.dumps({"message": str(seq)}))
        except Exception:  # noqa: BLE001 - a closed socket is a failed post
            return False
        return True

    async def close_posters(self) -> None:
        pass
