"""Search over threads (SPEC §4 "Search"): one interface, two backends.

`parse(q)` reads the search box; `matching_page(listing, query, n, …)` narrows a thread listing
(server.listing: its visibility, deletion, state and filters already applied in SQL) to the
first `n` threads whose subject or one message matches every word; `add_matches(summaries, …)`
gives each summary `match: {message_id, snippet}`, and `show_matches` does so for a request,
auditing what it showed. PostgreSQL searches with full-text search over GIN indexes
(server.search.postgres), SQLite with FTS5 (server.search.sqlite); both offer `which_match`,
`matching_threads_sql`, `matching_thread_ids`, `first_matches` and `subject_matches`."""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from server.audit import audit_by
from server.search import postgres, sqlite
from server.search.snippet import snippet
from server.search.words import Query, parse

__all__ = ["Query", "parse", "matching_page", "add_matches", "show_matches"]

# Threads of the listing probed one by one, per thread of the page, before the search asks the
# index (a page of 50: the newest 204 threads).
WALK = 4
# Up to this many matching threads, the index's answer is handed to the listing as ids (which
# the planner looks up one by one); beyond, as a subquery.
LISTED_MAX = 500


def _backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def matching_page(listing, query: Query, n: int, with_deleted: bool = False) -> list:
    """The first `n` threads of `listing` (a Thread queryset in its final order, newest activity
    first) that match `query`; deleted messages count only `with_deleted`.

    Two ways to one answer, so that neither a common nor a rare word costs more in a large
    practice than in a small one:
    1. the walk: the listing's first WALK × n threads, probed one by one. A word found in
       many threads fills the page here, whatever the number of matches;
    2. the index: when the walk ends before the page is full and threads remain, the matching
       threads from the full-text index, met with the listing's threads older than the walk's
       last. A rare word costs its few matches here, whatever the number of threads."""
    backend = _backend()
    walk = WALK * n
    candidates = list(listing.values_list("pk", "last_message_at")[:walk])
    hits = backend.which_match(query, [pk for pk, _ in candidates], with_deleted) \
        if candidates else set()
    chosen = [pk for pk, _ in candidates if pk in hits][:n]
    page = list(listing.filter(pk__in=chosen)) if chosen else []
    if len(chosen) == n or len(candidates) < walk:
        return page
    last, moment = candidates[-1]
    ids = backend.matching_thread_ids(query, with_deleted, LISTED_MAX + 1)
    if not ids:
        return page
    older = listing.filter(Q(last_message_at__lt=moment) | Q(last_message_at=moment, pk__lt=last))
    if len(ids) <= LISTED_MAX:
        # A few threads: the listing looks each one up and sorts them.
        matching = ids
    else:
        # Many: as a subquery, which the planner reads once and meets with the listing's
        # threads in order.
        matching = RawSQL(*backend.matching_threads_sql(query, with_deleted))
    return page + list(older.filter(pk__in=matching)[:n - len(chosen)])


def add_matches(summaries: list[dict], query: Query, with_deleted: bool = False) -> None:
    """Give each summary `match`: the subject (`message_id` null) when it matches, else the
    thread's first matching message, with a snippet around the hit. Two queries a page."""
    if not summaries:
        return
    backend = _backend()
    ids = [summary["id"] for summary in summaries]
    by_subject = backend.subject_matches(query, ids)
    by_message = backend.first_matches(query, [i for i in ids if i not in by_subject],
                                       with_deleted) if len(by_subject) < len(ids) else {}
    for summary in summaries:
        hit = by_message.get(summary["id"])
        if hit is None:
            # The subject matched (or the message that matched was deleted since the listing
            # was read): show the subject.
            summary["match"] = {"message_id": None, "snippet": snippet(summary["subject"], query)}
        else:
            summary["match"] = {"message_id": hit[0], "snippet": snippet(hit[1], query)}


def show_matches(actor, summaries: list[dict], query: Query | None,
                 with_deleted: bool = False) -> None:
    """add_matches for the answer to `actor` (nothing without a search), audited: a snippet is
    message text, whose every read is audited (SPEC §4). The entry names the threads and
    messages shown, never the words searched for."""
    if query is None:
        return
    add_matches(summaries, query, with_deleted)
    audit_by(actor, "threads.searched",
             shown=[[summary["id"], summary["match"]["message_id"]] for summary in summaries])
