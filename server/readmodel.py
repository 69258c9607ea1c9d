"""The per-user read model: unread counts, archive flags and the badge, always from the
database. HTTP serialisation, the badge, the live fan-out and `resume` all read them here.

`Marks` holds unread counts, archive flags and unread dots of given messages for users ×
threads in two queries: one thread's viewers (the fan-out), one user's threads (replay), one
user and one thread (a summary). A thread's unread count is its live messages the user holds
unread marks of.

The badge is unread, not deleted messages in threads the user sees. One user's count
(`badge_for`) is driven by their unread marks (the `unread_user_thread` index) and tests each
mark's thread with one primary-key probe (`sees_live_thread`), so it costs the
same however many threads the practice holds (docs/PERFORMANCE.md, W5 and F6). The fan-out's
count for all of a thread's viewers (`badges_for`) counts marks per (user, thread) and tests each
pair's thread once instead: per-mark probes made a post's cost grow tenfold with the marks its
viewers left unread (F11)."""

from dataclasses import dataclass

from django.db.models import (BigIntegerField, BooleanField, Case, Count, Exists, F, OuterRef, Q,
                              Value, When)

from server.models import ArchiveMark, Thread, UnreadMark
from server.visibility import sees_live_thread, view_of, visible_threads

_LIVE = Q(message__deleted_at__isnull=True)


def _visible_marks(person) -> Q:
    """`person`'s unread marks in the live threads they see now."""
    return Q(user_id=person.user_id) & Q(sees_live_thread(person))


def live_marks(person):
    """`person`'s unread marks that count: live messages in live threads they see now."""
    return UnreadMark.objects.filter(_LIVE, _visible_marks(person))


def badge_for(person) -> int:
    return live_marks(person).count()


def badges_for(persons) -> dict:
    """{str(user_id): unread} for `persons`, in two queries: their live marks counted per
    (user, thread), then which of those threads each distinct view (`view_of`) sees now. A
    thread's hundred viewers are a handful of views; a thread is tested once per view, not once
    per mark (docs/PERFORMANCE.md, F11)."""
    counts = {str(p.user_id): 0 for p in persons}
    per_thread = list(UnreadMark.objects.filter(_LIVE, user_id__in=[p.user_id for p in persons])
                      .values_list("user_id", "thread_id").annotate(n=Count("id")).order_by())
    if not per_thread:
        return counts
    views, user_view = {}, {}  # a person of each view; each user's view
    for person in persons:
        user_view[person.user_id] = view_of(person)
        views.setdefault(user_view[person.user_id], person)
    seen = {f"v{i}": Case(When(visible_threads(person), then=Value(True)), default=Value(False),
                          output_field=BooleanField())
            for i, person in enumerate(views.values())}
    rows = (Thread.objects.filter(pk__in={thread_id for _, thread_id, _ in per_thread},
                                  deleted_at__isnull=True)
            .annotate(**seen).values_list("pk", *seen))
    visible = {(view, row[0]) for row in rows for view, flag in zip(views, row[1:]) if flag}
    for user_id, thread_id, n in per_thread:
        if (user_view[user_id], thread_id) in visible:
            counts[str(user_id)] += n
    return counts


def unread_by_thread(person, thread_ids) -> dict:
    """{thread_id: unread count} for `person` over `thread_ids`."""
    rows = (live_marks(person).filter(thread_id__in=thread_ids)
            .values("thread_id").annotate(n=Count("id")))
    return {row["thread_id"]: row["n"] for row in rows}


@dataclass
class Marks:
    """Unread counts and archive flags of some users in some threads, and which of some
    messages they hold unread."""

    unread: dict    # {(user_id, thread_id): unread live messages}
    archived: set   # {(user_id, thread_id)}
    unread_messages: set  # {(user_id, message_id)} of the messages asked about

    def unread_count(self, user_id: int, thread_id: int) -> int:
        return self.unread.get((user_id, thread_id), 0)

    def is_archived(self, user_id: int, thread_id: int) -> bool:
        return (user_id, thread_id) in self.archived


def marks_for(user_ids, thread_ids, message_ids=()) -> Marks:
    """The unread counts and archive flags of `user_ids` in `thread_ids`, and which of
    `message_ids` (live messages of those threads) they hold unread, in two queries."""
    user_ids, thread_ids, message_ids = list(user_ids), list(thread_ids), list(message_ids)
    if not user_ids or not thread_ids:
        return Marks({}, set(), set())
    # Counted per (user, thread, one of `message_ids` or NULL for the others): the rows give
    # both the counts and the unread dots.
    asked = (Case(When(message_id__in=message_ids, then=F("message_id")), default=None)
             if message_ids else Value(None, output_field=BigIntegerField()))
    rows = (UnreadMark.objects.filter(_LIVE, user_id__in=user_ids, thread_id__in=thread_ids)
            .annotate(asked=asked).values_list("user_id", "thread_id", "asked")
            .annotate(n=Count("id")).order_by())
    unread, unread_messages = {}, set()
    for uid, tid, message_id, n in rows:
        unread[uid, tid] = unread.get((uid, tid), 0) + n
        if message_id is not None:
            unread_messages.add((uid, message_id))
    archived = (ArchiveMark.objects.filter(user_id__in=user_ids, thread_id__in=thread_ids)
                .values_list("user_id", "thread_id"))
    return Marks(unread, set(archived), unread_messages)


def unread_in(user_id: int, thread) -> set:
    """The ids of `thread`'s messages `user_id` holds unread."""
    return set(UnreadMark.objects.filter(user_id=user_id, thread=thread)
               .values_list("message_id", flat=True))


def with_user_marks(threads, user_id):
    """Annotate a thread queryset with `user_id`'s unread count and archive flag."""
    return threads.annotate(
        unread_count=Count("unread_marks", filter=Q(
            unread_marks__user_id=user_id, unread_marks__message__deleted_at__isnull=True)),
        archived=Exists(ArchiveMark.objects.filter(thread=OuterRef("pk"), user_id=user_id)),
    )
