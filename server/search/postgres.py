"""PostgreSQL full-text search: the generated tsvector columns `server_message.search_vector`
and `server_thread.subject_vector` (text search configuration `cairn_search`: `simple` after
`unaccent`, so names and any language fold alike), each under a GIN index (migration
0005_search)."""

from django.db import connection
from django.db.models.expressions import RawSQL

from server.search.words import Query

CONFIG = "cairn_search"


def tsquery(query: Query) -> str:
    """`w1 & w2 & w3:*`. Words hold only letters and digits (server.search.words), so none of
    them is an operator of to_tsquery."""
    return " & ".join(query.words[:-1] + (f"{query.prefix}:*",))


def threads_with_matching_message(query: Query, with_deleted: bool) -> RawSQL:
    """Ids of threads holding a message that matches, found through the GIN index."""
    live = "" if with_deleted else " AND m.deleted_at IS NULL"
    return RawSQL("SELECT m.thread_id FROM server_message m "
                  f"WHERE m.search_vector @@ to_tsquery('{CONFIG}', %s){live}", [tsquery(query)])


def threads_with_matching_subject(query: Query) -> RawSQL:
    return RawSQL("SELECT t.id FROM server_thread t "
                  f"WHERE t.subject_vector @@ to_tsquery('{CONFIG}', %s)", [tsquery(query)])


def first_matches(query: Query, thread_ids: list[int], with_deleted: bool) -> dict:
    """{thread id: (message id, body)} of each thread's first matching message: one probe per
    thread, reading its messages in order off message_thread and stopping at the first hit."""
    live = "" if with_deleted else " AND m.deleted_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.id, hit.id, hit.body FROM unnest(%s::bigint[]) AS t(id) "
            "CROSS JOIN LATERAL (SELECT m.id, m.body FROM server_message m "
            f"WHERE m.thread_id = t.id AND m.search_vector @@ to_tsquery('{CONFIG}', %s){live} "
            "ORDER BY m.created_at, m.id LIMIT 1) AS hit",
            [thread_ids, tsquery(query)])
        return {thread_id: (message_id, body) for thread_id, message_id, body in cursor}


def subject_matches(query: Query, thread_ids: list[int]) -> set[int]:
    """Which of `thread_ids` have a subject that matches."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM server_thread WHERE id = ANY(%s) "
                       f"AND subject_vector @@ to_tsquery('{CONFIG}', %s)",
                       [thread_ids, tsquery(query)])
        return {row[0] for row in cursor}
