"""Unread marks and the per-(user, thread) counts kept beside them.

Every write of `UnreadMark` goes through here. The marks change first and the counts then move by
exactly the rows that changed, which each statement returns (`RETURNING`, on PostgreSQL and
SQLite alike); so sends, reads and deletes that race never let a count drift from its marks,
and reading a badge or an unread count never counts marks (`server.readmodel`).

Each call is two statements whatever the number of rows, up to `CHUNK` rows: a reply costs the
same at 5 viewers as at 500, and at the thread's first unread message as at its 2,000th
(docs/PERFORMANCE.md, F15)."""

from collections import Counter
from itertools import islice

from django.db import connection

from server.models import ThreadUnread, UnreadMark

MARKS = UnreadMark._meta.db_table
COUNTS = ThreadUnread._meta.db_table
CHUNK = 2_000  # rows a statement (3 parameters each: far under either database's limit)


def _chunks(rows):
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _values(rows) -> tuple[str, list]:
    """`VALUES (%s, %s, %s), …` of equal-length tuples, and its parameters."""
    width = len(rows[0])
    one = "(" + ", ".join(["%s"] * width) + ")"
    return ", ".join([one] * len(rows)), [value for row in rows for value in row]


def _add_counts(cursor, counts: Counter) -> None:
    """Raise each (user_id, thread_id)'s count by its number in `counts`."""
    for chunk in _chunks(counts.items()):
        values, params = _values([(uid, tid, n) for (uid, tid), n in chunk])
        cursor.execute(
            f"INSERT INTO {COUNTS} (user_id, thread_id, unread) VALUES {values} "
            f"ON CONFLICT (user_id, thread_id) "
            f"DO UPDATE SET unread = {COUNTS}.unread + excluded.unread",
            params)


def add(marks) -> list:
    """Mark (user_id, message_id, thread_id) triples unread, each a live message of its thread;
    the triples that were not unread already."""
    added = []
    with connection.cursor() as cursor:
        for chunk in _chunks(marks):
            values, params = _values(chunk)
            cursor.execute(
                f"INSERT INTO {MARKS} (user_id, message_id, thread_id) VALUES {values} "
                f"ON CONFLICT (user_id, message_id) DO NOTHING "
                f"RETURNING user_id, message_id, thread_id", params)
            added += cursor.fetchall()
        if added:
            _add_counts(cursor, Counter((uid, tid) for uid, _, tid in added))
    return added


def add_for_readers(message, user_ids) -> None:
    """A new message, unread for `user_ids`."""
    add((uid, message.pk, message.thread_id) for uid in user_ids)


def remove(user_id: int, thread_id: int, message_ids=None) -> list:
    """Mark `user_id`'s unread messages of the thread read (only `message_ids`, if given); the
    ids that were unread."""
    where, params = "user_id = %s AND thread_id = %s", [user_id, thread_id]
    if message_ids is not None:
        message_ids = list(message_ids)
        if not message_ids:
            return []
        where += " AND message_id IN (" + ", ".join(["%s"] * len(message_ids)) + ")"
        params += message_ids
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKS} WHERE {where} RETURNING message_id", params)
        removed = [row[0] for row in cursor.fetchall()]
        if removed:
            cursor.execute(f"UPDATE {COUNTS} SET unread = unread - %s "
                           f"WHERE user_id = %s AND thread_id = %s",
                           [len(removed), user_id, thread_id])
    return removed


def remove_message(message) -> None:
    """A deleted message is unread for nobody."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKS} WHERE message_id = %s RETURNING user_id",
                       [message.pk])
        users = [row[0] for row in cursor.fetchall()]
        for chunk in _chunks(users):
            cursor.execute(f"UPDATE {COUNTS} SET unread = unread - 1 WHERE thread_id = %s "
                           f"AND user_id IN ({', '.join(['%s'] * len(chunk))})",
                           [message.thread_id, *chunk])


def remove_thread(thread) -> None:
    """A deleted thread is unread for nobody."""
    UnreadMark.objects.filter(thread=thread).delete()
    ThreadUnread.objects.filter(thread=thread).delete()


def remove_user(user_id: int, threads) -> None:
    """`user_id` no longer holds anything unread in `threads` (a queryset): they lost them."""
    UnreadMark.objects.filter(user_id=user_id, thread__in=threads).delete()
    ThreadUnread.objects.filter(user_id=user_id, thread__in=threads).delete()
