"""The socket's Origin check is exact (SPEC §3): scheme, host and port equal one of the served
origins (the handshake's own address on an allowed host, or CSRF_TRUSTED_ORIGINS, which holds
CAIRN_PUBLIC_URL's origin)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from consumers.routing import websocket_application
from tests.consumers.helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

SERVER = b"127.0.0.1:8123"  # where the browser reached this server


@pytest.fixture(autouse=True)
def served(settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "inbox.example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000"]  # CAIRN_PUBLIC_URL's default


async def shake(user, *origins, host=SERVER, scheme=None):
    """Whether a handshake of `user` with these Origin headers is accepted."""
    cookie = await database_sync_to_async(session_cookie)(user)
    headers = [(b"host", host), (b"cookie", f"sessionid={cookie}".encode())]
    headers += [(b"origin", origin) for origin in origins]
    communicator = WebsocketCommunicator(websocket_application, "/ws/", headers=headers)
    if scheme is not None:
        communicator.scope["scheme"] = scheme
    accepted, _ = await communicator.connect()
    if accepted:
        await communicator.disconnect()
    return accepted


@pytest.mark.parametrize("origin", [b"http://127.0.0.1:8123", b"HTTP://127.0.0.1:8123",
                                    b"http://127.0.0.1:8000"])
async def test_the_served_origins_are_accepted(world, origin):
    assert await shake(world.sam, origin)


@pytest.mark.parametrize("origin", [
    b"http://127.0.0.1:9999",           # another port
    b"https://localhost",               # another scheme, host and port
    b"https://127.0.0.1:8123",          # another scheme
    b"http://localhost:8123",           # another host (the browser's page was on 127.0.0.1)
    b"http://127.0.0.1",                # port 80
    b"http://127.0.0.1:8123/",          # not an origin
    b"http://sam@127.0.0.1:8123",
    b"http://127.0.0.1:8123.evil.example",
    b"http://127.0.0.1:8123\x0b",
    b"null",
])
async def test_any_other_origin_is_refused(world, origin):
    assert not await shake(world.sam, origin)


async def test_a_missing_or_repeated_origin_is_refused(world):
    assert not await shake(world.sam)
    assert not await shake(world.sam, b"http://127.0.0.1:8123", b"http://127.0.0.1:8123")


async def test_wss_is_served_as_https(world):
    assert await shake(world.sam, b"https://inbox.example.org", host=b"inbox.example.org",
                       scheme="wss")
    assert not await shake(world.sam, b"http://inbox.example.org", host=b"inbox.example.org",
                           scheme="wss")


async def test_behind_a_proxy_the_public_address_is_served(world, settings):
    # nginx ends TLS and passes Host; the socket reaches daphne as ws:// on a local port.
    settings.CSRF_TRUSTED_ORIGINS = ["https://inbox.example.org"]
    assert await shake(world.sam, b"https://inbox.example.org", host=b"inbox.example.org")
    assert not await shake(world.sam, b"https://inbox.example.org:8443",
                           host=b"inbox.example.org")


async def test_a_host_the_server_does_not_answer_to_serves_no_origin(world):
    """DNS rebinding: evil.example resolved to this server; its page's origin equals the Host."""
    assert not await shake(world.sam, b"http://evil.example:8123", host=b"evil.example:8123")


async def test_null_is_refused_even_when_every_host_is_allowed(world, settings):
    settings.ALLOWED_HOSTS = ["*"]
    assert not await shake(world.sam, b"null", host=b"127.0.0.1")
    assert await shake(world.sam, b"http://127.0.0.1", host=b"127.0.0.1")
