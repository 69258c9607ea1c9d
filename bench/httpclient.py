"""A small asyncio HTTP/1.1 client with keep-alive, enough to drive Cairn's JSON API over
loopback without a third-party dependency (and without its overhead in the figures)."""

import asyncio
import json


class HttpError(Exception):
    pass


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


class Connection:
    """One keep-alive connection to `host:port`; requests on it go one at a time."""

    def __init__(self, host: str, port: int, *, local_host: str | None = None,
                 cookies: dict | None = None, headers: dict | None = None):
        self.host, self.port, self.local_host = host, port, local_host
        self.cookies = dict(cookies or {})
        self.headers = dict(headers or {})
        self.reader = self.writer = None
        self.lock = asyncio.Lock()

    async def _open(self):
        local = (self.local_host, 0) if self.local_host else None
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port,
                                                                 local_addr=local)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = None

    async def request(self, method: str, path: str, body=None, headers=None) -> Response:
        async with self.lock:
            for attempt in (1, 2):
                if self.writer is None:
                    await self._open()
                try:
                    return await self._exchange(method, path, body, headers)
                except (ConnectionError, asyncio.IncompleteReadError):
                    # The server closed an idle keep-alive connection: reconnect once.
                    await self.close()
                    if attempt == 2:
                        raise

    async def get(self, path: str, **kwargs) -> Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, data=None, **kwargs) -> Response:
        return await self.request("POST", path, body=data, **kwargs)

    async def _exchange(self, method, path, body, headers) -> Response:
        payload = b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        all_headers = {**self.headers, **(headers or {})}
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        all_headers["Content-Length"] = str(len(payload))
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
        status_line = await self.reader.readuntil(b"\r\n")
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        response_headers, set_cookies = {}, []
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            response_headers[name] = value
            if name == "set-cookie":
                set_cookies.append(value)
        for cookie in set_cookies:
            key, _, rest = cookie.partition("=")
            self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response_headers.get("transfer-encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                data += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            data = bytes(data)
        elif "content-length" in response_headers:
            data = await self.reader.readexactly(int(response_headers["content-length"]))
        elif status in (204, 304):
            data = b""
        else:
            data = await self.reader.read()
            await self.close()
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, response_headers, data)
