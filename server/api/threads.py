"""Threads: the inbox list, start, view, header edit, delete, read/unread, archive, export."""

from typing import Optional

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from ninja import Router, Status

from rules import can_delete_message, can_delete_thread, can_see_client, can_start_thread
from server import notify, ratelimit
from server.access import access_thread
from server.actions import marks
from server.actions.messages import do_send_message
from server.actions.portal import invite_if_needed
from server.actions.threads import access_change, do_delete_thread, do_edit_header, do_start_thread
from server.api import paging
from server.api.schemas import (ERRORS, ERRORS_AND_CONFLICT, ConfirmOut, ErrorOut, HeaderIn,
                                MessageCreated, NewMessageIn,
                                NewThreadIn, ThreadCreated, ThreadOnly, ThreadPage,
                                ThreadWithMessages)
from server.api.session import person, require_portal, signed_in
from server.audit import audit
from server.errors import ApiError, forbidden, invalid, not_found
from server.export import thread_pdf
from server.facts import message_facts, thread_facts
from server.listing import thread_page
from server.live import log as events
from server.models import Client, Message, User
from server.readmodel import unread_by_thread
from server.serialize import (latest_messages, message_dict, messages_for, thread_dict,
                              thread_for)
from server.validation import (clean_audience, clean_body, clean_client_msg_id, clean_subject,
                               clean_topic)

router = Router(tags=["threads"], auth=signed_in)

STATES = ("inbox", "unread", "all", "deleted")


def _int_param(value, field):
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = None
    # Ids are 64-bit: a longer number would overflow the database driver.
    if number is None or not -2**63 <= number < 2**63:
        raise invalid("invalid", f"{field} must be a number.", field=field)
    return number


@router.get("/threads", response={200: ThreadPage, ERRORS: ErrorOut})
def list_threads(request, client: Optional[str] = None, audience: Optional[str] = None,
                 topic: Optional[str] = None, state: str = "inbox", limit: Optional[int] = None,
                 before: Optional[str] = None):
    """The caller's threads, newest activity first, filtered and paged."""
    who = person(request)
    if state not in STATES or (state == "deleted" and not who.is_staff):
        raise invalid("invalid_state", f"state must be one of {', '.join(STATES)}.", field="state")
    size = paging.limit_of(limit, settings.THREAD_PAGE_DEFAULT, settings.THREAD_PAGE_MAX)
    filters = {}
    if client is not None:
        filters["client_id"] = _int_param(client, "client")
    if audience is not None:
        filters["audience"] = clean_audience(audience)
    if topic is not None:
        filters["topic_id"] = _int_param(topic, "topic")
    page, more = thread_page(who, filters, state, size, paging.decode(before) if before else None)
    counts = unread_by_thread(who, [t.pk for t in page])
    latest = latest_messages(t.pk for t in page)
    return {
        "threads": [thread_dict(t, unread_count=counts.get(t.pk, 0), archived=t.is_archived,
                                last_message=latest.get(t.pk)) for t in page],
        "next": paging.encode(page[-1].last_message_at, page[-1].pk) if more else None,
    }


def _earlier_send(author, client_msg_id, body):
    """The message this author already sent under `client_msg_id`, if any."""
    if client_msg_id is None:
        return None
    earlier = Message.objects.select_related("thread", "thread__client", "thread__topic",
                                             "author").filter(author=author,
                                                              client_msg_id=client_msg_id).first()
    if earlier is not None and earlier.body != body:
        raise ApiError(409, "client_msg_id_conflict",
                       "client_msg_id was already used for a different message.")
    return earlier


def _target_client(who, client_id):
    """The client a new thread is for: the caller themselves, or one a staff caller sees."""
    if who.is_client:
        if client_id is not None and client_id != who.client_id:
            raise not_found("client")
        return Client.objects.select_related("practice").get(pk=who.client_id)
    if client_id is None:
        raise invalid("invalid", "client_id is required.", field="client_id")
    client = Client.objects.select_related("practice").filter(pk=client_id).first()
    if client is None or not can_see_client(who, client.practice_id, client.pk):
        raise not_found("client")
    return client


@router.post("/threads",
             response={200: ThreadCreated, 201: ThreadCreated, ERRORS_AND_CONFLICT: ErrorOut})
def start_thread(request, payload: NewThreadIn):
    """Open a thread with its first message."""
    who = person(request)
    ratelimit.check_send(who.user_id)
    with events.writing(who.practice_id):
        client = _target_client(who, payload.client_id)
        audience = clean_audience(payload.audience)
        if not can_start_thread(who, client.practice_id, client.pk, audience):
            raise forbidden("audience_not_allowed", "You cannot write to this client in that audience.")
        require_portal(client.practice)
        topic = clean_topic(client.practice_id, payload.topic_id)
        subject = clean_subject(payload.subject if payload.subject is not None
                                else (topic.subject if topic else ""))
        body = clean_body(payload.body, has_attachments=bool(payload.attachments))
        client_msg_id = clean_client_msg_id(payload.client_msg_id)
        earlier = _earlier_send(request.user, client_msg_id, body)
        if earlier is not None:
            events.push_pending_after_commit(who.practice_id)
            return Status(200, {"thread": thread_for(who, earlier.thread),
                                "message": messages_for(who, earlier.thread, [earlier])[0],
                                "invitation": None})
        # No savepoint around the action: a duplicate client_msg_id ends the request, and with
        # it the whole transaction, at once.
        try:
            thread, message, invitation = do_start_thread(
                who, request.user, client, audience, topic, subject, body,
                client_msg_id=client_msg_id, mark_thread_read=payload.mark_thread_read,
                attachments=payload.attachments)
        except IntegrityError:
            raise ApiError(409, "client_msg_id_conflict", "client_msg_id is being used right now.")
        audit(request, "thread.created", thread_id=thread.pk, message_id=message.pk,
              client_id=client.pk)
        # The author's own new thread: nothing in it is unread for them, and nobody has had
        # the time to archive it.
        return Status(201, {"thread": thread_dict(thread),
                            "message": _own_new_message(who, thread, message),
                            "invitation": invitation})


@router.get("/threads/{int:thread_id}", response={200: ThreadWithMessages, ERRORS: ErrorOut})
def view_thread(request, thread_id: int, state: Optional[str] = None):
    """The thread and its messages. A client opening it marks staff messages seen and read;
    staff keep their unread marks (they mark read on purpose) but count as having reviewed it."""
    who = person(request)
    # A client opening the thread records receipts; staff only read.
    with events.writing(who.practice_id) if who.is_client else transaction.atomic():
        thread = access_thread(who, thread_id)
        if who.is_client:
            marks.do_client_open(who, thread)
        elif thread.deleted_at is None:
            notify.reviewed(who.user_id, thread.pk)
        messages = Message.objects.filter(thread=thread).select_related("author")
        if not (who.is_staff and (state == "deleted" or thread.deleted_at is not None)):
            messages = messages.filter(deleted_at__isnull=True)
        audit(request, "thread.viewed", thread_id=thread.pk, client_id=thread.client_id)
        return {"thread": thread_for(who, thread), "messages": messages_for(who, thread, messages)}


@router.patch("/threads/{int:thread_id}", response={200: ThreadOnly, 409: ConfirmOut,
                                                     ERRORS: ErrorOut})
def edit_header(request, thread_id: int, payload: HeaderIn):
    """Edit audience, topic, subject. An audience change needs `confirm: true`: without it the
    answer is 409 with who would lose and who would gain access."""
    who = person(request)
    with events.writing(who.practice_id):
        thread = access_thread(who, thread_id, lock=True, live=True)
        if not who.is_staff:
            raise forbidden("not_allowed", "Only staff can edit a thread's header.")
        given = payload.model_fields_set
        audience = clean_audience(payload.audience) if "audience" in given else None
        topic = clean_topic(thread.practice_id, payload.topic_id) if "topic_id" in given else ...
        subject = clean_subject(payload.subject) if "subject" in given else None
        if audience is not None and audience != thread.audience and not payload.confirm:
            losing, gaining = access_change(thread, audience)
            names = _staff_names(losing + gaining)
            raise ApiError(409, "confirm_audience_change",
                           "Changing the audience changes who can see this thread; confirm it.",
                           access_change={
                               "losing": [{"id": p.user_id, "name": names[p.user_id]} for p in losing],
                               "gaining": [{"id": p.user_id, "name": names[p.user_id]} for p in gaining],
                           })
        do_edit_header(who, thread, audience=audience, topic=topic, subject=subject,
                       request=request)
        return {"thread": thread_for(who, thread)}


def _staff_names(persons) -> dict:
    users = User.objects.filter(pk__in=[p.user_id for p in persons])
    return {u.pk: u.display_name for u in users}


@router.delete("/threads/{int:thread_id}", response={204: None, ERRORS: ErrorOut})
def delete_thread(request, thread_id: int):
    """Delete the thread and all its messages; needs the right to delete every one of them."""
    who = person(request)
    with events.writing(who.practice_id):
        thread = access_thread(who, thread_id, lock=True, live=True)
        if not who.is_staff:
            raise forbidden("not_allowed", "Clients cannot delete.")
        live = Message.objects.filter(thread=thread, deleted_at__isnull=True)
        if not can_delete_thread(who, thread_facts(thread), [message_facts(m) for m in live]):
            raise forbidden("seen_by_client",
                            "The client has seen messages here; only an administrator may delete them.")
        do_delete_thread(who, thread, request=request)
    return Status(204, None)


def _mark(request, thread_id, change):
    who = person(request)
    with events.writing(who.practice_id):
        thread = access_thread(who, thread_id, live=True)
        change(who, thread)
        return {"thread": thread_for(who, thread)}


@router.post("/threads/{int:thread_id}/read", response={200: ThreadOnly, ERRORS: ErrorOut})
def read_thread(request, thread_id: int):
    """Mark every message of the thread read for the caller."""
    return _mark(request, thread_id, marks.do_mark_read)


@router.post("/threads/{int:thread_id}/unread", response={200: ThreadOnly, ERRORS: ErrorOut})
def unread_thread(request, thread_id: int):
    """Mark the thread's latest message unread for the caller."""
    return _mark(request, thread_id, marks.do_mark_thread_unread)


@router.post("/threads/{int:thread_id}/archive", response={200: ThreadOnly, ERRORS: ErrorOut})
def archive_thread(request, thread_id: int):
    return _mark(request, thread_id, lambda who, thread: marks.do_archive(who, thread, True))


@router.post("/threads/{int:thread_id}/unarchive", response={200: ThreadOnly, ERRORS: ErrorOut})
def unarchive_thread(request, thread_id: int):
    return _mark(request, thread_id, lambda who, thread: marks.do_archive(who, thread, False))


_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@router.get("/threads/{int:thread_id}/export", response={200: None, ERRORS: ErrorOut},
            openapi_extra={"responses": {200: {"content": _PDF}}})
def export_thread(request, thread_id: int):
    """The thread as a PDF, deleted messages left out."""
    who = person(request)
    with transaction.atomic():
        thread = access_thread(who, thread_id, live=True)
        audit(request, "thread.exported", thread_id=thread.pk, client_id=thread.client_id)
        pdf = thread_pdf(thread)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="thread-{thread.pk}.pdf"'
    return response


@router.post("/threads/{int:thread_id}/messages",
             response={200: MessageCreated, 201: MessageCreated, ERRORS_AND_CONFLICT: ErrorOut})
def send_message(request, thread_id: int, payload: NewMessageIn):
    """Reply in a thread. The same `client_msg_id` from the same author returns the first message."""
    who = person(request)
    ratelimit.check_send(who.user_id)
    with events.writing(who.practice_id):
        thread = access_thread(who, thread_id, lock=True, live=True)
        # The caller's practice, read with the thread (the thread is seen only in its own).
        require_portal(thread.practice)
        body = clean_body(payload.body, has_attachments=bool(payload.attachments))
        client_msg_id = clean_client_msg_id(payload.client_msg_id)
        earlier = _earlier_send(request.user, client_msg_id, body)
        if earlier is not None:
            if earlier.thread_id != thread.pk:
                raise ApiError(409, "client_msg_id_conflict",
                               "client_msg_id was already used in another thread.")
            events.push_pending_after_commit(who.practice_id)
            return Status(200, {"message": messages_for(who, thread, [earlier])[0]})
        # No savepoint, as in start_thread.
        try:
            message = do_send_message(who, request.user, thread, body,
                                      client_msg_id=client_msg_id,
                                      mark_thread_read=payload.mark_thread_read,
                                      attachments=payload.attachments)
        except IntegrityError:
            raise ApiError(409, "client_msg_id_conflict", "client_msg_id is being used right now.")
        invitation = None
        if who.is_staff:
            invitation = invite_if_needed(thread.client, request.user)
        audit(request, "message.sent", thread_id=thread.pk, message_id=message.pk,
              client_id=thread.client_id)
        return Status(201, {"message": _own_new_message(who, thread, message),
                            "invitation": invitation})


def _own_new_message(who, thread, message) -> dict:
    """A message `who` has just written, as they see it: never unread for its author (the
    action gives unread marks to everyone else), so no query for their marks."""
    return message_dict(message, unread=False,
                        can_delete=can_delete_message(who, thread_facts(thread),
                                                      message_facts(message)))
