"""Retried sends: the same `client_msg_id` from the same author gets the first result back.

The first send keeps a digest of its request with its message. A retry must repeat that request
exactly, or it is 409 `client_msg_id_conflict` (the id reused for another client, audience,
topic, subject, body or thread). A retry is answered with what the caller may see now: 404 for a
thread or message they can no longer see, and never another thread.
"""

import hashlib
import json

from server.live import log as events
from server.access import access_message, access_thread
from server.audit import audit_by
from server.errors import ApiError
from server.models import Message


def thread_request(client_id, audience, topic, subject, body, attachments=()) -> str:
    """The digest of a new thread's request, as cleaned."""
    return _digest("thread", client_id, audience, topic.pk if topic else None, subject, body,
                   *_files(attachments))


def reply_request(thread_id, body, attachments=()) -> str:
    """The digest of a reply's request, as cleaned."""
    return _digest("reply", thread_id, body, *_files(attachments))


def _files(attachments) -> tuple:
    # Only a request with files adds them, so digests kept before attachments still match.
    return ("files", sorted(attachments)) if attachments else ()


def _digest(*parts) -> str:
    text = json.dumps(parts, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def earlier_send(actor, client_msg_id, digest):
    """The message `actor` already sent under `client_msg_id` for this very request, as they may
    see it now; None when the id is new. Raises 409 for another request under the same id,
    404 (410 for a thread staff deleted) when the caller can no longer see what it sent."""
    if client_msg_id is None:
        return None
    found = (Message.objects.filter(author_id=actor.user.pk, client_msg_id=client_msg_id)
             .values_list("pk", "thread_id", "request_digest").first())
    if found is None:
        return None
    message_id, thread_id, earlier_digest = found
    # Sends made before digests were kept have none: a retry of one is refused, never guessed.
    if earlier_digest != digest:
        raise ApiError(409, "client_msg_id_conflict",
                       "client_msg_id was already used for a different message.")
    access_thread(actor.person, thread_id, live=True)
    message = access_message(actor.person, message_id)
    # The first answer may have been lost with its push: push what is still pending.
    events.push_pending_after_commit(actor.person.practice_id)
    audit_by(actor, "message.viewed", thread_id=thread_id, message_id=message_id,
             client_id=message.thread.client_id, retry=True)
    return message
