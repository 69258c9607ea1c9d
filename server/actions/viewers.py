"""Who sees a thread right now, as rules.Persons — the recipients of its events and marks."""

from rules import can_view
from server.facts import client_person, practice_staff, thread_facts


def staff_viewers(thread, staff=None) -> list:
    facts = thread_facts(thread)
    return [p for p in (staff if staff is not None else practice_staff(thread.practice_id))
            if can_view(p, facts)]


def client_viewer(thread):
    """The client's portal account, if they have one."""
    return client_person(thread.client)
