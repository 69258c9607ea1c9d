"""Cairn's settings with channels-redis' list-based `RedisChannelLayer` instead of its default
`RedisPubSubChannelLayer` (contestant C3b: the layer Cairn did not choose, kept to compare)."""

from server.settings import *  # noqa: F401,F403
from server.settings import REDIS_URL

CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                              "CONFIG": {"hosts": [REDIS_URL]}}}
