"""Writing to the outbox, inside the caller's transaction: email rows and once-per-thread notices.

A row written here is sent by the worker (`server.notify.worker`) only once the transaction that
wrote it commits, and not at all if it rolls back — so an email never announces a message that
does not exist, and a message never exists without its email.
"""

import re

from django.db import connection
from django.utils import timezone

from server.models import EmailNotice, OutboxEmail
from server.notify import texts

_LINK = re.compile(r"https?://\S+")


def queue(practice_id: int, kind: str, recipients, subject: str, body: str) -> list:
    """One outbox row per address in `recipients`, due now, in one INSERT."""
    now = timezone.now()
    subject = subject[:OutboxEmail._meta.get_field("subject").max_length]
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(practice_id=practice_id, kind=kind, to=to, subject=subject, body=body,
                    send_after=now)
        for to in recipients
    )


def add_notices(thread_id: int, user_ids) -> set:
    """Note that `user_ids` are being emailed about `thread_id`; returns those newly noted.

    Users who already hold a notice (emailed, not reviewed since) are left out. One
    `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, and SQLite ≥ 3.35): if two
    transactions notify the same user about the same thread at once, the second waits for the
    first, inserts nothing, and so queues no second email.
    """
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return set()
    table = connection.ops.quote_name(EmailNotice._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s, %s, %s)"] * len(user_ids))
    params = [p for uid in user_ids for p in (uid, thread_id, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, created_at) VALUES {values} "
            "ON CONFLICT (user_id, thread_id) DO NOTHING RETURNING user_id",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def drop_notice(user_id: int, thread_id: int) -> None:
    EmailNotice.objects.filter(user_id=user_id, thread_id=thread_id).delete()


def drop_unsent_invitations(practice_id: int, to: str) -> int:
    """Unsent invitations to `to`: their links were just revoked, so they go unsent."""
    deleted, _ = OutboxEmail.objects.filter(practice_id=practice_id, kind=texts.INVITATION, to=to,
                                            sent_at__isnull=True).delete()
    return deleted


def scrubbed(kind: str, body: str) -> str:
    """The body to keep once the email has gone out: an invitation or a reset loses its link,
    which then exists nowhere but in the recipient's mailbox (the database keeps only its hash)."""
    if kind not in (texts.INVITATION, texts.PASSWORD_RESET):
        return body
    return _LINK.sub(texts.LINK_REMOVED, body)
