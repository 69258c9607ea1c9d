"""The badge: unread, not deleted messages in threads the user sees — always from the database.

One user's count (`badge_for`) is driven by their unread marks (the `unread_user_thread` index)
and tests each mark's thread with one primary-key probe (`sees_live_thread`), so it costs the
same however many threads the practice holds (docs/PERFORMANCE.md, W5 and F6). The fan-out's
count for all of a thread's viewers (`badges_for`) counts marks per (user, thread) and tests each
pair's thread once instead: per-mark probes made a post's cost grow tenfold with the marks its
viewers left unread (F11)."""

from django.db.models import BooleanField, Case, Count, Q, Value, When

from server.models import Thread, UnreadMark
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
