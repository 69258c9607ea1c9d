"""The channel layer the Channels peers (C2, C2s, C2p) run on, configured as a competent user
would: channels-redis' `RedisChannelLayer` with the fix Cairn's F1 found (a read timeout above
the layer's 5 s blocking pop, a pool that covers a connect storm, room in each channel for a
burst), or its `RedisPubSubChannelLayer`, Cairn's own choice."""

LAYERS = {"list": "RedisChannelLayer (timeout and pool fixed)",
          "pubsub": "RedisPubSubChannelLayer"}


def channel_layers(url: str, layer: str) -> dict:
    """Django's CHANNEL_LAYERS for the Redis at `url`."""
    if layer == "pubsub":
        return {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                            "CONFIG": {"hosts": [url]}}}
    # redis-py's 5 s socket timeout equals the layer's 5 s BZPOPMIN and its pool of 100 raises
    # when a storm needs more; a channel holds 100 messages by default and drops the rest.
    host = {"address": url, "socket_timeout": 15, "max_connections": 2000}
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                        "CONFIG": {"hosts": [host], "capacity": 10_000}}}
