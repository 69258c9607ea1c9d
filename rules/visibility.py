"""Who sees a thread, who may start one, and which clients a staff user can reach."""

from rules.facts import Person, ThreadFacts
from rules.roles import AUDIENCES, audiences_by_role


def _has_relationship(person: Person, client_id: int) -> bool:
    # Assigned clinicians and supervisors of assigned clinicians see every audience.
    return client_id in person.assigned_client_ids or client_id in person.supervised_client_ids


def visible_audiences(person: Person, client_id: int) -> frozenset:
    """The audiences of `client_id`'s threads that a staff `person` sees."""
    if not person.is_staff:
        return frozenset()
    if _has_relationship(person, client_id):
        return frozenset(AUDIENCES)
    return audiences_by_role(person.roles)


def can_view(person: Person, thread: ThreadFacts) -> bool:
    """Whether `person` sees `thread` at all (deleted threads are seen by staff only)."""
    # Never across practices.
    if person.practice_id != thread.practice_id:
        return False
    # A client sees their own threads while they are not deleted, and nothing else.
    if person.is_client:
        return person.client_id == thread.client_id and not thread.deleted
    if not person.is_staff:
        return False
    return thread.audience in visible_audiences(person, thread.client_id)


def can_start_thread(person: Person, practice_id: int, client_id: int, audience: str) -> bool:
    """Whether `person` may open a thread with `client_id` in `audience`."""
    if audience not in AUDIENCES:
        return False
    return can_view(person, ThreadFacts(practice_id, client_id, audience))


def can_see_client(person: Person, practice_id: int, client_id: int) -> bool:
    """Whether a staff `person` sees `client_id` in at least one audience."""
    if person.practice_id != practice_id or not person.is_staff:
        return False
    return bool(visible_audiences(person, client_id))


def email_audiences_allowed(person: Person) -> frozenset:
    """The audiences a staff user may ask email for: those they can see for some client."""
    if not person.is_staff:
        return frozenset()
    allowed = audiences_by_role(person.roles)
    # A clinician or supervisor with any relationship sees every audience of those clients.
    if person.assigned_client_ids or person.supervised_client_ids:
        allowed = frozenset(AUDIENCES)
    return allowed
