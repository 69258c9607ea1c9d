"""Urgent threads first (SPEC §4 "Safety"): a staff listing's pages show the urgent threads
nobody has acknowledged yet before all others, each part newest activity first.

Two keyset reads instead of one sort over an expression, so each part still reads its page in
order off an index (the partial index thread_urgent_open for the few unowned urgent threads)
and the cursor (`server.api.paging.Cursor`) says which part a page ended in.
"""

from django.db.models import Q

OPEN = Q(urgent_since__isnull=False, urgent_acknowledged_at__isnull=True)


def page_of(threads, size: int, before, *, urgent_first: bool, fetch) -> tuple[list, bool]:
    """Up to `size` of `threads` after the cursor `before`, and whether more follow.
    `fetch(queryset, count)` reads up to `count` of a part, newest activity first."""
    threads = threads.select_related("urgent_acknowledged_by")
    if not urgent_first:
        page = fetch(_after(threads, before), size + 1)
        return page[:size], len(page) > size
    page = []
    if before is None or before.urgent:
        page = fetch(_after(threads.filter(OPEN), before), size + 1)
        for thread in page:
            thread.urgent_first = True
        if len(page) > size:
            return page[:size], True
        before = None
    page += fetch(_after(threads.exclude(OPEN), before), size - len(page) + 1)
    return page[:size], len(page) > size


def _after(threads, before):
    if not before:
        return threads
    return threads.filter(Q(last_message_at__lt=before.moment)
                          | Q(last_message_at=before.moment, pk__lt=before.pk))
