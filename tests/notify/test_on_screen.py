"""A message that arrives live in a thread its recipient has on screen counts as reviewed
(SPEC §4 "Email timing"): the page says so with `{"type": "viewing", "thread_id": N | null}`."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from server.models import EmailNotice, OutboxEmail, User
from tests.consumers.helpers import Api, open_socket, types

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def delay(settings):
    settings.CAIRN_EMAIL_DELAY_SECONDS = 120


@database_sync_to_async
def waiting_for(user) -> int:
    """How many emails wait in the outbox for `user`'s address."""
    return OutboxEmail.objects.filter(to=user.email, sent_at__isnull=True).count()


@database_sync_to_async
def notices_of(user) -> int:
    return EmailNotice.objects.filter(user=user).count()


async def eventually(check, want, timeout=2.0):
    """Wait until `await check()` returns `want` (the review is written after the frame)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (got := await check()) != want:
        assert asyncio.get_running_loop().time() < deadline, (got, want)
        await asyncio.sleep(0.01)


@database_sync_to_async
def follow(user, *audiences):
    User.objects.filter(pk=user.pk).update(email_audiences=list(audiences))


async def a_thread_sam_was_emailed_about(world):
    await follow(world.sam, "administrative")
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative", subject="Tuesday"))["thread"]["id"]
    assert await waiting_for(world.sam) == 1
    return dana, thread_id


async def test_a_message_arriving_in_the_thread_on_screen_drops_the_waiting_email(world):
    dana, thread_id = await a_thread_sam_was_emailed_about(world)
    sam = await open_socket(world.sam)
    await sam.send({"type": "viewing", "thread_id": thread_id})
    await dana.reply(thread_id, "Are you there?")
    assert types(await sam.frames()) == ["message.created", "badge"]
    await eventually(lambda: waiting_for(world.sam), 0)
    assert await notices_of(world.sam) == 0
    # Reviewed: the next message, with the thread no longer on screen, emails again.
    await sam.send({"type": "viewing", "thread_id": None})
    await dana.reply(thread_id, "Hello?")
    assert types(await sam.frames()) == ["message.created", "badge"]
    assert await waiting_for(world.sam) == 1
    await sam.close()


async def test_another_thread_on_screen_or_none_keeps_the_email(world):
    dana, thread_id = await a_thread_sam_was_emailed_about(world)
    other = (await dana.start("administrative", subject="Another"))["thread"]["id"]
    # The second thread emailed sam too; he looks at it, then at nothing.
    assert await waiting_for(world.sam) == 2
    sam = await open_socket(world.sam)
    for viewing in (other, None):
        await sam.send({"type": "viewing", "thread_id": viewing})
        await dana.reply(thread_id, "Still waiting.")
        assert "message.created" in types(await sam.frames())
    assert await notices_of(world.sam) == 2 and await waiting_for(world.sam) == 2
    await sam.close()


async def test_saying_so_is_not_a_review_only_a_delivered_message_is(world):
    """The frame is the page's word, never checked: by itself it drops nothing. Bill (billing)
    claims the administrative thread too; nothing of it reaches him, so nothing is recorded."""
    dana, thread_id = await a_thread_sam_was_emailed_about(world)
    sam, bill = await open_socket(world.sam), await open_socket(world.bill)
    await sam.send({"type": "viewing", "thread_id": thread_id})
    await bill.send({"type": "viewing", "thread_id": thread_id})
    await sam.send({"type": "ping"})
    assert types(await sam.frames()) == ["pong"]
    assert await waiting_for(world.sam) == 1 and await notices_of(world.sam) == 1
    await (await Api.as_user(world.admin)).post(f"/api/threads/{thread_id}/messages",
                                                {"body": "Noted."}, expect=201)
    assert types(await bill.frames()) == []
    await sam.close()
    await bill.close()


async def test_malformed_viewing_frames_are_refused(world):
    sam = await open_socket(world.sam)
    for bad in ("5", True, 0, -3, 1.5, [1], {"id": 1}):
        await sam.send({"type": "viewing", "thread_id": bad})
        assert await sam.recv() == {"type": "error", "code": "malformed"}, bad
    await sam.send({"type": "viewing"})  # no thread_id: nothing on screen
    await sam.send({"type": "viewing", "thread_id": 10**30})  # no such thread: harmless
    assert await sam.frames() == []
    await sam.close()
