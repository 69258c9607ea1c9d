"""The servers Cairn is measured against, each run as its own process (the bench's side of each,
how to start it, connect to it and publish through it, is in `bench/peers.py`):

- `ceiling.py` (C1): a bare `websockets` server; a frame from a publisher socket goes to every
  subscriber with `websockets.broadcast()`.
- `floor.py` (C1d): C1's broadcast as a bare ASGI application under daphne, with Cairn's server
  settings and collector tuning and no Channels: what the stack costs before any application work.
- `stock.py` (C2, C2s): the Channels tutorial chat consumer on daphne, on the channel layer of
  `layers.py`; no database, no access control. A socket in the room sends; the consumer
  `group_send`s to the room.
- `persisted/` (C2p): the same consumer saving each message through the ORM before it sends, a
  minimal Django project with its own database.
"""
