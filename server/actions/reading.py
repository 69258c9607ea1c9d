"""Reads that show message text: each writes its audit row here, whichever door asked.

Opening a thread is also a change for a client (staff messages become seen and read) and a
review for staff (no more email about it until new messages arrive).
"""

from django.db import transaction

from rules import can_see_deleted
from server import notify
from server.live import log as events
from server.access import access_thread
from server.actions import marks
from server.audit import audit_by
from server.export import thread_pdf
from server.models import Message
from server.serialize import thread_for


def check_view_thread(actor, thread_id, *, state=None) -> tuple:
    """(thread, messages) as `actor` may see them; staff see deleted messages under the
    `deleted` filter or in a deleted thread."""
    person = actor.person
    # A client opening the thread records receipts; staff only read.
    with events.writing(person.practice_id) if person.is_client else transaction.atomic():
        thread = access_thread(person, thread_id)
        do_view_thread(actor, thread)
        messages = Message.objects.filter(thread=thread).select_related("author")
        if not (can_see_deleted(person) and (state == "deleted" or thread.deleted_at is not None)):
            messages = messages.filter(deleted_at__isnull=True)
        return thread, messages


def do_view_thread(actor, thread) -> None:
    """`actor` opened `thread`: receipts for a client, a review for staff, an audit row."""
    person = actor.person
    if person.is_client:
        marks.do_client_open(person, thread)
    elif thread.deleted_at is None:
        notify.reviewed(person.user_id, thread.pk)
    audit_by(actor, "thread.viewed", thread_id=thread.pk, client_id=thread.client_id)


def check_export_thread(actor, thread_id) -> tuple:
    """(thread, PDF bytes) of a live thread `actor` sees."""
    with transaction.atomic():
        thread = access_thread(actor.person, thread_id, live=True)
        return thread, do_export_thread(actor, thread)


def do_export_thread(actor, thread) -> bytes:
    """The PDF of `thread`, audited."""
    audit_by(actor, "thread.exported", thread_id=thread.pk, client_id=thread.client_id)
    return thread_pdf(thread, actor.user)


def summary_for(actor, thread) -> dict:
    """`thread`'s summary as `actor` sees it, for an answer about that one thread (a mark, a
    header edit, an urgency change). Its last message's preview is message text: audited."""
    summary = thread_for(actor.person, thread)
    if summary.get("last_message") is not None:
        audit_by(actor, "thread.previewed", thread_id=thread.pk, client_id=thread.client_id)
    return summary
