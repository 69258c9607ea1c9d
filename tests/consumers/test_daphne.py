"""The socket end to end: a real daphne process (`python -m server serve`) and a real
`websockets` client, signed in over HTTP."""

import asyncio
import json

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.consumers.live import Http, open_ws, prepare, recv, recv_until
from tests.servers import LIVE, server_env, start_server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("daphne")
    env = server_env(tmp, **LIVE)
    prepare(env, tmp)
    with start_server(env, log_path=tmp / "server.log") as server:
        yield server


def http(served, username):
    return Http(served).login(username)


async def test_messages_arrive_live_through_daphne(served):
    sam = await asyncio.to_thread(http, served, "sam")
    dana = await asyncio.to_thread(http, served, "dana")
    async with open_ws(served, sam) as ws, open_ws(served, sam, subprotocol="msgpack") as binary:
        assert ws.subprotocol == "json" and binary.subprotocol == "msgpack"
        hello = await recv(ws)
        assert hello["type"] == "hello" and hello["user"]["name"] == "Sam Scheduler"
        assert (await recv(binary))["type"] == "hello"
        status, created = await asyncio.to_thread(
            dana.call, "POST", "/api/threads",
            {"audience": "administrative", "subject": "Tuesday", "body": "Can I move Tuesday?"})
        assert status == 201, created
        got = await recv_until(ws, "badge")
        assert [f["type"] for f in got] == ["thread.created", "message.created", "badge"]
        assert got[1]["message"]["body"] == "Can I move Tuesday?" and got[2]["unread"] >= 1
        assert await recv_until(binary, "badge") == got

        await ws.send(json.dumps({"type": "ping"}))
        assert await recv(ws) == {"type": "pong"}
        await ws.send("{broken")
        assert await recv(ws) == {"type": "error", "code": "malformed"}

        await ws.send(json.dumps({"type": "resume", "cursor": hello["cursor"]}))
        assert (await recv(ws))["type"] == "resumed"  # all of it was already delivered live


@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:9999",
                                    "https://localhost", "https://127.0.0.1:{port}"])
async def test_a_foreign_origin_is_refused_by_daphne(served, origin):
    """Exact: the server here is http://127.0.0.1 on a port of its own."""
    sam = await asyncio.to_thread(http, served, "sam")
    with pytest.raises(InvalidStatus) as refused:
        async with open_ws(served, sam, origin=origin.format(port=served.port)):
            pass
    assert refused.value.response.status_code == 403
    async with open_ws(served, sam, origin=f"http://127.0.0.1:{served.port}") as ws:
        assert (await recv(ws))["type"] == "hello"


async def test_no_session_is_refused_by_daphne(served):
    anonymous = Http(served)
    anonymous.cookies["sessionid"] = "nope"
    with pytest.raises(InvalidStatus):
        async with open_ws(served, anonymous):
            pass


async def test_an_oversized_frame_closes_with_1009(served):
    """`serve` caps frames in autobahn, which closes 1009 itself (failByDrop off)."""
    sam = await asyncio.to_thread(http, served, "sam")
    async with open_ws(served, sam) as ws:
        await recv(ws)
        await ws.send(json.dumps({"type": "ping", "pad": "x" * (70 * 1024)}))
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        assert closed.value.rcvd.code == 1009


async def test_the_consumer_closes_oversized_frames_under_plain_daphne(tmp_path):
    """Under plain daphne (1 MiB cap) the frame reaches the consumer. Autobahn will not send 1009
    for an application, so the consumer falls back to 4009."""
    env = server_env(tmp_path, **LIVE)
    prepare(env, tmp_path)
    with start_server(env, log_path=tmp_path / "daphne.log", daphne=True) as server:
        sam = await asyncio.to_thread(http, server, "sam")
        async with open_ws(server, sam) as ws:
            await recv(ws)
            await ws.send(json.dumps({"type": "ping", "pad": "x" * (70 * 1024)}))
            with pytest.raises(ConnectionClosed) as closed:
                await recv(ws)
            assert closed.value.rcvd.code == 4009, (tmp_path / "daphne.log").read_text()[-4000:]


async def test_signing_out_closes_the_socket(served):
    bill = await asyncio.to_thread(http, served, "bill")
    async with open_ws(served, bill) as ws:
        await recv(ws)
        status, _ = await asyncio.to_thread(bill.call, "POST", "/api/auth/logout")
        assert status == 204
        with pytest.raises(ConnectionClosed) as closed:
            await recv(ws)
        assert closed.value.rcvd.code == 4001
