"""Opaque keyset cursors for `before=` / `next`."""

import base64
from datetime import datetime, timezone

from server.errors import invalid


def encode(moment: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{pk}".encode()).decode()


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        moment, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment, pk = datetime.fromisoformat(moment), int(pk)
        # Hand-made cursors: no naive or out-of-range moments, no ids past 64 bits.
        if moment.tzinfo is None or not -2**63 <= pk < 2**63:
            raise ValueError(cursor)
        return moment.astimezone(timezone.utc), pk
    except (ValueError, UnicodeError, OverflowError):
        raise invalid("invalid_cursor", "before: not a cursor this API gave out.", field="before")


def limit_of(value, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise invalid("invalid", f"limit must be 1 to {maximum}.", field="limit")
    return value


def check_id(value, field: str) -> None:
    """Ids are 64-bit: a longer number would overflow the database driver (422, not 500)."""
    if value is not None and not -2**63 <= value < 2**63:
        raise invalid("invalid", f"{field}: not an id.", field=field)
