"""The event log and publish-after-commit.

Each state change writes its `Event` rows in its own transaction (`record`), and the rows are
handed to the live fan-out only once that transaction commits. A push can be lost; the log
cannot, so a reconnecting socket resumes from its cursor.
"""

import logging

from django.db import transaction

from server.models import Event

log = logging.getLogger(__name__)

# Event types (SPEC §3 WebSocket).
MESSAGE_CREATED = "message.created"
MESSAGE_DELETED = "message.deleted"
MESSAGE_READ_STATE = "message.read_state"
RECEIPT_SEEN = "receipt.seen"
THREAD_CREATED = "thread.created"
THREAD_UPDATED = "thread.updated"
THREAD_REMOVED = "thread.removed"
BADGE = "badge"


def record(practice_id: int, type: str, payload: dict, *, thread=None, user_id=None) -> Event:
    """Write one event row now and publish it after the surrounding transaction commits.

    A `thread` event reaches whoever sees that thread; a `user_id` event reaches that user only.
    """
    event = Event.objects.create(practice_id=practice_id, type=type, payload=payload,
                                 thread=thread, user_id=user_id)
    transaction.on_commit(lambda: _publish_safely(event))
    return event


def access_changed(practice_id: int, user_ids) -> None:
    """After commit, tell live sockets of `user_ids` that what they may see has changed."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: _publish_safely(None, access_changed=(practice_id, ids)))


def _publish_safely(event, **signal):
    # The database already holds the change; a broken channel layer must not turn that into an error.
    try:
        _publisher(event, **signal)
    except Exception:
        log.exception("live push failed (clients will catch up on resume)")


def _no_publisher(event, **signal):
    return None


_publisher = _no_publisher  # until consumers.fanout installs the real one


def set_publisher(publish) -> None:
    """Install the live fan-out (`consumers.fanout` does so when the ASGI app loads)."""
    global _publisher
    _publisher = publish


def signed_out(practice_id: int, user_id: int) -> None:
    """After commit, close the live sockets of `user_id` (sign-out)."""
    transaction.on_commit(lambda: _publish_safely(None, signed_out=(practice_id, user_id)))
