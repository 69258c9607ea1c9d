"""Bad input on /ws/ against a real daphne (`python -m server serve --no-worker`), on bare sockets
where a WebSocket library would refuse to send it: odd bytes in handshake headers, huge
subprotocol lists, control characters and invalid UTF-8 in frames, malformed msgpack, oversized
frames. The server answers as SPEC §3 says, and after every abuse another user's socket, opened
before it, still receives a message posted after it."""

import asyncio
import itertools
import json
import time

import msgpack
import pytest

from tests.consumers.live import Http, open_ws, prepare, recv
from tests.hardening.rawws import BINARY, CONTINUATION, TEXT, RawSocket, handshake_request
from tests.servers import LIVE, server_env, start_server

SENT = itertools.count(1)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("socket-input")
    # Every test posts once to prove the witness still hears: lift the per-minute send limit.
    env = server_env(tmp, **LIVE, CAIRN_SEND_LIMIT_PER_MINUTE=10_000)
    prepare(env, tmp)
    with start_server(env, log_path=tmp / "server.log") as server:
        server.sam = Http(server).login("sam")      # the abuser
        server.dana = Http(server).login("dana")    # posts after the abuse
        server.bill = Http(server).login("bill")    # the witness: sees billing threads
        yield server


@pytest.fixture
async def witness(served):
    """Bill's socket, open before the abuse; `await witness.still_hears()` posts a billing
    thread as Dana and waits for its message.created on it."""
    async with open_ws(served, served.bill) as ws:
        assert (await recv(ws))["type"] == "hello"

        async def still_hears():
            body = f"Still here {next(SENT)}"
            status, created = await asyncio.to_thread(
                served.dana.call, "POST", "/api/threads",
                {"audience": "billing", "subject": "After the abuse", "body": body})
            assert status == 201, created
            while True:
                frame = await recv(ws, timeout=15)
                if frame["type"] == "message.created" and frame["message"]["body"] == body:
                    return

        ws.still_hears = still_hears
        yield ws


def upgrade(served, **parts) -> tuple[int, dict, RawSocket]:
    raw = RawSocket(served.port)
    status, headers = raw.upgrade(handshake_request(served.port, served.sam.cookies["sessionid"],
                                                    **parts))
    return status, headers, raw


def opened(served, protocols=b"json") -> RawSocket:
    """Sam's socket on a bare connection, past its hello."""
    status, _, raw = upgrade(served, protocols=protocols)
    assert status == 101
    assert raw.message()["type"] == "hello"
    return raw


def protocol_list(n: int, last: bytes) -> bytes:
    return b", ".join([b"x-proto-%d" % i for i in range(n)] + [last])


# Handshake --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,value", [
    ("Sec-WebSocket-Protocol", b"\x0bjson"),
    ("Sec-WebSocket-Protocol", b"json\x85"),
    ("Sec-WebSocket-Protocol", b"\x85msgpack"),
    ("Origin", b"http://evil.example\x0b"),
    ("Origin", b"\x0bhttp://127.0.0.1:{port}"),
    ("Origin", b"http://127.0.0.1:{port}\x85"),
    ("Origin", b"http://127.0.0.1:{port}\x85.evil.example"),
    ("X-Odd", b"\x0bvalue\x0b"),
    ("X-\x85Odd", b"value"),
    ("Cookie", b"a=\x85b"),
])
async def test_vertical_tab_and_nel_in_handshake_headers_are_refused(served, witness, name, value):
    """`\\x0b` and `\\x85` are whitespace to Python's str.strip()/split(), not to HTTP: a header
    that only looks right after such a strip must not open a socket."""
    value = value.replace(b"{port}", str(served.port).encode())
    parts = {"Sec-WebSocket-Protocol": "protocols", "Origin": "origin"}
    if name in parts:
        kwargs = {parts[name]: value}
    else:
        kwargs = {"extra": name.encode("latin-1") + b": " + value + b"\r\n"}
    status, _, raw = await asyncio.to_thread(upgrade, served, **kwargs)
    raw.close()
    assert 400 <= status < 500, status
    await witness.still_hears()


@pytest.mark.parametrize("n,last,chosen", [(1000, b"msgpack", "msgpack"), (1000, b"json", "json")])
async def test_a_long_subprotocol_list_still_picks_ours(served, witness, n, last, chosen):
    """1,000 names and ours last: about 14 KB of header, under Twisted's 16 KiB cap."""
    protocols = protocol_list(n, last)
    status, headers, raw = await asyncio.to_thread(upgrade, served, protocols=protocols)
    try:
        assert status == 101 and headers["sec-websocket-protocol"] == chosen
        assert (await asyncio.to_thread(raw.message))["type"] == "hello"
    finally:
        raw.close()
    await witness.still_hears()


async def test_a_long_list_of_unknown_subprotocols_is_refused(served, witness):
    status, _, raw = await asyncio.to_thread(upgrade, served, protocols=protocol_list(1000, b"xml"))
    raw.close()
    assert status != 101 and (status == 0 or 400 <= status < 500), status
    await witness.still_hears()


@pytest.mark.parametrize("n", [3000, 20000])
async def test_a_subprotocol_list_over_the_header_cap_is_refused(served, witness, n):
    """Over Twisted's 16 KiB of headers the connection is answered 400 and dropped (the client,
    still sending, may see only the reset)."""
    status, _, raw = await asyncio.to_thread(upgrade, served, protocols=protocol_list(n, b"json"))
    raw.close()
    assert status in (0, 400, 431), status
    await witness.still_hears()


# Frames -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("payload,code", [
    (b'\x00\x01\x02\x1b[2J{"type":"ping"}', "malformed"),         # control bytes before JSON
    (json.dumps({"type": "pi\x00ng"}).encode(), "unknown_type"),   # escaped NUL in the type
    (b'{"type": "ping\x00"}', "malformed"),                       # raw NUL inside a string
    (b'{"type": "ping\x1f", "x": "\x07"}', "malformed"),          # raw control characters
    ('{"type": "ping\u0085"}'.encode(), "unknown_type"),           # C1 NEL in the type
    ('\ufeff{"type": "ping"}'.encode(), "malformed"),              # byte-order mark
    ('{"type": "resume", "cursor": "\u2028"}'.encode(), "malformed"),
])
async def test_control_characters_in_text_frames_get_an_error_frame(served, witness, payload, code):
    def abuse():
        with opened(served) as raw:
            raw.send_frame(TEXT, payload)
            answer = raw.message()
            raw.send_frame(TEXT, b'{"type": "ping"}')
            return answer, raw.message()

    answer, after = await asyncio.to_thread(abuse)
    assert answer == {"type": "error", "code": code}
    assert after == {"type": "pong"}  # the socket survives
    await witness.still_hears()


async def test_invalid_utf8_in_a_text_frame_closes_with_1007(served, witness):
    def abuse():
        with opened(served) as raw:
            raw.send_frame(TEXT, b'\xff\xfe{"type": "ping"}')
            return raw.close_code()

    assert await asyncio.to_thread(abuse) == 1007  # RFC 6455: invalid frame payload data
    await witness.still_hears()


MALFORMED_MSGPACK = {
    "garbage": b"\xc1\xc1\xc1",
    "truncated": msgpack.packb({"type": "ping"})[:-2],
    "not a map": msgpack.packb([1, 2]),
    "array claiming 4G items": b"\xdd\xff\xff\xff\xff",
    "map claiming 4G pairs": b"\xdf\xff\xff\xff\xff",
    "str claiming 4 GiB": b"\xdb\xff\xff\xff\xff",
    "nested 60,000 deep": b"\x91" * 60_000 + b"\xc0",
    "ext type": b"\xd4\x01\x00",
    "bytes for the type": msgpack.packb({"type": b"ping"}),
    "trailing byte": msgpack.packb({"type": "ping"}) + b"\x00",
    "float cursor": msgpack.packb({"type": "resume", "cursor": 1.0}),
    "int keys": msgpack.packb({1: "ping"}),
}


async def test_malformed_msgpack_gets_an_error_frame_each_time(served, witness):
    def abuse():
        answers = {}
        with opened(served, b"msgpack") as raw:
            for name, payload in MALFORMED_MSGPACK.items():
                raw.send_frame(BINARY, payload)
                answers[name] = raw.message()
            raw.send_frame(BINARY, msgpack.packb({"type": "ping"}))
            return answers, raw.message()

    answers, after = await asyncio.to_thread(abuse)
    assert answers == {name: {"type": "error", "code": "malformed"} for name in MALFORMED_MSGPACK}
    assert after == {"type": "pong"}
    await witness.still_hears()


@pytest.mark.parametrize("how", ["one text frame", "fragments", "length of 2**62"])
async def test_oversized_messages_close_with_1009(served, witness, how):
    def abuse():
        with opened(served) as raw:
            if how == "one text frame":
                raw.send_frame(TEXT, b'{"type": "ping", "pad": "' + b"x" * 70_000 + b'"}')
            elif how == "fragments":  # each fragment is small; the message is not
                raw.send_frame(BINARY, b"\x00" * 40_000, fin=False)
                raw.send_frame(CONTINUATION, b"\x00" * 40_000)
            else:  # a header announcing an absurd length, and four bytes of it
                raw.sock.sendall(b"\x81\xff" + (2 ** 62).to_bytes(8, "big") + b"mask" + b"abcd")
            return raw.close_code()

    assert await asyncio.to_thread(abuse) == 1009
    await witness.still_hears()


async def test_a_flood_of_frames_is_rate_limited_and_others_are_unaffected(served, witness):
    """500 pings at once: a burst of 30 answered, the rest mostly `rate_limited`; it stays open."""
    def abuse():
        with opened(served) as raw:
            started = time.monotonic()
            for _ in range(500):
                raw.send_frame(TEXT, b'{"type": "ping"}')
            answers = [raw.message() for _ in range(500)]
            return answers, time.monotonic() - started

    answers, seconds = await asyncio.to_thread(abuse)
    pongs = answers.count({"type": "pong"})
    limited = answers.count({"type": "error", "code": "rate_limited"})
    assert pongs + limited == 500
    # A burst of 30, then 10 a second for as long as the flood took to get through.
    assert 30 <= pongs <= 30 + 10 * seconds + 1, (pongs, seconds)
    await witness.still_hears()
