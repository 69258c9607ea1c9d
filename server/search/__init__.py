"""Search over threads (SPEC §4 "Search"): one interface, two backends.

`parse(q)` reads the search box; `matching_threads(query, with_deleted)` is the filter that
narrows any thread listing (server.listing) to threads whose subject or one message matches
every word; `add_matches(summaries, query, with_deleted)` gives each summary of a page its
`match: {message_id, snippet}`. PostgreSQL searches with full-text search over GIN indexes
(server.search.postgres), SQLite with FTS5 (server.search.sqlite).

The filter starts from the index: the ids of matching messages (or subjects), which the
listing then meets with the threads the caller sees, so the visibility and deletion rules stay
in the same SQL as every other listing."""

from django.db import connection
from django.db.models import Q

from server.search import postgres, sqlite
from server.search.snippet import snippet
from server.search.words import Query, parse

__all__ = ["Query", "parse", "matching_threads", "add_matches"]


def _backend():
    return postgres if connection.vendor == "postgresql" else sqlite


def matching_threads(query: Query, with_deleted: bool = False) -> Q:
    """Threads whose subject matches, or that hold a matching message (deleted messages count
    only `with_deleted`: the `deleted` listing)."""
    backend = _backend()
    return (Q(pk__in=backend.threads_with_matching_subject(query))
            | Q(pk__in=backend.threads_with_matching_message(query, with_deleted)))


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
