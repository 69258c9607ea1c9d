"""python -m server serve [--host H] [--port P] [--no-worker] [--proxy-headers]: Cairn under
daphne, HTTP and WebSockets on one port, configured by the environment (README: Configuration)."""

import errno
import functools
import gc
import logging
import socket
import sys

# daphne.server installs Twisted's asyncio reactor on import: it must come before anything
# imports twisted.internet.reactor.
from daphne.server import Server  # isort: skip
from daphne.access import AccessLogGenerator
from daphne.endpoints import build_endpoint_description_strings
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# daphne's own default listen backlog is 50; a burst of connecting sockets overflows that.
LISTEN_BACKLOG = 1024
# Seconds a WebSocket handshake may take before daphne drops it. Its defaults (autobahn's
# openHandshakeTimeout 5 s; daphne's own check of sockets still connecting, 20 s) drop handshakes
# that queue behind others in a connect storm, as after a restart every tab reconnects at once.
HANDSHAKE_TIMEOUT = 30
# Seconds a socket may stay quiet before daphne pings it (daphne's default: 20). The browser sends
# its own ping every 25 s (static/js/socket.js), so an open tab is never pinged by the server as
# well; a silent client is still pinged well inside the common 60 s proxy idle timeout. At 10,000
# idle sockets the pings are the server's idle CPU (docs/PERFORMANCE.md, F12).
PING_INTERVAL = 30
# The garbage collector's thresholds (Python's defaults: 700, 10, 10). A full collection walks
# every object the open sockets hold; with the defaults it ran often enough to be an eighth of
# the server's CPU under fan-out and the longest waits to the last of 1,000 recipients
# (docs/PERFORMANCE.md, F14).
GC_THRESHOLDS = (50_000, 20, 100)


def check_port(host: str, port: int) -> None:
    """CommandError, saying how to choose another, if `host:port` cannot be listened on (another
    server holds it, say). Checked before anything is printed or started. Bound as Twisted binds
    (SO_REUSEADDR), so a port merely in TIME_WAIT is not taken for busy."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        reason = ("is in use" if error.errno == errno.EADDRINUSE
                  else f"cannot be used ({error.strerror or error})")
        raise CommandError(
            f"Port {port} on {_url_host(host)} {reason}. "
            f"Choose another with --port, for example --port {port + 1 if port < 65535 else 8001}.")


class _NoHttp2Notice(logging.Filter):
    """daphne says at every start that HTTP/2 is not enabled; Cairn does not use it."""

    def filter(self, record):
        return not record.getMessage().startswith("HTTP/2 support not enabled")


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, worker: bool = True,
          proxy_headers: bool = False, access_log=None) -> None:
    """Run daphne on `server.asgi.application` until interrupted (SIGINT/SIGTERM), with the
    housekeeping loop and, unless `worker` is False, the email worker in background threads.
    With `proxy_headers`, the client's address and scheme come from X-Forwarded-For/-Port/-Proto."""
    from server import housekeeping
    from server.asgi import application

    # Requests use their own connections on daphne's threads; this thread's (start-up checks,
    # the demo's data) would otherwise sit idle for as long as the server runs.
    connections.close_all()
    logging.getLogger("daphne.server").addFilter(_NoHttp2Notice())
    background = None
    housekeeper = housekeeping.start_in_background()
    if worker:
        from server.notify.worker import start_in_background

        background = start_in_background()
    try:
        server = daphne_server(application, host, port, proxy_headers=proxy_headers,
                               access_log=access_log)
        _collect_less()
        server.run()
    finally:
        housekeeper.stop()
        if background is not None:
            background.stop()
    if not server.listening_addresses:
        raise CommandError(f"could not listen on {_url_host(host)}:{port} (see the log above)")


def _collect_less() -> None:
    """What start-up loaded lives as long as the process: move it out of the collector's sight
    (`gc.freeze`), and collect less often (`GC_THRESHOLDS`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def daphne_server(application, host: str, port: int, *, proxy_headers: bool = False,
                  access_log=None) -> Server:
    """daphne serving `application` as Cairn runs it; `.run()` serves until interrupted."""
    endpoints = [f"{endpoint}:backlog={LISTEN_BACKLOG}"
                 for endpoint in build_endpoint_description_strings(host=host, port=port)]
    server = Server(
        application=application,
        endpoints=endpoints,
        action_logger=AccessLogGenerator(access_log) if access_log else None,
        proxy_forwarded_address_header="X-Forwarded-For" if proxy_headers else None,
        proxy_forwarded_port_header="X-Forwarded-Port" if proxy_headers else None,
        proxy_forwarded_proto_header="X-Forwarded-Proto" if proxy_headers else None,
        # SPEC §3: frames over 64 KiB close the socket with 1009. autobahn enforces the cap
        # before buffering a frame whole; the consumer checks too, but may not send 1009.
        websocket_max_message_size=settings.WS_MAX_FRAME,
        websocket_max_frame_size=settings.WS_MAX_FRAME,
        websocket_handshake_timeout=HANDSHAKE_TIMEOUT,
        websocket_connect_timeout=HANDSHAKE_TIMEOUT,
        ping_interval=PING_INTERVAL,
        ready_callable=lambda: (_close_properly(server), _leave_form_bodies_to_django(server)),
    )
    return server


def _leave_form_bodies_to_django(server) -> None:
    """Twisted parses every multipart POST body into memory before daphne sees the request
    (measured: 290 MB more for one 24 MB upload, and seconds of CPU), a parse daphne never uses.
    Its requests are told not to: Django's own parser streams uploads to disk."""
    build = server.http_factory.buildProtocol

    def build_protocol(addr):
        protocol = build(addr)
        if protocol is not None:
            protocol.requestFactory = functools.partial(protocol.requestFactory,
                                                        parsePOSTFormSubmission=False)
        return protocol

    server.http_factory.buildProtocol = build_protocol


def _close_properly(server) -> None:
    """autobahn drops the TCP connection on a protocol failure (an oversized frame included)
    unless told otherwise; with failByDrop off it sends the close frame, 1009 for a frame too big.
    daphne creates the factory in `run()` and calls this before serving."""
    server.ws_factory.setProtocolOptions(failByDrop=False)


def add_server_arguments(parser) -> None:
    """--host, --port and --no-worker, shared by `serve` and `demo`."""
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"interface to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not run the email worker in this process "
                             "(run `python -m server worker` separately)")


class Command(BaseCommand):
    help = "Serve Cairn (HTTP API, browser UI and /ws/) with daphne, configured by the environment."

    def add_arguments(self, parser):
        add_server_arguments(parser)
        parser.add_argument("--proxy-headers", action="store_true",
                            help="behind a reverse proxy: take the client's address and scheme "
                                 "from X-Forwarded-For, -Port and -Proto (only then)")

    def handle(self, *args, host, port, no_worker, proxy_headers, verbosity, **options):
        check_port(host, port)
        self.warn_unmigrated()
        self.stdout.write(f"Starting Cairn on http://{_url_host(host)}:{port}/"
                          f"{'' if no_worker else ' (email worker in-process)'}")
        self.stdout.flush()
        serve(host, port, worker=not no_worker, proxy_headers=proxy_headers,
              access_log=sys.stdout if verbosity >= 2 else None)

    def warn_unmigrated(self) -> None:
        try:
            executor = MigrationExecutor(connection)
            due = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            self.stderr.write(f"The database cannot be reached yet: {exc}".strip())
            return
        if due:
            self.stderr.write(f"{len(due)} migration(s) not applied: "
                              "run `python -m server migrate` first.")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
