"""The per-user read model: unread counts, archive flags and the badge, always from the
database. HTTP serialisation, the badge, the live fan-out and `resume` all read them here.

A thread's unread count is the user's `ThreadUnread` row, kept on write beside the marks
(`server.unread`): nothing here counts marks, so no read grows with the messages a user left
unread (docs/PERFORMANCE.md, F15). Marks are read only for the dots of given messages.

`Marks` holds unread counts, archive flags and unread dots of given messages for users ×
threads: one thread's viewers (the fan-out), one user's threads (replay), one user and one thread
(a summary).

The badge is the sum of a user's counts over the live threads they see now. One user's badge
(`badge_for`) reads their count rows (one per thread holding something unread) and tests each
row's thread with one primary-key probe (`sees_live_thread`), so it costs the same however many
threads the practice holds (F6). The fan-out's badges for all of a thread's viewers
(`badges_for`) test each thread once per view instead of once per row (F11)."""

from dataclasses import dataclass

from django.db.models import (BigIntegerField, BooleanField, Case, Exists, OuterRef, Q, Subquery,
                              Sum, Value, When)
from django.db.models.functions import Coalesce

from server.models import ArchiveMark, Thread, ThreadUnread, UnreadMark
from server.visibility import sees_live_thread, view_of, visible_threads


def unread_threads(person):
    """`person`'s unread counts that count: in live threads they see now."""
    return ThreadUnread.objects.filter(Q(user_id=person.user_id, unread__gt=0)
                                       & Q(sees_live_thread(person)))


def badge_for(person) -> int:
    return unread_threads(person).aggregate(n=Sum("unread"))["n"] or 0


def badges_for(persons) -> dict:
    """{str(user_id): unread} for `persons`, in two queries: their counts, then which of those
    threads each distinct view (`view_of`) sees now. A thread's hundred viewers are a handful of
    views; a thread is tested once per view, not once per person (docs/PERFORMANCE.md, F11)."""
    counts = {str(p.user_id): 0 for p in persons}
    per_thread = list(ThreadUnread.objects
                      .filter(user_id__in=[p.user_id for p in persons], unread__gt=0)
                      .values_list("user_id", "thread_id", "unread"))
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
    return dict(unread_threads(person).filter(thread_id__in=thread_ids)
                .values_list("thread_id", "unread"))


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
    `message_ids` (messages of those threads) they hold unread, in two queries: the counts and
    the asked marks in one, the archive flags."""
    user_ids, thread_ids, message_ids = list(user_ids), list(thread_ids), list(message_ids)
    if not user_ids or not thread_ids:
        return Marks({}, set(), set())
    # Rows of both kinds side by side: (user, thread, count, None) and (user, thread, 0, message).
    rows = (ThreadUnread.objects.filter(user_id__in=user_ids, thread_id__in=thread_ids,
                                        unread__gt=0)
            .values_list("user_id", "thread_id", "unread",
                         Value(None, output_field=BigIntegerField())))
    if message_ids:
        rows = rows.union(UnreadMark.objects.filter(user_id__in=user_ids,
                                                    message_id__in=message_ids)
                          .values_list("user_id", "thread_id", Value(0), "message_id"), all=True)
    unread, unread_messages = {}, set()
    for uid, tid, n, message_id in rows:
        if message_id is None:
            unread[uid, tid] = n
        else:
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
    count = ThreadUnread.objects.filter(thread=OuterRef("pk"), user_id=user_id)
    return threads.annotate(
        unread_count=Coalesce(Subquery(count.values("unread")[:1]), 0),
        archived=Exists(ArchiveMark.objects.filter(thread=OuterRef("pk"), user_id=user_id)),
    )
