"""The ASGI application: Django for HTTP, the Cairn consumer for /ws/."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi = get_asgi_application()

from consumers.routing import websocket_application  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402

application = ProtocolTypeRouter({"http": django_asgi, "websocket": websocket_application})
