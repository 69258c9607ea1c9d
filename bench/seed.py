"""python -m bench.seed live|inbox …: fill a bench database and print what the driver needs
(session cookies, ids) as JSON. Runs inside Django against $DATABASE_URL; never the `test`
database (the driver only points it at databases whose name starts with `bench`).

`inbox` writes one practice's Thread, Message, UnreadMark and ArchiveMark rows with COPY, with
the same columns the actions write (server/actions/), then the unread counts from the marks: ids
are assigned here and the sequences moved past them. Who sees each thread (whose unread and
archive marks it gets) is asked of the rules (`rules.can_view` over `rules.Person` and `rules.ThreadFacts`).
"""

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from importlib import import_module  # noqa: E402

import rules  # noqa: E402
from server.models import (  # noqa: E402
    Client, Message, Practice, StaffRole, Thread, Topic, UnreadMark, User)

TOPICS = [("Scheduling", "Scheduling question"), ("Billing question", "Question about a bill"),
          ("Insurance", "Insurance question"), ("Clinical question", "Question for my clinician"),
          ("Forms and documents", "Forms and documents"), ("Other", "Message")]
AUDIENCES = ("administrative", "billing", "clinical")
# Staff of every seeded practice: (username suffix, roles). Clinicians 0–5 share the clients;
# the supervisor supervises clinicians 0–2.
STAFF = [("admin", ["practice_admin"]), ("sched", ["scheduler"]), ("biller", ["biller"])] + \
        [(f"clin{i}", ["clinician"]) for i in range(6)] + \
        [("sup", ["supervisor"]), ("ca0", ["clinical_admin"]), ("ca1", ["clinical_admin"])]
CLINICIANS = 6
SUPERVISED = 3
RECENT_UNREAD = 20  # the newest threads of each practice have their last message unread
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)


def session_for(user) -> str:
    """A signed-in session for `user`, as `django.contrib.auth.login` would write it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.SIGN_IN_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(24 * 3600)
    store.create()
    return store.session_key


def _password():
    # One hash for every seeded user: hashing each would take most of the seeding time.
    return make_password("bench password not secret")


def _practice(name, password, clients, *, staff=STAFF, portal=True):
    """A practice with its topics, the STAFF, and `clients` clients (portal accounts if `portal`)
    assigned round-robin to the clinicians. Returns (practice, staff by suffix, topics, clients)."""
    practice = Practice.objects.create(name=name, portal_enabled=True)
    topics = Topic.objects.bulk_create(Topic(practice=practice, name=n, subject=s)
                                       for n, s in TOPICS)
    tag = f"p{practice.pk}"
    users = User.objects.bulk_create(
        User(username=f"{tag}-{suffix}", password=password, practice=practice, kind=User.STAFF,
             name=f"{suffix} of {name}", email=f"{tag}-{suffix}@staff.example.org")
        for suffix, _ in staff)
    by_suffix = {suffix: user for (suffix, _), user in zip(staff, users)}
    StaffRole.objects.bulk_create(StaffRole(user=user, role=role)
                                  for (suffix, roles), user in zip(staff, users) for role in roles)
    if "sup" in by_suffix:
        by_suffix["sup"].supervises.set([by_suffix[f"clin{i}"] for i in range(SUPERVISED)
                                         if f"clin{i}" in by_suffix])
    accounts = []
    if portal:
        accounts = User.objects.bulk_create(
            User(username=f"{tag}-client{i}", password=password, practice=practice,
                 kind=User.CLIENT, name=f"Client {i}", email=f"{tag}-c{i}@client.example.org")
            for i in range(clients))
    records = Client.objects.bulk_create(
        Client(practice=practice, name=f"Client {i:05d}", email=f"{tag}-c{i}@client.example.org",
               user=accounts[i] if portal else None) for i in range(clients))
    if all(f"clin{i}" in by_suffix for i in range(CLINICIANS)):
        Client.clinicians.through.objects.bulk_create(
            Client.clinicians.through(client_id=c.pk, user_id=by_suffix[f"clin{i % CLINICIANS}"].pk)
            for i, c in enumerate(records))
    return practice, by_suffix, topics, records


# --- W5: the inbox database --------------------------------------------------------------------

# Words the message bodies take in turn, so that a search (`?q=`) matches one message in eight.
NOTE_WORDS = ("appointment", "invoice", "insurance", "prescription", "paperwork", "reschedule",
              "referral", "copay")
SEARCH_WORD = "referral"
UNREAD_EVERY = 10   # every 10th thread has its last message unread for everyone who sees it
BATCH = 2000        # threads written per COPY round


def staff_people(practice, staff) -> list:
    """The practice's staff as the rules see them (`rules.Person`), from the rows seeded."""
    clinician_of = {c: u for c, u in Client.clinicians.through.objects.filter(
        client__practice=practice).values_list("client_id", "user_id")}
    roles = {}
    for user_id, role in StaffRole.objects.filter(user__practice=practice).values_list("user_id",
                                                                                       "role"):
        roles.setdefault(user_id, set()).add(role)
    supervised = {s.pk: {c.pk for c in s.supervises.all()} for s in staff.values()}
    people = []
    for user in staff.values():
        assigned = frozenset(c for c, u in clinician_of.items() if u == user.pk)
        watched = supervised[user.pk]
        people.append(rules.Person(
            user_id=user.pk, practice_id=practice.pk, kind="staff",
            roles=frozenset(roles.get(user.pk, ())), assigned_client_ids=assigned,
            supervised_client_ids=frozenset(c for c, u in clinician_of.items() if u in watched)))
    return people


def thread_viewers(people, practice_id, client_id, audience) -> list:
    """The staff user ids who see a thread: `rules.can_view` over each of `people`."""
    facts = rules.ThreadFacts(practice_id=practice_id, client_id=client_id, audience=audience)
    return [p.user_id for p in people if rules.can_view(p, facts)]


def seed_inbox(threads: int, messages: int) -> dict:
    """One practice of `threads` threads of `messages` messages each (4 threads per client, every
    client on the portal). Every UNREAD_EVERY-th thread has its last message unread for everyone
    who sees it (so the staff's unread marks grow with the practice); every 4th other thread is
    archived by its staff viewers; 1 thread in 100 is deleted and 1 message in 50."""
    started = time.monotonic()
    clients_per = max(1, threads // 4)
    step = timedelta(seconds=30)
    message_id = 0
    with connection.cursor() as cursor, transaction.atomic():
        raw = cursor.cursor
        practice, staff, topics, clients = _practice("Inbox Practice", _password(), clients_per)
        people = staff_people(practice, staff)
        audiences = {}
        for first_t in range(0, threads, BATCH):
            thread_rows, message_rows, unread_rows, archive_rows = [], [], [], []
            for t in range(first_t, min(threads, first_t + BATCH)):
                thread_id = t + 1
                client = clients[t % clients_per]
                audience = AUDIENCES[t % 3]
                topic = topics[t % len(topics)]
                last = EPOCH + (t + 1) * messages * step
                first = last - (messages - 1) * step
                deleted = t % 100 == 7
                clinician = staff[f"clin{(t % clients_per) % CLINICIANS}"]
                key = (client.pk, audience)
                if key not in audiences:
                    audiences[key] = thread_viewers(people, practice.pk, client.pk, audience)
                thread_rows.append((thread_id, practice.pk, client.pk, audience, topic.pk,
                                    f"{topic.subject} #{t}", clinician.pk, first, last,
                                    last if deleted else None, "", ""))
                unread = t % UNREAD_EVERY == UNREAD_EVERY - 1
                for j in range(messages):
                    message_id += 1
                    at = first + j * step
                    by_client = j % 2 == 1
                    author = client.user_id if by_client else clinician.pk
                    gone = deleted or (t * messages + j) % 50 == 3
                    seen = None if by_client or (unread and j == messages - 1) else at + step / 2
                    word = NOTE_WORDS[(t * messages + j) % len(NOTE_WORDS)]
                    message_rows.append((message_id, thread_id, author,
                                         "client" if by_client else "staff",
                                         f"Message {j} of thread {t}: a short, ordinary note "
                                         f"about the {word}.",
                                         at, seen, at + step / 3 if gone else None,
                                         clinician.pk if gone else None, ""))
                if unread and not gone:
                    readers = [uid for uid in audiences[key] if uid != author]
                    if author != client.user_id:
                        readers.append(client.user_id)
                    unread_rows += [(uid, message_id, thread_id) for uid in readers]
                elif t % 4 == 1:
                    archive_rows += [(uid, thread_id) for uid in audiences[key]]
            # The model's defaults live in Django, not in the tables: give every NOT NULL column.
            _copy(raw, "server_thread", ("id", "practice_id", "client_id", "audience",
                                         "topic_id", "subject", "created_by_id", "created_at",
                                         "last_message_at", "deleted_at", "urgent_reason",
                                         "after_hours_key"), thread_rows)
            _copy(raw, "server_message", ("id", "thread_id", "author_id", "author_kind", "body",
                                          "created_at", "seen_by_client_at", "deleted_at",
                                          "deleted_by_id", "request_digest"), message_rows)
            _copy(raw, "server_unreadmark", ("user_id", "message_id", "thread_id"), unread_rows)
            _copy(raw, "server_archivemark", ("user_id", "thread_id"), archive_rows)
        # The per-(user, thread) counts the server keeps beside the marks (server.unread).
        cursor.execute("INSERT INTO server_threadunread (user_id, thread_id, unread) "
                       "SELECT user_id, thread_id, count(*) FROM server_unreadmark "
                       "GROUP BY user_id, thread_id")
        for table in ("server_thread", "server_message"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        unread_ids = [t + 1 for t in range(threads) if t % UNREAD_EVERY == UNREAD_EVERY - 1
                      and t % 100 != 7]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"practices": [{
                "practice_id": practice.pk,
                "sessions": {"clinical_admin": session_for(staff["ca0"]),
                             "clinician": session_for(staff["clin0"])},
                "client_id": clients[0].pk, "topic_id": topics[0].pk,
                "view_thread_ids": unread_ids[-20:]}],
            "threads": threads, "messages": message_id,
            "unread_marks": UnreadMark.objects.filter(thread__practice=practice).count(),
            "search_word": SEARCH_WORD, "seconds": round(time.monotonic() - started, 1)}


def _copy(raw_cursor, table, columns, rows):
    if not rows:
        return
    with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def sessions_again(practice_id: int) -> dict:
    """Fresh sessions for the measured users of an already seeded inbox database."""
    staff = {u.username.split("-", 1)[1]: u for u in User.objects.filter(practice_id=practice_id)}
    return {"clinical_admin": session_for(staff["ca0"]), "clinician": session_for(staff["clin0"])}


# --- W1/W2: a practice for live sockets --------------------------------------------------------

def seed_live(users: int) -> dict:
    """One practice with `users` clinical admins (the audience every clinical thread reaches), a
    clinician who writes, and one client of theirs with a clinical thread."""
    password = _password()
    staff = [("sender", ["clinician"])] + [(f"ca{i}", ["clinical_admin"]) for i in range(users)]
    with transaction.atomic():
        practice, by_suffix, topics, clients = _practice("Bench Live", password, 1, staff=staff)
        sender, client = by_suffix["sender"], clients[0]
        client.clinicians.set([sender])
        now = datetime.now(timezone.utc)
        thread = Thread.objects.create(practice=practice, client=client, audience="clinical",
                                       topic=topics[3], subject="Fan-out", created_by=sender,
                                       created_at=now, last_message_at=now)
        Message.objects.create(thread=thread, author=sender, author_kind="staff", body="start",
                               created_at=now)
    return {"practice_id": practice.pk, "thread_id": thread.pk,
            "sender_session": session_for(sender),
            "sessions": [session_for(by_suffix[f"ca{i}"]) for i in range(users)]}


# --- W3: practices with every role, clients on the portal -----------------------------------------

TRAFFIC_STAFF = [("pa", ["practice_admin"]), ("sched", ["scheduler"]), ("biller", ["biller"]),
                 ("clin0", ["clinician"]), ("clin1", ["clinician"]), ("sup", ["supervisor"]),
                 ("ca", ["clinical_admin"]), ("front", ["scheduler", "biller"])]


def seed_traffic(practices: int, clients: int) -> dict:
    """`practices` practices, each with staff in every role (the supervisor supervises clin0) and
    `clients` portal clients (assigned to clin0, clin1 or nobody in turn), one thread per client
    and audience. For every thread, the user ids the rules let see it (`server.actions.viewers`)."""
    from server.actions.viewers import client_viewer, staff_viewers

    password = _password()
    users, threads = [], []
    now = datetime.now(timezone.utc)
    for p in range(practices):
        with transaction.atomic():
            practice, staff, topics, records = _practice(f"Traffic Practice {p + 1}", password,
                                                         clients, staff=TRAFFIC_STAFF)
            staff["sup"].supervises.set([staff["clin0"]])
            for i, client in enumerate(records):
                client.clinicians.set([] if i % 3 == 2 else [staff[f"clin{i % 3}"]])
            who = {user.pk: suffix for suffix, user in staff.items()}
            for user in list(staff.values()) + [c.user for c in records]:
                users.append({"id": user.pk, "kind": user.kind, "who": who.get(user.pk, "client"),
                              "session": session_for(user)})
            for client in records:
                for audience in AUDIENCES:
                    thread = Thread.objects.create(
                        practice=practice, client=client, audience=audience, topic=topics[0],
                        subject=f"{audience} thread", created_by=staff["ca"], created_at=now,
                        last_message_at=now)
                    Message.objects.create(thread=thread, author=staff["ca"], author_kind="staff",
                                           body="start", created_at=now)
                    thread.client = client
                    viewers = [person.user_id for person in staff_viewers(thread)]
                    person = client_viewer(thread)
                    if person is not None:
                        viewers.append(person.user_id)
                    threads.append({"id": thread.pk, "practice": practice.pk,
                                    "audience": audience, "viewers": sorted(viewers)})
    return {"users": users, "threads": threads}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.seed")
    sub = parser.add_subparsers(dest="what", required=True)
    live = sub.add_parser("live")
    live.add_argument("--users", type=int, required=True)
    inbox = sub.add_parser("inbox")
    inbox.add_argument("--threads", type=int, required=True, help="threads of the one practice")
    inbox.add_argument("--messages", type=int, required=True, help="messages per thread")
    traffic = sub.add_parser("traffic")
    traffic.add_argument("--practices", type=int, required=True)
    traffic.add_argument("--clients", type=int, required=True, help="clients per practice")
    again = sub.add_parser("sessions")
    again.add_argument("--practice", type=int, required=True)
    args = parser.parse_args(argv)
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("bench"):
        sys.exit(f"refusing to seed database {name!r}: only bench* databases")
    if args.what == "live":
        result = seed_live(args.users)
    elif args.what == "traffic":
        result = seed_traffic(args.practices, args.clients)
    elif args.what == "inbox":
        result = seed_inbox(args.threads, args.messages)
    else:
        result = sessions_again(args.practice)
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
