"""Opaque keyset cursors for `before=` / `next`."""

import base64
from datetime import datetime, timezone
from typing import NamedTuple

from server.errors import invalid

_URGENT = "u"


class Cursor(NamedTuple):
    """Where a page ended: its last thread's activity and id, and whether that thread was in
    the urgent part that staff listings show first (server.urgent_listing)."""

    moment: datetime
    pk: int
    urgent: bool = False


def encode(moment: datetime, pk: int, urgent: bool = False) -> str:
    text = f"{moment.isoformat()}|{pk}" + (f"|{_URGENT}" if urgent else "")
    return base64.urlsafe_b64encode(text.encode()).decode()


def next_cursor(thread) -> str:
    """The cursor after `thread`, the last of a page."""
    return encode(thread.last_message_at, thread.pk, getattr(thread, "urgent_first", False))


def decode(cursor: str) -> Cursor:
    try:
        moment, pk, *rest = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment, pk = datetime.fromisoformat(moment), int(pk)
        # Hand-made cursors: no naive or out-of-range moments, no ids past 64 bits.
        if moment.tzinfo is None or not -2**63 <= pk < 2**63 or rest not in ([], [_URGENT]):
            raise ValueError(cursor)
        return Cursor(moment.astimezone(timezone.utc), pk, bool(rest))
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
