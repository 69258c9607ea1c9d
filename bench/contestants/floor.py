"""C1d, daphne's floor: C1's broadcast as a bare ASGI application under daphne, with Cairn's
server settings and collector tuning (`server.management.commands.serve`: backlog, handshake
timeouts, pings; `gc.freeze()` after start-up and its thresholds) and no Channels, database or
rules. What any application on this stack pays per socket and per frame
before doing anything of its own.

python -m bench.contestants.floor --port P
"""

import argparse
import os

# serve's daphne settings read Cairn's settings (the frame cap); no Django app is set up.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

# Imported first: it installs Twisted's asyncio reactor (through daphne.server).
from server.management.commands.serve import _collect_less, daphne_server  # isort: skip

SUBSCRIBERS = {}  # each subscriber socket's ASGI `send`


async def application(scope, receive, send):
    if scope["type"] != "websocket":
        return
    publisher = scope["path"].startswith("/pub")
    while True:
        event = await receive()
        if event["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            if not publisher:
                SUBSCRIBERS[id(send)] = send
        elif event["type"] == "websocket.receive" and publisher:
            frame = {"type": "websocket.send", "text": event.get("text")}
            for subscriber in list(SUBSCRIBERS.values()):
                await subscriber(frame)
        elif event["type"] == "websocket.disconnect":
            SUBSCRIBERS.pop(id(send), None)
            return


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    server = daphne_server(application, "127.0.0.1", parser.parse_args().port)
    _collect_less()
    server.run()
