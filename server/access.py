"""Access to threads and messages: the object, or one "not found" whether missing or hidden."""

from rules import can_view
from server.errors import ApiError, not_found
from server.facts import thread_facts
from server.models import Message, Thread


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
