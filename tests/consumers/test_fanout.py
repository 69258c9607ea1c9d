"""The fan-out's costs and its badge arithmetic: two group sends per thread event, a constant
number of queries per event whatever the audience size, none per socket."""

import pytest
from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from consumers import inbox
from rules.groups import groups_for, thread_groups
from server.facts import person_for, practice_staff, thread_facts
from server.live import log as events
from server.live import publish, render
from server.live.declared import AccessChanged, MessageCreated
from server.models import Event, Thread, User
from server.readmodel import badge_for, badges_for
from tests.consumers.helpers import Api, Probe, open_socket, types
from tests.factory import make_staff


def start(api, audience="administrative", body="Hello", **fields) -> dict:
    r = api.post("/api/threads", {"audience": audience, "body": body, "subject": "S", **fields})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.mark.django_db
def test_grouped_badges_agree_with_badge_for(world, as_user):
    dana, sam, cleo, cara = (as_user(u)
                             for u in (world.dana.user, world.sam, world.cleo, world.cara))
    for audience in ("administrative", "billing", "clinical"):
        start(dana, audience, f"About {audience}")
    moved = start(dana, "administrative", "Will move")
    cleo.patch(f"/api/threads/{moved['thread']['id']}", {"audience": "clinical", "confirm": True})
    sent = start(sam, "administrative", "Oops", client_id=world.eli.pk)
    sam.delete(f"/api/messages/{sent['message']['id']}")
    gone = start(cara, "billing", "x", client_id=world.fay.pk)
    cara.delete(f"/api/threads/{gone['thread']['id']}")

    # A second scheduler shares sam's view (one branch of the grouped query) but not his marks.
    make_staff(world.practice, "sid", ["scheduler"])
    later = start(dana, "administrative", "After sid joined")
    assert sam.post(f"/api/threads/{later['thread']['id']}/read").status_code == 200

    people = [p for p in practice_staff(world.practice.pk)] + [person_for(world.dana.user)]
    badges = badges_for(people)
    assert badges == {str(p.user_id): badge_for(p) for p in people}
    assert len(set(badges.values())) > 2


@pytest.mark.django_db
def test_every_viewer_is_in_one_of_the_two_groups_of_a_thread(world):
    people = practice_staff(world.practice.pk) + [person_for(world.dana.user)]
    for audience in ("administrative", "billing", "clinical"):
        for client in (world.dana, world.fay):
            thread = Thread(practice=world.practice, client=client, audience=audience)
            facts = thread_facts(thread)
            from rules import can_view

            for person in people:
                reached = bool(groups_for(person) & set(thread_groups(facts)))
                assert reached >= can_view(person, facts), (person, audience, client)


@pytest.mark.django_db(transaction=True)
def test_one_message_costs_two_group_sends_and_constant_queries(world, as_user, monkeypatch):
    sent = []
    layer = get_channel_layer()
    original = layer.group_send

    async def counting(group, message):
        sent.append((group, message["type"]))
        await original(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    dana = as_user(world.dana.user)
    thread_id = start(dana, body="a")["thread"]["id"]
    sent.clear()
    dana.post(f"/api/threads/{thread_id}/messages", {"body": "b"})
    assert [t for _, t in sent] == ["message.created", "message.created"]
    facts = thread_facts(Thread.objects.get(pk=thread_id))
    assert {g for g, _ in sent} == set(thread_groups(facts))

    event = Event.objects.filter(type=MessageCreated.name).latest("id")
    with CaptureQueriesContext(connection) as few:
        render.envelopes([event])
    for n in range(10):
        make_staff(world.practice, f"sched{n}", ["scheduler"])
    with CaptureQueriesContext(connection) as many:
        [envelope] = render.envelopes([event])
    assert len(many) == len(few)
    assert len(envelope["viewers"]) == 5 + 10 + 1  # admin sam cleo sue cara, 10 more, dana


@pytest.mark.django_db(transaction=True)
async def test_delivery_runs_no_query_per_socket(world, monkeypatch):
    sockets = [await open_socket(u) for u in (world.sam, world.sam, world.admin, world.cleo,
                                              world.sue, world.cara, world.bill)]
    calls = []
    real = inbox.database_sync_to_async

    def counting(fn):
        calls.append(getattr(fn, "__name__", fn))
        return real(fn)

    monkeypatch.setattr(inbox, "database_sync_to_async", counting)
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative", body="hi"))["thread"]["id"]
    await dana.reply(thread_id, "again")
    for sock in sockets[:-1]:
        assert "message.created" in types(await sock.frames())
    assert await sockets[-1].frames() == []
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_a_broken_channel_layer_does_not_fail_the_request(world, as_user, monkeypatch, caplog):
    async def broken(group, message):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(get_channel_layer(), "group_send", broken)
    start(as_user(world.dana.user), body="a")
    assert Event.objects.filter(type=MessageCreated.name).exists()
    assert "live push failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_access_changed_logs_one_event_per_user(world):
    with transaction.atomic():
        events.access_changed(world.practice.pk, [world.sam.pk, world.sam.pk, world.bill.pk])
    rows = Event.objects.filter(type=AccessChanged.name).order_by("user_id")
    assert [r.user_id for r in rows] == sorted([world.sam.pk, world.bill.pk])
    assert User.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_a_transactions_events_are_pushed_together_and_a_rolled_back_savepoint_drops_its_own(
        world, monkeypatch):
    pushed = []
    monkeypatch.setattr(publish, "publish_events", lambda rows: pushed.append([r.type for r in rows]))
    with transaction.atomic():
        events.record(world.practice.pk, Probe("test.first"))
        try:
            with transaction.atomic():
                events.record(world.practice.pk, Probe("test.rolled_back"))
                raise RuntimeError
        except RuntimeError:
            pass
        events.record(world.practice.pk, Probe("test.second"))
        assert pushed == []
    assert pushed == [["test.first", "test.second"]]
    assert not Event.objects.filter(type="test.rolled_back").exists()


@pytest.mark.django_db(transaction=True)
def test_a_reply_that_marks_read_costs_one_fan_out_round(world, as_user, monkeypatch):
    rounds = []
    real = publish.publish_events
    monkeypatch.setattr(publish, "publish_events", lambda rows: rounds.append(len(rows)) or real(rows))
    thread_id = start(as_user(world.dana.user), "administrative", "Hello")["thread"]["id"]
    rounds.clear()
    r = as_user(world.sam).post(f"/api/threads/{thread_id}/messages",
                                {"body": "Reply", "mark_thread_read": True})
    assert r.status_code == 201
    assert rounds == [2]  # message.created and sam's read state, in one round
