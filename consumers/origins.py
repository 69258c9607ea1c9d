"""The WebSocket Origin check (SPEC §3 "WebSocket"): a handshake's `Origin` must equal one of the
served origins exactly, scheme, host and port (docs/WEBSOCKET.md, "Origin").

The served origins are:
- the handshake's own address: `http` for `ws`, `https` for `wss`, with the `Host` header's host
  and port, when that host is one of ALLOWED_HOSTS (a browser that opened the page where it
  opens the socket);
- CSRF_TRUSTED_ORIGINS, which `server.settings` makes the origin of CAIRN_PUBLIC_URL and those
  listed in the environment (a server behind a proxy that speaks TLS or listens on another port).

Anything else is refused before the consumer runs: a missing or repeated Origin, `null`, and any
value that is not exactly `scheme://host[:port]`.
"""

import re
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::([0-9]{1,5}))?",
                     re.IGNORECASE | re.ASCII)
_DEFAULT_PORT = {"http": 80, "https": 443}
_HTTP_SCHEME = {"ws": "http", "wss": "https"}


def parse_origin(text: str):
    """(scheme, host, port) of an exact `scheme://host[:port]`, lower-cased with the default port
    filled in; None for anything else."""
    match = _ORIGIN.fullmatch(text)
    if match is None:
        return None
    scheme, host, port = match[1].lower(), match[2].lower(), match[3]
    return scheme, host.removesuffix("."), int(port) if port else _DEFAULT_PORT[scheme]


def _header(scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key == name]


def own_origin(scope):
    """The origin a browser had when it opened this handshake where it loaded the page, if the
    handshake's Host is one this server answers to."""
    hosts = _header(scope, b"host")
    scheme = _HTTP_SCHEME.get(scope.get("scheme", "ws"))
    if len(hosts) != 1 or scheme is None:
        return None
    domain, _ = split_domain_port(hosts[0])
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return parse_origin(f"{scheme}://{hosts[0]}")


def served_origins(scope) -> set:
    configured = set()
    for origin in settings.CSRF_TRUSTED_ORIGINS:
        parts = urlsplit(origin)
        configured.add(parse_origin(f"{parts.scheme}://{parts.netloc}"))
    return (configured | {own_origin(scope)}) - {None}


def origin_allowed(scope) -> bool:
    origins = _header(scope, b"origin")
    return len(origins) == 1 and parse_origin(origins[0]) in served_origins(scope)


class ExactOriginValidator:
    """Refuses at the handshake a socket whose Origin is not exactly one of the served origins."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
