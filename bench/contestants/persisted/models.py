from django.db import models


class ChatMessage(models.Model):
    """One message said in a room."""

    room = models.CharField(max_length=100, db_index=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
