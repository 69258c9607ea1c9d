"""For the end-to-end socket tests against a real server (`tests.servers.start_server`): its
practice, a small cookie-keeping HTTP client, and a `websockets` connection with the session
cookie."""

import json
import os
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlparse, urlunparse

import msgpack
from websockets.asyncio.client import connect as ws_connect

from tests.servers import manage

PASSWORD = "Quiet-River-4711"

PRACTICE_FILE = {
    "practice": {"name": "Northside Counseling", "portal_enabled": True,
                 "topics": [{"name": "Scheduling", "subject": "Scheduling question"}]},
    "staff": [
        {"username": "sam", "name": "Sam Scheduler", "email": "sam@example.org",
         "password": PASSWORD, "roles": ["scheduler"], "supervises": []},
        {"username": "bill", "name": "Bill Biller", "email": "bill@example.org",
         "password": PASSWORD, "roles": ["biller"], "supervises": []},
    ],
    "clients": [
        {"name": "Dana Reyes", "email": "dana@example.org", "clinicians": [],
         "portal": {"username": "dana", "password": PASSWORD}},
    ],
}


def prepare(env, tmp_path):
    """Migrate and load the practice file into the database `env` points at."""
    manage(env, "migrate", "-v0")
    path = tmp_path / "practice.json"
    path.write_text(json.dumps(PRACTICE_FILE))
    manage(env, "load_practice", str(path))


class Http:
    """JSON over HTTP with a cookie jar of one, signed in as `username`."""

    def __init__(self, server):
        self.base = server.url
        self.cookies = {}

    def call(self, method, path, data=None):
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        request.add_header("Content-Type", "application/json")
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if "csrftoken" in self.cookies:
            request.add_header("X-CSRFToken", self.cookies["csrftoken"])
        try:
            response = urllib.request.urlopen(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)

    def login(self, username, password=PASSWORD):
        self.call("GET", "/api/auth/csrf")
        status, body = self.call("POST", "/api/auth/login",
                                 {"username": username, "password": password})
        assert status == 200, body
        return self


def open_ws(server, http, *, subprotocol="json", origin=None):
    """A websockets connection to /ws/ with `http`'s session cookie."""
    return ws_connect(f"ws://127.0.0.1:{server.port}/ws/",
                      origin=origin or server.url,
                      additional_headers={"Cookie": f"sessionid={http.cookies['sessionid']}"},
                      subprotocols=[subprotocol], open_timeout=10, max_size=2 ** 20)


async def recv(ws, timeout=10):
    data = await __import__("asyncio").wait_for(ws.recv(), timeout)
    return msgpack.unpackb(data, raw=False) if isinstance(data, bytes) else json.loads(data)


async def recv_until(ws, kind, timeout=10):
    """Frames up to and including the first of type `kind`."""
    got = []
    while not got or got[-1]["type"] != kind:
        got.append(await recv(ws, timeout))
    return got


def fresh_database(suffix: str) -> str:
    """A new, empty PostgreSQL database for server processes a test starts, named after
    DATABASE_URL's (`<name>_<suffix>`, so parallel runs on other databases never meet); its URL."""
    import psycopg

    base = urlparse(os.environ["DATABASE_URL"])
    name = f"{base.path.lstrip('/')}_{suffix}"
    with psycopg.connect(urlunparse(base._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(base._replace(path=f"/{name}"))
