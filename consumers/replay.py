"""`resume`: the events after a cursor that a user may see now, as envelopes for `frames`."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Max, Min, Q

from server import events
from server.badges import badge_for
from server.models import ArchiveMark, Event, Thread, UnreadMark
from consumers.fanout import thread_facts_dict

# A resume longer than this answers `resync_required`: refetching is cheaper than replaying.
MAX_REPLAY = 5000


@dataclass
class Replay:
    envelopes: list  # in cursor order, each addressed to the resuming user alone
    head: int        # the cursor to resume from next time
    badge: int       # the user's badge now


def head_cursor() -> int:
    """The newest cursor in the log. With the log empty, the last id ever handed out, so that a
    socket's first cursor is not taken for one older than the log once events arrive."""
    newest = Event.objects.aggregate(newest=Max("id"))["newest"]
    return newest if newest is not None else _last_allocated_id()


def _last_allocated_id() -> int:
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


def replay(person, after: int) -> Replay | None:
    """Every event after `after` that `person` may see now, or None when the client must resync:
    the cursor is older than the retained log, newer than the log, the gap is too long, or the
    user's access changed in between (what they lost is no longer named by any event)."""
    bounds = Event.objects.aggregate(oldest=Min("id"), newest=Max("id"))
    newest = bounds["newest"] if bounds["newest"] is not None else _last_allocated_id()
    if after > newest:
        return None
    # `events.prune` always keeps the newest row, so `oldest` is where the retained log starts.
    if bounds["oldest"] is not None and after < bounds["oldest"] - 1:
        return None
    mine = Q(user_id=person.user_id) | Q(user_id__isnull=True, thread__isnull=False)
    rows = list(Event.objects.filter(mine, practice_id=person.practice_id, id__gt=after,
                                     id__lte=newest).order_by("id")[:MAX_REPLAY + 1])
    if len(rows) > MAX_REPLAY or any(row.type == events.ACCESS_CHANGED for row in rows):
        return None
    thread_ids = {row.thread_id or _payload_thread_id(row.payload) for row in rows} - {None}
    threads = {t.pk: t for t in Thread.objects.filter(pk__in=thread_ids)}
    unread = dict(UnreadMark.objects.filter(user_id=person.user_id, thread_id__in=thread_ids,
                                            message__deleted_at__isnull=True)
                  .values("thread_id").annotate(n=Count("id")).values_list("thread_id", "n"))
    archived = set(ArchiveMark.objects.filter(user_id=person.user_id, thread_id__in=thread_ids)
                   .values_list("thread_id", flat=True))
    key = str(person.user_id)
    envelopes = []
    for row in rows:
        thread_id = row.thread_id or _payload_thread_id(row.payload)
        thread = threads.get(thread_id)
        envelopes.append({
            "type": row.type, "cursor": row.pk, "payload": row.payload, "user_id": row.user_id,
            "thread": thread_facts_dict(thread) if thread is not None else None,
            "viewers": [person.user_id], "badges": {},
            "unread_counts": {key: unread.get(thread_id, 0)},
            "archived": [person.user_id] if thread_id in archived else [],
        })
    return Replay(envelopes, newest, badge_for(person))


def _payload_thread_id(payload) -> int | None:
    payload = payload or {}
    thread_id = payload.get("thread_id") or (payload.get("thread") or {}).get("id")
    return thread_id if isinstance(thread_id, int) else None
