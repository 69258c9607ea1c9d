"""PostgreSQL full-text search: the generated tsvector columns `server_message.search_vector`
and `server_thread.subject_vector` (text search configuration `cairn_search`: `simple` after
`unaccent`, so names and any language fold alike), each under a GIN index (migration
0005_search)."""

from django.db import connection, transaction

from server.search.words import Query

CONFIG = "cairn_search"
_TSQUERY = f"to_tsquery('{CONFIG}', %s)"


def tsquery(query: Query) -> str:
    """`w1 & w2 & w3:*`. Words hold only letters and digits (server.search.words), so none of
    them is an operator of to_tsquery."""
    return " & ".join(query.words[:-1] + (f"{query.prefix}:*",))


def _live(with_deleted: bool) -> str:
    return "" if with_deleted else " AND m.deleted_at IS NULL"


def _rows(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def matching_threads_sql(query: Query, with_deleted: bool) -> tuple[str, list]:
    """SQL for the ids of threads whose subject or one message matches, read off the GIN
    indexes: its cost follows the number of matches, not of messages. The practice, visibility
    and state are the listing's, which these ids meet."""
    return (f"SELECT m.thread_id FROM server_message m "
            f"WHERE m.search_vector @@ {_TSQUERY}{_live(with_deleted)} "
            f"UNION SELECT t.id FROM server_thread t WHERE t.subject_vector @@ {_TSQUERY}",
            [tsquery(query), tsquery(query)])


def matching_thread_ids(query: Query, with_deleted: bool, limit: int) -> list[int]:
    """Up to `limit` ids of matching threads (matching_threads_sql), through the GIN indexes
    whatever the planner's estimate: it guesses 2% of rows for a prefix when the column's
    statistics hold under 100 common words, and for that many it would read the whole table."""
    sql, params = matching_threads_sql(query, with_deleted)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        return [row[0] for row in cursor]


def which_match(query: Query, thread_ids: list[int], with_deleted: bool) -> set[int]:
    """Which of `thread_ids` match, one probe per thread: its subject, then its messages in
    order off message_thread, stopping at the first hit. A scalar subquery, so the planner
    cannot trade the probes for a scan of every match in the GIN index (for a word in every
    message, that scan grows with the practice)."""
    rows = _rows(
        f"SELECT t.id FROM server_thread t WHERE t.id = ANY(%s) AND "
        f"(t.subject_vector @@ {_TSQUERY} OR (SELECT 1 FROM server_message m "
        f"WHERE m.thread_id = t.id AND m.search_vector @@ {_TSQUERY}{_live(with_deleted)} "
        f"LIMIT 1) IS NOT NULL)", [thread_ids, tsquery(query), tsquery(query)])
    return {row[0] for row in rows}


def first_matches(query: Query, thread_ids: list[int], with_deleted: bool) -> dict:
    """{thread id: (message id, body)} of each thread's first matching message: one probe per
    thread, reading its messages in order off message_thread and stopping at the first hit."""
    rows = _rows(
        "SELECT t.id, hit.id, hit.body FROM unnest(%s::bigint[]) AS t(id) "
        "CROSS JOIN LATERAL (SELECT m.id, m.body FROM server_message m "
        f"WHERE m.thread_id = t.id AND m.search_vector @@ {_TSQUERY}{_live(with_deleted)} "
        "ORDER BY m.created_at, m.id LIMIT 1) AS hit", [thread_ids, tsquery(query)])
    return {thread_id: (message_id, body) for thread_id, message_id, body in rows}


def subject_matches(query: Query, thread_ids: list[int]) -> set[int]:
    """Which of `thread_ids` have a subject that matches."""
    rows = _rows(f"SELECT id FROM server_thread WHERE id = ANY(%s) "
                 f"AND subject_vector @@ {_TSQUERY}", [thread_ids, tsquery(query)])
    return {row[0] for row in rows}
