"""Read, unread and archive marks, checked: the caller's own marks on what they see.

Marks are each user's own view of the inbox, not a change to the record: they write no audit
row. Their answers carry no message text, so they need none (SPEC §4: every read of text is
audited).
"""

from server.live import log as events
from server.access import access_message, access_thread
from server.actions import marks

THREAD_MARKS = {
    "read": marks.do_mark_read,
    "unread": marks.do_mark_thread_unread,
    "archive": lambda person, thread: marks.do_archive(person, thread, True),
    "unarchive": lambda person, thread: marks.do_archive(person, thread, False),
}


def check_mark_thread(actor, thread_id, how: str):
    """Apply `how` (one of THREAD_MARKS) to a live thread for `actor`; returns the thread."""
    person = actor.person
    with events.writing(person.practice_id):
        thread = access_thread(person, thread_id, live=True)
        THREAD_MARKS[how](person, thread)
        return thread


def check_mark_message(actor, message_id, *, unread: bool):
    """Mark one message `actor` sees read or unread for them; returns the message."""
    person = actor.person
    with events.writing(person.practice_id):
        message = access_message(person, message_id)
        if unread:
            marks.do_mark_unread(person, message.thread, message)
        else:
            marks.do_mark_read(person, message.thread, [message.pk])
        return message
