"""The two wire formats of /ws/: `json` (text frames, the default) and `msgpack` (binary frames,
the same objects). A frame of the wrong kind or that does not decode to an object is an error
the socket survives; the caller closes on frames over `MAX_FRAME`."""

import json

import msgpack
from django.conf import settings

MAX_FRAME = settings.WS_MAX_FRAME


class FrameError(Exception):
    """A frame the socket answers with `{"type": "error", "code": code}`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class JsonCodec:
    name = "json"
    binary = False

    def encode(self, obj) -> str:
        return json.dumps(obj, separators=(",", ":"))

    def decode(self, text_data=None, bytes_data=None) -> dict:
        if text_data is None:
            raise FrameError("binary_not_supported")
        try:
            obj = json.loads(text_data)
        except (ValueError, RecursionError):
            raise FrameError("malformed")
        return _object(obj)


class MsgpackCodec:
    name = "msgpack"
    binary = True

    def encode(self, obj) -> bytes:
        return msgpack.packb(obj, use_bin_type=True)

    def decode(self, text_data=None, bytes_data=None) -> dict:
        if bytes_data is None:
            raise FrameError("text_not_supported")
        try:
            obj = msgpack.unpackb(bytes_data, raw=False, strict_map_key=True)
        except (ValueError, TypeError, RecursionError, msgpack.UnpackException):
            raise FrameError("malformed")
        return _object(obj)


CODECS = {codec.name: codec for codec in (JsonCodec(), MsgpackCodec())}


def choose(offered) -> tuple:
    """(codec, subprotocol to answer) for the client's offered subprotocols; (None, None) when it
    offered some but none we speak. No offer means json, answered without a subprotocol."""
    if not offered:
        return CODECS["json"], None
    for name in offered:
        if name in CODECS:
            return CODECS[name], name
    return None, None


def frame_size(text_data=None, bytes_data=None) -> int:
    """The frame's size in bytes on the wire (text is UTF-8)."""
    if bytes_data is not None:
        return len(bytes_data)
    text = text_data or ""
    if len(text) > MAX_FRAME:
        return len(text)  # already too large, whatever the encoding
    return len(text.encode("utf-8", "surrogatepass"))


def _object(obj) -> dict:
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise FrameError("malformed")
    return obj
