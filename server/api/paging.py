"""Opaque keyset cursors for `before=` / `next`."""

import base64
from datetime import datetime

from server.errors import invalid


def encode(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode()


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        moment, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(moment), int(pk)
    except (ValueError, UnicodeError):
        raise invalid("invalid_cursor", "before: not a cursor this API gave out.", field="before")


def limit_of(value, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise invalid("invalid", f"limit must be 1 to {maximum}.", field="limit")
    return value
