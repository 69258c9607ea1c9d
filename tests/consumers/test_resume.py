"""resume: a reconnecting socket gets every event it missed that it may see now, in order, once."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from server.live import log as events
from server.models import Event
from tests.consumers.helpers import Api, open_socket, types

pytestmark = pytest.mark.django_db(transaction=True)


async def test_resume_replays_what_was_missed_in_order_then_resumed(world):
    sam = await open_socket(world.sam)
    cursor = sam.hello["cursor"]
    await sam.close()

    dana = await Api.as_user(world.dana.user)
    first = (await dana.start("administrative", body="One"))["thread"]["id"]
    await dana.reply(first, "Two")
    await dana.start("clinical", body="Not for sam")

    sam = await open_socket(world.sam)
    assert sam.hello["badge"] == 2
    await sam.send({"type": "resume", "cursor": cursor})
    got = await sam.frames()
    assert types(got) == ["thread.created", "message.created", "message.created", "resumed"]
    cursors = [f["cursor"] for f in got]
    assert cursors == sorted(set(cursors)) and cursors[0] > cursor
    assert [f["message"]["body"] for f in got if f["type"] == "message.created"] == ["One", "Two"]
    assert all(f.get("thread", {}).get("id", first) == first for f in got)
    head = await database_sync_to_async(lambda: Event.objects.latest("id").pk)()
    assert got[-1] == {"type": "resumed", "cursor": head}

    # After the replay, live events flow once each.
    await dana.reply(first, "Three")
    got = await sam.frames()
    assert types(got) == ["message.created", "badge"] and got[1]["unread"] == 3


async def test_resume_sends_the_badge_when_it_differs_from_hello(world):
    dana = await Api.as_user(world.dana.user)
    first = (await dana.start("administrative", body="One"))["thread"]["id"]
    sam = await open_socket(world.sam)
    cursor = sam.hello["cursor"]
    # A read on another device while this socket is not listening yet is replayed.
    sam_api = await Api.as_user(world.sam)
    await sam.close()
    await sam_api.post(f"/api/threads/{first}/read", expect=200)
    sam = await open_socket(world.sam)
    # The new socket's hello already has badge 0; resuming replays the read without a badge.
    await sam.send({"type": "resume", "cursor": cursor})
    assert types(await sam.frames()) == ["message.read_state", "resumed"]


async def test_events_delivered_live_are_not_replayed_again(world):
    sam = await open_socket(world.sam)
    cursor = sam.hello["cursor"]
    dana = await Api.as_user(world.dana.user)
    await dana.start("administrative", body="One")
    live = await sam.frames()
    assert types(live) == ["thread.created", "message.created", "badge"]
    await sam.send({"type": "resume", "cursor": cursor})
    got = await sam.frames()
    assert types(got) == ["resumed"]


async def test_resume_is_refused_from_before_the_retained_log(world):
    dana = await Api.as_user(world.dana.user)
    await dana.start("administrative", body="Old")
    sam = await open_socket(world.sam)
    old_cursor = sam.hello["cursor"] - 2
    await dana.start("administrative", body="Newer")
    await sam.frames()

    def age_and_prune():
        Event.objects.update(created_at=timezone.now() - timedelta(hours=25))
        return events.prune()

    pruned = await database_sync_to_async(age_and_prune)()
    # The newest event always stays: it marks where the retained log begins.
    assert pruned >= 1 and await database_sync_to_async(Event.objects.count)() == 1
    await sam.send({"type": "resume", "cursor": old_cursor})
    got = await sam.frames()
    assert types(got) == ["resync_required"]
    # Resuming from the newest cursor still works.
    head = await database_sync_to_async(lambda: Event.objects.latest("id").pk)()
    await sam.send({"type": "resume", "cursor": head})
    assert await sam.frames() == [{"type": "resumed", "cursor": head}]


async def test_resume_on_an_empty_log(world):
    def empty_the_log():
        newest = Event.objects.latest("id").pk
        Event.objects.all().delete()
        return newest
    await (await Api.as_user(world.dana.user)).start("administrative")  # ids move on
    newest = await database_sync_to_async(empty_the_log)()
    sam = await open_socket(world.sam)
    # The cursor is the last id handed out, not 0: the next event's id is newer than it.
    assert sam.hello["cursor"] == newest
    await sam.send({"type": "resume", "cursor": sam.hello["cursor"]})
    assert await sam.frames() == [{"type": "resumed", "cursor": sam.hello["cursor"]}]
    await (await Api.as_user(world.dana.user)).start("administrative")
    await sam.frames()
    await sam.send({"type": "resume", "cursor": sam.hello["cursor"]})
    assert "resumed" in types(await sam.frames())


async def test_prune_keeps_a_day(world):
    dana = await Api.as_user(world.dana.user)
    await dana.start("administrative", body="Recent")
    assert await database_sync_to_async(events.prune)() == 0


async def test_resume_from_a_cursor_the_server_never_gave_is_a_resync(world):
    sam = await open_socket(world.sam)
    await sam.send({"type": "resume", "cursor": sam.hello["cursor"] + 1000})
    assert types(await sam.frames()) == ["resync_required"]


async def test_a_resume_across_an_access_change_asks_for_a_resync(world):
    dana = await Api.as_user(world.dana.user)
    await dana.start("billing", body="Invoice")
    bill = await open_socket(world.bill)
    cursor = bill.hello["cursor"]
    await bill.close()
    await (await Api.as_user(world.admin)).put(f"/api/staff/{world.bill.pk}/roles",
                                               {"roles": ["scheduler"]})
    bill = await open_socket(world.bill)
    await bill.send({"type": "resume", "cursor": cursor})
    assert types(await bill.frames()) == ["resync_required"]


async def test_resume_only_replays_threads_seen_now(world):
    """Events of a thread that moved away while the socket was gone are not replayed."""
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative", body="One"))["thread"]["id"]
    sam = await open_socket(world.sam)
    cursor = sam.hello["cursor"]
    await sam.close()
    await dana.reply(thread_id, "Two")
    await (await Api.as_user(world.cleo)).patch(f"/api/threads/{thread_id}",
                                                {"audience": "clinical", "confirm": True})
    await dana.reply(thread_id, "Three")
    sam = await open_socket(world.sam)
    await sam.send({"type": "resume", "cursor": cursor})
    got = await sam.frames()
    # (The new socket's hello already counted the badge without it.)
    assert types(got) == ["thread.removed", "resumed"]
    assert got[0]["thread_id"] == thread_id and got[0]["reason"] == "access"


async def test_state_before_plus_frames_equals_state_after(world):
    """The badge and a thread's unread count, followed through frames, match a fresh fetch."""
    dana = await Api.as_user(world.dana.user)
    sam_api = await Api.as_user(world.sam)
    thread_id = (await dana.start("administrative", body="One"))["thread"]["id"]
    sam = await open_socket(world.sam)
    badge = sam.hello["badge"]
    unread = {t["id"]: t["unread_count"] for t in (await sam_api.get("/api/threads"))["threads"]}

    await dana.reply(thread_id, "Two")
    await sam_api.post(f"/api/threads/{thread_id}/unread", expect=200)
    await dana.start("administrative", body="Another")
    await sam_api.post(f"/api/threads/{thread_id}/read", expect=200)
    await dana.reply(thread_id, "Three")
    for frame in await sam.frames():
        if frame["type"] == "badge":
            badge = frame["unread"]
        if "thread" in frame:
            unread[frame["thread"]["id"]] = frame["thread"]["unread_count"]
    assert badge == (await sam_api.get("/api/badge"))["unread"] == 2
    assert unread == {t["id"]: t["unread_count"]
                      for t in (await sam_api.get("/api/threads"))["threads"]}


async def test_resume_never_brings_back_deleted_text_or_an_old_subject(world):
    """Rendered now, as a live socket would be sent it: the deleted message's text is gone (its
    deletion still comes), and every summary shows the current subject."""
    sam = await open_socket(world.sam)
    cursor = sam.hello["cursor"]
    await sam.close()
    dana, admin = await Api.as_user(world.dana.user), await Api.as_user(world.admin)
    started = await dana.start("administrative", body="Please call me at 555-0100",
                               subject="Old subject")
    thread_id, message_id = started["thread"]["id"], started["message"]["id"]
    await dana.reply(thread_id, "Kept")
    await admin.delete(f"/api/messages/{message_id}")
    await admin.patch(f"/api/threads/{thread_id}", {"subject": "New subject"})

    sam = await open_socket(world.sam)
    await sam.send({"type": "resume", "cursor": cursor})
    got = await sam.frames()
    assert types(got) == ["thread.created", "message.created", "message.deleted",
                          "thread.updated", "resumed"]
    assert "555-0100" not in str(got)
    assert [f["message"]["body"] for f in got if f["type"] == "message.created"] == ["Kept"]
    assert {f["thread"]["subject"] for f in got if "thread" in f} == {"New subject"}
    assert got[2]["message_id"] == message_id
