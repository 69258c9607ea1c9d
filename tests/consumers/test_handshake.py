"""Who gets a socket at all, and what they hear first."""

import pytest
from channels.db import database_sync_to_async

from server.models import Practice
from tests.consumers.helpers import handshake, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_no_session_is_refused(world):
    accepted, _, _ = await handshake(None)
    assert not accepted


async def test_a_bad_session_cookie_is_refused(world):
    accepted, _, _ = await handshake(None, cookie="not-a-session")
    assert not accepted


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null",
                                    b"https://127.0.0.1.evil.example", None])
async def test_foreign_null_or_missing_origin_is_refused(world, origin):
    accepted, _, _ = await handshake(world.sam, origin=origin)
    assert not accepted


async def test_unknown_subprotocol_is_refused(world):
    accepted, _, _ = await handshake(world.sam, subprotocols=["xml"])
    assert not accepted


async def test_client_is_refused_while_the_portal_is_off(world):
    await database_sync_to_async(Practice.objects.filter(pk=world.practice.pk).update)(
        portal_enabled=False)
    accepted, _, _ = await handshake(world.dana.user)
    assert not accepted


async def test_hello_names_cursor_badge_and_user(world):
    sock = await open_socket(world.sam)
    assert sock.subprotocol is None  # json, the default
    hello = sock.hello
    assert hello == {"type": "hello", "cursor": hello["cursor"], "badge": 0,
                     "user": {"id": world.sam.pk, "kind": "staff", "name": "Sam Scheduler",
                              "roles": ["scheduler"]}}
    assert isinstance(hello["cursor"], int)
    await sock.close()


async def test_json_subprotocol_may_be_asked_for(world):
    sock = await open_socket(world.dana.user, subprotocols=["json"])
    assert sock.subprotocol == "json"
    assert sock.hello["user"]["kind"] == "client" and sock.hello["user"]["roles"] == []
    await sock.close()


async def test_msgpack_hello_is_a_binary_frame(world):
    accepted, subprotocol, communicator = await handshake(world.cleo, subprotocols=["msgpack"])
    assert accepted and subprotocol == "msgpack"
    raw = await communicator.receive_output(1)
    assert raw["type"] == "websocket.send" and "bytes" in raw and raw.get("text") is None
    import msgpack

    assert msgpack.unpackb(raw["bytes"], raw=False)["type"] == "hello"
    await communicator.disconnect()
