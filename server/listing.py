"""One page of a user's threads (`GET /api/threads`), shaped so that a page costs about the same
with 1,000 and with 1,000,000 messages (docs/PERFORMANCE.md, W5 and F6):

- `inbox` and `all`, alone or with a client, audience or topic, read the page in order off an
  index (thread_activity, thread_client, thread_audience, thread_topic) and stop after it;
- `unread` starts from the caller's unread marks, not from every thread of the practice;
- `deleted` tests each thread with one probe of the partial index message_deleted;
- the archive flag costs one probe per thread of the page.

Those per-row tests are scalar subqueries on purpose: PostgreSQL may run an EXISTS as a hash of
every row it could match — all of the user's archive marks, every deleted message of the
database — which grows with the data; a scalar subquery is one probe per row, always. The
inbox's "not archived" stays a NOT EXISTS: as an anti-join the planner costs it well, whereas
a subquery in the WHERE clause, costed as a probe for every thread of the practice, pushes it
to fetch and sort them all."""

from datetime import datetime

from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from server.readmodel import live_marks
from server.models import ArchiveMark, Message, Thread
from server.visibility import visible_threads


def thread_page(who, filters: dict, state: str, size: int,
                before: tuple[datetime, int] | None = None) -> tuple[list, bool]:
    """Up to `size` threads `who` sees in `state`, narrowed by `filters` (field: value), newest
    activity first, older than the `before` cursor (moment, id); and whether more follow. Each
    thread carries `is_archived` (for `who`), its client and its topic."""
    if state == "unread":
        # The threads of the caller's counting unread marks, which are already checked for
        # visibility one mark at a time (server.readmodel).
        threads = Thread.objects.filter(pk__in=live_marks(who).values("thread_id"))
    else:
        threads = Thread.objects.filter(visible_threads(who))
    threads = threads.select_related("client", "topic").filter(**filters)
    if state == "deleted":
        threads = threads.alias(a_deleted_message=_a_deleted_message()).filter(
            Q(deleted_at__isnull=False) | Q(a_deleted_message__isnull=False))
    else:
        threads = threads.filter(deleted_at__isnull=True)
    archive_mark = ArchiveMark.objects.filter(thread=OuterRef("pk"), user_id=who.user_id)
    if state == "inbox":
        # An anti-join, which the planner costs well. The inbox leaves archived threads out, so
        # none of its threads is archived.
        threads = threads.filter(~Exists(archive_mark)).annotate(
            is_archived=Value(False, BooleanField()))
    else:
        threads = threads.annotate(is_archived=Coalesce(
            Subquery(archive_mark.values(flag=Value(True, BooleanField()))[:1]),
            Value(False), output_field=BooleanField()))
    if before:
        moment, pk = before
        threads = threads.filter(Q(last_message_at__lt=moment)
                                 | Q(last_message_at=moment, pk__lt=pk))
    page = list(threads.order_by("-last_message_at", "-id")[:size + 1])
    return page[:size], len(page) > size


def _a_deleted_message() -> Subquery:
    """The thread's id if it holds a deleted message, else NULL: one probe of message_deleted."""
    return Subquery(Message.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=False)
                    .order_by().values("thread_id")[:1])
