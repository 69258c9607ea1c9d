"""Sending and deleting messages."""

from django.utils import timezone

from server import notify, unread
from server.audit import audit_by
from server.actions import after_hours, marks, urgent
from server.actions.attachments import take_attachments
from server.actions.viewers import client_viewer, staff_viewers
from server.live.declared import MessageCreated, MessageDeleted
from server.live.log import record
from server.models import ArchiveMark, Message


def do_send_message(actor, thread, body, *, client_msg_id=None, request_digest="",
                    mark_thread_read=True, first=False, attachments=()) -> Message:
    """Write `body` into `thread` as `actor`; everyone else who sees it gets it unread.

    `first`: the opening message of a thread created in this transaction (`do_start_thread`),
    dated at its `last_message_at`; nobody has archived, read or been emailed about that thread
    yet, so there is nothing to undo for them; `do_start_thread` audits it. `attachments`: ids of
    the author's untaken uploads the message takes.
    """
    person, author = actor.person, actor.user
    now = thread.last_message_at if first else timezone.now()
    message = Message.objects.create(thread=thread, author=author, author_kind=person.kind,
                                     body=body, created_at=now, client_msg_id=client_msg_id,
                                     request_digest=request_digest)
    take_attachments(author, message, attachments)
    if not first:
        thread.last_message_at = now
        thread.save(update_fields=["last_message_at"])
        # A new message brings the thread back out of everyone's archive.
        ArchiveMark.objects.filter(thread=thread).delete()

    staff = [p for p in staff_viewers(thread) if p.user_id != author.pk]
    client = client_viewer(thread)
    readers = [p.user_id for p in staff]
    if client is not None and client.user_id != author.pk:
        readers.append(client.user_id)
    unread.add_for_readers(message, readers)

    record(thread.practice_id, MessageCreated(thread.pk, message.pk))
    notify.message_sent(thread, message, staff, client)
    if person.is_client:
        urgent.check_crisis(actor, thread, message)
        after_hours.reply_if_closed(thread, message)
    # The author holds no unread mark of their own messages: only earlier ones can be read.
    if mark_thread_read and not first:
        marks.do_mark_read(person, thread)
    if not first:
        audit_by(actor, "message.sent", thread_id=thread.pk, message_id=message.pk,
                 client_id=thread.client_id)
    return message


def do_delete_message(actor, message) -> None:
    """Soft-delete: the row stays, visible to staff under the `deleted` filter."""
    message.deleted_at = timezone.now()
    message.deleted_by_id = actor.user.pk
    message.save(update_fields=["deleted_at", "deleted_by"])
    unread.remove_message(message)
    record(message.thread.practice_id, MessageDeleted(message.thread_id, message.pk))
    audit_by(actor, "message.deleted", thread_id=message.thread_id, message_id=message.pk,
             client_id=message.thread.client_id)
