"""The database reads a socket needs for itself: its user's Person, hello, and a reload; and
for the hub's sweep, the same for many sockets at once (sessions, Persons)."""

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

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


def greeting(user_id: int) -> tuple[Person, dict] | None:
    """The user's Person and their hello, in one visit to the database; None as `load_person`."""
    user = User.objects.select_related("practice").filter(pk=user_id, is_active=True).first()
    person = person_for(user)
    if person is None or (person.is_client and not user.practice.portal_enabled):
        return None
    return person, hello(user, person)


def load_people(user_ids) -> dict:
    """{user id: their Person, or None} for the hub's periodic reread."""
    return {user_id: load_person(user_id) for user_id in user_ids}


def standing_sessions(pairs) -> set:
    """Those (session key, user id) pairs whose session still signs that user in: not expired,
    the user active, the password unchanged since — what `django.contrib.auth.get_user` checks,
    for many sockets in two queries."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {key for key, _ in pairs if key}
    rows = (store.get_model_class().objects
            .filter(session_key__in=keys, expire_date__gt=timezone.now())
            .values_list("session_key", "session_data"))
    signed_in = {}
    for key, data in rows:
        session = store().decode(data)
        if session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS:
            signed_in[key] = (str(session.get(SESSION_KEY)), session.get(HASH_SESSION_KEY) or "")
    users = {str(user.pk): user for user in User.objects.filter(
        pk__in={uid for uid, _ in signed_in.values() if uid.isdigit()}, is_active=True)}
    standing = set()
    for key, user_id in pairs:
        uid, session_hash = signed_in.get(key, (None, ""))
        user = users.get(uid)
        if user is None or uid != str(user_id) or not session_hash:
            continue
        hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        if any(constant_time_compare(session_hash, h) for h in hashes):
            standing.add((key, user_id))
    return standing


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
