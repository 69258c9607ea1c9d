"""Single messages: read, unread, delete.

Marking answers with the message's id and its new unread flag, never its text: every read of
text is audited, and marking a message is not reading it (the page has the text already)."""

from ninja import Router, Status

from server.actions.editing import check_delete_message
from server.actions.marking import check_mark_message
from server.api.schemas import ERRORS, ErrorOut, MessageMarked
from server.api.session import actor, signed_in

router = Router(tags=["messages"], auth=signed_in)


def _mark(request, message_id, unread: bool):
    message = check_mark_message(actor(request), message_id, unread=unread)
    return {"message": {"id": message.pk, "thread_id": message.thread_id, "unread": unread}}


@router.post("/messages/{int:message_id}/read", response={200: MessageMarked, ERRORS: ErrorOut})
def read_message(request, message_id: int):
    return _mark(request, message_id, unread=False)


@router.post("/messages/{int:message_id}/unread", response={200: MessageMarked, ERRORS: ErrorOut})
def unread_message(request, message_id: int):
    return _mark(request, message_id, unread=True)


@router.delete("/messages/{int:message_id}", response={204: None, ERRORS: ErrorOut})
def delete_message(request, message_id: int):
    """Delete while the client has not seen it; after that, only the thread kind's admin."""
    check_delete_message(actor(request), message_id)
    return Status(204, None)
