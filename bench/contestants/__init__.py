"""The servers measured side by side. Each contestant says how to start it, how a recipient
socket connects, and how one message is published to every recipient (the fan-out trigger).

- C1 "ceiling" (`ceiling.py`): a bare `websockets` server; a frame from a publisher socket goes
  to every subscriber with `websockets.broadcast()`.
- C1d "daphne floor" (`floor.py`): C1's broadcast as a bare ASGI application under daphne, with
  Cairn's server settings and no Channels: what the stack costs before any application work.
- C2 "stock peer" (`stock.py`): the Channels tutorial chat consumer on daphne (stock CLI, stock
  backlog) with `RedisChannelLayer` defaults; no database, no access control. A publisher socket
  in the room sends; the consumer `group_send`s to the room.
- C3 Cairn (`bench/cairn.py`): `python -m server serve` on PostgreSQL; recipients are staff tabs
  of clinical admins (the clinical audience), the publisher a clinician posting over HTTP.
"""
