"""thread.urgent over the socket: exactly the clinical roles who see the thread hear it; the
urgency's changes reach everyone who sees the thread, never shown to the client; the
after-hours reply arrives read."""

import pytest
from channels.db import database_sync_to_async

from server.models import Practice
from tests.consumers.helpers import Api, open_socket, types

pytestmark = pytest.mark.django_db(transaction=True)

CRISIS = "i have pills saved up and i am going to take them all tonight"


async def sockets_of(users) -> dict:
    return {user.username: await open_socket(user) for user in users}


async def test_thread_urgent_reaches_exactly_the_clinical_roles_who_see_the_thread(world):
    socks = await sockets_of([*world.staff(), world.dana.user, world.olga, world.oscar.user])
    dana = await Api.as_user(world.dana.user)
    created = await dana.start("billing", body=CRISIS)
    thread_id = created["thread"]["id"]
    assert created["crisis"]["resources"]

    heard = {name: await sock.frames() for name, sock in socks.items()}
    alerted = {name for name, frames in heard.items() if "thread.urgent" in types(frames)}
    # bill sees the billing thread but holds no clinical role; carl, the admin and sam do not
    # see it; the other practice hears nothing at all.
    assert alerted == {"cleo", "sue", "cara"}
    for name in alerted:
        [frame] = [f for f in heard[name] if f["type"] == "thread.urgent"]
        assert frame["thread_id"] == thread_id
        assert frame["urgent"]["reason"] == "crisis_language"
        assert frame["urgent"]["acknowledged_by"] is None
        updated = [f for f in heard[name] if f["type"] == "thread.updated"]
        assert updated[-1]["thread"]["urgent"]["reason"] == "crisis_language"
    for name in ("admin", "sam", "carl", "olga", "oscar"):
        assert heard[name] == [], name
    # Those who see the thread hear the urgency as a thread update; the client sees none.
    assert heard["bill"][-1]["thread"]["urgent"]["reason"] == "crisis_language"
    dana_updates = [f for f in heard["dana"] if f["type"] == "thread.updated"]
    assert dana_updates and all(f["thread"]["urgent"] is None for f in dana_updates)

    cleo = await Api.as_user(world.cleo)
    await cleo.post(f"/api/threads/{thread_id}/acknowledge", expect=200)
    for name in ("bill", "sue", "cara", "cleo"):
        frames = await socks[name].frames()
        assert types(frames) == ["thread.updated"], name
        assert frames[0]["thread"]["urgent"]["acknowledged_by"]["id"] == world.cleo.pk
    assert [f["thread"]["urgent"] for f in await socks["dana"].frames()] == [None]
    assert await socks["carl"].frames() == []
    for sock in socks.values():
        await sock.close()


async def test_staff_marking_urgent_alerts_the_others(world):
    sam = await Api.as_user(world.sam)
    thread_id = (await sam.start("administrative", client=world.dana))["thread"]["id"]
    socks = await sockets_of([world.cleo, world.cara, world.sam])
    await (await Api.as_user(world.cara)).post(f"/api/threads/{thread_id}/urgent", expect=200)
    assert "thread.urgent" in types(await socks["cleo"].frames())
    assert "thread.urgent" not in types(await socks["cara"].frames())  # she marked it
    assert types(await socks["sam"].frames()) == ["thread.updated"]
    for sock in socks.values():
        await sock.close()


async def test_the_after_hours_reply_arrives_read(world):
    await database_sync_to_async(Practice.objects.filter(pk=world.practice.pk).update)(
        hours={"sat": [["00:00", "00:01"]]},  # closed but for a minute on Saturdays
        after_hours_reply="We are closed; we reply on Monday.")
    sam = await open_socket(world.sam)
    dana_sock = await open_socket(world.dana.user)
    dana = await Api.as_user(world.dana.user)
    await dana.start("administrative", body="Hello")
    frames = [f for f in await sam.frames() if f["type"] == "message.created"]
    assert [f["message"]["author"]["kind"] for f in frames] == ["client", "system"]
    assert frames[1]["message"]["unread"] is False
    assert frames[1]["thread"]["unread_count"] == 1  # the client's message alone
    own = [f for f in await dana_sock.frames() if f["type"] == "message.created"]
    assert own[1]["message"]["unread"] is False
    await sam.close()
    await dana_sock.close()
