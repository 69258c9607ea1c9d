"""Threads, messages, and the per-user unread and archive marks."""

from django.db import models
from django.db.models import Q

from rules.roles import AUDIENCES
from server.models.practice import Client, Practice, Topic, User


class Thread(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="threads")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="threads")
    audience = models.CharField(max_length=20, choices=[(a, a) for a in AUDIENCES])
    # A topic in use stays (only an unused one may be deleted): threads keep what they were filed under.
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, null=True, blank=True)
    subject = models.CharField(max_length=200)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Urgency (SPEC §4 "Safety"): set by crisis language or by staff, owned once acknowledged.
    urgent_reason = models.CharField(max_length=20, blank=True, default="")
    urgent_since = models.DateTimeField(null=True, blank=True)
    urgent_acknowledged_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    urgent_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The closed period (rules.hours.closed_period_key) the after-hours reply last answered.
    after_hours_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["practice", "-last_message_at", "-id"], name="thread_activity"),
            # The few urgent threads nobody owns yet, which every staff listing shows first.
            models.Index(fields=["practice", "-last_message_at", "-id"], name="thread_urgent_open",
                         condition=Q(urgent_since__isnull=False,
                                     urgent_acknowledged_at__isnull=True)),
            models.Index(fields=["client", "-last_message_at", "-id"], name="thread_client"),
            models.Index(fields=["practice", "audience", "-last_message_at"],
                         name="thread_audience"),
            # The topic filter's page, read in order: without it the planner fetches and sorts
            # every thread of the topic (docs/PERFORMANCE.md, F6).
            models.Index(fields=["practice", "topic", "-last_message_at", "-id"],
                         name="thread_topic"),
        ]
        # Migration 0004 also gives PostgreSQL extended statistics on (practice, client, topic):
        # a client or a topic lies in one practice, and without them the planner expects a few
        # rows from a filter on both where there are hundreds, and sorts them all instead of
        # reading the page off an index.

    def __str__(self):
        return f"thread {self.pk}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    # No author for an automatic reply (author_kind "system").
    author = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    author_kind = models.CharField(max_length=10)  # "staff", "client" or "system"
    body = models.TextField()
    created_at = models.DateTimeField()
    seen_by_client_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    client_msg_id = models.CharField(max_length=64, null=True, blank=True)
    # With a client_msg_id: a digest of the request that sent it, so that a retry can be told
    # from another request reusing the id (server.actions.retries).
    request_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["thread", "created_at", "id"], name="message_thread"),
            # "Has this thread a deleted message?" in one probe, however long the thread
            # (the inbox's deleted filter).
            models.Index(fields=["thread"], condition=Q(deleted_at__isnull=False),
                         name="message_deleted"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_msg_id"],
                                    condition=Q(client_msg_id__isnull=False),
                                    name="message_client_msg_id_unique"),
        ]

    def __str__(self):
        return f"message {self.pk}"


class UnreadMark(models.Model):
    """`user` has not read `message` yet. Rows exist only while unread, and only for live
    messages: deleting a message takes its marks with it. Written only through `server.unread`,
    which keeps `ThreadUnread` equal to their count."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="unread_marks")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="unread_marks")

    class Meta:
        indexes = [models.Index(fields=["user", "thread"], name="unread_user_thread")]
        constraints = [
            models.UniqueConstraint(fields=["user", "message"], name="unread_unique"),
        ]


class ThreadUnread(models.Model):
    """How many unread marks `user` holds in `thread`, kept on write beside the marks
    (`server.unread`) so that a badge or an unread count reads one row a thread instead of
    counting marks (docs/PERFORMANCE.md, F15). A row at 0 may stay."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="unread_counts")
    unread = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="thread_unread_unique"),
        ]


class ArchiveMark(models.Model):
    """`user` archived `thread`; a new message in the thread removes every mark."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="archive_marks")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="archive_unique"),
        ]
