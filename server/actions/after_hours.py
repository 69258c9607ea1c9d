"""The after-hours reply (docs/SAFETY.md): one automatic message per thread per closed period."""

from rules.hours import closed_period_key, has_hours
from server.audit import audit
from server.live.declared import MessageCreated
from server.live.log import record
from server.models import Message

SYSTEM = "system"


def reply_if_closed(thread, message):
    """Answer a client's `message` with the practice's `after_hours_reply` when it arrived
    outside office hours and this closed period has had no reply in `thread` yet. The reply is
    unread for no one and emails no one. Returns it, or None."""
    practice = thread.practice
    text = practice.after_hours_reply.strip()
    if not text or not has_hours(practice.hours):
        return None
    key = closed_period_key(message.created_at, practice.timezone, practice.hours)
    if key is None or key == thread.after_hours_key:
        return None
    reply = Message.objects.create(thread=thread, author=None, author_kind=SYSTEM, body=text,
                                   created_at=message.created_at)
    thread.after_hours_key = key
    thread.save(update_fields=["after_hours_key"])
    record(thread.practice_id, MessageCreated(thread.pk, reply.pk))
    # Nobody did this: the entry has no actor.
    audit(None, "message.after_hours_reply", practice_id=thread.practice_id, thread_id=thread.pk,
          message_id=reply.pk, client_id=thread.client_id)
    return reply
