"""Starting threads, editing their header, deleting them."""

from django.utils import timezone

from rules import audience_change
from server import unread
from server.actions import marks
from server.actions.messages import do_send_message
from server.actions.portal import invite_if_needed
from server.audit import audit_by
from server.facts import practice_staff, thread_facts
from server.live.declared import ThreadCreated, ThreadRemoved, ThreadUpdated
from server.live.log import record
from server.models import Message, Thread


def do_start_thread(actor, client, audience, topic, subject, body, *, client_msg_id=None,
                    request_digest="", mark_thread_read=True, attachments=()):
    """Open a thread with its first message. Returns (thread, message, invitation) where
    invitation is None, {"status": "sent"} or {"status": "no_email"} (client without account)."""
    author = actor.user
    now = timezone.now()
    # The client's practice object, not just its id: the email notices need its name.
    thread = Thread.objects.create(practice=client.practice, client=client,
                                   audience=audience, topic=topic, subject=subject,
                                   created_by=author, created_at=now, last_message_at=now)
    record(thread.practice_id, ThreadCreated(thread.pk))
    message = do_send_message(actor, thread, body, client_msg_id=client_msg_id,
                              request_digest=request_digest, mark_thread_read=mark_thread_read,
                              first=True, attachments=attachments)
    audit_by(actor, "thread.created", thread_id=thread.pk, message_id=message.pk,
             client_id=client.pk)
    invitation = invite_if_needed(actor, client) if actor.person.is_staff else None
    return thread, message, invitation


def access_change(thread, new_audience):
    """(losing, gaining) staff Persons if `thread` moved to `new_audience`."""
    return audience_change(practice_staff(thread.practice_id), thread_facts(thread), new_audience)


def do_edit_header(actor, thread, *, audience=None, topic=..., subject=None):
    """Apply a confirmed header edit. Who lost access hears `thread.removed` and nothing more;
    who gained it finds the thread with its latest message unread."""
    changed = {}
    losing, gaining = [], []
    if audience is not None and audience != thread.audience:
        losing, gaining = access_change(thread, audience)
        changed["audience"] = {"from": thread.audience, "to": audience}
        thread.audience = audience
    if topic is not ... and (topic.pk if topic else None) != thread.topic_id:
        changed["topic"] = {"from": thread.topic_id, "to": topic.pk if topic else None}
        thread.topic = topic
    if subject is not None and subject != thread.subject:
        changed["subject"] = True
        thread.subject = subject
    if not changed:
        return thread
    thread.save(update_fields=["audience", "topic", "subject"])
    for lost in losing:
        record(thread.practice_id, ThreadRemoved(thread.pk, "access", user_id=lost.user_id))
    record(thread.practice_id, ThreadUpdated(thread.pk))
    for gained in gaining:
        marks.do_mark_thread_unread(gained, thread)
    audit_by(actor, "thread.edited", thread_id=thread.pk, client_id=thread.client_id,
             fields=sorted(changed), audience=changed.get("audience"))
    return thread


def do_delete_thread(actor, thread) -> None:
    """Soft-delete the thread and every live message in it."""
    now = timezone.now()
    Message.objects.filter(thread=thread, deleted_at__isnull=True).update(
        deleted_at=now, deleted_by_id=actor.user.pk)
    thread.deleted_at = now
    thread.save(update_fields=["deleted_at"])
    unread.remove_thread(thread)
    record(thread.practice_id, ThreadRemoved(thread.pk, "deleted"))
    audit_by(actor, "thread.deleted", thread_id=thread.pk, client_id=thread.client_id)
