"""Attachments: upload (multipart, field `file`) and download under the message's own rules."""

import logging
from typing import Optional

from django.conf import settings
from django.core.exceptions import TooManyFilesSent
from django.db import transaction
from django.http import FileResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Router, Status

from server.actions.attachments import do_upload_attachment
from server.api.base import api, error_response
from server.api.schemas import ERRORS, AttachmentOut, ErrorOut
from server.api.session import person, signed_in
from server.attachments.access import access_attachment
from server.attachments.content import is_image
from server.attachments.store import open_file
from server.attachments.uploads import upload_too_large
from server.audit import audit
from server.errors import ApiError, invalid, not_found
from server.serialize import attachment_dict

log = logging.getLogger(__name__)

router = Router(tags=["attachments"], auth=signed_in)

_UPLOAD = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}}
# The file comes back as the type it was stored as (PDF, an image, text, an office file).
_FILE = {"responses": {200: {"content": {"*/*": {
    "schema": {"type": "string", "format": "binary"}}}}}}


def too_large() -> ApiError:
    mb = settings.ATTACHMENT_MAX_BYTES / (1024 * 1024)
    return ApiError(413, "too_large", f"Files may be at most {mb:g} MB.")


@router.post("/attachments", response={201: AttachmentOut, ERRORS | {415}: ErrorOut},
             openapi_extra=_UPLOAD)
def upload_attachment(request):
    """Upload one file for a message to come; it stays the uploader's until a message takes
    it, and is removed after 24 hours if none does."""
    person(request)
    if upload_too_large(request):
        raise too_large()
    files = request.FILES.getlist("file")
    if upload_too_large(request):
        raise too_large()
    if not files:
        raise invalid("no_file", "Choose a file to upload (multipart field `file`).",
                      field="file")
    if len(files) > 1:
        raise invalid("one_file", "Upload one file at a time.", field="file")
    attachment = do_upload_attachment(request.user, files[0])
    audit(request, "attachment.uploaded", attachment_id=attachment.pk, size=attachment.size)
    return Status(201, attachment_dict(attachment))


@router.get("/attachments/{int:attachment_id}", response={200: None, ERRORS: ErrorOut},
            openapi_extra=_FILE)
def download_attachment(request, attachment_id: int, inline: Optional[str] = None,
                        state: Optional[str] = None):
    """The file, to save (`Content-Disposition: attachment`); an image with `inline=1` to show
    in the page. Staff fetch a deleted message's file with `state=deleted` only."""
    who = person(request)
    with transaction.atomic():
        attachment = access_attachment(who, attachment_id, deleted_view=state == "deleted")
        message = attachment.message
        audit(request, "attachment.downloaded",
              thread_id=message.thread_id if message else None,
              message_id=message.pk if message else None,
              client_id=message.thread.client_id if message else None,
              attachment_id=attachment.pk)
    try:
        file = open_file(attachment.storage_name)
    except (FileNotFoundError, OSError):
        log.error("attachment %s has no file in storage", attachment.pk)
        raise not_found("attachment")
    show = inline == "1" and is_image(attachment.content_type)
    response = FileResponse(file, as_attachment=not show, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Whatever a file holds, it runs nothing if opened in its own tab.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@api.exception_handler(MultiPartParserError)
@api.exception_handler(TooManyFilesSent)
def _bad_multipart(request, exc):
    return error_response(request, 400, "malformed", "The upload is not valid multipart data.")
