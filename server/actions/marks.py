"""Per-user state: read and unread marks, the client's "seen", archive.

Only rows whose state really changes produce an event, so repeating a call is harmless.
"""

from django.utils import timezone

from server import notify, unread
from server.live.declared import MessageReadState, ReceiptSeen, ThreadUpdated
from server.live.log import record, record_many
from server.models import ArchiveMark, Message


def _read_state(person, thread, message_ids, now_unread: bool) -> None:
    if message_ids:
        record(thread.practice_id, MessageReadState(person.user_id, thread.pk,
                                                    sorted(message_ids), now_unread))


def do_mark_read(person, thread, message_ids=None) -> list:
    """Mark `message_ids` (default: the whole thread) read for `person`; returns those changed."""
    changed = unread.remove(person.user_id, thread.pk, message_ids)
    _read_state(person, thread, changed, now_unread=False)
    notify.reviewed(person.user_id, thread.pk)
    return changed


def do_mark_unread(person, thread, message) -> bool:
    """Mark one message unread for `person`; False if it already was, or if it is deleted (a
    deleted message is unread for nobody)."""
    if message.deleted_at is not None or thread.deleted_at is not None:
        return False
    created = bool(unread.add([(person.user_id, message.pk, thread.pk)]))
    if created:
        _read_state(person, thread, [message.pk], now_unread=True)
    return created


def do_mark_thread_unread(person, thread) -> bool:
    """Mark the thread's latest live message unread for `person`."""
    latest = (Message.objects.filter(thread=thread, deleted_at__isnull=True)
              .order_by("-created_at", "-id").first())
    return latest is not None and do_mark_unread(person, thread, latest)


def do_client_open(person, thread) -> list:
    """The client opened `thread`: staff messages become seen (a live receipt) and read."""
    now = timezone.now()
    unseen = list(Message.objects.filter(thread=thread, author_kind="staff",
                                         seen_by_client_at__isnull=True, deleted_at__isnull=True)
                  .values_list("id", flat=True))
    if unseen:
        Message.objects.filter(pk__in=unseen).update(seen_by_client_at=now)
        record_many(thread.practice_id, [ReceiptSeen(thread.pk, message_id)
                                         for message_id in unseen])
    do_mark_read(person, thread)
    return unseen


def do_archive(person, thread, archived: bool) -> bool:
    """Archive or unarchive `thread` for `person` alone; False if nothing changed."""
    if archived:
        _, changed = ArchiveMark.objects.get_or_create(user_id=person.user_id, thread=thread)
    else:
        changed = ArchiveMark.objects.filter(user_id=person.user_id, thread=thread).delete()[0] > 0
    if changed:
        record(thread.practice_id, ThreadUpdated(thread.pk, user_id=person.user_id))
    return changed
