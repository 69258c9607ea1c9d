"""The event log: every change a socket may hear of, with an increasing cursor (the id)."""

from django.db import models

from server.models.messaging import Thread
from server.models.practice import Practice, User


class Event(models.Model):
    """One change. `thread` events go to whoever sees the thread when they are delivered or
    replayed; `user` events (read state, access lost) go to that user alone."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, related_name="+")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set once the live push went out; a row left unpushed (its process died right after commit,
    # or the channel layer was down) is pushed again by `events.push_pending`.
    pushed = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["practice", "id"], name="event_practice_cursor"),
            models.Index(fields=["id"], condition=models.Q(pushed=False), name="event_unpushed"),
        ]
