"""C2, the Channels peer: the Channels tutorial's chat consumer (async version), as the tutorial
writes it, on channels-redis configured as a competent user would (`layers`: BENCH_LAYER "list"
for `RedisChannelLayer` with its timeout and pool fixed, "pubsub" for the pub/sub layer). No
database, no sessions, no access control.

daphne -b 127.0.0.1 -p P bench.contestants.stock:application   (stock daphne: its default backlog)
"""

import json
import os

import django
from django.conf import settings

from bench.contestants.layers import channel_layers

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-stock-peer",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["channels"],
        ROOT_URLCONF=__name__,
        CHANNEL_LAYERS=channel_layers(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                                      os.environ.get("BENCH_LAYER", "list")),
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

urlpatterns = []


class ChatConsumer(AsyncWebsocketConsumer):
    """chat/consumers.py from the Channels tutorial, part 3."""

    async def connect(self):
        self.room_name = self.scope["url_route"]["kwargs"]["room_name"]
        self.room_group_name = f"chat_{self.room_name}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        text_data_json = json.loads(text_data)
        message = text_data_json["message"]
        await self.channel_layer.group_send(self.room_group_name,
                                            {"type": "chat.message", "message": message})

    async def chat_message(self, event):
        message = event["message"]
        await self.send(text_data=json.dumps({"message": message}))


application = ProtocolTypeRouter({
    "websocket": URLRouter([re_path(r"ws/chat/(?P<room_name>\w+)/$", ChatConsumer.as_asgi())]),
})
