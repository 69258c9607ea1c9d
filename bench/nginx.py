"""nginx in front of several server processes (C3n: three `serve` behind one address), set up as
an operator would on this machine: WebSocket upgrade proxied with the Host passed through,
sockets spread evenly over the upstreams (`least_conn` over a zone the workers share), and enough
workers that none comes near the per-process cap of open files, since every proxied socket
holds two descriptors in its worker (the client's connection and the upstream one). The
listening socket is `reuseport`: one per worker, the kernel spreads the connections over them.

nginx's connections to one upstream share their source address and their destination, so they
differ only in their source port: no more of them than ephemeral ports, and here only about
half of them (Linux gives `connect()` the even ports first; the bench's clients `bind()` theirs on
127.0.0.2–17 and take the odd ones): about 14,100 of 28,232. Past that, connections fail with
EADDRNOTAVAIL and nginx answers 502 ("no live upstreams"). With more sockets per upstream than a
share of that, nginx binds its upstream connections to several loopback addresses
(`proxy_bind` over `split_clients`), each with its own ports.

`plan()` is the settings (recorded in the JSON), `config()` the file, `Nginx` the process."""

import contextlib
import math
import os
import resource
import shutil
import signal
import tempfile
from pathlib import Path

from bench.procs import HOST, Server, children, free_port

DESCRIPTORS_PER_SOCKET = 2   # the client's connection and the upstream one
WORKER_DESCRIPTORS = 18_000  # planned per worker: the rest of the cap absorbs an uneven spread
SPARE_DESCRIPTORS = 200      # per worker, besides connections: listeners, logs, the master
MIN_WORKERS = 2              # one per core here
LISTEN_BACKLOG = 4096        # the kernel's somaxconn: a reconnect storm queues, it is not refused
SOCKET_READ_TIMEOUT = 3600   # s without a frame from upstream before /ws/ is closed (serve pings
                             # a socket quiet for 30 s; docs/deploy/nginx.conf uses 1 h too)
UPSTREAM_KEEPALIVE = 32      # idle HTTP connections kept per worker to the upstreams
PORT_SHARE = 0.4             # of the ephemeral ports, planned per source address and upstream
SOURCE_NET = "127.0.1."      # nginx's own source addresses, apart from the bench's clients'


def ephemeral_ports() -> int:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        low, high = map(int, f.read().split())
    return high - low + 1


def binary() -> str | None:
    return shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def plan(sockets: int, upstreams: list, port: int, open_files: int, ports: int) -> dict:
    """The settings for `sockets` proxied sockets over the servers at `upstreams` (ports),
    listening on `port`, each worker allowed `open_files` descriptors, `ports` ephemeral ports."""
    workers = max(MIN_WORKERS, math.ceil(DESCRIPTORS_PER_SOCKET * sockets / WORKER_DESCRIPTORS))
    sources = math.ceil(sockets / len(upstreams) / (PORT_SHARE * ports))
    return {
        "listen": f"{HOST}:{port} reuseport backlog={LISTEN_BACKLOG}",
        "worker_processes": workers,
        "worker_rlimit_nofile": open_files,
        "worker_connections": open_files - SPARE_DESCRIPTORS,
        "planned_descriptors_per_worker": math.ceil(DESCRIPTORS_PER_SOCKET * sockets / workers),
        "upstreams": [f"{HOST}:{p}" for p in upstreams],
        "upstream_sources": [f"{SOURCE_NET}{k}" for k in range(1, sources + 1)] if sources > 1
                            else [],
        "balancing": "least_conn, zone shared by the workers",
        "upstream_keepalive": UPSTREAM_KEEPALIVE,
        "ws_proxy_read_timeout_s": SOCKET_READ_TIMEOUT,
        "ws": "proxy_http_version 1.1, Upgrade and Connection passed, Host $http_host, "
              "X-Forwarded-For/-Proto, proxy_buffering off",
        "access_log": "off",
    }


def config(settings: dict, directory: str) -> str:
    """nginx.conf for `settings` (from `plan`), its pid, log and temporary files in `directory`."""
    upstreams = "".join(f"        server {u};\n" for u in settings["upstreams"])
    forwarded = ("proxy_set_header Host $http_host;\n"
                 "            proxy_set_header X-Forwarded-For $remote_addr;\n"
                 "            proxy_set_header X-Forwarded-Proto $scheme;")
    temp = "".join(f"    {kind}_temp_path {directory}/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    sources, bind = settings["upstream_sources"], ""
    if sources:
        shares = "".join(f"        {100 / len(sources):.2f}% {a};\n" for a in sources[:-1])
        temp += (f'    split_clients "$remote_addr$remote_port" $upstream_source {{\n'
                 f"{shares}        * {sources[-1]};\n    }}\n")
        bind = "        proxy_bind $upstream_source;\n"
    return f"""daemon off;
master_process on;
worker_processes {settings["worker_processes"]};
worker_rlimit_nofile {settings["worker_rlimit_nofile"]};
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections {settings["worker_connections"]}; }}
http {{
    access_log off;
{temp}    client_max_body_size 1m;
    upstream cairn {{
        least_conn;
        zone cairn 64k;
{upstreams}        keepalive {settings["upstream_keepalive"]};
    }}
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    server {{
        listen {settings["listen"]};
{bind}        location /ws/ {{
            proxy_pass http://cairn;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            {forwarded}
            proxy_buffering off;
            proxy_read_timeout {settings["ws_proxy_read_timeout_s"]}s;
            proxy_send_timeout {settings["ws_proxy_read_timeout_s"]}s;
        }}
        location / {{
            proxy_pass http://cairn;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            {forwarded}
        }}
    }}
}}
"""


class Nginx(Server):
    """An nginx master (in the foreground) and its workers in front of the servers at `upstreams`;
    its pids are all of them, and all of them only proxy."""

    def __init__(self, sockets: int, upstreams: list):
        path = binary()
        if path is None:
            raise RuntimeError("nginx is not installed (apt-get install nginx)")
        self.directory = tempfile.mkdtemp(prefix="bench-nginx-")
        os.chmod(self.directory, 0o755)  # workers run as nobody when the bench runs as root
        port = free_port()
        hard_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        self.settings = {"nginx": plan(sockets, upstreams, port, hard_limit, ephemeral_ports())}
        conf = Path(self.directory) / "nginx.conf"
        conf.write_text(config(self.settings["nginx"], self.directory))
        super().__init__("nginx", [path, "-p", self.directory, "-c", str(conf),
                                   "-e", f"{self.directory}/error.log"], port)

    def pids(self) -> list:
        return [self.pid, *children(self.pid)]

    def proxy_pids(self) -> list:
        return self.pids()

    def processes(self) -> list:
        return [{**process, "name": "nginx master" if process["pid"] == self.pid
                 else "nginx worker"} for process in super().processes()]

    def stop(self) -> None:
        super().stop()
        if self.proc is None:
            return
        # Workers outlive a master that had to be killed: end the whole process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def tail(self, chars: int = 3000) -> str:
        try:
            errors = (Path(self.directory) / "error.log").read_text(errors="replace")[-chars:]
        except OSError:
            errors = ""
        return super().tail(chars) + errors

    def __exit__(self, *exc):
        super().__exit__(*exc)
        if not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(self.directory, ignore_errors=True)
