"""Across processes: two daphne processes on one Redis and one PostgreSQL carry each other's
events; with Redis down the HTTP write still succeeds and a socket catches up by resume."""

import asyncio
import os
import shutil
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed

from tests.consumers.live import (Http, Server, base_env, free_port, fresh_database, open_ws,
                                  prepare, recv, recv_until)







@pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (two daphne processes must "
           "share a database and a channel layer; CI sets both)")
async def test_two_processes_share_events_through_redis(tmp_path):
    url = await asyncio.to_thread(fresh_database, "twoprocs")
    env = base_env(tmp_path, DATABASE_URL=url, REDIS_URL=os.environ["REDIS_URL"])
    await asyncio.to_thread(prepare, env, tmp_path)
    with Server(env, tmp_path / "a.log") as a, Server(env, tmp_path / "b.log") as b:
        sam_on_a = await asyncio.to_thread(lambda: Http(a).login("sam"))
        dana_on_b = await asyncio.to_thread(lambda: Http(b).login("dana"))
        async with open_ws(a, sam_on_a) as ws:
            hello = await recv(ws)
            status, body = await asyncio.to_thread(
                dana_on_b.call, "POST", "/api/threads",
                {"audience": "administrative", "subject": "Tuesday", "body": "Written on B"})
            assert status == 201, body
            got = await recv_until(ws, "badge")
            assert [f["type"] for f in got] == ["thread.created", "message.created", "badge"]
            assert got[1]["message"]["body"] == "Written on B"
            assert got[0]["cursor"] > hello["cursor"]

            # Signing out on B closes the socket held by A.
            sam_on_b = Http(b)
            sam_on_b.cookies = dict(sam_on_a.cookies)
            status, _ = await asyncio.to_thread(sam_on_b.call, "POST", "/api/auth/logout")
            assert status == 204
            with pytest.raises(ConnectionClosed) as closed:
                await recv(ws)
            assert closed.value.rcvd.code == 4001


class Redis:
    """A redis-server of our own on a spare port, with no persistence."""

    def __init__(self, port):
        self.port, self.proc = port, None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                  text=True)
            if done.stdout.strip() == "PONG":
                return self
            time.sleep(0.1)
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.mark.skipif(not (shutil.which("redis-server") and shutil.which("redis-cli")),
                    reason="needs redis-server and redis-cli on PATH to stop and restart a Redis")
async def test_with_redis_down_the_post_succeeds_and_resume_catches_up(tmp_path):
    redis = Redis(free_port()).start()
    env = base_env(tmp_path, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    await asyncio.to_thread(prepare, env, tmp_path)
    try:
        with Server(env, tmp_path / "server.log") as server:
            sam = await asyncio.to_thread(lambda: Http(server).login("sam"))
            dana = await asyncio.to_thread(lambda: Http(server).login("dana"))
            async with open_ws(server, sam) as ws:
                cursor = (await recv(ws))["cursor"]
                redis.stop()
                # The write is in the database; only the live push is lost.
                status, body = await asyncio.to_thread(
                    dana.call, "POST", "/api/threads",
                    {"audience": "administrative", "subject": "Redis down", "body": "Still saved"})
                assert status == 201, body
                # The socket on the dead layer closes (or stays silent); either way it reconnects.
                try:
                    frame = await recv(ws, timeout=3)
                    assert frame["type"] != "message.created"
                except (ConnectionClosed, asyncio.TimeoutError):
                    pass
            redis.start()
            async with open_ws(server, sam) as ws:
                assert (await recv(ws))["type"] == "hello"
                import json

                await ws.send(json.dumps({"type": "resume", "cursor": cursor}))
                got = await recv_until(ws, "resumed")
                assert [f["type"] for f in got] == ["thread.created", "message.created", "resumed"]
                assert got[1]["message"]["body"] == "Still saved"
                # And live pushes flow again.
                status, _ = await asyncio.to_thread(
                    dana.call, "POST", f"/api/threads/{got[0]['thread']['id']}/messages",
                    {"body": "Back up"})
                assert status == 201
                live = await recv_until(ws, "message.created")
                assert live[-1]["message"]["body"] == "Back up"
    finally:
        redis.stop()
