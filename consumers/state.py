"""The database reads a socket needs for itself: its user's Person, hello, and a reload."""

from dataclasses import dataclass

from rules import Person
from server.badges import badge_for
from server.facts import person_for
from server.models import Thread, User
from server.visibility import visible_threads
from consumers.replay import head_cursor


@dataclass
class Fresh:
    person: Person
    lost: list   # ids of threads the old Person saw and the new one does not
    badge: int
    head: int


def load_person(user_id: int) -> Person | None:
    """The user's Person, or None when they may not hold a socket (inactive, outside a practice,
    a client whose practice has the portal switched off)."""
    user = User.objects.select_related("practice").filter(pk=user_id, is_active=True).first()
    person = person_for(user)
    if person is None or (person.is_client and not user.practice.portal_enabled):
        return None
    return person


def hello(user, person: Person) -> dict:
    return {"type": "hello", "cursor": head_cursor(), "badge": badge_for(person),
            "user": {"id": user.pk, "kind": person.kind, "name": user.display_name,
                     "roles": sorted(person.roles)}}


def head() -> int:
    return head_cursor()


def reload(user_id: int, old: Person) -> Fresh | None:
    """The user's facts read anew, and which threads they lost since `old`; None to close."""
    person = load_person(user_id)
    if person is None:
        return None
    head_now = head_cursor()
    lost = []
    if person != old:
        lost = list(Thread.objects.filter(visible_threads(old)).exclude(visible_threads(person))
                    .order_by("id").values_list("id", flat=True))
    return Fresh(person, lost, badge_for(person), head_now)
