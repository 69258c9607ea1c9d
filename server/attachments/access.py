"""Who may fetch an attachment: the same gate as its message, or its uploader before any
message took it. Missing and hidden files answer the same "not found"."""

from server.access import access_message
from server.errors import ApiError, not_found
from server.models import Attachment


def access_attachment(person, attachment_id, *, deleted_view: bool = False) -> Attachment:
    """The attachment `person` may fetch now.

    - Untaken: its uploader only.
    - Taken: whoever `access_message` lets see the message now.
    - Its message or thread deleted: nobody, except staff who see the thread and ask for the
      deleted view (`deleted_view`, as `GET /api/threads/{id}?state=deleted` shows the text).
      Clients never see deleted messages.
    """
    try:
        attachment = (Attachment.objects.select_related("message", "message__thread")
                      .get(pk=int(attachment_id)))
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise not_found("attachment")
    if attachment.message_id is None:
        if person is None or attachment.uploader_id != person.user_id:
            raise not_found("attachment")
        return attachment
    try:
        access_message(person, attachment.message_id)
    except ApiError:
        raise not_found("attachment")
    if attachment.deleted and not (person.is_staff and deleted_view):
        raise not_found("attachment")
    return attachment
