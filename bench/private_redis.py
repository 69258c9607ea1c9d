"""A private Redis for the run (started and stopped by the bench, loopback only), so that C2 and
C3 get a quiet Redis and `INFO commandstats` counts the bench's commands alone. Set
BENCH_REDIS_URL to use an existing Redis instead."""

import os
import socket

from bench.procs import HOST, Server, free_port

_url = os.environ.get("BENCH_REDIS_URL")
_server = None


def url() -> str:
    if _url is None:
        raise RuntimeError("no Redis for the bench: call bench.redis.start() first")
    return _url


def start() -> str:
    """Start the private Redis unless BENCH_REDIS_URL names one; returns its URL."""
    global _url, _server
    if _url is not None:
        return _url
    port = free_port()
    _server = Server("redis", ["redis-server", "--port", str(port), "--bind", HOST, "--save", "",
                               "--appendonly", "no", "--maxclients", "10000",
                               "--protected-mode", "yes"], port)
    _server.start()
    _url = f"redis://{HOST}:{port}/0"
    return _url


def stop() -> None:
    global _url, _server
    if _server is not None:
        _server.__exit__(None, None, None)
        _server, _url = None, os.environ.get("BENCH_REDIS_URL")


def flush() -> None:
    """Empty the private Redis between measurements (groups left behind by a stopped server would
    otherwise grow every later group send). Never done to a Redis given by BENCH_REDIS_URL."""
    if _server is not None:
        command("FLUSHALL")


def command(*args) -> str:
    """One Redis command over a plain socket (RESP), answer as text (bulk string or status)."""
    from urllib.parse import urlparse

    parsed = urlparse(url())
    payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=5) as s:
        s.sendall(payload.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            data += chunk
            if not chunk or _complete(data):
                break
    return data.decode(errors="replace")


def _complete(data: bytes) -> bool:
    if data.startswith((b"+", b"-", b":")):
        return data.endswith(b"\r\n")
    if data.startswith(b"$"):
        head, _, rest = data.partition(b"\r\n")
        return len(rest) >= int(head[1:]) + 2
    return True


def pid() -> int | None:
    """The Redis server's process id (INFO server), to count its CPU."""
    for line in command("INFO", "server").splitlines():
        if line.startswith("process_id:"):
            return int(line.split(":", 1)[1])
    return None


def commandstats() -> dict:
    """{command: calls} from INFO commandstats."""
    stats = {}
    for line in command("INFO", "commandstats").splitlines():
        if line.startswith("cmdstat_"):
            name, _, fields = line.partition(":")
            calls = dict(f.split("=") for f in fields.split(","))["calls"]
            stats[name[len("cmdstat_"):]] = int(calls)
    return stats
