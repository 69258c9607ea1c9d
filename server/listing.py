"""One page of a user's threads (`GET /api/threads`), shaped so that a page costs about the same
with 1,000 and with 1,000,000 messages (docs/PERFORMANCE.md, W5 and F6):

- `inbox` and `all`, alone or with a client, audience or topic, read the page in order off an
  index (thread_activity, thread_client, thread_audience, thread_topic) and stop after it;
- `unread` is a semi-join with the caller's unread counts, which the planner costs well either
  way: with many unread threads it walks the page's index and probes each thread's count
  (unique on user and thread), with a few it starts from them (F16);
- `deleted` tests each thread with one probe of the partial index message_deleted;
- the archive flag costs one probe per thread of the page;
- a search (`q`) probes the listing's first threads one by one, then asks the full-text index
  for the rest (server.search.matching_page).

Those per-row tests are scalar subqueries on purpose: PostgreSQL may run an EXISTS as a hash of
every row it could match — all of the user's archive marks, every deleted message of the
database — which grows with the data; a scalar subquery is one probe per row, always. The
inbox's "not archived" stays a NOT EXISTS and `unread` an EXISTS: as a (semi- or anti-) join the
planner costs them well, whereas a subquery in the WHERE clause, costed as a probe for every
thread of the practice, pushes it to fetch and sort them all."""


from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from rules import can_see_deleted
from server import search
from server.audit import audit_by
from server.errors import invalid
from server.readmodel import unread_by_thread
from server.serialize import for_client, latest_messages, thread_dict
from server.models import ArchiveMark, Message, Thread, ThreadUnread
from server.urgent_listing import page_of
from server.validation import clean_audience
from server.visibility import visible_threads

STATES = ("inbox", "unread", "all", "deleted")


def check_list_threads(actor, *, client=None, audience=None, topic=None, state="inbox",
                       size: int, before=None, q=None) -> tuple[list, list, bool]:
    """`GET /api/threads` for `actor`, its filters and search `q` as given in the query string
    and its page already parsed: (threads, their summaries, whether more follow). Bad filters are 422. A
    search's summaries carry their `match`, and the search is audited (snippets are text)."""
    who = actor.person
    if state not in STATES or (state == "deleted" and not can_see_deleted(who)):
        raise invalid("invalid_state", f"state must be one of {', '.join(STATES)}.", field="state")
    filters = {}
    if client is not None:
        filters["client_id"] = _int_param(client, "client")
    if audience is not None:
        filters["audience"] = clean_audience(audience)
    if topic is not None:
        filters["topic_id"] = _int_param(topic, "topic")
    query = search.parse(q)
    page, more = thread_page(who, filters, state, size, before, query)
    counts = unread_by_thread(who, [t.pk for t in page])
    latest = latest_messages(t.pk for t in page)
    shown = for_client if who.is_client else dict
    summaries = [shown(thread_dict(t, unread_count=counts.get(t.pk, 0), archived=t.is_archived,
                                   last_message=latest.get(t.pk))) for t in page]
    search.show_matches(actor, summaries, query, with_deleted=state == "deleted")
    previewed = [s["id"] for s in summaries if s.get("last_message") is not None]
    if query is None and previewed:
        # Each row's preview is message text (a search's row says what it showed itself).
        audit_by(actor, "threads.listed", previewed=previewed)
    return page, summaries, more


def _int_param(value, field):
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    # Ids are 64-bit: a longer number would overflow the database driver.
    if number is None or not -2**63 <= number < 2**63:
        raise invalid("invalid", f"{field} must be a number.", field=field)
    return number


def thread_page(who, filters: dict, state: str, size: int, before=None,
                query: search.Query | None = None) -> tuple[list, bool]:
    """Up to `size` threads `who` sees in `state`, narrowed by `filters` (field: value) and the
    search `query`, newest activity first (for staff, unacknowledged urgent threads before all
    others), older than the `before` cursor (server.api.paging.Cursor); and whether more
    follow. Each thread carries `is_archived` (for `who`), its client and its
    topic."""
    threads = Thread.objects.filter(visible_threads(who))
    if state == "unread":
        threads = threads.filter(Exists(ThreadUnread.objects.filter(
            thread=OuterRef("pk"), user_id=who.user_id, unread__gt=0)))
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

    def fetch(part, count: int) -> list:
        part = part.order_by("-last_message_at", "-id")
        if query is None:
            return list(part[:count])
        return search.matching_page(part, query, count, with_deleted=state == "deleted")

    return page_of(threads, size, before, urgent_first=who.is_staff, fetch=fetch)


def _a_deleted_message() -> Subquery:
    """The thread's id if it holds a deleted message, else NULL: one probe of message_deleted."""
    return Subquery(Message.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=False)
                    .order_by().values("thread_id")[:1])
