"""SQLite FTS5: the external-content tables `message_search` and `thread_search` (tokenizer
`unicode61 remove_diacritics 2`), kept in step with server_message and server_thread by
triggers (migration 0005_search)."""

from django.db import connection

from server.search.words import Query

_MESSAGES = "(SELECT rowid FROM message_search WHERE message_search MATCH %s)"
_SUBJECTS = "(SELECT rowid FROM thread_search WHERE thread_search MATCH %s)"


def match_expression(query: Query) -> str:
    """`"w1" "w2" "w3"*`: every word quoted, so `AND`, `OR`, `NOT` or `NEAR` typed in the box
    are words, not operators; words hold no `"` (server.search.words)."""
    return " ".join([f'"{word}"' for word in query.words[:-1]] + [f'"{query.prefix}"*'])


def _live(with_deleted: bool) -> str:
    return "" if with_deleted else " AND m.deleted_at IS NULL"


def _in(values) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _rows(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def matching_threads_sql(query: Query, with_deleted: bool) -> tuple[str, list]:
    """SQL for the ids of threads whose subject or one message matches; the practice,
    visibility and state are the listing's, which these ids meet."""
    return (f"SELECT m.thread_id FROM server_message m WHERE m.id IN {_MESSAGES}{_live(with_deleted)} "
            f"UNION SELECT rowid FROM thread_search WHERE thread_search MATCH %s",
            [match_expression(query), match_expression(query)])


def matching_thread_ids(query: Query, with_deleted: bool, limit: int) -> list[int]:
    """Up to `limit` ids of matching threads (matching_threads_sql)."""
    sql, params = matching_threads_sql(query, with_deleted)
    return [row[0] for row in _rows(f"{sql} LIMIT %s", [*params, limit])]


def which_match(query: Query, thread_ids: list[int], with_deleted: bool) -> set[int]:
    """Which of `thread_ids` match, by subject or by one message."""
    rows = _rows(
        f"SELECT t.id FROM server_thread t WHERE t.id IN {_in(thread_ids)} AND (t.id IN {_SUBJECTS} "
        f"OR EXISTS (SELECT 1 FROM server_message m WHERE m.thread_id = t.id"
        f"{_live(with_deleted)} AND m.id IN {_MESSAGES}))",
        [*thread_ids, match_expression(query), match_expression(query)])
    return {row[0] for row in rows}


def first_matches(query: Query, thread_ids: list[int], with_deleted: bool) -> dict:
    """{thread id: (message id, body)} of each thread's first matching message."""
    rows = _rows(
        "SELECT thread_id, id, body FROM (SELECT m.thread_id, m.id, m.body, ROW_NUMBER() "
        "OVER (PARTITION BY m.thread_id ORDER BY m.created_at, m.id) AS n "
        f"FROM server_message m WHERE m.thread_id IN {_in(thread_ids)}{_live(with_deleted)} "
        f"AND m.id IN {_MESSAGES}) WHERE n = 1", [*thread_ids, match_expression(query)])
    return {thread_id: (message_id, body) for thread_id, message_id, body in rows}


def subject_matches(query: Query, thread_ids: list[int]) -> set[int]:
    rows = _rows(f"SELECT rowid FROM thread_search WHERE rowid IN {_in(thread_ids)} "
                 f"AND thread_search MATCH %s", [*thread_ids, match_expression(query)])
    return {row[0] for row in rows}
