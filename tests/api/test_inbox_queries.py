"""The inbox list and the badges, reshaped for scale (server/listing.py, server/readmodel.py),
give exactly what the rules give: every state and filter, every page, for every kind of viewer —
including one who sees nothing and one whose unread marks outlived their access; and the unread
counts kept on write (server/unread.py) stay equal to the marks they count."""

import itertools
from collections import Counter

from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

import rules
from server.actions import marks
from server.actions.clients import do_link_portal_account, do_unlink_portal_account
from server.actions.messages import do_delete_message, do_send_message
from server.actions.threads import do_delete_thread, do_start_thread
from server.actor import Actor
from server.readmodel import badge_for, badges_for, unread_threads
from server.facts import person_for, practice_staff, thread_facts
from server.models import ArchiveMark, Message, Thread, ThreadUnread, UnreadMark
from tests.factory import JsonClient

AUDIENCES = ("administrative", "billing", "clinical")
STATES = ("inbox", "unread", "all", "deleted")


def build(world):
    """Threads of every client and audience with replies from staff and the client, some read,
    some archived, a deleted message, a deleted thread; then cleo loses eli, keeping her marks."""
    cara = Actor.of(world.cara)
    people = {u.username: (person_for(u), u) for u in world.staff() + [world.dana.user]}
    topics = itertools.cycle(list(world.topics.values()) + [None])
    threads = []
    for client, audience in itertools.product((world.dana, world.eli, world.fay), AUDIENCES):
        thread, first, _ = do_start_thread(cara, client, audience, next(topics),
                                           f"{client.name} {audience}", "Hello")
        written = [first]
        for author in ("cleo", "dana", "sam", "bill"):
            who, user = people[author]
            if rules.can_view(who, thread_facts(thread)):
                written.append(do_send_message(Actor(user, who), thread, f"From {author}",
                                               mark_thread_read=False))
        threads.append((thread, written))
    for i, (thread, written) in enumerate(threads):
        if i % 3 == 0:
            for name in ("cara", "cleo", "sam"):
                who = people[name][0]
                if rules.can_view(who, thread_facts(thread)):
                    marks.do_archive(who, thread, True)
        if i % 4 == 1:
            marks.do_mark_read(people["cara"][0], thread)
        if i % 5 == 2:
            do_delete_message(cara, written[-1])
    do_delete_thread(cara, threads[7][0])
    other, _, _ = do_start_thread(Actor.of(world.olga), world.oscar, "clinical",
                                  None, "Elsewhere", "Hello")
    world.eli.clinicians.remove(world.cleo)
    return other


def reference(person, state, filters) -> list[int]:
    """The thread ids `person` should get, from the rules and the rows, newest activity first."""
    archived = set(ArchiveMark.objects.filter(user_id=person.user_id)
                   .values_list("thread_id", flat=True))
    unread = set(UnreadMark.objects.filter(user_id=person.user_id,
                                           message__deleted_at__isnull=True)
                 .values_list("thread_id", flat=True))
    with_deleted = set(Message.objects.filter(deleted_at__isnull=False)
                       .values_list("thread_id", flat=True))
    out = []
    for t in Thread.objects.order_by("-last_message_at", "-id"):
        if not rules.can_view(person, thread_facts(t)):
            continue
        if any(getattr(t, field) != value for field, value in filters.items()):
            continue
        if state == "deleted":
            if t.deleted_at is None and t.pk not in with_deleted:
                continue
        elif t.deleted_at is not None:
            continue
        if state == "inbox" and t.pk in archived:
            continue
        if state == "unread" and t.pk not in unread:
            continue
        out.append(t.pk)
    return out


def reference_unread(person) -> Counter:
    """Unread, not deleted messages per live thread `person` sees."""
    counts = Counter()
    for mark in UnreadMark.objects.filter(user_id=person.user_id).select_related("message",
                                                                                 "thread"):
        if (mark.message.deleted_at is None and mark.thread.deleted_at is None
                and rules.can_view(person, thread_facts(mark.thread))):
            counts[mark.thread_id] += 1
    return counts


def walk(api, **params) -> list[dict]:
    """Every page of the list, two threads at a time."""
    seen, cursor = [], None
    while True:
        query = dict(params, limit=2, **({"before": cursor} if cursor else {}))
        r = api.get("/api/threads", **query)
        assert r.status_code == 200, (params, r.content[:300])
        page = r.json()
        seen += page["threads"]
        cursor = page["next"]
        if not cursor:
            return seen


def viewers(world):
    return world.staff() + [world.dana.user]


def test_every_state_and_filter_matches_the_rules_for_every_viewer(world):
    build(world)
    topic = world.topics["Scheduling"]
    filters = [{}, {"client_id": world.dana.pk}, {"client_id": world.eli.pk},
               {"audience": "billing"}, {"topic_id": topic.pk}]
    checked = 0
    for user in viewers(world):
        person, api = person_for(user), JsonClient(user)
        unread = reference_unread(person)
        archived = set(ArchiveMark.objects.filter(user_id=user.pk)
                       .values_list("thread_id", flat=True))
        for state, where in itertools.product(STATES, filters):
            if state == "deleted" and not person.is_staff:
                continue
            params = {"state": state}
            params.update({"client": where["client_id"]} if "client_id" in where else {})
            params.update({"audience": where["audience"]} if "audience" in where else {})
            params.update({"topic": where["topic_id"]} if "topic_id" in where else {})
            got = walk(api, **params)
            assert [t["id"] for t in got] == reference(person, state, where), \
                (user.username, params)
            for t in got:
                assert t["unread_count"] == unread[t["id"]], (user.username, params, t)
                assert t["archived"] == (t["id"] in archived), (user.username, params, t)
            checked += len(got)
    assert checked > 100


def test_badges_count_only_live_marks_in_threads_seen_now(world):
    build(world)
    staff = practice_staff(world.practice.pk)
    everyone = staff + [person_for(world.dana.user)]
    expected = {str(p.user_id): sum(reference_unread(p).values()) for p in everyone}
    assert {str(p.user_id): badge_for(p) for p in everyone} == expected
    assert badges_for(everyone) == expected
    assert badges_for(staff[:1]) == {str(staff[0].user_id): expected[str(staff[0].user_id)]}
    assert badges_for([]) == {}
    # cleo kept unread marks in eli's threads after losing eli: they no longer count.
    cleo = person_for(world.cleo)
    assert UnreadMark.objects.filter(user_id=cleo.user_id, thread__client=world.eli).exists()
    assert not unread_threads(cleo).filter(thread__client=world.eli).exists()
    # carl sees nothing at all.
    carl = person_for(world.carl)
    assert badge_for(carl) == 0 and expected[str(carl.user_id)] == 0
    assert all(walk(JsonClient(world.carl), state=s) == [] for s in STATES)
    assert any(expected.values())


def test_per_row_tests_stay_per_row(world):
    """The badge tests each count's thread in a scalar subquery, never by joining or hashing the
    practice's threads; the deleted filter and the archive flag likewise (server/listing.py)."""
    build(world)
    badge_sql = str(unread_threads(person_for(world.cara)).query)
    assert 'JOIN "server_thread"' not in badge_sql and "EXISTS" not in badge_sql
    probe = 'FROM "server_thread" U0 WHERE U0."id" = ("server_threadunread"."thread_id")'
    assert probe in badge_sql
    api = JsonClient(world.cara)
    for state in ("deleted", "all", "unread"):
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/threads", state=state).status_code == 200
        listing = [q["sql"] for q in captured.captured_queries
                   if q["sql"].startswith('SELECT "server_thread"."id"')]
        # A staff listing's first page reads the unacknowledged urgent threads, then the rest
        # (server/urgent_listing.py).
        assert len(listing) == 2, (state, listing)
        if state == "unread":
            # The one EXISTS: a semi-join with the caller's unread counts (F16).
            assert all(sql.count("EXISTS") == 1 and '"server_threadunread"' in sql
                       for sql in listing), listing
        else:
            assert not any("EXISTS" in sql for sql in listing), (state, listing)


def counts_and_marks() -> tuple[dict, Counter]:
    """The kept unread counts, and the marks counted per (user, thread)."""
    kept = {(u, t): n for u, t, n in ThreadUnread.objects.filter(unread__gt=0)
            .values_list("user_id", "thread_id", "unread")}
    return kept, Counter(UnreadMark.objects.values_list("user_id", "thread_id"))


def test_unread_counts_stay_equal_to_the_marks(world):
    """Sends, reads of all and of one, unread again, a deleted message and thread, an
    unassignment, a portal account unlinked and linked again: each count is its marks."""
    build(world)
    kept, counted = counts_and_marks()
    assert kept == counted and counted
    assert not UnreadMark.objects.filter(Q(message__deleted_at__isnull=False)
                                         | Q(thread__deleted_at__isnull=False)).exists()
    cleo, cara = person_for(world.cleo), Actor.of(world.cara)
    thread = Thread.objects.filter(client=world.dana, audience="clinical").get()
    latest = thread.messages.filter(deleted_at__isnull=True).last()
    marks.do_mark_read(cleo, thread)
    assert marks.do_mark_unread(cleo, thread, latest) and not marks.do_mark_unread(cleo, thread,
                                                                                   latest)
    assert marks.do_mark_read(cleo, thread, [latest.pk, latest.pk + 10_000]) == [latest.pk]
    assert marks.do_mark_thread_unread(cleo, thread)
    do_delete_message(cara, latest)
    assert not marks.do_mark_unread(cleo, thread, latest)  # deleted: unread for nobody
    dana = world.dana.user
    do_unlink_portal_account(cara, world.dana)
    assert not UnreadMark.objects.filter(user=dana).exists()
    do_link_portal_account(cara, world.dana, dana)
    assert UnreadMark.objects.filter(user=dana).exists()
    kept, counted = counts_and_marks()
    assert kept == counted
    assert badge_for(person_for(dana)) == sum(reference_unread(person_for(dana)).values()) > 0
