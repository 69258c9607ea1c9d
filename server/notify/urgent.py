"""Urgent emails through the durable outbox (docs/SAFETY.md): the immediate notice and the
escalation that waits in the outbox and is dropped at send time once someone owns the thread.

Both are written in the transaction that made the thread urgent: they exist if and only if the
urgency does. They ignore the recipients' email settings and the once-per-thread notices.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from server.models import OutboxEmail, Thread, User
from server.notify import outbox, texts


def _addresses(user_ids) -> list[str]:
    emails = (User.objects.filter(pk__in=list(user_ids), kind=User.STAFF, is_active=True)
              .exclude(email="").order_by("id").values_list("email", flat=True))
    return list(dict.fromkeys(emails))


def queue_urgent(thread, alerted_ids, escalated_ids) -> None:
    """Email `alerted_ids` now, and `escalated_ids` after CAIRN_URGENT_ESCALATE_SECONDS unless
    the urgency that began at `thread.urgent_since` has been acknowledged or cleared by then."""
    name = thread.practice.name
    subject, body = texts.urgent_notice(name)
    outbox.queue(thread.practice_id, texts.URGENT_NOTICE, _addresses(alerted_ids), subject, body)
    subject, body = texts.urgent_escalation(name)
    later = timezone.now() + timedelta(seconds=settings.CAIRN_URGENT_ESCALATE_SECONDS)
    OutboxEmail.objects.bulk_create(
        OutboxEmail(practice_id=thread.practice_id, kind=texts.URGENT_ESCALATION, to=to,
                    subject=subject, body=body, send_after=later, thread_id=thread.pk,
                    urgent_since=thread.urgent_since)
        for to in _addresses(escalated_ids))


def still_due(row) -> bool:
    """Whether a claimed outbox row should still go out: an escalation only while its urgency
    is unacknowledged (a newer urgency of the same thread queued its own)."""
    if row.urgent_since is None:
        return True
    return Thread.objects.filter(pk=row.thread_id, urgent_since=row.urgent_since,
                                 urgent_acknowledged_at__isnull=True,
                                 deleted_at__isnull=True).exists()

