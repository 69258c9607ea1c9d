"""Urgent threads (SPEC §4 "Safety"): who is alerted, who may mark, own or clear one."""

from rules.facts import Person, ThreadFacts
from rules.roles import CLINICAL_ADMIN, CLINICIAN, SUPERVISOR
from rules.visibility import can_view

CRISIS_LANGUAGE = "crisis_language"
STAFF = "staff"
REASONS = (CRISIS_LANGUAGE, STAFF)
# The roles that answer for a client's safety: they are alerted, and escalations reach them.
ALERTED_ROLES = frozenset({CLINICIAN, SUPERVISOR, CLINICAL_ADMIN})


def is_alerted(person: Person, thread: ThreadFacts) -> bool:
    """Whether `person` hears at once that `thread` became urgent (live and by email)."""
    return person.is_staff and bool(person.roles & ALERTED_ROLES) and can_view(person, thread)


def is_escalated_to(person: Person, thread: ThreadFacts) -> bool:
    """Whether the escalation of an unacknowledged `thread` reaches `person`: those alerted,
    and every clinical admin of the practice."""
    if not person.is_staff or person.practice_id != thread.practice_id:
        return False
    return CLINICAL_ADMIN in person.roles or is_alerted(person, thread)


def can_handle_urgency(person: Person, thread: ThreadFacts) -> bool:
    """Whether `person` may mark `thread` urgent, acknowledge it or clear it: staff who see it."""
    return person.is_staff and can_view(person, thread) and not thread.deleted
