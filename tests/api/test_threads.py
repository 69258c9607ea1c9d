"""Starting threads, the inbox list with its filters and pages, read state and archive."""

import pytest

from server.models import Thread, UnreadMark
from tests.api.helpers import badge, reply, start, thread_ids


def test_staff_starts_thread_topic_fills_subject_and_client_sees_it(world, as_user):
    cleo, dana = as_user(world.cleo), as_user(world.dana.user)
    topic = world.topics["Clinical question"]
    created = start(cleo, "clinical", client=world.dana, topic_id=topic.pk, subject=None,
                    body="How are you finding the exercises?")
    thread = created["thread"]
    assert thread["subject"] == topic.subject
    assert thread["topic"] == {"id": topic.pk, "name": "Clinical question"}
    assert thread["client"] == {"id": world.dana.pk, "name": "Dana Reyes"}
    assert created["message"]["author"] == {"id": world.cleo.pk, "name": "Cleo Clinician",
                                            "kind": "staff"}
    assert created["invitation"] is None
    assert thread_ids(dana) == [thread["id"]]
    assert badge(dana) == 1


def test_writer_may_edit_the_topic_subject(world, as_user):
    topic = world.topics["Scheduling"]
    created = start(as_user(world.sam), client=world.dana, topic_id=topic.pk,
                    subject="  Moving my Tuesday slot  ")
    assert created["thread"]["subject"] == "Moving my Tuesday slot"


def test_new_message_is_unread_for_everyone_who_sees_it_but_its_author(world, as_user):
    created = start(as_user(world.dana.user), "billing", body="Question about my invoice")
    tid = created["thread"]["id"]
    readers = set(UnreadMark.objects.filter(thread_id=tid).values_list("user_id", flat=True))
    # billing: biller, dana's assigned clinician, cleo's supervisor, clinical admin
    assert readers == {world.bill.pk, world.cleo.pk, world.sue.pk, world.cara.pk}
    for user in (world.sam, world.admin, world.carl):
        assert badge(as_user(user)) == 0
        assert thread_ids(as_user(user)) == []


def test_filters_client_audience_topic(world, as_user):
    cara = as_user(world.cara)
    sched, billing = world.topics["Scheduling"], world.topics["Billing question"]
    a = start(cara, "administrative", client=world.dana, topic_id=sched.pk)["thread"]["id"]
    b = start(cara, "billing", client=world.dana, topic_id=billing.pk)["thread"]["id"]
    c = start(cara, "clinical", client=world.eli)["thread"]["id"]
    assert thread_ids(cara) == [c, b, a]
    assert thread_ids(cara, client=world.dana.pk) == [b, a]
    assert thread_ids(cara, audience="clinical") == [c]
    assert thread_ids(cara, topic=sched.pk) == [a]
    assert thread_ids(cara, client=world.dana.pk, audience="billing") == [b]


def test_states_inbox_unread_all_and_archive(world, as_user):
    dana, sam = as_user(world.dana.user), as_user(world.sam)
    first = start(dana, body="one")["thread"]["id"]
    second = start(dana, body="two")["thread"]["id"]
    sam.post(f"/api/threads/{first}/read")
    assert thread_ids(sam, state="unread") == [second]
    r = sam.post(f"/api/threads/{second}/archive")
    assert r.status_code == 200 and r.json()["thread"]["archived"] is True
    assert thread_ids(sam) == [first]
    assert thread_ids(sam, state="all") == [second, first]
    # Archive is per user: the scheduler's archive leaves the practice admin's inbox alone.
    assert thread_ids(as_user(world.admin)) == [second, first]
    sam.post(f"/api/threads/{second}/unarchive")
    assert thread_ids(sam) == [second, first]


def test_new_message_unarchives_for_everyone(world, as_user):
    dana, sam, admin = as_user(world.dana.user), as_user(world.sam), as_user(world.admin)
    tid = start(dana)["thread"]["id"]
    sam.post(f"/api/threads/{tid}/archive")
    admin.post(f"/api/threads/{tid}/archive")
    assert thread_ids(sam) == [] and thread_ids(admin) == []
    reply(dana, tid, "still there?")
    assert thread_ids(sam) == [tid] and thread_ids(admin) == [tid]


def test_pagination_walks_every_thread_once_newest_first(world, as_user):
    cara = as_user(world.cara)
    made = [start(cara, client=world.dana, body=f"n{i}")["thread"]["id"] for i in range(7)]
    seen, before = [], None
    while True:
        params = {"limit": 3, **({"before": before} if before else {})}
        page = cara.get("/api/threads", **params).json()
        seen += [t["id"] for t in page["threads"]]
        before = page["next"]
        if before is None:
            break
    assert seen == list(reversed(made))


def test_latest_activity_moves_a_thread_to_the_top(world, as_user):
    cara = as_user(world.cara)
    old = start(cara, client=world.dana)["thread"]["id"]
    new = start(cara, client=world.dana)["thread"]["id"]
    reply(cara, old)
    assert thread_ids(cara) == [old, new]


def test_staff_opening_a_thread_does_not_mark_it_read(world, as_user):
    tid = start(as_user(world.dana.user))["thread"]["id"]
    sam = as_user(world.sam)
    sam.get(f"/api/threads/{tid}")
    sam.get(f"/api/threads/{tid}")
    assert badge(sam) == 1


def test_mark_as_read_after_sending_is_the_default_and_can_be_off(world, as_user):
    dana, sam, admin = as_user(world.dana.user), as_user(world.sam), as_user(world.admin)
    tid = start(dana, body="first")["thread"]["id"]
    reply(dana, tid, "second")
    reply(sam, tid, "answer", mark_thread_read=False)
    assert badge(sam) == 2
    reply(admin, tid, "answer too")
    assert badge(admin) == 0
    # The scheduler now has the admin's reply unread as well.
    assert badge(sam) == 3


def test_per_message_read_and_unread(world, as_user):
    dana, sam = as_user(world.dana.user), as_user(world.sam)
    tid = start(dana, body="first")["thread"]["id"]
    second = reply(dana, tid, "second")["id"]
    r = sam.post(f"/api/messages/{second}/read")
    assert r.status_code == 200 and r.json()["message"]["unread"] is False
    assert badge(sam) == 1
    assert sam.post(f"/api/messages/{second}/unread").json()["message"]["unread"] is True
    assert badge(sam) == 2
    view = sam.get(f"/api/threads/{tid}").json()
    assert [m["unread"] for m in view["messages"]] == [True, True]


def test_thread_read_then_unread_marks_only_the_latest(world, as_user):
    dana, sam = as_user(world.dana.user), as_user(world.sam)
    tid = start(dana, body="first")["thread"]["id"]
    reply(dana, tid, "second")
    sam.post(f"/api/threads/{tid}/read")
    assert badge(sam) == 0
    r = sam.post(f"/api/threads/{tid}/unread")
    assert r.json()["thread"]["unread_count"] == 1
    view = sam.get(f"/api/threads/{tid}").json()
    assert [m["unread"] for m in view["messages"]] == [False, True]


def test_marking_read_twice_changes_nothing_the_second_time(world, as_user):
    from server.models import Event

    tid = start(as_user(world.dana.user))["thread"]["id"]
    sam = as_user(world.sam)
    sam.post(f"/api/threads/{tid}/read")
    events = Event.objects.count()
    sam.post(f"/api/threads/{tid}/read")
    assert Event.objects.count() == events


def test_client_opening_marks_staff_messages_seen_and_read(world, as_user):
    cleo, dana = as_user(world.cleo), as_user(world.dana.user)
    tid = start(cleo, "clinical", client=world.dana, body="first")["thread"]["id"]
    reply(cleo, tid, "second")
    assert badge(dana) == 2
    before = cleo.get(f"/api/threads/{tid}").json()["messages"]
    assert all(m["seen_by_client_at"] is None for m in before)
    dana.get(f"/api/threads/{tid}")
    after = cleo.get(f"/api/threads/{tid}").json()["messages"]
    assert all(m["seen_by_client_at"] for m in after)
    assert badge(dana) == 0


def test_me_describes_the_user_and_their_badge(world, as_user):
    start(as_user(world.dana.user))
    me = as_user(world.sam).get("/api/me").json()
    assert me == {"id": world.sam.pk, "kind": "staff", "name": "Sam Scheduler",
                  "roles": ["scheduler"], "badge": 1,
                  "practice": {"name": "Northside Counseling", "portal_enabled": True}}
    client_me = as_user(world.dana.user).get("/api/me").json()
    assert client_me["kind"] == "client" and client_me["roles"] == []


def test_topics_are_the_practice_topics(world, as_user):
    topics = as_user(world.dana.user).get("/api/topics").json()
    assert [t["name"] for t in topics] == ["Scheduling", "Billing question", "Insurance",
                                           "Clinical question", "Forms and documents", "Other"]


def test_clients_list_with_typeahead_and_account_flags(world, as_user):
    rows = as_user(world.sam).get("/api/clients").json()
    assert [(r["name"], r["has_portal_account"], r["has_email"]) for r in rows] == [
        ("Dana Reyes", True, True), ("Eli Moss", False, True), ("Fay Lund", False, False)]
    assert [r["name"] for r in as_user(world.sam).get("/api/clients", q="mo").json()] == ["Eli Moss"]
    # An unassigned clinician sees no client at all; an assigned one sees theirs.
    assert as_user(world.carl).get("/api/clients").json() == []
    assert [r["name"] for r in as_user(world.cleo).get("/api/clients").json()] == [
        "Dana Reyes", "Eli Moss"]


@pytest.mark.parametrize("state", ["inbox", "unread", "all"])
def test_deleted_threads_stay_out_of_the_ordinary_states(world, as_user, state):
    sam = as_user(world.sam)
    tid = start(sam, client=world.dana)["thread"]["id"]
    assert sam.delete(f"/api/threads/{tid}").status_code == 204
    assert thread_ids(sam, state=state) == []
    assert thread_ids(sam, state="deleted") == [tid]
    assert Thread.objects.get(pk=tid).deleted_at is not None
