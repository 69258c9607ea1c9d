"""The nginx in front of C3n (bench/nginx.py) can hold the scale-out target's sockets: no worker is
planned past the per-process cap of open files, the workers together have room for two
descriptors per proxied socket, and the socket location proxies the upgrade with its Host and
outwaits serve's keep-alive pings."""

import ast
import re
import subprocess
from pathlib import Path

import pytest

from bench import nginx

CAP = 20_000    # open files per process on the bench's machine (the hard limit)
PORTS = 28_232  # its ephemeral ports (32768–60999)
UPSTREAMS = [8101, 8102, 8103]
SERVE = Path(__file__).resolve().parent.parent / "server/management/commands/serve.py"


def serve_constant(name: str):
    """A module-level constant of `serve`, read without importing it (that installs Twisted's
    reactor in the test process)."""
    for node in ast.parse(SERVE.read_text()).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            return ast.literal_eval(node.value)
    raise LookupError(name)


def directive(text: str, name: str) -> str:
    match = re.search(rf"^\s*{re.escape(name)} ([^;]*);", text, re.MULTILINE)
    assert match, f"no {name} in the configuration"
    return match[1]


def ws_location(text: str) -> str:
    return text.split("location /ws/ {", 1)[1].split("}", 1)[0]


@pytest.mark.parametrize("sockets", [50, 19_000, 50_000, 120_000])
def test_every_worker_stays_under_the_cap_with_room_for_every_socket(sockets):
    plan = nginx.plan(sockets, UPSTREAMS, 8100, CAP, PORTS)
    workers = plan["worker_processes"]
    assert plan["worker_connections"] < plan["worker_rlimit_nofile"] <= CAP
    assert nginx.DESCRIPTORS_PER_SOCKET * sockets / workers <= nginx.WORKER_DESCRIPTORS < CAP
    # Together the workers take each socket's two connections, with a tenth to spare for an
    # uneven spread over the reuseport listeners.
    assert workers * plan["worker_connections"] >= 1.1 * nginx.DESCRIPTORS_PER_SOCKET * sockets


@pytest.mark.parametrize("sockets", [50, 19_000, 50_000, 120_000])
def test_each_upstream_has_ports_for_its_sockets(sockets):
    # Per source address, nginx's connections to one upstream get about half the ephemeral
    # ports (the even ones; the bench's clients bind the odd ones): 43,749 of 50,000 sockets
    # opened on one source, the rest answered 502.
    plan = nginx.plan(sockets, UPSTREAMS, 8100, CAP, PORTS)
    sources = max(1, len(plan["upstream_sources"]))
    assert sources * PORTS / 2 >= 1.2 * sockets / len(UPSTREAMS)
    assert not any(a.startswith("127.0.0.") for a in plan["upstream_sources"])  # the clients'


def test_several_sources_are_bound_in_turn(tmp_path):
    plan = nginx.plan(50_000, UPSTREAMS, 8100, CAP, PORTS)
    text = nginx.config(plan, str(tmp_path))
    assert plan["upstream_sources"] == ["127.0.1.1", "127.0.1.2"]
    assert directive(text, "proxy_bind") == "$upstream_source"
    assert "50.00% 127.0.1.1;" in text and "* 127.0.1.2;" in text
    assert "proxy_bind" not in nginx.config(nginx.plan(50, UPSTREAMS, 8100, CAP, PORTS),
                                            str(tmp_path))


def test_fifty_thousand_sockets_take_six_workers():
    plan = nginx.plan(50_000, UPSTREAMS, 8100, CAP, PORTS)
    assert plan["worker_processes"] == 6
    assert plan["planned_descriptors_per_worker"] == 16_667


def test_the_configuration_says_what_the_plan_says(tmp_path):
    plan = nginx.plan(50_000, UPSTREAMS, 8100, CAP, PORTS)
    text = nginx.config(plan, str(tmp_path))
    assert directive(text, "worker_processes") == "6"
    assert directive(text, "worker_rlimit_nofile") == str(CAP)
    assert directive(text, "events { worker_connections") == str(plan["worker_connections"])
    assert "reuseport" in directive(text, "listen").split()
    assert directive(text, "access_log") == "off"
    assert re.findall(r"^\s*server (\S+);", text, re.MULTILINE) == [
        f"127.0.0.1:{port}" for port in UPSTREAMS]
    assert "least_conn;" in text and "zone cairn" in text  # one count shared by every worker


def test_sockets_are_upgraded_with_their_host_and_outlive_the_pings(tmp_path):
    ws = ws_location(nginx.config(nginx.plan(50, UPSTREAMS, 8100, CAP, PORTS), str(tmp_path)))
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $connection_upgrade;",
                 # The Origin check compares with the Host, port included ($host drops it).
                 "proxy_set_header Host $http_host;", "proxy_buffering off;"):
        assert line in ws
    timeout = int(re.search(r"proxy_read_timeout (\d+)s;", ws)[1])
    assert timeout > 2 * serve_constant("PING_INTERVAL")


@pytest.mark.skipif(nginx.binary() is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx.config(nginx.plan(50_000, UPSTREAMS, 8100, CAP, PORTS), str(tmp_path)))
    result = subprocess.run([nginx.binary(), "-t", "-p", str(tmp_path), "-c", str(conf),
                             "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"{conf} test is successful" in result.stderr
