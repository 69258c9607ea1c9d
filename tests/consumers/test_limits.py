"""What the client may send: ping, resume; anything else is an error frame the socket survives,
too much too fast is rate limited, and a frame over 64 KiB closes the socket (1009)."""

import json

import msgpack
import pytest

from consumers import inbox
from tests.consumers.helpers import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_ping_pong(world):
    sock = await open_socket(world.sam)
    await sock.send({"type": "ping"})
    assert await sock.frames() == [{"type": "pong"}]


@pytest.mark.parametrize("text,code", [
    ("{not json", "malformed"),
    ("[1, 2]", "malformed"),
    ('"ping"', "malformed"),
    ('{"no": "type"}', "malformed"),
    ('{"type": 7}', "malformed"),
    ('{"type": "resume"}', "malformed"),
    ('{"type": "resume", "cursor": "12"}', "malformed"),
    ('{"type": "resume", "cursor": -1}', "malformed"),
    ('{"type": "resume", "cursor": true}', "malformed"),
    ('{"type": "resume", "cursor": 1.5}', "malformed"),
    ('{"type": "subscribe", "thread": 1}', "unknown_type"),
    ("[" * 100000, "close"),
])
async def test_bad_json_frames_get_an_error_and_the_socket_survives(world, text, code):
    sock = await open_socket(world.sam)
    await sock.io.send_to(text_data=text)
    if code == "close":  # over 64 KiB
        assert (await sock.io.receive_output(1)) == {"type": "websocket.close", "code": 1009}
        return
    assert await sock.frames() == [{"type": "error", "code": code}]
    await sock.send({"type": "ping"})
    assert await sock.frames() == [{"type": "pong"}]


async def test_binary_on_a_json_socket_is_an_error(world):
    sock = await open_socket(world.sam)
    await sock.io.send_to(bytes_data=msgpack.packb({"type": "ping"}))
    assert await sock.frames() == [{"type": "error", "code": "binary_not_supported"}]
    await sock.send({"type": "ping"})
    assert await sock.frames() == [{"type": "pong"}]


async def test_msgpack_socket_errors(world):
    sock = await open_socket(world.sam, subprotocols=["msgpack"])
    await sock.io.send_to(text_data=json.dumps({"type": "ping"}))
    assert await sock.frames() == [{"type": "error", "code": "text_not_supported"}]
    await sock.io.send_to(bytes_data=b"\xc1\xc1 not msgpack")
    assert await sock.frames() == [{"type": "error", "code": "malformed"}]
    await sock.io.send_to(bytes_data=msgpack.packb({1: "int keys"}))
    assert await sock.frames() == [{"type": "error", "code": "malformed"}]
    await sock.send({"type": "ping"})
    assert await sock.frames() == [{"type": "pong"}]


@pytest.mark.parametrize("subprotocols", [None, ["msgpack"]])
async def test_a_frame_over_64_kib_closes_with_1009(world, subprotocols):
    sock = await open_socket(world.sam, subprotocols=subprotocols)
    padding = "x" * (64 * 1024)
    if subprotocols:
        await sock.io.send_to(bytes_data=msgpack.packb({"type": "ping", "pad": padding}))
    else:
        await sock.io.send_to(text_data=json.dumps({"type": "ping", "pad": padding}))
    assert (await sock.io.receive_output(1)) == {"type": "websocket.close", "code": 1009}


async def test_a_frame_of_exactly_64_kib_is_fine(world):
    sock = await open_socket(world.sam)
    frame = json.dumps({"type": "ping", "pad": ""})
    frame = frame.replace('""', '"' + "é" * ((64 * 1024 - len(frame)) // 2) + '"')
    assert len(frame.encode()) <= 64 * 1024
    await sock.io.send_to(text_data=frame)
    assert await sock.frames() == [{"type": "pong"}]


async def test_too_many_frames_are_rate_limited_and_the_socket_survives(world, monkeypatch):
    monkeypatch.setattr(inbox, "BURST", 5)
    monkeypatch.setattr(inbox, "RATE", 20.0)
    sock = await open_socket(world.sam)
    for _ in range(8):
        await sock.send({"type": "ping"})
    got = await sock.frames(quiet=0.05)
    assert got[:5] == [{"type": "pong"}] * 5
    assert {"type": "error", "code": "rate_limited"} in got[5:]
    # Tokens come back with time.
    await sock.io.receive_nothing(0.3)
    await sock.send({"type": "ping"})
    assert await sock.frames() == [{"type": "pong"}]
