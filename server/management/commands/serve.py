"""python -m server serve [--host H] [--port P] [--no-worker]: Cairn under daphne, HTTP and
WebSockets on one port, configured by the environment (README: Configuration)."""

import sys

# daphne.server installs Twisted's asyncio reactor on import: it must come before anything
# imports twisted.internet.reactor.
from daphne.server import Server  # isort: skip
from daphne.access import AccessLogGenerator
from daphne.endpoints import build_endpoint_description_strings
from django.core.management.base import BaseCommand

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# daphne's own default listen backlog is 50; a burst of connecting sockets overflows that.
LISTEN_BACKLOG = 1024
# SPEC §3: WebSocket frames over 64 KiB close the socket with 1009 (autobahn does it for us).
WEBSOCKET_MAX_MESSAGE = 64 * 1024


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, worker: bool = True,
          access_log=None, ready=None) -> None:
    """Run daphne on `server.asgi.application` until interrupted (SIGINT/SIGTERM), with the
    email worker in a background thread unless `worker` is False. `ready` is called once the
    server is about to accept connections."""
    from server.asgi import application

    endpoints = [f"{endpoint}:backlog={LISTEN_BACKLOG}"
                 for endpoint in build_endpoint_description_strings(host=host, port=port)]
    background = None
    if worker:
        from server.notify.worker import start_in_background

        background = start_in_background()
    try:
        Server(
            application=application,
            endpoints=endpoints,
            action_logger=AccessLogGenerator(access_log) if access_log else None,
            websocket_max_message_size=WEBSOCKET_MAX_MESSAGE,
            websocket_max_frame_size=WEBSOCKET_MAX_MESSAGE,
            ready_callable=ready,
        ).run()
    finally:
        if background is not None:
            background.stop()


def add_server_arguments(parser, *, default_host: str = DEFAULT_HOST) -> None:
    """--host, --port and --no-worker, shared by `serve` and `demo`."""
    parser.add_argument("--host", default=default_host,
                        help=f"interface to listen on (default {default_host})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not run the email worker in this process "
                             "(run `python -m server worker` separately)")


class Command(BaseCommand):
    help = "Serve Cairn (HTTP API, browser UI and /ws/) with daphne, configured by the environment."

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, host, port, no_worker, verbosity, **options):
        self.stdout.write(f"Cairn listening on http://{_url_host(host)}:{port}/"
                          f"{'' if no_worker else ' (email worker in-process)'}")
        self.stdout.flush()
        serve(host, port, worker=not no_worker,
              access_log=sys.stdout if verbosity >= 2 else None)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
