"""A WebSocket client on a bare socket, for what a well-behaved library will not send: odd bytes in
handshake headers, huge subprotocol lists, invalid UTF-8 in a text frame, fragments."""

import base64
import json
import os
import socket
import struct

import msgpack

TEXT, BINARY, CLOSE, PING, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0x0


def handshake_request(port: int, cookie: str | None, *, origin: bytes | None = None,
                      protocols: bytes | None = b"json", extra: bytes = b"") -> bytes:
    """The bytes of an upgrade request for /ws/; every part may be replaced by raw bytes."""
    lines = [b"GET /ws/ HTTP/1.1", b"Host: 127.0.0.1:%d" % port, b"Upgrade: websocket",
             b"Connection: Upgrade", b"Sec-WebSocket-Version: 13",
             b"Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)),
             b"Origin: " + (origin if origin is not None else b"http://127.0.0.1:%d" % port)]
    if cookie:
        lines.append(b"Cookie: sessionid=" + cookie.encode())
    if protocols is not None:
        lines.append(b"Sec-WebSocket-Protocol: " + protocols)
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


class RawSocket:
    """One connection: send a handshake, then frames; read the status and the server's frames."""

    def __init__(self, port: int, timeout: float = 10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed by the server")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def upgrade(self, request: bytes) -> tuple[int, dict]:
        """Send `request`; return the status code and the response headers (lower-case names).
        A server that drops the connection without answering counts as status 0."""
        self.sock.sendall(request)
        try:
            while b"\r\n\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return 0, {}
                self.buffer += chunk
        except ConnectionResetError:
            return 0, {}
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers

    def send_frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        """A masked client frame."""
        mask = os.urandom(4)
        first = (0x80 if fin else 0) | opcode
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", first, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", first, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", first, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def frame(self) -> tuple[int, bytes]:
        """The next server frame (opcode, payload); pings are skipped."""
        while True:
            first, second = self._read(2)
            n = second & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            opcode, payload = first & 0x0F, self._read(n)
            if opcode != PING:
                return opcode, payload

    def message(self) -> dict:
        """The next data frame, decoded (JSON text or msgpack binary)."""
        opcode, payload = self.frame()
        if opcode == CLOSE:
            raise ConnectionError(f"closed with {close_code(payload)}")
        return json.loads(payload) if opcode == TEXT else msgpack.unpackb(payload, raw=False)

    def close_code(self) -> int | None:
        """Read frames up to the server's close frame and return its code (None: dropped)."""
        try:
            while True:
                opcode, payload = self.frame()
                if opcode == CLOSE:
                    return close_code(payload)
        except (ConnectionError, OSError):
            return None


def close_code(payload: bytes) -> int | None:
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
