"""The delete rule: free until the client has seen a message, then only the right admin."""

from rules.facts import MessageFacts, Person, ThreadFacts
from rules.roles import CLINICAL, CLINICAL_ADMIN, PRACTICE_ADMIN
from rules.visibility import can_view


def can_delete_message(person: Person, thread: ThreadFacts, message: MessageFacts) -> bool:
    """Whether `person` may delete `message` in `thread`."""
    # Clients never delete.
    if not person.is_staff:
        return False
    # The right to delete never widens what a user sees.
    if not can_view(person, thread):
        return False
    # Nothing left to delete.
    if message.deleted:
        return False
    # Before the client has seen it, anyone who sees it may delete it.
    if not message.client_has_seen:
        return True
    # Once seen, only the admin of the thread's kind may delete it.
    if thread.audience == CLINICAL:
        return CLINICAL_ADMIN in person.roles
    return PRACTICE_ADMIN in person.roles


def can_delete_thread(person: Person, thread: ThreadFacts, messages) -> bool:
    """Whether `person` may delete `thread`: it needs the right to delete every live message."""
    if not person.is_staff or not can_view(person, thread) or thread.deleted:
        return False
    return all(can_delete_message(person, thread, m) for m in messages if not m.deleted)
