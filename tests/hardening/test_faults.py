"""Faults against real server processes, each checked by comparing what clients received with
the database.

- One of two daphne processes (same PostgreSQL, a Redis of our own) killed with SIGKILL in the
  middle of a load of posts: writers retry on the other process with the same `client_msg_id`,
  sockets on the killed process reconnect to the other and resume from their last cursor. Every
  message the API accepted is in the database once; every socket that may see a message received
  it exactly once, and none received a message it may not see.
- PostgreSQL unreachable for a serving process: every API call answers 503 with the error shape
  (never a 500), no socket opens, and the process keeps serving once asked again.

`CAIRN_FAULT_MESSAGES` (per writer, default 12) scales the load for a longer run
(docs/RELIABILITY.md).
"""

import asyncio
import http.client
import json
import os
import shutil
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.clock import until
from tests.consumers.live import PASSWORD, Http, fresh_database, open_ws, recv
from tests.servers import LIVE, Redis, Served, free_port, manage, server_env, start_server

CLIENTS = 6
MESSAGES = int(os.environ.get("CAIRN_FAULT_MESSAGES", 12))

needs_postgres_and_redis = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres")
         and os.environ.get("REDIS_URL", "").startswith("redis")),
    reason="needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (two daphne processes share "
           "a PostgreSQL database, and this test starts a Redis of its own; CI sets both)")


def practice_file() -> dict:
    """Sam (scheduler) sees every administrative thread, Cleo (assigned to every client) sees
    all; Bill (biller) sees no administrative thread; each client sees their own."""
    return {
        "practice": {"name": "Fault Line Counseling", "portal_enabled": True, "topics": []},
        "staff": [
            {"username": "sam", "name": "Sam Scheduler", "email": "sam@example.org",
             "password": PASSWORD, "roles": ["scheduler"], "supervises": []},
            {"username": "bill", "name": "Bill Biller", "email": "bill@example.org",
             "password": PASSWORD, "roles": ["biller"], "supervises": []},
            {"username": "cleo", "name": "Cleo Clinician", "email": "cleo@example.org",
             "password": PASSWORD, "roles": ["clinician"], "supervises": []},
        ],
        "clients": [
            {"name": f"Client {i}", "email": f"c{i}@example.org", "clinicians": ["cleo"],
             "portal": {"username": f"c{i}", "password": PASSWORD}}
            for i in range(CLIENTS)
        ],
    }






def _messages_in_database(url: str) -> list[tuple]:
    """(id, thread id, body, client's portal username) of every message, not deleted."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT m.id, m.thread_id, m.body, u.username FROM server_message m "
            "JOIN server_thread t ON t.id = m.thread_id JOIN server_client c ON c.id = t.client_id "
            "JOIN server_user u ON u.id = c.user_id WHERE m.deleted_at IS NULL").fetchall()


# The socket side -------------------------------------------------------------------------------

@dataclass
class Listener:
    """One user's socket, as the browser's client keeps it: it records every `message.created`,
    and when its server dies it reconnects to the other and resumes from its last cursor."""

    name: str
    http: Http
    server: Served
    fallback: Served
    cursor: int = 0
    received: list = field(default_factory=list)   # message ids, in arrival order
    reconnects: int = 0
    drops: list = field(default_factory=list)       # why the socket went away
    resync: bool = False

    async def run(self, stop: asyncio.Event):
        resume = False
        while not stop.is_set():
            try:
                async with open_ws(self.server, self.http) as ws:
                    hello = await recv(ws)
                    if resume:
                        await ws.send(json.dumps({"type": "resume", "cursor": self.cursor}))
                    else:
                        self.cursor = hello["cursor"]
                    await self._listen(ws, stop)
                    return
            except (ConnectionClosed, OSError, InvalidStatus, asyncio.TimeoutError) as error:
                if stop.is_set():
                    return
                self.drops.append(repr(error))
                self.server, self.reconnects, resume = self.fallback, self.reconnects + 1, True
                await asyncio.sleep(0.2)

    async def _listen(self, ws, stop):
        while not stop.is_set():
            try:
                frame = await recv(ws, timeout=0.5)
            except asyncio.TimeoutError:
                continue
            if frame["type"] == "resync_required":
                self.resync = True
            if frame["type"] == "message.created":
                self.received.append(frame["message"]["id"])
            if "cursor" in frame and frame["type"] != "hello":
                self.cursor = max(self.cursor, frame["cursor"])


# The writing side ------------------------------------------------------------------------------

@dataclass
class Writer:
    """Posts `MESSAGES` messages in its thread, one at a time. A post whose answer is lost (the
    server died) is sent again to the other server with the same `client_msg_id`."""

    http: Http
    thread_id: int
    fallback: str
    label: str
    accepted: dict = field(default_factory=dict)   # message id -> body, from 201s and 200s
    replayed: set = field(default_factory=set)     # ids answered 200: committed, answer lost
    failures: Counter = field(default_factory=Counter)  # why posts were retried: status or "lost"

    def run(self):
        for i in range(MESSAGES):
            body, msg_id = f"{self.label} #{i}", str(uuid.uuid4())
            while True:
                try:
                    status, answer = self.http.call(
                        "POST", f"/api/threads/{self.thread_id}/messages",
                        {"body": body, "client_msg_id": msg_id, "mark_thread_read": False})
                except (OSError, http.client.HTTPException):
                    status, answer = None, None
                if status in (200, 201):
                    assert answer["message"]["body"] == body
                    self.accepted[answer["message"]["id"]] = body
                    if status == 200:
                        self.replayed.add(answer["message"]["id"])
                    break
                assert status is None or status >= 500, (status, answer)
                self.failures[status or "lost"] += 1
                self.http.base = self.fallback
                time.sleep(0.1)


def sign_in(server, username) -> Http:
    return Http(server).login(username)


@needs_postgres_and_redis
async def test_one_of_two_daphne_processes_killed_mid_load_loses_nothing(tmp_path):
    assert shutil.which("redis-server"), "redis-server is needed to start a Redis of our own"
    url = await asyncio.to_thread(fresh_database, "faults")
    redis = Redis().start()
    env = server_env(tmp_path, **LIVE, DATABASE_URL=url,
                     REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
                     CAIRN_SEND_LIMIT_PER_MINUTE=100_000)
    (tmp_path / "practice.json").write_text(json.dumps(practice_file()))
    await asyncio.to_thread(manage, env, "migrate", "-v0")
    await asyncio.to_thread(manage, env, "load_practice", str(tmp_path / "practice.json"))
    a = b = None
    try:
        a = start_server(env, log_path=tmp_path / "a.log")
        b = start_server(env, log_path=tmp_path / "b.log")
        # Each client opens a thread (through B) before the load.
        clients = {}
        for i in range(CLIENTS):
            http = await asyncio.to_thread(sign_in, b, f"c{i}")
            status, created = await asyncio.to_thread(
                http.call, "POST", "/api/threads",
                {"audience": "administrative", "subject": f"Thread {i}", "body": f"Opening {i}"})
            assert status == 201, created
            clients[f"c{i}"] = (http, created["thread"]["id"])

        # Sockets: staff on both processes, clients alternating; Bill sees none of it.
        plan = [("sam", a), ("sam", b), ("cleo", a), ("cleo", b), ("bill", a), ("bill", b)]
        plan += [(f"c{i}", a if i % 2 == 0 else b) for i in range(CLIENTS)]
        listeners = []
        for username, server in plan:
            http = await asyncio.to_thread(sign_in, server, username)
            listeners.append(Listener(f"{username}@{'A' if server is a else 'B'}", http, server,
                                      b))
        stop = asyncio.Event()
        tasks = [asyncio.create_task(listener.run(stop)) for listener in listeners]
        await until(lambda: all(li.cursor for li in listeners), timeout=30)  # past its hello

        # Writers: each client in their thread, and Cleo in two of them; half start on A.
        writers = []
        for i, (username, (http, thread_id)) in enumerate(clients.items()):
            writer_http = await asyncio.to_thread(sign_in, a if i % 2 == 0 else b, username)
            writers.append(Writer(writer_http, thread_id, b.url, username))
        for i in (0, 1):
            cleo = await asyncio.to_thread(sign_in, a if i == 0 else b, "cleo")
            writers.append(Writer(cleo, clients[f"c{i}"][1], b.url, f"cleo to c{i}"))
        started = time.monotonic()
        load = [asyncio.create_task(asyncio.to_thread(w.run)) for w in writers]
        total = MESSAGES * len(writers)
        deadline = time.monotonic() + 300
        while sum(len(w.accepted) for w in writers) < total * 0.4:
            assert not any(task.done() for task in load), [t.exception() for t in load if t.done()]
            assert time.monotonic() < deadline, "the load did not get going"
            await asyncio.sleep(0.05)
        a.proc.send_signal(signal.SIGKILL)
        killed_after = sum(len(w.accepted) for w in writers)
        await asyncio.gather(*load)
        elapsed = time.monotonic() - started

        rows = await asyncio.to_thread(_messages_in_database, url)
        # Every accepted message is in the database, once (retries did not duplicate).
        by_id = {row[0]: row for row in rows}
        accepted = {mid: body for w in writers for mid, body in w.accepted.items()}
        assert len(accepted) == total
        assert all(by_id[mid][2] == body for mid, body in accepted.items())
        bodies = [row[2] for row in rows]
        assert len(bodies) == len(set(bodies)) == total + CLIENTS

        # Wait until the sockets have caught up (bounded), then compare with the database.
        def expected(name):
            user = name.split("@")[0]
            if user == "bill":
                return set()
            return {row[0] for row in rows
                    if user in ("sam", "cleo") or row[3] == user} - opening_ids
        opening_ids = {row[0] for row in rows if row[2].startswith("Opening ")}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
                set(li.received) < expected(li.name) for li in listeners):
            await asyncio.sleep(0.2)
        stop.set()
        await asyncio.gather(*tasks)

        orphans = set().union(*(w.replayed for w in writers))
        report = {li.name: (len(li.received), len(expected(li.name)), li.reconnects)
                  for li in listeners}
        retried = dict(sum((w.failures for w in writers), Counter()))
        print(f"\nkill after {killed_after}/{total} accepted; {elapsed:.1f} s; "
              f"posts retried {retried}, answered 200 on retry {len(orphans)}; "
              f"sockets (received, expected, reconnects): {report}; drops: "
              f"{ {li.name: li.drops for li in listeners if li.drops} }")
        lost = {}
        for li in listeners:
            assert not li.resync, li.name
            twice = [m for m, n in Counter(li.received).items() if n > 1]
            assert not twice, (li.name, "received twice", twice)
            assert set(li.received) <= expected(li.name), (li.name, "may not see",
                                                           set(li.received) - expected(li.name))
            missing = expected(li.name) - set(li.received)
            # Only a message the killed process committed without answering may be missing...
            assert missing <= orphans, (li.name, "missing", missing)
            if missing:
                lost[li.name] = sorted(missing)
        # Sockets on the killed process dropped and came back through the other.
        assert all(li.reconnects >= 1 for li in listeners if li.name.endswith("@A"))
        assert b.proc.poll() is None
        if lost:
            # ...and that is a bug (SPEC: a client that reconnects and resumes misses nothing):
            # see docs/RELIABILITY.md, "Findings".
            pytest.xfail(f"committed by the killed process but never pushed, and skipped by "
                         f"resume from a later cursor: {lost}")
    finally:
        for served in (a, b):
            if served is not None:
                served.stop()
        redis.stop()


# PostgreSQL unreachable ------------------------------------------------------------------------

SIGNED_IN_CALLS = [
    ("GET", "/api/me", None), ("GET", "/api/badge", None), ("GET", "/api/threads", None),
    ("GET", "/api/clients", None), ("GET", "/api/topics", None), ("GET", "/api/threads/1", None),
    ("GET", "/api/threads/1/export", None), ("GET", "/api/audit", None),
    ("GET", "/api/me/notifications", None),
    ("POST", "/api/threads", {"audience": "administrative", "subject": "s", "body": "lost?"}),
    ("POST", "/api/threads/1/messages", {"body": "lost?"}),
    ("PATCH", "/api/threads/1", {"subject": "x"}), ("DELETE", "/api/threads/1", None),
    ("POST", "/api/threads/1/read", None), ("POST", "/api/messages/1/unread", None),
    ("DELETE", "/api/messages/1", None), ("PUT", "/api/practice", {"portal_enabled": False}),
    ("PUT", "/api/staff/1/roles", {"roles": []}), ("POST", "/api/clients/1/invite", None),
    ("PUT", "/api/me/notifications", {"email_audiences": []}), ("POST", "/api/auth/logout", None),
    ("POST", "/api/auth/login", {"username": "sam", "password": PASSWORD}),
    ("POST", "/api/portal/activate", {"token": "t" * 40, "username": "newbie",
                                      "password": "a long enough passphrase"}),
]


@pytest.fixture(scope="module")
def database_down(tmp_path_factory):
    """`serve` with DATABASE_URL on a port where nothing listens."""
    tmp = tmp_path_factory.mktemp("database-down")
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/cairn"
    env = server_env(tmp, **LIVE, DATABASE_URL=nowhere)
    with start_server(env, log_path=tmp / "server.log") as server:
        yield server


def _as_someone(server) -> Http:
    """A client holding a session cookie and a CSRF token (the database cannot check either)."""
    http = Http(server)
    http.cookies = {"sessionid": "x" * 32, "csrftoken": "A" * 32}
    return http


@pytest.mark.parametrize("method,path,data", SIGNED_IN_CALLS)
def test_with_postgresql_unreachable_every_call_is_503(database_down, method, path, data):
    status, body = _as_someone(database_down).call(method, path, data)
    assert status == 503, (status, body)
    assert body["error"]["code"] == "unavailable" and body["error"]["message"]


def test_with_postgresql_unreachable_the_answer_says_when_to_retry(database_down):
    import urllib.request

    request = urllib.request.Request(database_down.url + "/api/me",
                                     headers={"Cookie": "sessionid=" + "x" * 32})
    try:
        urllib.request.urlopen(request, timeout=20)
    except urllib.error.HTTPError as error:
        assert error.code == 503 and int(error.headers["Retry-After"]) > 0
    else:
        raise AssertionError("expected 503")


async def test_with_postgresql_unreachable_no_socket_opens_and_the_server_lives_on(database_down):
    http = _as_someone(database_down)
    with pytest.raises(InvalidStatus) as refused:
        async with open_ws(database_down, http):
            pass
    assert refused.value.response.status_code != 101
    # Still serving: the next call is answered, and still with the error shape.
    status, body = await asyncio.to_thread(http.call, "GET", "/api/me")
    assert status == 503 and body["error"]["code"] == "unavailable"
    assert database_down.proc.poll() is None


# The lost push, in one process ------------------------------------------------------------------

@pytest.fixture
def in_memory_layer(settings):
    """A fresh in-memory channel layer (its queues belong to one event loop)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db(transaction=True)
async def test_a_send_retried_after_its_push_was_lost_is_pushed(world, in_memory_layer):
    """The kill test's orphan, made deterministic: the message commits but its push never
    happens (the process died after commit); the writer retries with the same `client_msg_id`
    and gets the first message back (200). A socket that saw later events would skip it on
    resume, so the retry is the moment to push it."""
    from unittest import mock

    from channels.db import database_sync_to_async
    from django.db import connections

    from server.live import log as events
    from tests.consumers.helpers import Api, open_socket

    try:
        dana, sock = await Api.as_user(world.dana.user), await open_socket(world.sam)
        thread_id = (await dana.start(body="Opening"))["thread"]["id"]
        await sock.frames()
        send = {"body": "Committed, never pushed", "client_msg_id": "retry-me"}
        # The process dies between commit and push: nothing after commit runs.
        with mock.patch.object(events, "_push"):
            first = await dana.post(f"/api/threads/{thread_id}/messages", send, expect=201)
        again = await dana.post(f"/api/threads/{thread_id}/messages", send, expect=200)
        assert again["message"]["id"] == first["message"]["id"]
        created = [f for f in await sock.frames() if f["type"] == "message.created"]
        assert [f["message"]["id"] for f in created] == [first["message"]["id"]]
        await sock.close()
    finally:
        await database_sync_to_async(connections.close_all)()


@pytest.mark.django_db(transaction=True)
async def test_an_event_whose_push_was_lost_is_pushed_by_the_sweep(world, in_memory_layer):
    """Nobody retries: the worker's sweep pushes what stayed unpushed, once, in order."""
    from datetime import timedelta
    from unittest import mock

    from channels.db import database_sync_to_async
    from django.db import connections

    from server.live import log as events
    from server.models import Event
    from tests.consumers.helpers import Api, open_socket

    try:
        dana, sock = await Api.as_user(world.dana.user), await open_socket(world.sam)
        with mock.patch.object(events, "_push"):
            first = await dana.start(body="Committed, never pushed")
        assert [f for f in await sock.frames() if f["type"] == "message.created"] == []
        pushed = await database_sync_to_async(events.push_pending)(older_than=timedelta(0))
        assert pushed >= 2  # thread.created and message.created at least
        created = [f for f in await sock.frames() if f["type"] == "message.created"]
        assert [f["message"]["id"] for f in created] == [first["message"]["id"]]
        assert await database_sync_to_async(
            lambda: Event.objects.filter(pushed=False).count())() == 0
        # A second sweep finds nothing left to push.
        assert await database_sync_to_async(events.push_pending)(older_than=timedelta(0)) == 0
        await sock.close()
    finally:
        await database_sync_to_async(connections.close_all)()
