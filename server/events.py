"""The event log and publish-after-commit.

Each state change writes its `Event` rows in its own transaction (`record`), and the rows are
handed to the live fan-out (`consumers.fanout`) only once that transaction commits. A push can be
lost; the log cannot, so a reconnecting socket resumes from its cursor. `prune` keeps the log to
`RETENTION` (a socket resuming from older than that is told to resync).
"""

import logging
from datetime import timedelta

from contextlib import contextmanager

from django.conf import settings
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
# To each clinical staff user who sees it: the thread became urgent (SPEC §4 "Safety").
THREAD_URGENT = "thread.urgent"
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
    _push_after_commit([event])
    return event


def record_many(practice_id: int, type: str, payloads, *, thread=None, user_id=None) -> list:
    """`record` for several events of one type in one insert (a client opening a thread with
    many unseen messages must not cost a query per message)."""
    hold_log(practice_id)
    rows = Event.objects.bulk_create(
        Event(practice_id=practice_id, type=type, payload=payload, thread=thread, user_id=user_id)
        for payload in payloads)
    if rows:
        _push_after_commit(rows)
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
    _push_after_commit(rows)


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


def close_user_sockets(user_id: int) -> None:
    """Close every live socket of `user_id` (after commit; at once outside a transaction)."""
    transaction.on_commit(lambda: _publish_safely("publish_close", user_id))


def push_pending(*, older_than: timedelta = timedelta(seconds=5), practice_id=None,
                 limit: int = 500) -> int:
    """Push committed events that were never pushed; returns how many.

    Their process died between commit and push, or the channel layer was down. Sockets drop a
    cursor they already sent, so pushing an event twice is harmless; missing one is not: a socket
    that heard later events would resume past it.
    """
    rows = Event.objects.filter(pushed=False, created_at__lte=timezone.now() - older_than)
    if practice_id is not None:
        rows = rows.filter(practice_id=practice_id)
    rows = list(rows.order_by("id")[:limit])
    if rows:
        _push(rows)
    return len(rows)


def shared_channel_layer() -> bool:
    """Whether the channel layer reaches sockets from any thread or process (Redis). The
    in-memory layer belongs to the server's own event loop: only its requests push into it."""
    return "InMemory" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]


def push_pending_after_commit(practice_id: int) -> None:
    """After commit, push the practice's events that are still unpushed (a retried send whose
    first answer was lost may have lost its push too)."""
    transaction.on_commit(lambda: push_pending(older_than=timedelta(0), practice_id=practice_id))


class _Batch(list):
    """The events one transaction records, pushed together after it commits: one fan-out round
    (sharing its staff lookup), one mark as pushed."""

    def __call__(self):
        _push(list(self))


def _push_after_commit(rows) -> None:
    if not connection.in_atomic_block:
        return _push(rows)
    # Join the batch registered at this very savepoint level, which a rollback drops together
    # with these rows; never one registered inside a savepoint that may roll back without them.
    here = set(connection.savepoint_ids)
    for sids, func, _ in connection.run_on_commit:
        if isinstance(func, _Batch) and sids == here:
            func.extend(rows)
            return
    transaction.on_commit(_Batch(rows))


def _push(rows) -> None:
    """Publish committed rows, then mark them pushed (a failure leaves them for `push_pending`)."""
    if _publish_safely("publish_events", rows):
        try:
            Event.objects.filter(pk__in=[row.pk for row in rows]).update(pushed=True)
        except Exception:
            log.exception("could not mark events pushed (they will be pushed again)")


def prune(keep: timedelta = RETENTION) -> int:
    """Delete events older than `keep`; returns how many. The newest event always stays, so the
    oldest kept id marks how far back a socket can resume."""
    newest = Event.objects.aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return 0
    cutoff = timezone.now() - keep
    deleted, _ = Event.objects.filter(created_at__lt=cutoff, id__lt=newest).delete()
    return deleted


def _publish_safely(name: str, *args) -> bool:
    # The database already holds the change: a broken channel layer must not make it an error.
    try:
        from consumers import fanout

        getattr(fanout, name)(*args)
        return True
    except Exception:
        log.exception("live push failed (clients will catch up on resume)")
        return False
