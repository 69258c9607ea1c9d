"""Cairn's load tool: `python -m bench …` starts what it measures, drives it over loopback with an
asyncio `websockets` client and a small HTTP client, prints a table and writes JSON.

How it is put together, one way down: `__main__` (arguments) → `runner` (databases, Redis, the
repetitions, medians and ratios) → the workloads, W1 idle sockets (`idle`), W2 fan-out
(`fanout`), W3 practice traffic (`traffic`), W4 two processes on one Redis (`crossprocess`), W5
inbox at scale (`inbox`, data from `seed`) → the contestants, each answering the interface of
`contestant` (`peers`: C1, C1d, C2, C2s, C2p; `cairn`: C3, C3b, C3m; by name in `lineup`) → the
client sockets (`pool`), CPU split by process (`cpu`), processes (`procs`), `databases`,
`private_redis`. `checks` says whether a run is sound; `report` prints its tables.
See docs/PERFORMANCE.md for the method and the figures.
"""
