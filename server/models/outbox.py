"""The durable email outbox and the once-per-thread notice state."""

from django.db import models

from server.models.messaging import Thread
from server.models.practice import Practice, User


class OutboxEmail(models.Model):
    """An email to send. Written in the same transaction as its cause; a worker claims it
    (`claimed_until` is the lease), sends it and sets `sent_at`."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "staff_notice", "client_notice", "invitation", "urgent_*"
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    send_after = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An urgent escalation goes out only while the urgency of `thread` that began at
    # `urgent_since` is still unacknowledged (server.notify.urgent.still_due).
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    urgent_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "send_after"], name="outbox_due")]


class EmailNotice(models.Model):
    """`user` was emailed about `thread` and has not reviewed it since: no further email.

    `email` is the notice's outbox row. Until it is sent it waits (CAIRN_EMAIL_DELAY_SECONDS),
    and a review meanwhile drops both (`server.notify.outbox.drop_notice`)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(OutboxEmail, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="email_notice_unique"),
        ]
