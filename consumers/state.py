"""The database reads a socket needs for itself: its user's Person, hello, and a reload; and
for the hub's sweep, the same for many sockets at once (sessions, Persons)."""

from collections import defaultdict
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from rules import Person, can_sign_in, two_factor_setup_pending
from server.facts import live_person, live_person_of, practice_staff, with_two_factor
from server.live.log import head_cursor
from server.models import Client, Thread, User
from server.readmodel import badge_for, badges_for, with_user_marks
from server.serialize import latest_messages, thread_dict
from server.visibility import visible_threads


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


def opening(session_key: str) -> tuple | None:
    """(user, Person, hello) for a socket opening with `session_key`, in one visit to the
    database; None when the session signs nobody in or they may not hold a socket."""
    user = session_users({session_key}).get(session_key)
    person = live_person_of(user)
    return None if person is None else (user, person, hello(user, person))


def openings(session_keys) -> dict:
    """{session key: `opening(key)`} for the keys that open a socket, for many at once: sessions
    and users in two queries, people per practice (`load_people`), then `hellos`."""
    if len(session_keys) == 1:
        key = next(iter(session_keys))
        return {key: opening(key)}
    users = session_users(session_keys)
    people = load_people({user.pk for user in users.values()})
    pairs = {key: (user, people[user.pk]) for key, user in users.items()
             if people.get(user.pk) is not None}
    said = hellos(pairs.values())
    return {key: (user, person, said[user, person]) for key, (user, person) in pairs.items()}


def load_people(user_ids) -> dict:
    """{user id: their Person, or None} as `server.facts.live_person` gives them, for many
    users at once: the staff of each practice in `practice_staff`'s five queries, the clients
    in one, and one for the two-step sign-in of staff whose practice requires it."""
    users = list(User.objects.select_related("practice").filter(pk__in=user_ids, is_active=True))
    people = dict.fromkeys(user_ids)
    staff = defaultdict(list)
    for user in users:
        if user.kind == User.STAFF and user.practice_id:
            staff[user.practice_id].append(user.pk)
    for practice_id, ids in staff.items():
        for person in practice_staff(practice_id, ids):
            people[person.user_id] = person
    required = [u.pk for u in users
                if people.get(u.pk) is not None and u.practice.require_two_factor]
    set_up = with_two_factor(required) if required else set()
    for user_id in required:
        if two_factor_setup_pending(people[user_id].kind, True, user_id in set_up):
            people[user_id] = None
    clients = dict(Client.objects.filter(user_id__in=[u.pk for u in users if u.kind == User.CLIENT])
                   .values_list("user_id", "id"))
    for user in users:
        if (user.pk in clients and user.practice_id
                and can_sign_in(user.kind, user.practice.portal_enabled)):
            people[user.pk] = Person(user.pk, user.practice_id, "client", client_id=clients[user.pk])
    return people


def sessions_check(keys, user_ids) -> tuple[set, dict]:
    """(those of `keys` whose session has not expired, {user id: session auth hash} for the
    active ones of `user_ids}`), in two queries: a socket stands while its key is in the first
    and its user's hash is the one it opened with (a password change ends it, as in
    `django.contrib.auth.get_user`)."""
    live = set(_live_sessions(keys).values_list("session_key", flat=True))
    hashes = {user.pk: user.get_session_auth_hash()
              for user in User.objects.filter(pk__in=set(user_ids), is_active=True)}
    return live, hashes


def session_users(keys) -> dict:
    """{session key: the user it signs in} for those of `keys` that sign someone in: not
    expired, the user active, the password unchanged since — what `django.contrib.auth.get_user`
    checks, for many sessions in two queries."""
    store = _session_store()
    signed_in = {}
    for key, data in _live_sessions(keys).values_list("session_key", "session_data"):
        session = store().decode(data)
        user_id = str(session.get(SESSION_KEY))
        if session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS and user_id.isdigit():
            signed_in[key] = (int(user_id), session.get(HASH_SESSION_KEY) or "")
    users = User.objects.select_related("practice").in_bulk(
        {user_id for user_id, _ in signed_in.values()})
    found = {}
    for key, (user_id, session_hash) in signed_in.items():
        user = users.get(user_id)
        if user is None or not user.is_active or not session_hash:
            continue
        hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
        if any(constant_time_compare(session_hash, h) for h in hashes):
            found[key] = user
    return found


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _live_sessions(keys):
    """The session rows of `keys` that have not expired."""
    return (_session_store().get_model_class().objects
            .filter(session_key__in={key for key in keys if key}, expire_date__gt=timezone.now()))


def hello(user, person: Person) -> dict:
    return _hello(user, person, head_cursor(), badge_for(person))


def hellos(pairs) -> dict:
    """{(user, Person): hello} for many at once: one cursor and every badge in three queries."""
    pairs = set(pairs)
    if len(pairs) == 1:
        return {pair: hello(*pair) for pair in pairs}
    cursor = head_cursor()
    badges = badges_for([person for _, person in pairs])
    return {(user, person): _hello(user, person, cursor, badges[str(person.user_id)])
            for user, person in pairs}


def _hello(user, person: Person, cursor: int, badge: int) -> dict:
    return {"type": "hello", "cursor": cursor, "badge": badge,
            "user": {"id": user.pk, "kind": person.kind, "name": user.display_name,
                     "roles": sorted(person.roles)}}


def head() -> int:
    return head_cursor()


def reload(user_id: int, old: Person) -> Fresh | None:
    """The user's facts read anew, and which threads they lost since `old`; None to close."""
    person = live_person(user_id)
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
        appearing = list(with_user_marks(appearing, user_id))
        latest = latest_messages(t.pk for t in appearing)
        gained = [thread_dict(t, unread_count=t.unread_count, archived=t.archived,
                              last_message=latest.get(t.pk)) for t in appearing]
    return Fresh(person, lost, gained, badge_for(person), head_now)
