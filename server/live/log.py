"""The event log: recording declared events and publish-after-commit.

Each state change writes its `Event` rows in its own transaction (`record`), and the rows are
handed to the live fan-out (`server.live.publish`) only once that transaction commits. A push can
be lost; the log cannot, so a reconnecting socket resumes from its cursor. `prune` keeps the log
to `RETENTION` (a socket resuming from older than that is told to resync); `push_pending` pushes
what was committed but never pushed. Both run in the housekeeping loop (`server.housekeeping`).
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from server.live import publish
from server.live.declared import AccessChanged, Declared
from server.models import Event

# The close code that tells a socket to reconnect and resume (consumers/inbox.py, RECONNECT).
RECONNECT_CODE = 4012

log = logging.getLogger(__name__)

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


def record(practice_id: int, event: Declared) -> Event:
    """Write one event row now and publish it after the surrounding transaction commits.

    Callers outside `writing` get the log lock here, late but still before the insert.
    """
    return record_many(practice_id, [event])[0]


def record_many(practice_id: int, events) -> list:
    """`record` for several events in one insert (a client opening a thread with many unseen
    messages must not cost a query per message)."""
    hold_log(practice_id)
    rows = Event.objects.bulk_create(event_row(practice_id, event) for event in events)
    if rows:
        _push_after_commit(rows)
    return rows


def access_changed(practice_id: int, user_ids) -> None:
    """`user_ids` may now see other threads (roles, assignments, supervision, portal switch).

    Logs one `access.changed` event per user; after commit their live sockets reload their
    facts, drop threads they lost (`thread.removed`), get a fresh badge, or close (a client whose
    portal was switched off, a deactivated user).
    """
    record_many(practice_id, [AccessChanged(uid) for uid in sorted(set(user_ids))])


def event_row(practice_id: int, event: Declared) -> Event:
    """The (unsaved) row that records `event`: its thread and user as columns, the rest as
    payload."""
    return Event(practice_id=practice_id, type=event.name, payload=event.payload(),
                 thread_id=getattr(event, "thread_id", None),
                 user_id=getattr(event, "user_id", None))


def reconnect_user_sockets(user_id: int) -> None:
    """Ask every socket of `user_id` to reconnect and resume (after commit): those whose session
    has ended since fail the handshake, the others come back."""
    transaction.on_commit(lambda: _publish_safely("publish_close", user_id, RECONNECT_CODE))


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
    try:
        publish.publish_events(rows)
    except Exception:
        # The database already holds the change: a broken channel layer must not make it an error.
        log.exception("live push failed (clients will catch up on resume)")
        return
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


def head_cursor() -> int:
    """The newest cursor in the log. With the log empty, the last id ever handed out, so that a
    socket's first cursor is not taken for one older than the log once events arrive."""
    newest = Event.objects.aggregate(newest=Max("id"))["newest"]
    return newest if newest is not None else last_allocated_id()


def last_allocated_id() -> int:
    """The last event id the database handed out, whether or not its row is still there."""
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        elif connection.vendor == "postgresql":
            # last_value is NULL until the sequence hands out its first id.
            cursor.execute("SELECT last_value FROM pg_sequences WHERE format('%%I.%%I', "
                           "schemaname, sequencename) = pg_get_serial_sequence(%s, 'id')", [table])
        else:
            return 0
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0
