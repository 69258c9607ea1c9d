"""WebSocket routing: /ws/ behind the session and the Origin check (SPEC §3 "WebSocket").

A missing session is refused by the consumer before it accepts; an Origin that is not exactly one
of the served origins (`consumers.origins`), a missing one and `Origin: null` are refused here,
at the handshake.
"""

from channels.routing import URLRouter
from channels.sessions import CookieMiddleware
from django.urls import path

from consumers.inbox import InboxConsumer
from consumers.origins import ExactOriginValidator

# Not channels' AllowedHostsOriginValidator: it checks the Origin's host alone, so
# http://127.0.0.1:9999 and https://localhost passed for a server at http://127.0.0.1:8000.
# The consumer itself finds who the session cookie signs in (`consumers.state.opening`).
websocket_application = ExactOriginValidator(CookieMiddleware(
    URLRouter([path("ws/", InboxConsumer.as_asgi())])
))
