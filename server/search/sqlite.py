"""SQLite FTS5: the external-content tables `message_search` and `thread_search` (tokenizer
`unicode61 remove_diacritics 2`), kept in step with server_message and server_thread by
triggers (migration 0005_search)."""

from django.db import connection
from django.db.models.expressions import RawSQL

from server.search.words import Query


def match_expression(query: Query) -> str:
    """`"w1" "w2" "w3"*`: every word quoted, so `AND`, `OR`, `NOT` or `NEAR` typed in the box
    are words, not operators; words hold no `"` (server.search.words)."""
    return " ".join([f'"{word}"' for word in query.words[:-1]] + [f'"{query.prefix}"*'])


def threads_with_matching_message(query: Query, with_deleted: bool) -> RawSQL:
    live = "" if with_deleted else " AND m.deleted_at IS NULL"
    return RawSQL("SELECT m.thread_id FROM server_message m WHERE m.id IN "
                  f"(SELECT rowid FROM message_search WHERE message_search MATCH %s){live}",
                  [match_expression(query)])


def threads_with_matching_subject(query: Query) -> RawSQL:
    return RawSQL("SELECT rowid FROM thread_search WHERE thread_search MATCH %s",
                  [match_expression(query)])


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def first_matches(query: Query, thread_ids: list[int], with_deleted: bool) -> dict:
    """{thread id: (message id, body)} of each thread's first matching message."""
    live = "" if with_deleted else " AND m.deleted_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT thread_id, id, body FROM (SELECT m.thread_id, m.id, m.body, ROW_NUMBER() "
            "OVER (PARTITION BY m.thread_id ORDER BY m.created_at, m.id) AS n "
            f"FROM server_message m WHERE m.thread_id IN ({_placeholders(thread_ids)}){live} "
            "AND m.id IN (SELECT rowid FROM message_search WHERE message_search MATCH %s)) "
            "WHERE n = 1", [*thread_ids, match_expression(query)])
        return {thread_id: (message_id, body) for thread_id, message_id, body in cursor}


def subject_matches(query: Query, thread_ids: list[int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM thread_search WHERE rowid IN "
                       f"({_placeholders(thread_ids)}) AND thread_search MATCH %s",
                       [*thread_ids, match_expression(query)])
        return {row[0] for row in cursor}
