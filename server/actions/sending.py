"""Sending: a new thread or a reply, checked, made idempotent and written.

`check_start_thread` and `check_send_message` are the one way in for every door: they take the
practice's event-log lock, validate, settle a retried `client_msg_id` (server.actions.retries),
check access and the portal switch, then call `do_start_thread` or `do_send_message`.
"""

from dataclasses import dataclass

from django.db import IntegrityError

from rules import can_start_thread
from server import ratelimit
from server.live import log as events
from server.access import access_client, access_thread, require_portal
from server.actions.messages import do_send_message
from server.actions.portal import invite_if_needed
from server.actions.retries import earlier_send, reply_request, thread_request
from server.actions.threads import do_start_thread
from server.errors import ApiError, forbidden, invalid
from server.models import Message, Thread
from server.validation import (clean_audience, clean_body, clean_client_msg_id, clean_subject,
                               clean_topic)


@dataclass(frozen=True)
class Sent:
    """What a send produced. `replayed`: a retry, answered with the first send's message."""

    thread: Thread
    message: Message
    invitation: dict | None = None
    replayed: bool = False


def check_start_thread(actor, *, client_id, audience, topic_id, subject, body,
                       client_msg_id=None, mark_thread_read=True, attachments=()) -> Sent:
    """Open a thread for `client_id` (a client omits it: their own) with its first message."""
    person = actor.person
    ratelimit.check_send(person.user_id)
    with events.writing(person.practice_id):
        if person.is_client:
            client_id = person.client_id if client_id is None else client_id
        elif client_id is None:
            raise invalid("invalid", "client_id is required.", field="client_id")
        audience = clean_audience(audience)
        topic = clean_topic(person.practice_id, topic_id)
        subject = clean_subject(subject if subject is not None else (topic.subject if topic else ""))
        body = clean_body(body, has_attachments=bool(attachments))
        client_msg_id = clean_client_msg_id(client_msg_id)
        digest = (thread_request(client_id, audience, topic, subject, body, attachments)
                  if client_msg_id else "")
        earlier = earlier_send(actor, client_msg_id, digest)
        if earlier is not None:
            return Sent(earlier.thread, earlier, replayed=True)
        client = access_client(person, client_id)
        if not can_start_thread(person, client.practice_id, client.pk, audience):
            raise forbidden("audience_not_allowed", "You cannot write to this client in that audience.")
        require_portal(client.practice)
        # No savepoint around the action: a duplicate client_msg_id ends the request, and with
        # it the whole transaction, at once.
        try:
            thread, message, invitation = do_start_thread(
                actor, client, audience, topic, subject, body, client_msg_id=client_msg_id,
                request_digest=digest, mark_thread_read=mark_thread_read,
                attachments=attachments)
        except IntegrityError:
            raise _in_use()
        return Sent(thread, message, invitation)


def check_send_message(actor, thread_id, *, body, client_msg_id=None,
                       mark_thread_read=True, attachments=()) -> Sent:
    """Reply in `thread_id`; staff writing to a client without an account invite them."""
    person = actor.person
    ratelimit.check_send(person.user_id)
    with events.writing(person.practice_id):
        thread = access_thread(person, thread_id, lock=True, live=True)
        # The caller's practice, read with the thread (the thread is seen only in its own).
        require_portal(thread.practice)
        body = clean_body(body, has_attachments=bool(attachments))
        client_msg_id = clean_client_msg_id(client_msg_id)
        digest = reply_request(thread.pk, body, attachments) if client_msg_id else ""
        earlier = earlier_send(actor, client_msg_id, digest)
        if earlier is not None:
            return Sent(earlier.thread, earlier, replayed=True)
        # No savepoint, as in check_start_thread.
        try:
            message = do_send_message(actor, thread, body, client_msg_id=client_msg_id,
                                      request_digest=digest, mark_thread_read=mark_thread_read,
                attachments=attachments)
        except IntegrityError:
            raise _in_use()
        invitation = invite_if_needed(actor, thread.client) if person.is_staff else None
        return Sent(thread, message, invitation)


def _in_use() -> ApiError:
    return ApiError(409, "client_msg_id_conflict", "client_msg_id is being used right now.")
