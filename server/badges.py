"""The badge: unread, not deleted messages in threads the user sees — always from the database.

Every count here is driven by the user's unread marks (the `unread_user_thread` index) and tests
each mark's thread with one primary-key probe (`sees_live_thread`), so it costs the same however
many threads the practice holds (docs/PERFORMANCE.md, W5 and F6)."""

from collections import defaultdict

from django.db.models import Count, Q

from server.models import UnreadMark
from server.visibility import sees_live_thread, view_of

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
    """{str(user_id): unread} for `persons`, in one grouped query with one branch per distinct
    view (`view_of`), not per person: a thread's hundred viewers are a handful of views."""
    if not persons:
        return {}
    alike = defaultdict(list)
    for person in persons:
        alike[view_of(person)].append(person)
    seen = Q()
    for group in alike.values():
        seen |= Q(user_id__in=[p.user_id for p in group]) & Q(sees_live_thread(group[0]))
    rows = (UnreadMark.objects.filter(_LIVE, seen).values("user_id").annotate(n=Count("id")))
    counts = {str(p.user_id): 0 for p in persons}
    counts.update({str(row["user_id"]): row["n"] for row in rows})
    return counts


def unread_by_thread(person, thread_ids) -> dict:
    """{thread_id: unread count} for `person` over `thread_ids`."""
    rows = (live_marks(person).filter(thread_id__in=thread_ids)
            .values("thread_id").annotate(n=Count("id")))
    return {row["thread_id"]: row["n"] for row in rows}
