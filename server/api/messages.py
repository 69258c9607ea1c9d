"""Single messages: read, unread, delete."""

from ninja import Router, Status

from rules import can_delete_message
from server.access import access_message
from server.actions import marks
from server.actions.messages import do_delete_message
from server.api.schemas import ERRORS, ErrorOut, MessageOnly
from server.api.session import person, signed_in
from server.errors import ApiError, forbidden
from server.facts import message_facts, thread_facts
from server.live import log as events
from server.serialize import messages_for

router = Router(tags=["messages"], auth=signed_in)


def _mark(request, message_id, change):
    who = person(request)
    with events.writing(who.practice_id):
        message = access_message(who, message_id)
        change(who, message.thread, message)
        return {"message": messages_for(who, message.thread, [message])[0]}


@router.post("/messages/{int:message_id}/read", 
             response={200: MessageOnly, ERRORS: ErrorOut})
def read_message(request, message_id: int):
    return _mark(request, message_id,
                 lambda who, thread, message: marks.do_mark_read(who, thread, [message.pk]))


@router.post("/messages/{int:message_id}/unread", 
             response={200: MessageOnly, ERRORS: ErrorOut})
def unread_message(request, message_id: int):
    return _mark(request, message_id, marks.do_mark_unread)


@router.delete("/messages/{int:message_id}", response={204: None, ERRORS: ErrorOut})
def delete_message(request, message_id: int):
    """Delete while the client has not seen it; after that, only the thread kind's admin."""
    who = person(request)
    with events.writing(who.practice_id):
        message = access_message(who, message_id, lock=True)
        if not who.is_staff:
            raise forbidden("not_allowed", "Clients cannot delete.")
        if message.deleted_at is not None or message.thread.deleted_at is not None:
            raise ApiError(410, "message_deleted", "This message was already deleted.")
        if not can_delete_message(who, thread_facts(message.thread), message_facts(message)):
            raise forbidden("seen_by_client",
                            "The client has seen this message; only an administrator may delete it.")
        do_delete_message(who, message, request=request)
    return Status(204, None)
