"""WebSocket routing. The full consumer arrives with the live-inbox work."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

websocket_application = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([])))
