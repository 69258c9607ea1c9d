"""Sending a message costs a fixed number of queries, whatever the size of the practice
(docs/PERFORMANCE.md F5): measured in the test practice (7 staff, 1 portal client) and again after
it grows to 19 staff and 11 portal clients — more viewers for every thread, more marks, more
emails — the counts are equal and under a fixed bound.

The counts cover the whole request as a browser makes it: the session, the caller, the action
and, since the test commits for real, the fan-out that runs after commit inside the request."""

from collections import Counter

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from server import unread
from server.actions.viewers import staff_viewers
from server.facts import person_for
from server.models import Message, StaffRole, Thread, ThreadUnread, UnreadMark, User
from server.readmodel import unread_by_thread
from tests.api.helpers import reply, start
from tests.factory import JsonClient, make_client, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

# Measured on PostgreSQL (SQLite needs a couple fewer: no advisory lock on the event log). A
# reply logs one event; a new thread (thread.created, message.created) and a reply that reads
# earlier messages (message.created, message.read_state) log two, and each event's fan-out reads
# its viewers and their badges (two queries since F11: marks counted per thread, then each
# thread tested once per view). Before F4 and F5: 39 for a staff reply, 53 for a new
# thread (the session write, a savepoint, the practice, the author's own marks, a new thread's
# no-op updates). 34 since attachments: the fan-out reads the messages' attachments with them
# (one query per publish, however many messages and recipients). 35 since unread counts are kept
# per (user, thread) on write: a send raises its readers' counts in one more statement, and the
# fan-out reads counts and the new message's dots in one query, as it read marks before (F15).
BOUND_ONE_EVENT = 35
BOUND_TWO_EVENTS = 42
TWO_EVENTS = {"client reply after staff", "staff new thread", "client new thread"}


def grow(world, staff=12, portal_clients=10):
    """More staff who see the measured threads (by role, assignment and supervision) and more
    portal clients; some staff want email for every audience."""
    roles = (["scheduler"], ["biller"], ["clinician"], ["supervisor"], ["clinical_admin"],
             ["practice_admin", "clinician"])
    for i in range(staff):
        user = make_staff(world.practice, f"extra{i}", roles[i % len(roles)])
        if "clinician" in roles[i % len(roles)]:
            world.dana.clinicians.add(user)
            world.eli.clinicians.add(user)
        if "supervisor" in roles[i % len(roles)]:
            user.supervises.add(world.cleo)
        if i % 2:
            User.objects.filter(pk=user.pk).update(
                email_audiences=["administrative", "billing", "clinical"])
    for i in range(portal_clients):
        make_client(world.practice, f"Client{i} Extra", username=f"client{i}",
                    clinicians=[world.cleo])


def cost(api, path, data, status=201) -> int:
    with CaptureQueriesContext(connection) as captured:
        r = api.post(path, data)
    assert r.status_code == status, r.content
    return len(captured.captured_queries)


def costs(world) -> dict:
    """Queries per request for replies and new threads by staff and by the client, each measured
    after a first message has queued the email notices (the steady state of a conversation)."""
    cleo, dana = JsonClient(world.cleo), JsonClient(world.dana.user)
    to_dana = start(cleo, "administrative", client=world.dana)["thread"]["id"]
    to_eli = start(cleo, "clinical", client=world.eli)["thread"]["id"]  # no portal account
    from_dana = start(dana, "clinical")["thread"]["id"]
    for api, thread_id in ((cleo, to_dana), (cleo, to_eli), (dana, from_dana)):
        reply(api, thread_id, "First")
    found = {}
    for name, api, thread_id in (("staff reply", cleo, to_dana),
                                 ("staff reply, no portal account", cleo, to_eli),
                                 ("client reply", dana, from_dana)):
        found[name] = cost(api, f"/api/threads/{thread_id}/messages", {"body": "Measured"})
        found[name + ", kept unread"] = cost(api, f"/api/threads/{thread_id}/messages",
                                             {"body": "Measured", "mark_thread_read": False})
    reply(cleo, from_dana)
    found["client reply after staff"] = cost(dana, f"/api/threads/{from_dana}/messages",
                                             {"body": "Measured"})
    found["staff new thread"] = cost(cleo, "/api/threads", {
        "client_id": world.dana.pk, "audience": "clinical", "subject": "S", "body": "B"})
    found["client new thread"] = cost(dana, "/api/threads", {
        "audience": "administrative", "subject": "S", "body": "B"})
    return found


def test_sending_costs_the_same_in_a_small_and_a_larger_practice(world, settings):
    settings.SEND_LIMIT_PER_MINUTE = 1000
    # Someone wants email in both practices, so both measure the same email path.
    User.objects.filter(pk=world.cara.pk).update(
        email_audiences=["administrative", "billing", "clinical"])
    costs(world)  # warm up: content types, first emails
    small = costs(world)
    grow(world)
    large = costs(world)
    assert large == small
    for name, queries in large.items():
        assert queries <= (BOUND_TWO_EVENTS if name in TWO_EVENTS else BOUND_ONE_EVENT), large


def unread_for_viewers(thread_id, author, n):
    """`n` more messages by `author` in the thread, unread for everyone else who sees it, as
    sends leave them (marks and counts through server.unread)."""
    thread = Thread.objects.get(pk=thread_id)
    now = timezone.now()
    written = Message.objects.bulk_create(
        Message(thread=thread, author=author, author_kind=author.kind, body=f"Note {i}",
                created_at=now) for i in range(n))
    readers = [p.user_id for p in staff_viewers(thread) if p.user_id != author.pk]
    unread.add((uid, m.pk, thread.pk) for m in written for uid in readers)
    return readers


def add_viewers(world, n):
    """`n` more clinical admins: they see every clinical thread."""
    users = User.objects.bulk_create(
        User(username=f"viewer{i}", password=make_password(None), practice=world.practice,
             kind=User.STAFF, name=f"Viewer {i}") for i in range(n))
    StaffRole.objects.bulk_create(StaffRole(user=u, role="clinical_admin") for u in users)


def test_a_reply_costs_the_same_at_5_and_500_viewers_and_at_1_and_2000_unread(world, settings):
    """A reply's queries do not grow with its viewers nor with what they left unread: unread
    counts are kept per (user, thread) on write, not counted from marks (server.unread)."""
    settings.SEND_LIMIT_PER_MINUTE = 1000
    cleo, dana = JsonClient(world.cleo), JsonClient(world.dana.user)
    few = start(dana, "clinical")["thread"]["id"]
    viewers = staff_viewers(Thread.objects.get(pk=few))
    assert 3 <= len(viewers) <= 5
    reply(dana, few, "Warm up")
    found = {"client, few viewers, 1 unread": cost(dana, f"/api/threads/{few}/messages",
                                                   {"body": "Measured"}),
             "staff, few viewers, 1 unread": cost(cleo, f"/api/threads/{few}/messages",
                                                  {"body": "Measured"})}
    reply(dana, few, "Unread for cleo")
    readers = unread_for_viewers(few, world.dana.user, 2000)
    assert world.cleo.pk in readers
    assert unread_by_thread(person_for(world.cleo), [few]) == {few: 2001}
    with CaptureQueriesContext(connection) as captured:
        found["client, few viewers, 2,000 unread"] = cost(dana, f"/api/threads/{few}/messages",
                                                          {"body": "Measured"})
    # Nor does any of them count marks, which would grow with the 2,000.
    counting = [q["sql"] for q in captured.captured_queries
                if "server_unreadmark" in q["sql"] and "COUNT(" in q["sql"].upper()]
    assert counting == []
    # cleo's reply reads her 2,000 unread messages too: one statement however many.
    found["staff, few viewers, 2,000 unread"] = cost(cleo, f"/api/threads/{few}/messages",
                                                     {"body": "Measured"})
    add_viewers(world, 500 - len(viewers))
    many = start(dana, "clinical")["thread"]["id"]
    assert len(staff_viewers(Thread.objects.get(pk=many))) == 500
    reply(dana, many, "Warm up")
    found["client, 500 viewers, 1 unread"] = cost(dana, f"/api/threads/{many}/messages",
                                                  {"body": "Measured"})
    found["staff, 500 viewers, 1 unread"] = cost(cleo, f"/api/threads/{many}/messages",
                                                 {"body": "Measured"})
    client_costs = {v for k, v in found.items() if k.startswith("client")}
    staff_costs = {v for k, v in found.items() if k.startswith("staff")}
    assert len(client_costs) == 1 and len(staff_costs) == 1, found
    assert max(found.values()) <= BOUND_TWO_EVENTS, found
    # Every viewer got the last reply unread, and the counts stayed equal to the marks.
    assert JsonClient(User.objects.get(username="viewer7")).get("/api/badge").json()["unread"] > 0
    kept = {(u, t): n for u, t, n in ThreadUnread.objects.filter(unread__gt=0)
            .values_list("user_id", "thread_id", "unread")}
    assert kept == Counter(UnreadMark.objects.values_list("user_id", "thread_id"))
