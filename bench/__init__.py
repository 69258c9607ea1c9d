"""Cairn's load tool: `python -m bench …` starts what it measures, drives it over loopback with an
asyncio `websockets` client and a small HTTP client, prints a table and writes JSON.

Contestants (`contestants`): C1 a bare `websockets` server (the ceiling), C2 the Channels
tutorial chat on daphne with `RedisChannelLayer` defaults (the stock peer), C3 Cairn itself
(C3b: Cairn on `RedisPubSubChannelLayer`, C3m: Cairn on the in-memory layer).
Workloads: W1 idle sockets (`idle`), W2 fan-out (`fanout`), W5 inbox at scale (`inbox`).
See docs/PERFORMANCE.md for the method and the figures.
"""
