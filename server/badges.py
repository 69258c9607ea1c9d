"""The badge: unread, not deleted messages in threads the user sees — always from the database."""

from django.db.models import Count

from server.models import Thread, UnreadMark
from server.visibility import visible_threads


def _unread_marks(person):
    live_threads = Thread.objects.filter(visible_threads(person), deleted_at__isnull=True)
    return UnreadMark.objects.filter(user_id=person.user_id, message__deleted_at__isnull=True,
                                     thread__in=live_threads.values("pk"))


def badge_for(person) -> int:
    return _unread_marks(person).count()


def unread_by_thread(person, thread_ids) -> dict:
    """{thread_id: unread count} for `person` over `thread_ids`."""
    rows = (_unread_marks(person).filter(thread_id__in=thread_ids)
            .values("thread_id").annotate(n=Count("id")))
    return {row["thread_id"]: row["n"] for row in rows}
