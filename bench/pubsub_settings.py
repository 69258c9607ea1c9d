"""Cairn's settings with `RedisPubSubChannelLayer` instead of `RedisChannelLayer` (C3b)."""

from server.settings import *  # noqa: F401,F403
from server.settings import REDIS_URL

CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                              "CONFIG": {"hosts": [REDIS_URL]}}}
