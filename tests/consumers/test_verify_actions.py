"""Every action, for a user who sees its thread and one who does not, loses or gains it: the
state their page fetched before, with the frames their socket received applied as static/js
applies them, equals the state fetched after (`tests.consumers.verify`)."""

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.attachment_files import image
from tests.consumers.helpers import Api, types
from tests.consumers.verify import CLOSED, verify_action, watch

pytestmark = pytest.mark.django_db(transaction=True)


async def dana_thread(world, audience="administrative"):
    """A thread dana started, with sam's reply: (thread id, dana's message id, sam's message id)."""
    dana = await Api.as_user(world.dana.user)
    created = await dana.start(audience, body="Can I move Tuesday?")
    thread_id = created["thread"]["id"]
    staff = world.sam if audience == "administrative" else world.cleo
    reply = await (await Api.as_user(staff)).reply(thread_id, "Wednesday works",
                                                  mark_thread_read=False)
    return thread_id, created["message"]["id"], reply["id"]


async def as_user(user):
    return await Api.as_user(user)


async def test_a_staff_reply(world):
    thread_id, _, _ = await dana_thread(world)
    sam, dana, bill = await watch((world.sam, thread_id), (world.dana.user, thread_id), world.bill)
    api = await as_user(world.sam)
    await verify_action([sam, dana, bill], lambda: api.reply(thread_id, "See you then"))
    assert "message.created" in types(dana.frames) and bill.frames == []


async def test_a_client_reply(world):
    thread_id, _, _ = await dana_thread(world)
    sam, admin, dana, bill = await watch((world.sam, thread_id), world.admin,
                                         (world.dana.user, thread_id), world.bill)
    api = await as_user(world.dana.user)
    await verify_action([sam, admin, dana, bill], lambda: api.reply(thread_id, "Thanks"))
    assert types(admin.frames) == ["message.created", "badge"] and bill.frames == []


async def test_a_client_starts_a_thread(world):
    sam, bill, dana = await watch(world.sam, world.bill, world.dana.user)
    api = await as_user(world.dana.user)
    await verify_action([sam, bill, dana], lambda: api.start("administrative", body="Hi"))
    assert types(sam.frames) == ["thread.created", "message.created", "badge"]


async def test_a_deleted_message(world):
    thread_id, _, reply_id = await dana_thread(world)
    admin, sam, dana, bill = await watch((world.admin, thread_id), world.sam,
                                         (world.dana.user, thread_id), world.bill)
    api = await as_user(world.admin)
    await verify_action([admin, sam, dana, bill], lambda: api.delete(f"/api/messages/{reply_id}"))
    assert "message.deleted" in types(dana.frames) and bill.frames == []


async def test_a_deleted_thread(world):
    thread_id, _, _ = await dana_thread(world)
    admin, sam, dana, bill = await watch((world.admin, thread_id), (world.sam, thread_id),
                                         (world.dana.user, thread_id), world.bill)
    api = await as_user(world.admin)
    await verify_action([admin, sam, dana, bill], lambda: api.delete(f"/api/threads/{thread_id}"))
    assert "thread.removed" in types(sam.frames) and bill.frames == []


@pytest.mark.parametrize("path", ["/api/messages/{message}/unread", "/api/messages/{message}/read",
                                  "/api/threads/{thread}/unread", "/api/threads/{thread}/read"])
async def test_read_marks_on_every_device_of_their_user(world, path):
    thread_id, dana_message, _ = await dana_thread(world)
    # Sam's two pages: the thread open on one, the list on the other; the admin's stays as is.
    sam, sam_list, admin = await watch((world.sam, thread_id), world.sam, (world.admin, thread_id))
    api = await as_user(world.sam)
    # Each mark changes something: the thread is read before an "unread", unread before a "read".
    await api.post(f"/api/threads/{thread_id}/read", expect=200)
    if path.endswith("/read"):
        await api.post(f"/api/messages/{dana_message}/unread", expect=200)
    url = path.format(message=dana_message, thread=thread_id)
    await verify_action([sam, sam_list, admin], lambda: api.post(url, expect=200))
    assert "message.read_state" in types(sam_list.frames) and admin.frames == []


@pytest.mark.parametrize("how", ["archive", "unarchive"])
async def test_archive_is_one_users_own(world, how):
    thread_id, _, _ = await dana_thread(world)
    api = await as_user(world.sam)
    if how == "unarchive":
        await api.post(f"/api/threads/{thread_id}/archive", expect=200)
    sam, sam_list, admin = await watch((world.sam, thread_id), world.sam, world.admin)
    await verify_action([sam, sam_list, admin],
                        lambda: api.post(f"/api/threads/{thread_id}/{how}", expect=200))
    assert types(sam_list.frames) == ["thread.updated"] and admin.frames == []


async def test_a_header_edit(world):
    thread_id, _, _ = await dana_thread(world)
    sam, dana, bill = await watch((world.sam, thread_id), (world.dana.user, thread_id), world.bill)
    api = await as_user(world.sam)
    await verify_action([sam, dana, bill], lambda: api.patch(f"/api/threads/{thread_id}",
                                                             {"subject": "Moving Tuesday"}))
    assert types(dana.frames) == ["thread.updated"] and bill.frames == []


async def test_an_audience_change_loses_and_gains_users(world):
    thread_id, _, _ = await dana_thread(world)
    sam, admin, bill, cara, dana = await watch(
        (world.sam, thread_id), world.admin, world.bill, (world.cara, thread_id),
        (world.dana.user, thread_id))
    api = await as_user(world.cara)
    await verify_action([sam, admin, bill, cara, dana], lambda: api.patch(
        f"/api/threads/{thread_id}", {"audience": "billing", "confirm": True}))
    assert types(sam.frames)[:1] == ["thread.removed"] and "thread.removed" in types(admin.frames)
    assert "thread.updated" in types(bill.frames) or "thread.created" in types(bill.frames)


async def test_a_client_opening_a_thread_sends_receipts(world):
    thread_id, _, reply_id = await dana_thread(world)
    sam, bill, dana = await watch((world.sam, thread_id), world.bill, world.dana.user)
    api = await as_user(world.dana.user)
    await verify_action([sam, bill, dana], lambda: api.get(f"/api/threads/{thread_id}"))
    assert [f["message_id"] for f in sam.frames if f["type"] == "receipt.seen"] == [reply_id]
    assert bill.frames == []


@pytest.mark.parametrize("roles", [["biller", "scheduler"], []])
async def test_a_role_change(world, roles):
    """Bill gains the administrative thread with the scheduler role; losing every role, he
    loses the billing one."""
    administrative, _, _ = await dana_thread(world)
    billing, _, _ = await dana_thread(world, "billing")
    bill, sam = await watch((world.bill, billing), (world.sam, administrative))
    api = await as_user(world.admin)
    await verify_action([bill, sam], lambda: api.put(f"/api/staff/{world.bill.pk}/roles",
                                                     {"roles": roles}))
    assert bill.frames and sam.frames == []


async def test_an_unassignment(world):
    thread_id, _, _ = await dana_thread(world, "clinical")
    cleo, sue, cara = await watch((world.cleo, thread_id), world.sue, (world.cara, thread_id))
    api = await as_user(world.admin)
    await verify_action([cleo, sue, cara], lambda: api.put(
        f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": []}))
    assert "thread.removed" in types(cleo.frames) and "thread.removed" in types(sue.frames)
    assert cara.frames == []


async def test_the_portal_switch(world):
    thread_id, _, _ = await dana_thread(world)
    dana, sam = await watch((world.dana.user, thread_id), (world.sam, thread_id))
    api = await as_user(world.admin)
    await verify_action([dana, sam], lambda: api.put("/api/practice", {"portal_enabled": False}))
    assert dana.frames[-1] is CLOSED and sam.frames == []


async def test_a_message_with_an_attachment(world):
    thread_id, _, _ = await dana_thread(world)
    sam, dana, bill = await watch((world.sam, thread_id), (world.dana.user, thread_id), world.bill)
    api = await as_user(world.sam)
    upload = await database_sync_to_async(api.client.http.post)(
        "/api/attachments", {"file": SimpleUploadedFile("scan.png", image(), "image/png")})
    assert upload.status_code == 201, upload.content
    file_id = upload.json()["id"]
    await verify_action([sam, dana, bill],
                        lambda: api.reply(thread_id, "The form", attachments=[file_id]))
    sent = [f for f in dana.frames if f["type"] == "message.created"][0]["message"]
    assert [a["id"] for a in sent["attachments"]] == [file_id] and bill.frames == []
