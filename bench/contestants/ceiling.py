"""C1, the ceiling: the least a Python WebSocket fan-out can cost. Subscribers connect to `/`;
every frame a socket on `/pub` sends is broadcast to all subscribers with `websockets.broadcast`.

python -m bench.contestants.ceiling --port P
"""

import argparse
import asyncio
import signal

import websockets
from websockets.asyncio.server import serve

SUBSCRIBERS = set()


async def handler(ws):
    if ws.request.path.startswith("/pub"):
        async for frame in ws:
            websockets.broadcast(SUBSCRIBERS, frame)
        return
    SUBSCRIBERS.add(ws)
    try:
        await ws.wait_closed()
    finally:
        SUBSCRIBERS.discard(ws)


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set_result, None)
    async with serve(handler, "127.0.0.1", port, compression=None, ping_interval=None,
                     backlog=4096):
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
