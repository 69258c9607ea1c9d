"""The database reads a socket needs for itself: its user's Person, hello, and a reload."""

from dataclasses import dataclass

from rules import Person
from server.badges import badge_for
from server.facts import person_for
from server.models import Thread, User
from server.serialize import thread_dict, with_user_marks
from server.visibility import visible_threads
from consumers.replay import head_cursor


# At most this many threads that appear after an access change are sent; the rest show on the
# next list fetch.
GAINED_MAX = 100


@dataclass
class Fresh:
    person: Person
    lost: list    # ids of threads the old Person saw and the new one does not
    gained: list  # summaries of live threads the new Person sees and the old one did not
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
    lost, gained = [], []
    if person != old:
        lost = list(Thread.objects.filter(visible_threads(old)).exclude(visible_threads(person))
                    .order_by("id").values_list("id", flat=True))
        appearing = (Thread.objects.filter(visible_threads(person), deleted_at__isnull=True)
                     .exclude(visible_threads(old)).select_related("client", "topic")
                     .order_by("-last_message_at", "-id")[:GAINED_MAX])
        gained = [thread_dict(t, unread_count=t.unread_count, archived=t.archived)
                  for t in with_user_marks(appearing, user_id)]
    return Fresh(person, lost, gained, badge_for(person), head_now)
