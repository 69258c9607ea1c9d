"""Who edits threads and chooses settings beyond reading and writing messages."""

from rules.facts import Person, ThreadFacts
from rules.visibility import can_view


def can_edit_header(person: Person, thread: ThreadFacts) -> bool:
    """Whether `person` may change `thread`'s audience, topic or subject."""
    # Only staff edit headers, and only of threads they see.
    return person.is_staff and can_view(person, thread)


def can_delete_anything(person: Person) -> bool:
    """Whether `person` may delete at all (which messages, `rules.deletion` decides)."""
    # Clients never delete.
    return person.is_staff


def can_see_deleted(person: Person) -> bool:
    """Whether `person` may list deleted threads and messages."""
    return person.is_staff


def can_choose_email_audiences(person: Person) -> bool:
    """Whether `person` picks the audiences they get email for (a client's email follows their
    own threads)."""
    return person.is_staff
