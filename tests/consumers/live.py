"""Real processes for the end-to-end socket tests: `python -m server serve` (daphne) on a port,
a small cookie-keeping HTTP client, and a `websockets` connection with the session cookie."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import msgpack
from websockets.asyncio.client import connect as ws_connect

REPO = Path(__file__).resolve().parents[2]
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(var_dir, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(CAIRN_VAR_DIR=str(var_dir), CAIRN_INSECURE_COOKIES="1", SECRET_KEY="live-test-key",
               ALLOWED_HOSTS="127.0.0.1,localhost", CAIRN_LOG_LEVEL="WARNING",
               DJANGO_SETTINGS_MODULE="server.settings")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *args, timeout=180):
    done = subprocess.run([sys.executable, "-m", "server", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def prepare(env, tmp_path):
    """Migrate and load the practice file into the database `env` points at."""
    manage(env, "migrate", "-v0")
    path = tmp_path / "practice.json"
    path.write_text(json.dumps(PRACTICE_FILE))
    manage(env, "load_practice", str(path))


class Server:
    """`python -m server serve --no-worker` on a free port, stopped on exit."""

    def __init__(self, env, log_path, *, plain_daphne=False):
        self.env, self.port, self.log_path = env, free_port(), log_path
        self.plain_daphne = plain_daphne
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        command = (["daphne", "-b", "127.0.0.1", "-p", str(self.port), "server.asgi:application"]
                   if self.plain_daphne else
                   ["server", "serve", "--port", str(self.port), "--no-worker"])
        self.proc = subprocess.Popen([sys.executable, "-m", *command], cwd=REPO, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        raise AssertionError("server did not start: " + self.log_path.read_text()[-3000:])

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


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
