"""Access to threads, messages and clients: the object, or one "not found" whether missing or
hidden; and the portal switch as an error."""

from rules import can_message_clients, can_see_client, can_view
from server.errors import ApiError, forbidden, not_found
from server.facts import thread_facts
from server.models import Client, Message, Thread


def access_thread(person, thread_id, *, lock: bool = False, live: bool = False) -> Thread:
    """The thread `person` sees, locked for update with `lock`; `live` refuses deleted threads
    with 410 (staff still see them under the `deleted` filter)."""
    threads = Thread.objects.select_related("client", "topic", "practice", "urgent_acknowledged_by")
    if lock:
        threads = threads.select_for_update(of=("self",))
    try:
        thread = threads.get(pk=int(thread_id))
    except (Thread.DoesNotExist, ValueError, TypeError, OverflowError):
        raise not_found()
    if person is None or not can_view(person, thread_facts(thread)):
        raise not_found()
    if live and thread.deleted_at is not None:
        raise ApiError(410, "thread_deleted", "This thread was deleted.")
    return thread


def access_message(person, message_id, *, lock: bool = False) -> Message:
    """The message `person` sees; clients never see deleted messages."""
    messages = Message.objects.select_related("thread", "thread__client", "author")
    if lock:
        messages = messages.select_for_update(of=("self",))
    try:
        message = messages.get(pk=int(message_id))
    except (Message.DoesNotExist, ValueError, TypeError, OverflowError):
        raise not_found("message")
    if person is None or not can_view(person, thread_facts(message.thread)):
        raise not_found("message")
    if person.is_client and message.deleted_at is not None:
        raise not_found("message")
    return message


def access_client(person, client_id, *, lock: bool = False) -> Client:
    """The client record `person` may write to: their own for a client, one a staff `person`
    sees in some audience; one "not found" whether missing or hidden."""
    clients = Client.objects.select_related("practice")
    if lock:
        clients = clients.select_for_update(of=("self",))
    try:
        client_id = int(client_id)
    except (ValueError, TypeError):
        raise not_found("client")
    # Ids are 64-bit: a longer number is no client (and would overflow the database driver).
    client = clients.filter(pk=client_id).first() if -2**63 <= client_id < 2**63 else None
    if client is None or person is None:
        raise not_found("client")
    if person.is_client:
        if client.pk != person.client_id:
            raise not_found("client")
    elif not can_see_client(person, client.practice_id, client.pk):
        raise not_found("client")
    return client


def require_portal(practice) -> None:
    """403 unless messages and invitations may flow between `practice` and its clients."""
    if not can_message_clients(practice.portal_enabled):
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
