"""The commands: load_practice (in process and through `python -m server`), and smoke runs of
`serve` and `demo` as real processes on a free port, each with its own var/ directory."""

import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from django.core.management import CommandError, call_command

from server.management.commands.demo import DEMO_THREADS, demo_data, ensure_demo_practice
from server.models import Message, OutboxEmail, Practice, Thread, UnreadMark, User
from tests.servers import Served, free_port, manage, server_env, start_server
from tests.test_practice_file import GOOD

START_TIMEOUT = 90  # seconds; the demo hashes a dozen passwords on its first start


# -- in process -------------------------------------------------------------------------------

def test_load_practice_command(db, tmp_path, capsys):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD))
    call_command("load_practice", str(path))
    assert 'Created practice "Northside Counseling"' in capsys.readouterr().out
    assert User.objects.filter(username="dana", kind=User.CLIENT).exists()

    with pytest.raises(CommandError, match='staff.0..username: username "sam" is already taken'):
        call_command("load_practice", str(path))
    assert Practice.objects.count() == 1


def test_the_demo_practice_is_loaded_once_with_threads_in_every_audience(db):
    practice, created = ensure_demo_practice()
    assert created
    threads = Thread.objects.filter(practice=practice)
    assert threads.count() == len(DEMO_THREADS)
    assert set(threads.values_list("audience", flat=True)) == {"administrative", "billing",
                                                                "clinical"}
    assert Message.objects.filter(thread__practice=practice).count() == sum(
        1 + len(replies) for *_, replies in DEMO_THREADS)
    # Someone has something to read, and the outbox holds notices and an invitation to send.
    assert UnreadMark.objects.filter(user__username="cleo").exists()
    assert set(OutboxEmail.objects.values_list("kind", flat=True)) == {
        "staff_notice", "client_notice", "invitation"}

    again, created = ensure_demo_practice()
    assert (again, created) == (practice, False)
    assert Practice.objects.count() == 1 and threads.count() == len(DEMO_THREADS)


# -- as processes -----------------------------------------------------------------------------

def run_server_command(var_dir: Path, *args, timeout=120) -> subprocess.CompletedProcess:
    return manage(server_env(var_dir), *args, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def migrated_var(tmp_path_factory) -> Path:
    """A var/ directory holding a migrated SQLite database, to copy for each test."""
    var_dir = tmp_path_factory.mktemp("migrated-var")
    result = run_server_command(var_dir, "migrate", "--no-input", "-v", "0")
    assert result.returncode == 0, result.stderr
    return var_dir


@pytest.fixture
def var_dir(migrated_var, tmp_path) -> Path:
    var_dir = tmp_path / "var"
    shutil.copytree(migrated_var, var_dir)
    return var_dir


def query(var_dir: Path, expression: str):
    """The value of `expression` (JSON-able, over server.models) in var_dir's database."""
    result = run_server_command(var_dir, "shell", "-c",
                                f"import json; from server.models import *; "
                                f"print(json.dumps({expression}))")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_load_practice_through_python_m_server(var_dir, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(GOOD))
    data = json.loads(json.dumps(GOOD))
    data["staff"][2]["roles"][0] = "boss"
    bad.write_text(json.dumps(data))

    result = run_server_command(var_dir, "load_practice", str(bad))
    assert result.returncode == 1
    assert 'staff[2].roles[0]: unknown role "boss"' in result.stderr
    assert "nothing was created" in result.stderr

    result = run_server_command(var_dir, "load_practice", str(good))
    assert result.returncode == 0, result.stderr
    assert 'Created practice "Northside Counseling"' in result.stdout
    # Exactly what the good file holds: the bad one left nothing behind.
    assert query(var_dir, "[Practice.objects.count(), User.objects.count(), "
                          "Client.objects.count(), StaffRole.objects.count()]") == [1, 5, 3, 5]


@pytest.fixture
def running():
    """start(var_dir, port, *args, env=()) -> `python -m server *args --port port`, serving;
    each is stopped at the end."""
    started = []

    def start(var_dir, port, *args, env=()):
        server = start_server(server_env(var_dir, **dict(env)), *args, port=port,
                              log_path=var_dir.parent / f"server-{port}.log",
                              timeout=START_TIMEOUT)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_serve_answers_http_and_stops_on_sigterm(var_dir, running):
    port = free_port()
    server = running(var_dir, port, "serve", "--no-worker",
                     "--proxy-headers", env={"CAIRN_INSECURE_COOKIES": "1"})
    with urllib.request.urlopen(f"{server.url}/admin/login/", timeout=5) as response:
        assert b"csrfmiddlewaretoken" in response.read()
    # Behind a proxy, the audit log records the client's address, not the proxy's.
    browser = Browser(server, headers={"X-Forwarded-For": "203.0.113.9"})
    status, body = browser.sign_in("nobody", "not a password at all")
    assert status == 401, body
    assert server.stop() == 0
    output = server.logs()
    assert f"Starting Cairn on http://127.0.0.1:{port}/" in output
    assert f"tcp:port={port}:interface=127.0.0.1:backlog=1024" in output
    assert query(var_dir, "list(AuditEntry.objects.filter(action='login.failed')"
                          ".values_list('ip', flat=True))") == ["203.0.113.9"]


class Browser:
    """urllib with a cookie jar, speaking to the API as the browser UI does."""

    def __init__(self, server: Served, headers=None):
        self.server = server
        self.headers = headers or {}
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf_token(self) -> str:
        return next(c.value for c in self.cookies if c.name == "csrftoken")

    def request(self, method: str, path: str, data=None):
        request = urllib.request.Request(self.server.url + path, method=method,
                                         headers=self.headers)
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            request.add_header("Content-Type", "application/json")
        if method != "GET":
            request.add_header("X-CSRFToken", self.csrf_token())
        try:
            with self.opener.open(request, body, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def sign_in(self, username: str, password: str):
        status, _ = self.request("GET", "/api/auth/csrf")
        assert status == 204
        return self.request("POST", "/api/auth/login", {"username": username,
                                                        "password": password})

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)


def printed_logins(output: str) -> dict:
    """{username: (password, roles)} from the demo's printed table."""
    logins = {}
    for line in output.splitlines():
        match = re.match(r"^  (\S+)\s+(\S+)\s+(.+)$", line)
        if match and match.group(1) != "username":
            logins[match.group(1)] = (match.group(2), match.group(3))
    return logins


def test_demo_prints_the_logins_serves_them_and_restarts_idempotently(var_dir, running):
    port = free_port()
    demo = running(var_dir, port, "demo")
    output = demo.logs()
    assert f"open http://127.0.0.1:{port}/" in output
    assert "Created the demo practice" in output

    logins = printed_logins(output)
    data = demo_data()
    for member in data["staff"]:
        assert logins[member["username"]][0] == member["password"]
        for role in member["roles"]:
            assert role in logins[member["username"]][1]
    for client in data["clients"]:
        if client["portal"]:
            assert logins[client["portal"]["username"]][1] == f"client {client['name']}"

    # The printed logins work; staff see demo threads unread, a client sees their own.
    for username in ("cleo", "morgan", "dana"):
        browser = Browser(demo)
        status, body = browser.sign_in(username, logins[username][0])
        assert status == 200, body
        me = json.loads(body)
        assert me["practice"]["name"] == data["practice"]["name"]
        assert me["badge"] > 0, (username, me)
    status, _ = Browser(demo).sign_in("cleo", "wrong password")
    assert status == 401

    # The socket works through daphne, and daphne itself refuses frames over 64 KiB.
    with connect(f"ws://127.0.0.1:{port}/ws/", open_timeout=10,
                 additional_headers={"Cookie": browser.cookie_header(),
                                     "Origin": f"http://127.0.0.1:{port}"}) as socket_:
        hello = json.loads(socket_.recv(timeout=10))
        assert hello["type"] == "hello" and hello["badge"] == me["badge"]
        socket_.send(json.dumps({"type": "ping"}))
        assert json.loads(socket_.recv(timeout=10))["type"] == "pong"
        socket_.send(json.dumps({"type": "ping", "pad": "x" * 70_000}))
        with pytest.raises(ConnectionClosed) as closed:
            socket_.recv(timeout=10)
        assert closed.value.rcvd.code == 1009
    assert demo.stop() == 0
    # The in-process worker sent the demo's notices and invitation to files under var/mail/.
    assert list((var_dir / "mail").iterdir())

    # A second start keeps the practice and its threads as they were.
    demo = running(var_dir, port, "demo")
    assert "Using the demo practice" in demo.logs()
    assert demo.stop() == 0
    assert query(var_dir, "[Practice.objects.count(), Thread.objects.count()]") == [
        1, len(DEMO_THREADS)]


# -- the operator's view ----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_busy_port_is_refused_before_the_banner_saying_how_to_pick_another(var_dir, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_server_command(var_dir, command, "--port", str(port), timeout=60)
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "Starting Cairn" not in result.stdout and "Preparing" not in result.stdout
    assert "Traceback" not in result.stderr


def test_serve_logs_sign_ins_without_names_and_not_daphnes_http2_notice(var_dir, running):
    port = free_port()
    server = running(var_dir, port, "serve", "--no-worker", env={"CAIRN_INSECURE_COOKIES": "1"})
    assert Browser(server).sign_in("nobody", "not a password at all")[0] == 401
    assert server.stop() == 0
    output = server.logs()
    assert "INFO server.oplog: failed sign-in: unknown username from 127.0.0.1" in output
    assert "nobody" not in output and "not a password" not in output
    assert "HTTP/2" not in output
