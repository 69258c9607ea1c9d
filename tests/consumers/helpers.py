"""Sockets and HTTP calls for the consumer tests: real actions through the HTTP API, frames read
from `WebsocketCommunicator`s, and a check that nothing else arrives."""

import json

import msgpack
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client as HttpClient

from consumers.routing import websocket_application
from tests.factory import JsonClient

ORIGIN = b"http://127.0.0.1"
QUIET = 0.15  # seconds of silence that count as "nothing more arrives"


def session_cookie(user) -> str:
    http = HttpClient()
    http.force_login(user)
    return http.cookies["sessionid"].value


class Socket:
    """One /ws/ connection of one user."""

    def __init__(self, communicator, subprotocol):
        self.io = communicator
        self.subprotocol = subprotocol
        self.hello = None

    async def recv(self, timeout=2):
        if self.subprotocol == "msgpack":
            return msgpack.unpackb(await self.io.receive_from(timeout), raw=False)
        return json.loads(await self.io.receive_from(timeout))

    async def send(self, obj):
        if self.subprotocol == "msgpack":
            await self.io.send_to(bytes_data=msgpack.packb(obj))
        else:
            await self.io.send_to(text_data=json.dumps(obj))

    async def frames(self, quiet=QUIET) -> list:
        """Every frame until the socket stays quiet for `quiet` seconds."""
        got = []
        while not await self.io.receive_nothing(timeout=quiet):
            got.append(await self.recv())
        return got

    async def close(self):
        await self.io.disconnect()


async def handshake(user=None, *, origin=ORIGIN, subprotocols=None, cookie=None, headers=None):
    """(accepted, subprotocol or close code, communicator) for a raw handshake."""
    hdrs = [(b"host", b"127.0.0.1")]
    if origin is not None:
        hdrs.append((b"origin", origin))
    if user is not None and cookie is None:
        cookie = await database_sync_to_async(session_cookie)(user)
    if cookie is not None:
        hdrs.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(websocket_application, "/ws/",
                                         headers=hdrs + (headers or []), subprotocols=subprotocols)
    accepted, detail = await communicator.connect()
    return accepted, detail, communicator


async def open_socket(user, *, subprotocols=None, cookie=None) -> Socket:
    """A connected socket of `user`, its hello already read into `.hello`."""
    accepted, detail, communicator = await handshake(user, subprotocols=subprotocols, cookie=cookie)
    assert accepted, f"refused: {detail}"
    sock = Socket(communicator, detail)
    sock.hello = await sock.recv()
    assert sock.hello["type"] == "hello"
    return sock


class Api:
    """The HTTP API as `user`, callable from async tests (each call in a worker thread, so the
    action's after-commit push runs exactly as under daphne)."""

    def __init__(self, client):
        self.client = client

    @classmethod
    async def as_user(cls, user):
        return cls(await database_sync_to_async(JsonClient)(user))

    async def _call(self, method, path, data=None, expect=None):
        fn = getattr(self.client, method)
        args = (path,) if method == "get" else (path, data)
        response = await database_sync_to_async(fn)(*args)
        if expect is not None:
            assert response.status_code == expect, (response.status_code, response.content)
        return response.json() if response.content and response["Content-Type"].startswith(
            "application/json") else None

    async def get(self, path, expect=200):
        return await self._call("get", path, None, expect)

    async def post(self, path, data=None, expect=None):
        return await self._call("post", path, data, expect)

    async def patch(self, path, data, expect=200):
        return await self._call("patch", path, data, expect)

    async def put(self, path, data, expect=200):
        return await self._call("put", path, data, expect)

    async def delete(self, path, expect=204):
        fn = self.client.delete
        response = await database_sync_to_async(fn)(path)
        assert response.status_code == expect, (response.status_code, response.content)

    async def start(self, audience="administrative", body="Hello", client=None, **fields):
        data = {"audience": audience, "body": body, "subject": fields.pop("subject", "Subject"),
                **fields}
        if client is not None:
            data["client_id"] = client.pk
        return await self.post("/api/threads", data, expect=201)

    async def reply(self, thread_id, body="Reply", **fields):
        return (await self.post(f"/api/threads/{thread_id}/messages", {"body": body, **fields},
                                expect=201))["message"]


class Probe:
    """An event of a type of its own, to follow through the log (`server.live.log.record`)."""

    def __init__(self, name: str):
        self.name = name

    def payload(self) -> dict:
        return {}


def types(frames) -> list:
    return [f["type"] for f in frames]
