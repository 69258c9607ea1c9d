"""Each event type over the socket, driven through the real HTTP API and actions."""

import pytest

from tests.consumers.helpers import Api, open_socket, types

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_client_thread_reaches_staff_unread_with_their_badge(world):
    sam = await open_socket(world.sam)
    admin = await open_socket(world.admin)
    dana_sock = await open_socket(world.dana.user)
    dana = await Api.as_user(world.dana.user)

    created = await dana.start("administrative", body="Can I move Tuesday?")
    thread_id = created["thread"]["id"]

    frames = await sam.frames()
    assert types(frames) == ["thread.created", "message.created", "badge"]
    assert all(isinstance(f["cursor"], int) for f in frames)
    assert frames[0]["cursor"] < frames[1]["cursor"] == frames[2]["cursor"]
    assert frames[0]["thread"]["id"] == thread_id
    message = frames[1]["message"]
    assert message["body"] == "Can I move Tuesday?" and message["author"]["kind"] == "client"
    # Personal fields: unread for sam; a client message counts as seen, so only a practice
    # admin may delete it in an administrative thread.
    assert message["unread"] is True and message["can_delete"] is False
    assert frames[1]["thread"]["unread_count"] == 1 and frames[1]["thread"]["archived"] is False
    assert frames[2] == {"type": "badge", "cursor": frames[1]["cursor"], "unread": 1}

    admin_frames = await admin.frames()
    assert types(admin_frames) == ["thread.created", "message.created", "badge"]
    assert admin_frames[1]["message"]["can_delete"] is True

    # The author's own socket hears of it too, read, and its badge does not move.
    own = await dana_sock.frames()
    assert types(own) == ["thread.created", "message.created"]
    assert own[1]["message"]["unread"] is False and own[1]["thread"]["unread_count"] == 0


async def test_a_staff_reply_is_unread_for_the_client_and_read_for_its_author(world):
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative"))["thread"]["id"]
    sam = await open_socket(world.sam)
    dana_sock = await open_socket(world.dana.user)

    await (await Api.as_user(world.sam)).reply(thread_id, "Wednesday works")

    got = await dana_sock.frames()
    assert types(got) == ["message.created", "badge"]
    assert got[0]["message"]["unread"] is True and got[0]["message"]["can_delete"] is False
    assert got[1]["unread"] == 1
    # Sam replied with "mark as read after sending": his badge drops to 0, then his read state.
    own = await sam.frames()
    assert types(own) == ["message.created", "badge", "message.read_state"]
    assert own[0]["message"]["unread"] is False and own[0]["message"]["can_delete"] is True
    assert own[1]["unread"] == 0
    assert own[2]["unread"] is False and own[2]["thread_id"] == thread_id


async def test_the_client_opening_a_thread_sends_the_receipt_to_staff(world):
    sam_api = await Api.as_user(world.sam)
    started = await sam_api.start("administrative", client=world.dana, body="Your forms")
    message_id = started["message"]["id"]
    sam = await open_socket(world.sam)
    cleo = await open_socket(world.cleo)
    dana_sock = await open_socket(world.dana.user)

    await (await Api.as_user(world.dana.user)).get(f"/api/threads/{started['thread']['id']}")

    for sock in (sam, cleo):
        got = await sock.frames()
        assert types(got) == ["receipt.seen"]
        assert got[0]["message_id"] == message_id and got[0]["seen_by_client_at"]
        # Seen by the client: only a practice admin may delete it now.
        assert got[0]["can_delete"] is False
    assert types(await dana_sock.frames()) == ["receipt.seen", "message.read_state", "badge"]


async def test_read_state_reaches_every_device_of_that_user_only(world):
    dana = await Api.as_user(world.dana.user)
    started = await dana.start("administrative")
    sam_phone = await open_socket(world.sam)
    sam_desk = await open_socket(world.sam)
    admin = await open_socket(world.admin)

    sam = await Api.as_user(world.sam)
    await sam.post(f"/api/messages/{started['message']['id']}/read", expect=200)
    for sock in (sam_phone, sam_desk):
        got = await sock.frames()
        assert types(got) == ["message.read_state", "badge"]
        assert got[0]["message_ids"] == [started["message"]["id"]] and got[0]["unread"] is False
        assert got[1]["unread"] == 0
    assert await admin.frames() == []

    # Repeating it changes nothing, so nothing is sent.
    await sam.post(f"/api/messages/{started['message']['id']}/read", expect=200)
    assert await sam_phone.frames() == []

    await sam.post(f"/api/messages/{started['message']['id']}/unread", expect=200)
    got = await sam_desk.frames()
    assert types(got) == ["message.read_state", "badge"] and got[0]["unread"] is True
    assert got[1]["unread"] == 1


async def test_a_deleted_message_and_the_badges_it_changes(world):
    sam = await Api.as_user(world.sam)
    started = await sam.start("administrative", client=world.dana, body="Oops, wrong client")
    admin = await open_socket(world.admin)
    dana_sock = await open_socket(world.dana.user)
    assert admin.hello["badge"] == 1 and dana_sock.hello["badge"] == 1

    await sam.delete(f"/api/messages/{started['message']['id']}")
    for sock in (admin, dana_sock):
        got = await sock.frames()
        assert types(got) == ["message.deleted", "badge"]
        assert got[0]["message_id"] == started["message"]["id"]
        assert got[0]["thread_id"] == started["thread"]["id"]
        assert got[1]["unread"] == 0


async def test_header_edits_reach_viewers_and_archive_reaches_only_its_user(world):
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative", subject="Tuesday"))["thread"]["id"]
    sam = await open_socket(world.sam)
    admin = await open_socket(world.admin)
    dana_sock = await open_socket(world.dana.user)

    sam_api = await Api.as_user(world.sam)
    await sam_api.patch(f"/api/threads/{thread_id}", {"subject": "Moving Tuesday"})
    for sock, unread in ((sam, 1), (admin, 1), (dana_sock, 0)):
        got = await sock.frames()
        assert types(got) == ["thread.updated"]
        assert got[0]["thread"]["subject"] == "Moving Tuesday"
        assert got[0]["thread"]["unread_count"] == unread

    await sam_api.post(f"/api/threads/{thread_id}/archive", expect=200)
    got = await sam.frames()
    assert types(got) == ["thread.updated"] and got[0]["thread"]["archived"] is True
    assert await admin.frames() == [] and await dana_sock.frames() == []

    # A new message un-archives it for everyone.
    await dana.reply(thread_id, "Any news?")
    got = await sam.frames()
    assert types(got) == ["message.created", "badge"]
    assert got[0]["thread"]["archived"] is False and got[0]["thread"]["unread_count"] == 2


async def test_a_deleted_thread_is_removed_for_staff_and_client_then_silent(world):
    sam_api = await Api.as_user(world.sam)
    started = await sam_api.start("administrative", client=world.dana, body="Draft")
    thread_id = started["thread"]["id"]
    admin = await open_socket(world.admin)
    dana_sock = await open_socket(world.dana.user)

    await sam_api.delete(f"/api/threads/{thread_id}")
    for sock in (admin, dana_sock):
        got = await sock.frames()
        assert types(got) == ["thread.removed", "badge"]
        assert got[0]["thread_id"] == thread_id and got[0]["reason"] == "deleted"
        assert got[1]["unread"] == 0
    await sam_api.post(f"/api/threads/{thread_id}/messages", {"body": "still here?"}, expect=410)
    assert await admin.frames() == [] and await dana_sock.frames() == []


async def test_msgpack_sockets_get_the_same_objects(world):
    as_json = await open_socket(world.sam)
    as_msgpack = await open_socket(world.sam, subprotocols=["msgpack"])
    assert as_msgpack.subprotocol == "msgpack"
    await (await Api.as_user(world.dana.user)).start("administrative", body="binary please")
    assert await as_msgpack.frames() == await as_json.frames()
