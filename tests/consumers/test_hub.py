"""The process's hub: one layer message per process and event, one encoding per user, sessions
checked in one sweep, and sockets that catch up after their process could not hear the layer."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.utils import timezone

from consumers import codec, hub, inbox, state
from server.facts import live_person
from server.models import User
from tests.clock import StepClock, until
from tests.consumers.helpers import Api, open_socket, session_cookie, types

pytestmark = pytest.mark.django_db(transaction=True)


async def test_one_layer_message_per_group_reaches_every_socket_of_the_process(world, monkeypatch):
    layer = get_channel_layer()
    received = []
    real = layer.receive

    async def counting(channel):
        message = await real(channel)
        received.append(message.get("type"))
        return message

    monkeypatch.setattr(layer, "receive", counting)
    sockets = [await open_socket(u) for u in (world.sam, world.sam, world.sam, world.admin,
                                              world.cleo, world.sue, world.cara)]
    dana = await Api.as_user(world.dana.user)
    await dana.start("administrative", body="hi")
    for sock in sockets:
        assert "message.created" in types(await sock.frames())
    # The thread's two groups (audience and client), whatever the number of sockets.
    assert received.count("message.created") <= 2


async def test_the_tabs_of_one_user_share_one_encoded_frame(world, monkeypatch):
    encoded = []
    real = codec.JsonCodec.encode

    def counting(self, obj):
        encoded.append(obj["type"])
        return real(self, obj)

    tabs = [await open_socket(world.sam) for _ in range(5)]
    admin = await open_socket(world.admin)
    monkeypatch.setattr(codec.JsonCodec, "encode", counting)
    await (await Api.as_user(world.dana.user)).start("administrative", body="hi")
    frames = [await tab.frames() for tab in tabs]
    assert all(f == frames[0] for f in frames) and "message.created" in types(frames[0])
    assert "message.created" in types(await admin.frames())
    # sam's five tabs and the admin: two encodings, not six.
    assert encoded.count("message.created") == 2


async def test_a_process_that_could_not_hear_the_layer_catches_its_sockets_up(world, monkeypatch):
    clock = StepClock()
    the_hub = hub.install(clock)
    sam = await open_socket(world.sam)
    layer = get_channel_layer()
    real_send, real_group_send = layer.send, layer.group_send

    async def down(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer, "send", down)
    monkeypatch.setattr(layer, "group_send", down)
    clock.step(hub.CANARY_SECONDS)
    await until(lambda: the_hub.deaf)  # a canary fails: the hub knows it is deaf
    created = await (await Api.as_user(world.dana.user)).start("administrative", body="lost?")
    assert await sam.frames() == []
    monkeypatch.setattr(layer, "send", real_send)
    monkeypatch.setattr(layer, "group_send", real_group_send)
    clock.step(hub.CANARY_SECONDS)  # the next canary comes back
    got = await sam.frames(quiet=0.5)
    assert types(got) == ["thread.created", "message.created", "badge"]
    assert got[1]["message"]["id"] == created["message"]["id"]


async def test_a_password_change_ends_the_socket_at_the_next_sweep(world):
    clock = StepClock()
    hub.install(clock)
    sam = await open_socket(world.sam)
    admin = await open_socket(world.admin)

    def change_password():
        user = User.objects.get(pk=world.sam.pk)
        user.set_password("a whole new secret")
        user.save()

    await database_sync_to_async(change_password)()
    clock.step(hub.SESSION_CHECK_SECONDS)
    assert (await sam.io.receive_output(1)) == {"type": "websocket.close", "code": 4001}
    assert await admin.frames(quiet=0.2) == []


def test_the_sweep_checks_every_socket_in_two_queries(world, django_assert_max_num_queries):
    sam, admin, cleo = (session_cookie(u) for u in (world.sam, world.admin, world.cleo))
    Session.objects.filter(session_key=admin).update(expire_date=timezone.now() - timedelta(1))
    Session.objects.filter(session_key=cleo).delete()
    User.objects.filter(pk=world.dana.user.pk).update(is_active=False)
    with django_assert_max_num_queries(2):
        live, hashes = state.sessions_check({sam, admin, cleo, "no-such-session"},
                                            {world.sam.pk, world.admin.pk, world.dana.user.pk})
    # Neither an expired nor a deleted session stands, nor a deactivated user's.
    assert live == {sam}
    assert set(hashes) == {world.sam.pk, world.admin.pk}
    assert hashes[world.sam.pk] == User.objects.get(pk=world.sam.pk).get_session_auth_hash()


def test_people_read_in_bulk_are_those_read_one_by_one(world):
    from server.models import Practice, StaffRole

    everyone = list(User.objects.values_list("pk", flat=True))
    assert state.load_people(everyone) == {uid: live_person(uid) for uid in everyone}
    assert state.load_people(everyone)[world.sue.pk].supervised_client_ids
    User.objects.filter(pk=world.bill.pk).update(is_active=False)
    StaffRole.objects.filter(user=world.sue).delete()  # a supervisor no more
    assert state.load_people(everyone) == {uid: live_person(uid) for uid in everyone}
    assert sum(p is not None and p.is_client for p in state.load_people(everyone).values()) >= 1
    Practice.objects.update(portal_enabled=False)
    assert state.load_people(everyone) == {uid: live_person(uid) for uid in everyone}


async def test_a_lost_canary_also_makes_the_sockets_catch_up(world, monkeypatch):
    """Redis can drop what it accepted (a subscriber reconnecting): sends succeed, nothing comes
    back. A gap in the canaries' numbers tells the hub."""
    clock = StepClock()
    the_hub = hub.install(clock)
    sam = await open_socket(world.sam)
    layer = get_channel_layer()
    real_send, real_group_send = layer.send, layer.group_send

    async def dropped(*args):
        return None

    monkeypatch.setattr(layer, "send", dropped)
    monkeypatch.setattr(layer, "group_send", dropped)
    clock.step(hub.CANARY_SECONDS)
    await until(lambda: the_hub.canaries_sent == 1)  # sent, never heard
    await (await Api.as_user(world.dana.user)).start("administrative", body="dropped")
    assert await sam.frames() == []
    monkeypatch.setattr(layer, "send", real_send)
    monkeypatch.setattr(layer, "group_send", real_group_send)
    clock.step(hub.CANARY_SECONDS)  # canary 2 comes back: 1 is missing
    got = await sam.frames(quiet=0.5)
    assert types(got) == ["thread.created", "message.created", "badge"]


async def test_late_canaries_cost_no_catch_up(world, monkeypatch):
    """A busy process hears its canaries late; that alone must not send every socket to the
    database."""
    clock = StepClock()
    the_hub = hub.install(clock)
    sam = await open_socket(world.sam)
    layer = get_channel_layer()
    real_receive = layer.receive
    busy = asyncio.Event()

    async def late(channel):
        await busy.wait()  # the process is busy while canaries pile up
        return await real_receive(channel)

    replays = []
    real_replay = inbox.replay
    monkeypatch.setattr(layer, "receive", late)
    monkeypatch.setattr(inbox, "replay", lambda person, after: replays.append(after)
                        or real_replay(person, after))
    clock.step(hub.CANARY_SECONDS)
    await until(lambda: the_hub.canaries_heard == 1)  # the listener now waits in `late`
    for sent in range(2, 8):  # six canary periods go by unheard
        clock.step(hub.CANARY_SECONDS)
        await until(lambda: the_hub.canaries_sent == sent)
    busy.set()
    await until(lambda: the_hub.canaries_heard == 7)
    assert replays == [] and await sam.frames() == []


async def test_a_hub_that_could_not_start_starts_with_the_next_socket(world, monkeypatch):
    layer = get_channel_layer()
    real = layer.new_channel

    async def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(layer, "new_channel", down)
    from tests.consumers.helpers import handshake

    with pytest.raises(ConnectionError):
        await handshake(world.sam)
    monkeypatch.setattr(layer, "new_channel", real)
    sam = await open_socket(world.sam)
    await (await Api.as_user(world.dana.user)).start("administrative", body="after")
    assert "message.created" in types(await sam.frames())
