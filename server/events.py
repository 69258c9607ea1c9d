"""The event log and publish-after-commit.

Each state change writes its `Event` rows in its own transaction (`record`), and the rows are
handed to the live fan-out (`consumers.fanout`) only once that transaction commits. A push can be
lost; the log cannot, so a reconnecting socket resumes from its cursor. `prune` keeps the log to
`RETENTION` (a socket resuming from older than that is told to resync).
"""

import logging
from datetime import timedelta

from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

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
# Internal: a user's roles or relationships changed. Never sent to a client as such: live sockets
# reload what their user may see, and a resume across it answers `resync_required`.
ACCESS_CHANGED = "access.changed"

# How long the log is kept at least (SPEC: a socket may resume from within this window).
RETENTION = timedelta(hours=24)


# The PostgreSQL advisory-lock namespace of the per-practice event log.
_LOG_LOCK = 7231


@contextmanager
def writing(practice_id: int):
    """A transaction that may record events of `practice_id`; takes the practice's log lock first.

    On PostgreSQL, ids come from a sequence as rows are inserted, not as transactions commit: two
    concurrent writers could commit ids 11 then 10, and a socket that saw 11 would resume past 10.
    Holding one lock per practice from the transaction's start to its commit makes a practice's
    event ids commit in order (replay reads one practice). Taken before any row lock, it cannot
    deadlock with them. SQLite serialises writers already.
    """
    with transaction.atomic():
        hold_log(practice_id)
        yield


def hold_log(practice_id: int) -> None:
    """Hold `practice_id`'s log lock until the current transaction ends (re-entrant)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [_LOG_LOCK, practice_id % 2_147_483_647])


def record(practice_id: int, type: str, payload: dict, *, thread=None, user_id=None) -> Event:
    """Write one event row now and publish it after the surrounding transaction commits.

    A `thread` event reaches whoever sees that thread; a `user_id` event reaches that user only
    (with `thread` too, it is about that thread and still checked against it). Callers outside
    `writing` get the log lock here, late but still before the insert.
    """
    hold_log(practice_id)
    event = Event.objects.create(practice_id=practice_id, type=type, payload=payload,
                                 thread=thread, user_id=user_id)
    transaction.on_commit(lambda: _publish_safely("publish_event", event))
    return event


def record_many(practice_id: int, type: str, payloads, *, thread=None, user_id=None) -> list:
    """`record` for several events of one type in one insert (a client opening a thread with
    many unseen messages must not cost a query per message)."""
    hold_log(practice_id)
    rows = Event.objects.bulk_create(
        Event(practice_id=practice_id, type=type, payload=payload, thread=thread, user_id=user_id)
        for payload in payloads)
    if rows:
        transaction.on_commit(lambda: _publish_safely("publish_events", rows))
    return rows


def access_changed(practice_id: int, user_ids) -> None:
    """`user_ids` may now see other threads (roles, assignments, supervision, portal switch).

    Logs one `access.changed` event per user; after commit their live sockets reload their
    facts, drop threads they lost (`thread.removed`), get a fresh badge, or close (a client whose
    portal was switched off, a deactivated user).
    """
    ids = sorted(set(user_ids))
    if not ids:
        return
    hold_log(practice_id)
    rows = Event.objects.bulk_create(
        Event(practice_id=practice_id, type=ACCESS_CHANGED, payload={}, user_id=uid) for uid in ids)
    transaction.on_commit(lambda: _publish_safely("publish_events", rows))


def recheck_sockets(user_ids, *, with_supervisors: bool = False) -> None:
    """After commit, live sockets of `user_ids` (and, `with_supervisors`, of their supervisors)
    reload what they may see. No event row: for changes made outside the actions, such as
    Django's admin."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: _publish_safely("publish_recheck", ids, with_supervisors))


def portal_switched(practice_id: int) -> None:
    """After commit, every client socket of the practice rechecks the portal switch."""
    transaction.on_commit(lambda: _publish_safely("publish_portal_switched", practice_id))


def signed_out(practice_id: int, user_id: int) -> None:
    """The user signed out: close every socket of theirs (after commit; at once outside one)."""
    close_user_sockets(user_id)


def close_user_sockets(user_id: int) -> None:
    """Close every live socket of `user_id` (after commit; at once outside a transaction)."""
    transaction.on_commit(lambda: _publish_safely("publish_close", user_id))


def prune(keep: timedelta = RETENTION) -> int:
    """Delete events older than `keep`; returns how many. The newest event always stays, so the
    oldest kept id marks how far back a socket can resume."""
    newest = Event.objects.aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return 0
    cutoff = timezone.now() - keep
    deleted, _ = Event.objects.filter(created_at__lt=cutoff, id__lt=newest).delete()
    return deleted


def _publish_safely(name: str, *args) -> None:
    # The database already holds the change: a broken channel layer must not make it an error.
    try:
        from consumers import fanout

        getattr(fanout, name)(*args)
    except Exception:
        log.exception("live push failed (clients will catch up on resume)")
