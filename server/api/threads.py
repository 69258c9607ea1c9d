"""Threads: the inbox list, start, view, header edit, delete, read/unread, archive, export.

Each view parses, calls one action (server.actions), and shapes its answer."""

from typing import Optional

from django.conf import settings
from django.http import HttpResponse
from ninja import Router, Status

from rules import can_delete_message
from server.actions.editing import HEADER_FIELDS, check_delete_thread, check_edit_header
from server.actions.marking import check_mark_thread
from server.actions.reading import check_export_thread, check_view_thread, summary_for
from server.actions.sending import check_send_message, check_start_thread
from server.api import paging
from server.api.urgent import crisis_answer
from server.api.urgent import crisis_answer
from server.api.schemas import (ERRORS, ERRORS_AND_CONFLICT, ConfirmOut, ErrorOut, HeaderIn,
                                MessageCreated, NewMessageIn, NewThreadIn, ThreadCreated,
                                ThreadOnly, ThreadPage, ThreadWithMessages)
from server.api.session import actor, signed_in
from server.facts import message_facts, thread_facts
from server.listing import check_list_threads
from server.serialize import for_client, message_dict, messages_for, thread_dict, thread_for

router = Router(tags=["threads"], auth=signed_in)


# exclude_unset: `match` appears on the summaries of a search only.
@router.get("/threads", response={200: ThreadPage, ERRORS: ErrorOut}, exclude_unset=True)
def list_threads(request, client: Optional[str] = None, audience: Optional[str] = None,
                 topic: Optional[str] = None, state: str = "inbox", limit: Optional[int] = None,
                 before: Optional[str] = None, q: Optional[str] = None):
    """The caller's threads, newest activity first, filtered, searched (`q`) and paged."""
    size = paging.limit_of(limit, settings.THREAD_PAGE_DEFAULT, settings.THREAD_PAGE_MAX)
    cursor = paging.decode(before) if before else None
    page, summaries, more = check_list_threads(actor(request), client=client, audience=audience,
                                               topic=topic, state=state, size=size,
                                               before=cursor, q=q)
    return {
        "threads": summaries,
        "next": paging.next_cursor(page[-1]) if more else None,
    }


@router.post("/threads",
             response={200: ThreadCreated, 201: ThreadCreated, ERRORS_AND_CONFLICT: ErrorOut})
def start_thread(request, payload: NewThreadIn):
    """Open a thread with its first message; a retried `client_msg_id` gets the first one, 200."""
    sent = check_start_thread(actor(request), **payload.model_dump())
    return _sent_answer(request, sent, with_thread=True)


@router.get("/threads/{int:thread_id}", response={200: ThreadWithMessages, ERRORS: ErrorOut})
def view_thread(request, thread_id: int, state: Optional[str] = None):
    """The thread and its messages. A client opening it marks staff messages seen and read;
    staff keep their unread marks (they mark read on purpose) but count as having reviewed it."""
    who = actor(request).person
    thread, messages = check_view_thread(actor(request), thread_id, state=state)
    messages = list(messages)
    # The thread's last message is among those read (the last one not deleted).
    latest = next((m for m in reversed(messages) if m.deleted_at is None), None)
    return {"thread": thread_for(who, thread, last_message=latest),
            "messages": messages_for(who, thread, messages)}


@router.patch("/threads/{int:thread_id}", response={200: ThreadOnly, 409: ConfirmOut,
                                                     ERRORS: ErrorOut})
def edit_header(request, thread_id: int, payload: HeaderIn):
    """Edit audience, topic, subject. An audience change needs `confirm: true`: without it the
    answer is 409 with who would lose and who would gain access."""
    changes = {f: getattr(payload, f) for f in HEADER_FIELDS if f in payload.model_fields_set}
    thread = check_edit_header(actor(request), thread_id, changes, confirm=payload.confirm)
    return {"thread": summary_for(actor(request), thread)}


@router.delete("/threads/{int:thread_id}", response={204: None, ERRORS: ErrorOut})
def delete_thread(request, thread_id: int):
    """Delete the thread and all its messages; needs the right to delete every one of them."""
    check_delete_thread(actor(request), thread_id)
    return Status(204, None)


def _mark(request, thread_id, how):
    thread = check_mark_thread(actor(request), thread_id, how)
    return {"thread": summary_for(actor(request), thread)}


@router.post("/threads/{int:thread_id}/read", response={200: ThreadOnly, ERRORS: ErrorOut})
def read_thread(request, thread_id: int):
    """Mark every message of the thread read for the caller."""
    return _mark(request, thread_id, "read")


@router.post("/threads/{int:thread_id}/unread", response={200: ThreadOnly, ERRORS: ErrorOut})
def unread_thread(request, thread_id: int):
    """Mark the thread's latest message unread for the caller."""
    return _mark(request, thread_id, "unread")


@router.post("/threads/{int:thread_id}/archive", response={200: ThreadOnly, ERRORS: ErrorOut})
def archive_thread(request, thread_id: int):
    return _mark(request, thread_id, "archive")


@router.post("/threads/{int:thread_id}/unarchive", response={200: ThreadOnly, ERRORS: ErrorOut})
def unarchive_thread(request, thread_id: int):
    return _mark(request, thread_id, "unarchive")


_PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@router.get("/threads/{int:thread_id}/export", response={200: None, ERRORS: ErrorOut},
            openapi_extra={"responses": {200: {"content": _PDF}}})
def export_thread(request, thread_id: int):
    """The thread as a PDF, deleted messages left out."""
    thread, pdf = check_export_thread(actor(request), thread_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="thread-{thread.pk}.pdf"'
    return response


@router.post("/threads/{int:thread_id}/messages",
             response={200: MessageCreated, 201: MessageCreated, ERRORS_AND_CONFLICT: ErrorOut})
def send_message(request, thread_id: int, payload: NewMessageIn):
    """Reply in a thread. The same `client_msg_id` from the same author returns the first message."""
    sent = check_send_message(actor(request), thread_id, **payload.model_dump())
    return _sent_answer(request, sent, with_thread=False)


def _sent_answer(request, sent, *, with_thread: bool) -> Status:
    """201 with what was just written, or 200 with a retry's first message as it is now."""
    who = actor(request).person
    # A client whose message reads as a crisis is shown where to get help, on a retry too.
    crisis = crisis_answer(who, sent.thread, sent.message.body)
    if sent.replayed:
        answer = {"message": messages_for(who, sent.thread, [sent.message])[0], "crisis": crisis}
        if with_thread:
            answer.update(thread=thread_for(who, sent.thread), invitation=None)
        return Status(200, answer)
    # The author's own new message: never unread for them (the action gives unread marks to
    # everyone else), so no query for their marks; nobody has had the time to archive a new
    # thread.
    facts = thread_facts(sent.thread), message_facts(sent.message)
    answer = {"message": message_dict(sent.message, unread=False,
                                      can_delete=can_delete_message(who, *facts)),
              "invitation": sent.invitation, "crisis": crisis}
    if with_thread:
        summary = thread_dict(sent.thread)
        answer["thread"] = for_client(summary) if who.is_client else summary
    return Status(201, answer)
