"""Across processes: two daphne processes on one Redis and one PostgreSQL carry each other's
events; with Redis down the HTTP write still succeeds and a socket catches up by resume."""

import asyncio
import os
import shutil

import pytest
from websockets.exceptions import ConnectionClosed

from tests.consumers.live import Http, fresh_database, open_ws, prepare, recv, recv_until
from tests.servers import LIVE, Redis, server_env, start_server







@pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="needs DATABASE_URL=postgres://… and REDIS_URL=redis://… (two daphne processes must "
           "share a database and a channel layer; CI sets both)")
async def test_two_processes_share_events_through_redis(tmp_path):
    url = await asyncio.to_thread(fresh_database, "twoprocs")
    env = server_env(tmp_path, **LIVE, DATABASE_URL=url, REDIS_URL=os.environ["REDIS_URL"])
    await asyncio.to_thread(prepare, env, tmp_path)
    with (start_server(env, log_path=tmp_path / "a.log") as a,
          start_server(env, log_path=tmp_path / "b.log") as b):
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


@pytest.mark.skipif(not (shutil.which("redis-server") and shutil.which("redis-cli")),
                    reason="needs redis-server and redis-cli on PATH to stop and restart a Redis")
async def test_with_redis_down_the_post_succeeds_and_resume_catches_up(tmp_path):
    redis = Redis().start()
    env = server_env(tmp_path, **LIVE, REDIS_URL=f"redis://127.0.0.1:{redis.port}/0")
    await asyncio.to_thread(prepare, env, tmp_path)
    try:
        with start_server(env, log_path=tmp_path / "server.log") as server:
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
