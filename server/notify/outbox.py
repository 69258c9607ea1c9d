"""Writing to the outbox, inside the caller's transaction: email rows and once-per-thread notices.

A row written here is sent by the worker (`server.notify.worker`) only once the transaction that
wrote it commits, and not at all if it rolls back — so an email never announces a message that
does not exist, and a message never exists without its email.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from server.models import EmailNotice, OutboxEmail
from server.notify import texts

_LINK = re.compile(r"https?://\S+")

# The kinds that wait CAIRN_EMAIL_DELAY_SECONDS, and are dropped if their recipient reviews the
# thread meanwhile: the notices of a new message. Every other kind (invitations, urgent notices)
# is due at once.
WAITING = frozenset({texts.STAFF_NOTICE, texts.CLIENT_NOTICE})


def delay_of(kind: str) -> timedelta:
    """How long an email of `kind` waits in the outbox before it is due."""
    if kind not in WAITING:
        return timedelta(0)
    return timedelta(seconds=settings.CAIRN_EMAIL_DELAY_SECONDS)


def queue(practice_id: int, kind: str, recipients, subject: str, body: str) -> list:
    """One outbox row per address in `recipients`, due after `delay_of(kind)`, in one INSERT."""
    due = timezone.now() + delay_of(kind)
    subject = subject[:OutboxEmail._meta.get_field("subject").max_length]
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(practice_id=practice_id, kind=kind, to=to, subject=subject, body=body,
                    send_after=due)
        for to in recipients
    )


def queue_notices(practice_id: int, thread_id: int, kind: str, addresses: dict, subject: str,
                  body: str) -> set:
    """Queue one `kind` email about `thread_id` to each `{user_id: address}` who holds no notice
    of it yet, each linked to its new notice; returns the user ids emailed."""
    fresh = add_notices(thread_id, addresses)
    if not fresh:
        return set()
    users = sorted(fresh)
    emails = queue(practice_id, kind, [addresses[uid] for uid in users], subject, body)
    EmailNotice.objects.bulk_update(
        [EmailNotice(pk=fresh[uid], email_id=email.pk) for uid, email in zip(users, emails)],
        ["email"])
    return set(fresh)


def add_notices(thread_id: int, user_ids) -> dict:
    """Note that `user_ids` are being emailed about `thread_id`; returns those newly noted,
    `{user_id: notice id}`.

    Users who already hold a notice (emailed, not reviewed since) are left out. One
    `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, and SQLite ≥ 3.35): if two
    transactions notify the same user about the same thread at once, the second waits for the
    first, inserts nothing, and so queues no second email.
    """
    user_ids = sorted(set(user_ids))
    if not user_ids:
        return {}
    table = connection.ops.quote_name(EmailNotice._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s, %s, %s)"] * len(user_ids))
    params = [p for uid in user_ids for p in (uid, thread_id, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, thread_id, created_at) VALUES {values} "
            "ON CONFLICT (user_id, thread_id) DO NOTHING RETURNING user_id, id",
            params,
        )
        return dict(cursor.fetchall())


def drop_notice(user_id: int, thread_id: int) -> int:
    """`user_id` reviewed `thread_id`: forget the notice, and drop its email if it is still
    waiting; returns how many emails were dropped. (One query when there is no notice.)

    An email a worker has already claimed is dropped all the same: the worker looks for its row
    just before sending, so only one whose sending has begun still goes out.
    """
    found = list(EmailNotice.objects.filter(user_id=user_id, thread_id=thread_id)
                 .values_list("pk", "email_id"))
    if not found:
        return 0
    EmailNotice.objects.filter(pk__in=[pk for pk, _ in found]).delete()
    waiting = [email_id for _, email_id in found if email_id is not None]
    if not waiting:
        return 0
    return OutboxEmail.objects.filter(pk__in=waiting, kind__in=WAITING,
                                      sent_at__isnull=True).delete()[0]


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
