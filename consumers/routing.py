"""WebSocket routing: /ws/ behind the session and the Origin check (SPEC §3 "WebSocket").

A missing session is refused by the consumer before it accepts; a foreign Origin, a missing one
and `Origin: null` are refused here, at the handshake.
"""

from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier
from channels.sessions import CookieMiddleware
from django.urls import path

from consumers.inbox import InboxConsumer


class RefuseNullOrigin:
    """Refuse `Origin: null` (sandboxed frames, file: pages) even when ALLOWED_HOSTS is "*"."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origins = [value for name, value in scope.get("headers", []) if name == b"origin"]
        if not origins or any(value.strip().lower() == b"null" for value in origins):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)


# The consumer itself finds who the session cookie signs in (`consumers.state.opening`).
websocket_application = RefuseNullOrigin(AllowedHostsOriginValidator(CookieMiddleware(
    URLRouter([path("ws/", InboxConsumer.as_asgi())])
)))
