"""The badge: unread, not deleted messages in threads the user sees — always from the database."""

from django.db.models import Count, Q

from server.models import Thread, UnreadMark
from server.visibility import visible_threads

_LIVE = Q(message__deleted_at__isnull=True, thread__deleted_at__isnull=True)


def _visible_marks(person) -> Q:
    """`person`'s unread marks in the threads they see now."""
    return Q(user_id=person.user_id,
             thread__in=Thread.objects.filter(visible_threads(person)).values("pk"))


def badge_for(person) -> int:
    return UnreadMark.objects.filter(_LIVE, _visible_marks(person)).count()


def badges_for(persons) -> dict:
    """{str(user_id): unread} for `persons`, in one grouped query."""
    if not persons:
        return {}
    seen = Q()
    for person in persons:
        seen |= _visible_marks(person)
    rows = (UnreadMark.objects.filter(_LIVE, seen).values("user_id").annotate(n=Count("id")))
    counts = {str(p.user_id): 0 for p in persons}
    counts.update({str(row["user_id"]): row["n"] for row in rows})
    return counts


def unread_by_thread(person, thread_ids) -> dict:
    """{thread_id: unread count} for `person` over `thread_ids`."""
    rows = (UnreadMark.objects.filter(_LIVE, _visible_marks(person), thread_id__in=thread_ids)
            .values("thread_id").annotate(n=Count("id")))
    return {row["thread_id"]: row["n"] for row in rows}
