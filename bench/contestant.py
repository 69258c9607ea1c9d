"""What every contestant offers the workloads, so that none of them asks which contestant it has.

A contestant says how to start its server (`server(size)`: a `procs.Server`, started and stopped
by the workload), where recipient number i connects (`url`), how one message is published to
every recipient (`open_publisher`, `publish`, `publish_all`, `close_publisher`), which frames
are deliveries (`seq_of`), the settings it runs with (`settings`, recorded in the JSON) and whose
CPU counts (its server processes, plus the backends of its PostgreSQL `database` and the bench's
Redis when it uses them: `bench.cpu`). W3 asks it for a `traffic` side (`bench.traffic`)."""

import json

from bench.pool import ws_connect
from bench.procs import HOST, Server


class Contestant:
    name = label = ""
    hello = False                  # a recipient counts as open once its first frame arrived
    redis = False                  # runs on the bench's Redis (its CPU counts)
    database = None                # the PostgreSQL database whose backends serve it
    workloads = frozenset({"W1", "W2"})
    tabs_per_user = 1              # recipients per signed-in user (Cairn; 1 for the others)
    cairn_schema = False           # runs on a copy of Cairn's migrated template
    proxied = False                # one address in front of several processes (C3n): W1 starts
                                   # one server and spreads only its client processes

    @classmethod
    def setup(cls) -> list:
        """Make what this kind of contestant needs once per run; the databases it created."""
        return []

    def prepare(self, size: int) -> None:
        """Make what a group of `size` recipients needs (users, sessions, a thread)."""

    def server(self, size: int) -> Server:
        """A server process for a group of `size` (not started yet); sets `self.port`."""
        raise NotImplementedError

    def url(self, i: int, port: int) -> tuple:
        """(URL, headers, Origin) of recipient number `i` on the server at `port`."""
        return f"ws://{HOST}:{port}/", None, None

    def recipient(self, i: int, port: int | None = None):
        url, headers, origin = self.url(i, port or self.port)
        return ws_connect(url, i, headers=headers, origin=origin)

    def settings(self) -> dict:
        """The configuration this contestant runs with, as recorded in the JSON."""
        return {"label": self.label}

    def shard_state(self) -> dict:
        """What a W1 client process (`bench.idle`) needs to open recipients, as JSON."""
        return {}

    def adopt(self, state: dict) -> None:
        """In a W1 client process: take the `shard_state()` of the bench's contestant."""

    async def open_publisher(self) -> None:
        self.pub = await ws_connect(f"ws://{HOST}:{self.port}/pub", 0)

    async def publish(self, seq: int) -> None:
        await self.pub.send(json.dumps({"seq": seq}))

    async def publish_all(self, seqs) -> None:
        """Publish `seqs` back to back (W2's saturation phase)."""
        for s in seqs:
            await self.publish(s)

    async def close_publisher(self) -> None:
        await self.pub.close()

    @staticmethod
    def seq_of(frame):
        """The message number a frame delivers, or None for a frame that is no delivery."""
        return json.loads(frame)["seq"]

    def traffic(self, users: list, threads: list):
        """W3's side of this contestant (`bench.traffic`); only for those with W3."""
        raise NotImplementedError
