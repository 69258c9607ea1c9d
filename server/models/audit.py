"""The append-only audit log: who did what, when, from where. Never a message body."""

from django.db import models

from server.models.practice import Practice, User


class AuditEntry(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    thread_id = models.BigIntegerField(null=True, db_index=True)
    message_id = models.BigIntegerField(null=True)
    client_id = models.BigIntegerField(null=True)
    ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["practice", "-id"], name="audit_practice")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are append-only")
