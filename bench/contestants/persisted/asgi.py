"""The persisted peer's ASGI application: the tutorial's consumer, saving before it sends."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.contestants.persisted.settings")

import django  # noqa: E402

django.setup()

from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from bench.contestants.persisted.models import ChatMessage  # noqa: E402

urlpatterns = []


class ChatConsumer(AsyncWebsocketConsumer):
    """The Channels tutorial's chat consumer (part 3), with the message saved before it is sent."""

    async def connect(self):
        self.room_name = self.scope["url_route"]["kwargs"]["room_name"]
        self.room_group_name = f"chat_{self.room_name}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data):
        message = json.loads(text_data)["message"]
        await self.save(message)
        await self.channel_layer.group_send(self.room_group_name,
                                            {"type": "chat.message", "message": message})

    @database_sync_to_async
    def save(self, message):
        ChatMessage.objects.create(room=self.room_name, body=message)

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"message": event["message"]}))


application = ProtocolTypeRouter({
    "websocket": URLRouter([re_path(r"ws/chat/(?P<room_name>\w+)/$", ChatConsumer.as_asgi())]),
})
