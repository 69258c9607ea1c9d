"""Cairn's load tool: `python -m bench …` starts what it measures, drives it over loopback with an
asyncio `websockets` client and a small HTTP client, prints a table and writes JSON.

Contestants (`contestants`): C1 a bare `websockets` server (the ceiling), C1d the same broadcast
as a bare ASGI application under Cairn's daphne settings (the stack's floor), C2 the Channels
tutorial chat on daphne with `RedisChannelLayer` defaults (the stock peer), C3 Cairn itself
(on `RedisPubSubChannelLayer`, its default; C3b: Cairn on `RedisChannelLayer`, C3m: Cairn on
the in-memory layer).
Workloads: W1 idle sockets and W2 fan-out (`sockets`), W3 practice traffic (`traffic`), W4 two
processes on one Redis (`sockets.cross`), W5 inbox at scale (`inbox`; data from `seed`).
See docs/PERFORMANCE.md for the method and the figures.
"""
