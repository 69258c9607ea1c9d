"""Uploading attachments, handing them to a message, and sweeping uploads no message took."""

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.db.models import prefetch_related_objects
from django.utils import timezone

from server.attachments import content
from server.attachments.names import clean_name
from server.attachments.store import remove_file, store_file
from server.errors import ApiError, invalid
from server.models import Attachment

log = logging.getLogger(__name__)

MAX_PER_MESSAGE = 10
# Uploads one user may hold untaken at once: enough for three full messages, and a bound on
# what one account can pile up on disk before the sweep.
MAX_UNTAKEN = 30
# An upload no message took within this long is removed (SPEC §4).
UNTAKEN_TTL = timedelta(hours=24)


def do_upload_attachment(user, uploaded) -> Attachment:
    """Check what `uploaded` (a Django UploadedFile) holds, strip an image's metadata, store it
    under a random name and record it as `user`'s untaken upload."""
    name = clean_name(uploaded.name)
    if Attachment.objects.filter(uploader=user, message__isnull=True).count() >= MAX_UNTAKEN:
        raise ApiError(429, "too_many_uploads",
                       "Too many files are waiting to be sent: send or remove some first.",
                       retry_after=3600)
    if not uploaded.size:
        raise invalid("empty_file", "The file is empty.", field="file")
    kind = content.sniff(uploaded, name)
    cleaned = None
    try:
        if content.is_image(kind):
            cleaned, stored_kind = content.clean_image(uploaded, kind)
            if stored_kind != kind:
                name = _renamed(name, ".jpg")
                kind = stored_kind
        source = cleaned if cleaned is not None else uploaded
        source.seek(0, 2)
        size = source.tell()
        storage_name = store_file(source)
    finally:
        if cleaned is not None:
            cleaned.close()
    # Called outside a transaction: the row commits at once, or the file goes again.
    try:
        return Attachment.objects.create(
            practice_id=user.practice_id, uploader=user, storage_name=storage_name, name=name,
            size=size, content_type=kind, created_at=timezone.now())
    except Exception:
        remove_file(storage_name)
        raise


def _renamed(name: str, suffix: str) -> str:
    stem = PurePosixPath(name).stem if PurePosixPath(name).suffix else name
    return clean_name(stem + suffix)


def take_attachments(actor_user, message, ids) -> list[Attachment]:
    """Hand `actor_user`'s untaken uploads `ids` to `message` (in the message's transaction).
    Someone else's, an already taken or a missing upload is a 422, and nothing is taken."""
    ids = list(ids or ())
    if not ids:
        # Known to carry none: serializing the message needs no query.
        message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
        return []
    if len(ids) > MAX_PER_MESSAGE:
        raise invalid("too_many_attachments",
                      f"A message may carry at most {MAX_PER_MESSAGE} attachments.",
                      field="attachments")
    if len(set(ids)) != len(ids) or not all(0 < i < 2**63 for i in ids):
        raise _invalid_attachment()
    mine = list(Attachment.objects.select_for_update()
                .filter(pk__in=ids, uploader_id=actor_user.pk, message__isnull=True))
    if len(mine) != len(ids):
        raise _invalid_attachment()
    Attachment.objects.filter(pk__in=ids).update(message=message)
    prefetch_related_objects([message], "attachments")
    return list(message.attachments.all())


def _invalid_attachment():
    return invalid("invalid_attachment",
                   "An attachment is not yours to send or was already sent; upload it again.",
                   field="attachments")


def remove_untaken_uploads(now=None) -> int:
    """Remove every upload no message took within UNTAKEN_TTL of `now`: the row, then the file.
    Returns how many. Each row is deleted only while still untaken, so a send that takes it at
    the same moment keeps it."""
    cutoff = (now or timezone.now()) - UNTAKEN_TTL
    removed = 0
    stale = Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)
    for pk, storage_name in stale.values_list("pk", "storage_name").iterator():
        deleted, _ = Attachment.objects.filter(pk=pk, message__isnull=True).delete()
        if not deleted:
            continue
        removed += 1
        try:
            remove_file(storage_name)
        except OSError:
            log.exception("could not remove the file of untaken upload %s", pk)
    return removed
