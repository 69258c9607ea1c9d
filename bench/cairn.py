"""Cairn as a contestant (C3: its default layer for REDIS_URL, pub/sub; C3b: channels-redis'
list-based layer; C3m: the in-memory layer), under daphne with `python -m server serve`; C3n:
three C3 processes behind nginx (`bench.nginx`), one address for recipients and posts alike.

Recipients are inbox tabs of clinical admins (the audience every clinical thread reaches),
`tabs_per_user` each (1 unless `--w2-tabs` says more); the publisher is the client's clinician
posting to a clinical thread over HTTP (persisted, access-checked, fanned out after commit)."""

import asyncio
import json
import math

from bench import databases, nginx, private_redis as redis
from bench.contestant import Contestant
from bench.httpclient import Connection
from bench.pool import SOURCES, ws_connect
from bench.procs import HOST, PYTHON, Server, Servers, free_port

LAYERS = {"C3": "redis", "C3b": "list", "C3m": "memory"}
LABELS = {"redis": "Cairn, RedisPubSubChannelLayer (default)", "list": "Cairn, RedisChannelLayer",
          "memory": "Cairn, in-memory layer"}
SEND_LIMIT = "100000000"  # CAIRN_SEND_LIMIT_PER_MINUTE: the bench posts faster than a person


def cairn_server(db: str, *, layer: str = "redis", port: int | None = None,
                 proxy_headers: bool = False) -> Server:
    """`python -m server serve` on database `db`; `proxy_headers` behind nginx (docs/DEPLOY.md)."""
    port = port or free_port()
    extra = {"CAIRN_SEND_LIMIT_PER_MINUTE": SEND_LIMIT,
             "CAIRN_VAR_DIR": f"/tmp/bench-cairn-var-{port}"}
    if layer in ("redis", "list"):
        extra["REDIS_URL"] = redis.url()
    if layer == "list":
        extra["DJANGO_SETTINGS_MODULE"] = "bench.list_layer_settings"
    env = databases.django_env(db, **extra)
    argv = [PYTHON, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--no-worker", *(["--proxy-headers"] if proxy_headers else [])]
    return Server(f"cairn-{layer}", argv, port, env)


async def signed_in(port: int, session: str, k: int) -> Connection:
    """A keep-alive HTTP connection as the user of `session`, with its CSRF token."""
    conn = Connection(HOST, port, local_host=SOURCES[k % len(SOURCES)],
                      cookies={"sessionid": session}, headers={"Origin": f"http://{HOST}:{port}"})
    await conn.get("/api/auth/csrf")
    conn.headers["X-CSRFToken"] = conn.cookies["csrftoken"]
    return conn


def created_seq(frame, prefix: str):
    """The number in the body "<prefix> N" of a `message.created` frame, else None."""
    if isinstance(frame, bytes) or '"message.created"' not in frame:
        return None
    body = json.loads(frame)["message"]["body"]
    return int(body.split()[1]) if body.startswith(prefix + " ") else None


class Cairn(Contestant):
    hello = True
    redis = True
    workloads = frozenset({"W1", "W2", "W3", "W4"})
    cairn_schema = True
    POSTERS = 4
    seeded = {}  # (group size, tabs per user) -> the seeded live practice, shared by C3, C3b, C3m

    def __init__(self, name: str, tabs_per_user: int = 1):
        self.name, self.layer = name, LAYERS[name]
        self.label = LABELS[self.layer]
        self.redis = self.layer != "memory"
        self.tabs_per_user = tabs_per_user
        self.database = databases.name("live")

    @classmethod
    def make_database(cls) -> None:
        databases.fresh(databases.name("live"))
        cls.seeded.clear()

    def prepare(self, size: int) -> None:
        key = (size, self.tabs_per_user)
        if key not in self.seeded:
            self.seeded[key] = databases.seed(self.database, "live", "--users",
                                              str(math.ceil(size / self.tabs_per_user)))
        self.current = self.seeded[key]

    def settings(self) -> dict:
        return {**super().settings(), "server": "python -m server serve --no-worker",
                "layer": self.layer, "tabs_per_user": self.tabs_per_user,
                "CAIRN_SEND_LIMIT_PER_MINUTE": SEND_LIMIT, "database": self.database}

    def shard_state(self) -> dict:
        return {"sessions": self.current["sessions"], "tabs_per_user": self.tabs_per_user}

    def adopt(self, state: dict) -> None:
        self.current, self.tabs_per_user = state, state["tabs_per_user"]

    def server(self, size: int) -> Server:
        srv = cairn_server(self.database, layer=self.layer)
        self.port = srv.port
        return srv

    def url(self, i: int, port: int) -> tuple:
        sessions = self.current["sessions"]
        session = sessions[(i // self.tabs_per_user) % len(sessions)]
        return (f"ws://{HOST}:{port}/ws/", {"Cookie": f"sessionid={session}"},
                f"http://{HOST}:{port}")

    async def open_publisher(self) -> None:
        self.posters = [await signed_in(self.port, self.current["sender_session"], k)
                        for k in range(self.POSTERS)]
        self.next_poster = 0
        self.path = f"/api/threads/{self.current['thread_id']}/messages"

    async def publish(self, seq: int) -> None:
        conn = self.posters[self.next_poster]
        self.next_poster = (self.next_poster + 1) % len(self.posters)
        response = await conn.post(self.path, {"body": f"bench {seq}"})
        if response.status != 201:
            raise RuntimeError(f"post answered {response.status}: {response.body[:300]!r}")

    async def publish_all(self, seqs) -> None:
        """Each post is an HTTP request: POSTERS of them in flight at once."""
        queue = list(seqs)

        async def poster():
            while queue:
                await self.publish(queue.pop(0))
        await asyncio.gather(*(poster() for _ in range(self.POSTERS)))

    async def close_publisher(self) -> None:
        for conn in self.posters:
            await conn.close()

    @staticmethod
    def seq_of(frame):
        return created_seq(frame, "bench")

    def traffic(self, users: list, threads: list):
        return Tabs(self, users)


class Scaled(Cairn):
    """C3n: `PROCESSES` C3 servers (same settings, database and Redis) behind one nginx; every
    socket and post goes through nginx, so a message crosses Redis to the processes that did not
    take its post. One server to the workloads: W1 spreads only its client shards."""

    PROCESSES = 3
    proxied = True
    workloads = frozenset({"W1", "W2"})

    def __init__(self, name: str = "C3n", tabs_per_user: int = 1):
        super().__init__("C3", tabs_per_user)
        self.name = name
        self.label = f"Cairn ×{self.PROCESSES} behind nginx, RedisPubSubChannelLayer"

    def settings(self) -> dict:
        return {**super().settings(), "processes": self.PROCESSES,
                "server": "python -m server serve --no-worker --proxy-headers",
                "proxy": "nginx, bench/nginx.py (its configuration in each row's "
                         "server_settings)"}

    def server(self, size: int) -> Servers:
        members = [cairn_server(self.database, layer=self.layer, proxy_headers=True)
                   for _ in range(self.PROCESSES)]
        front = nginx.Nginx(size, [m.port for m in members])
        self.port = front.port
        return Servers([*members, front], front.port)


class Tabs:
    """W3 for Cairn: one inbox socket per seeded user; a post is the author's HTTP POST."""

    hello = True

    def __init__(self, cairn: Cairn, users: list):
        self.cairn, self.users = cairn, users
        self.sockets = [(user["id"], None) for user in users]

    def recipient(self, i: int, port=None):
        port = port or self.cairn.port
        return ws_connect(f"ws://{HOST}:{port}/ws/", i,
                          headers={"Cookie": f"sessionid={self.users[i]['session']}"},
                          origin=f"http://{HOST}:{port}")

    @staticmethod
    def seq_of(frame):
        return created_seq(frame, "w3")

    async def open_posters(self, pool) -> None:
        self.posters = {user["id"]: await signed_in(self.cairn.port, user["session"], k)
                        for k, user in enumerate(self.users)}

    async def post(self, author: int, thread: dict, seq: int) -> bool:
        try:
            response = await self.posters[author].post(
                f"/api/threads/{thread['id']}/messages",
                {"body": f"w3 {seq}", "mark_thread_read": False})
        except (OSError, asyncio.IncompleteReadError):
            return False
        return response.status == 201

    async def close_posters(self) -> None:
        for conn in self.posters.values():
            await conn.close()
