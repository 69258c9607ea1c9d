"""Who hears of what over the socket: exactly the threads they see, and nothing more after they
lose one — by an audience change, a role change, an unassignment or a deletion."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from rules.groups import audience_group
from server.live import render
from server.models import Event, StaffRole
from tests.consumers.helpers import Api, open_socket, types

pytestmark = pytest.mark.django_db(transaction=True)

# SPEC §2 "Visibility", by hand, for the world of tests/factory.py (cleo is assigned to dana and
# eli, sue supervises cleo, fay has no clinician; olga is in another practice).
SEES = {
    ("dana", "administrative"): {"admin", "sam", "cleo", "sue", "cara"},
    ("dana", "billing"): {"bill", "cleo", "sue", "cara"},
    ("dana", "clinical"): {"cleo", "sue", "cara"},
    ("fay", "administrative"): {"admin", "sam", "cara"},
    ("fay", "billing"): {"bill", "cara"},
    ("fay", "clinical"): {"cara"},
}
STAFF = ("admin", "sam", "bill", "cleo", "carl", "sue", "cara", "olga")


async def staff_sockets(world):
    return {name: await open_socket(getattr(world, name)) for name in STAFF}


@pytest.mark.parametrize("client_name,audience", sorted(SEES))
async def test_each_staff_member_hears_exactly_the_threads_they_see(world, client_name, audience):
    sockets = await staff_sockets(world)
    dana_sock = await open_socket(world.dana.user)
    # Cara (clinical admin) sees every thread, so she can start any of them.
    cara = await Api.as_user(world.cara)
    client = getattr(world, client_name)
    thread_id = (await cara.start(audience, client=client, body="First"))["thread"]["id"]
    await (await Api.as_user(world.cara)).reply(thread_id, "Second", mark_thread_read=False)

    for name, sock in sockets.items():
        got = await sock.frames()
        if name == "cara":
            # Her own messages are never unread for her: her badge does not move.
            assert types(got) == ["thread.created", "message.created", "message.created"], got
        elif name in SEES[(client_name, audience)]:
            assert types(got) == ["thread.created", "message.created", "badge",
                                  "message.created", "badge"], (name, got)
            assert {f.get("thread", {}).get("id") for f in got if "thread" in f} == {thread_id}
            assert [f["unread"] for f in got if f["type"] == "badge"] == [1, 2]
        else:
            assert got == [], (name, got)
    # Dana sees all her own threads (and nothing of fay's).
    got = await dana_sock.frames()
    if client_name == "dana":
        assert types(got) == ["thread.created", "message.created", "badge", "message.created",
                              "badge"]
    else:
        assert got == []


async def test_losing_the_audience_gives_thread_removed_and_nothing_more(world):
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative", body="Scheduling"))["thread"]["id"]
    sam, admin = await open_socket(world.sam), await open_socket(world.admin)
    cleo, bill = await open_socket(world.cleo), await open_socket(world.bill)

    cleo_api = await Api.as_user(world.cleo)
    await cleo_api.patch(f"/api/threads/{thread_id}", {"audience": "clinical", "confirm": True})

    # Sam and the practice admin lose it: one removal, their badge, and nothing else.
    for sock in (sam, admin):
        got = await sock.frames()
        assert types(got) == ["thread.removed", "badge"], got
        assert got[0]["thread_id"] == thread_id and got[0]["reason"] == "access"
        assert got[1]["unread"] == 0
    got = await cleo.frames()
    assert types(got) == ["thread.updated"] and got[0]["thread"]["audience"] == "clinical"
    assert await bill.frames() == []

    # What happens in the thread afterwards never reaches them.
    await dana.reply(thread_id, "Also, my medication")
    await cleo_api.reply(thread_id, "Let's talk Tuesday")
    await cleo_api.patch(f"/api/threads/{thread_id}", {"subject": "Medication"})
    for sock in (sam, admin, bill):
        assert await sock.frames() == []
    assert types(await cleo.frames()) == ["message.created", "badge", "message.created", "badge",
                                          "message.read_state", "thread.updated"]

    # Moving it to billing brings the biller in: the thread appears, with its latest unread.
    await cleo_api.patch(f"/api/threads/{thread_id}", {"audience": "billing", "confirm": True})
    got = await bill.frames()
    assert types(got) == ["thread.updated", "badge", "message.read_state"]
    assert got[0]["thread"]["audience"] == "billing" and got[0]["thread"]["unread_count"] == 1
    assert got[1]["unread"] == 1 and got[2]["unread"] is True
    assert await sam.frames() == []


async def test_an_event_in_flight_when_access_is_lost_is_dropped(world):
    """An envelope built before an audience change that arrives after the removal is dropped."""
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative"))["thread"]["id"]
    sam = await open_socket(world.sam)
    stale = await database_sync_to_async(
        lambda: render.envelopes([Event.objects.filter(thread_id=thread_id).latest("id")])[0])()
    assert world.sam.pk in stale["viewers"]

    await (await Api.as_user(world.cleo)).patch(f"/api/threads/{thread_id}",
                                                {"audience": "clinical", "confirm": True})
    assert types(await sam.frames()) == ["thread.removed", "badge"]
    # The stale envelope arrives late, through the group sam still belongs to.
    await get_channel_layer().group_send(audience_group(world.practice.pk, "administrative"),
                                         {**stale, "cursor": stale["cursor"]})
    assert await sam.frames() == []


async def test_a_role_change_drops_threads_at_once_and_regroups_the_socket(world):
    dana = await Api.as_user(world.dana.user)
    billing_id = (await dana.start("billing", body="My invoice"))["thread"]["id"]
    bill = await open_socket(world.bill)
    assert bill.hello["badge"] == 1

    admin_api = await Api.as_user(world.admin)
    await admin_api.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["scheduler"]})
    got = await bill.frames()
    assert types(got) == ["thread.removed", "badge"], got
    assert got[0] == {"type": "thread.removed", "cursor": got[0]["cursor"], "thread_id": billing_id,
                      "reason": "access"}
    assert isinstance(got[0]["cursor"], int) and got[0]["cursor"] >= bill.hello["cursor"]
    assert got[1]["unread"] == 0

    # Nothing more of billing; administrative threads now reach the new scheduler.
    await dana.reply(billing_id, "Hello?")
    assert await bill.frames() == []
    admin_thread = (await dana.start("administrative", body="Reschedule"))["thread"]["id"]
    got = await bill.frames()
    assert types(got) == ["thread.created", "message.created", "badge"]
    assert got[0]["thread"]["id"] == admin_thread


async def test_unassignment_drops_the_clients_threads_for_clinician_and_supervisor(world):
    dana = await Api.as_user(world.dana.user)
    clinical = (await dana.start("clinical", body="Feeling low"))["thread"]["id"]
    admin_thread = (await dana.start("administrative", body="Parking"))["thread"]["id"]
    cleo, sue, cara = (await open_socket(world.cleo), await open_socket(world.sue),
                       await open_socket(world.cara))

    await (await Api.as_user(world.cara)).put(f"/api/clients/{world.dana.pk}/clinicians",
                                              {"clinicians": []})
    for sock in (cleo, sue):
        got = await sock.frames()
        assert types(got) == ["thread.removed", "thread.removed", "badge"], got
        assert sorted(f["thread_id"] for f in got[:2]) == sorted([clinical, admin_thread])
        assert got[2]["unread"] == 0
    assert await cara.frames() == []

    await dana.reply(clinical, "Anyone?")
    await dana.reply(admin_thread, "Anyone?")
    assert await cleo.frames() == [] and await sue.frames() == []
    assert types(await cara.frames()) == ["message.created", "badge", "message.created", "badge"]


async def test_a_change_made_outside_the_actions_applies_live_too(world):
    """Django's admin edits rows directly; model signals tell the sockets."""
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative"))["thread"]["id"]
    sam = await open_socket(world.sam)

    def drop_role():
        with transaction.atomic():
            StaffRole.objects.filter(user=world.sam).delete()

    await database_sync_to_async(drop_role)()
    got = await sam.frames()
    assert types(got) == ["thread.removed", "badge"] and got[0]["thread_id"] == thread_id
    await dana.reply(thread_id, "More")
    assert await sam.frames() == []


async def test_deleting_a_thread_reaches_everyone_who_saw_it_then_nothing(world):
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("clinical", body="Private"))["thread"]["id"]
    sockets = await staff_sockets(world)
    dana_sock = await open_socket(world.dana.user)
    # The client wrote it, so it counts as seen: only the clinical admin may delete it.
    await (await Api.as_user(world.cara)).delete(f"/api/threads/{thread_id}")
    for name, sock in sockets.items():
        got = await sock.frames()
        if name in {"cleo", "sue", "cara"}:
            assert types(got)[0] == "thread.removed" and got[0]["reason"] == "deleted"
        else:
            assert got == [], name
    got = await dana_sock.frames()
    assert types(got) == ["thread.removed"] and got[0]["thread_id"] == thread_id


async def test_admin_edits_of_assignment_and_supervision_apply_live(world):
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("clinical", body="Hard week"))["thread"]["id"]
    cleo, sue = await open_socket(world.cleo), await open_socket(world.sue)

    def stop_supervising():
        with transaction.atomic():
            world.sue.supervises.remove(world.cleo)

    await database_sync_to_async(stop_supervising)()
    got = await sue.frames()
    assert types(got) == ["thread.removed", "badge"] and got[0]["thread_id"] == thread_id
    assert await cleo.frames() == []

    def unassign_from_the_clinician_side():
        with transaction.atomic():
            world.cleo.assigned_clients.remove(world.dana)

    await database_sync_to_async(unassign_from_the_clinician_side)()
    got = await cleo.frames()
    assert types(got) == ["thread.removed", "badge"] and got[0]["thread_id"] == thread_id
    await dana.reply(thread_id, "Hello?")
    assert await cleo.frames() == [] and await sue.frames() == []


async def test_switching_the_portal_off_in_the_admin_closes_client_sockets(world):
    dana = await open_socket(world.dana.user)

    def switch_off():
        with transaction.atomic():
            practice = type(world.practice).objects.get(pk=world.practice.pk)
            practice.portal_enabled = False
            practice.save()

    await database_sync_to_async(switch_off)()
    assert (await dana.io.receive_output(1)) == {"type": "websocket.close", "code": 4003}


async def test_threads_gained_by_a_role_change_appear(world):
    dana = await Api.as_user(world.dana.user)
    billing_id = (await dana.start("billing", body="Invoice"))["thread"]["id"]
    await dana.start("clinical", body="Not for billers")
    sam = await open_socket(world.sam)
    await (await Api.as_user(world.admin)).put(f"/api/staff/{world.sam.pk}/roles",
                                               {"roles": ["scheduler", "biller"]})
    got = await sam.frames()
    assert types(got) == ["thread.updated"]
    assert got[0]["thread"]["id"] == billing_id and got[0]["thread"]["audience"] == "billing"
    assert got[0]["thread"]["unread_count"] == 0  # it arrived before sam could see it
    await dana.reply(billing_id, "Any update?")
    assert types(await sam.frames()) == ["message.created", "badge"]


async def test_an_event_in_flight_when_a_role_is_lost_is_dropped(world):
    """An envelope that still names bill as a viewer, arriving after his role changed, is dropped
    by the socket's own, reloaded facts."""
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("billing"))["thread"]["id"]
    bill = await open_socket(world.bill)
    stale = await database_sync_to_async(
        lambda: render.envelopes([Event.objects.filter(thread_id=thread_id).latest("id")])[0])()
    assert world.bill.pk in stale["viewers"]
    await (await Api.as_user(world.admin)).put(f"/api/staff/{world.bill.pk}/roles",
                                               {"roles": ["scheduler"]})
    assert types(await bill.frames()) == ["thread.removed", "badge"]
    from rules.groups import user_group

    await get_channel_layer().group_send(user_group(world.bill.pk), stale)
    assert await bill.frames() == []
