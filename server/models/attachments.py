"""Files sent with messages. An upload belongs to its uploader until a message takes it; from
then on it is seen, and deleted, with its message."""

from django.db import models
from django.db.models import Q

from server.models.messaging import Message
from server.models.practice import Practice, User


class Attachment(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    uploader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Null until a message takes the upload; never changes after.
    message = models.ForeignKey(Message, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="attachments")
    # A random name in the attachments storage; never derived from the uploaded name.
    storage_name = models.CharField(max_length=100, unique=True)
    # The uploaded name, cleaned (server.attachments.names); shown, never used as a path.
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            # The housekeeping sweep of uploads no message took.
            models.Index(fields=["created_at"], condition=Q(message__isnull=True),
                         name="attachment_untaken"),
        ]

    def __str__(self):
        return f"attachment {self.pk}"

    @property
    def deleted(self) -> bool:
        """Deleted exactly when its message (or the message's thread) is."""
        message = self.message
        return message is not None and (message.deleted_at is not None
                                        or message.thread.deleted_at is not None)
