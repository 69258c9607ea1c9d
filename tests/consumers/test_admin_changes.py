"""Every admin change form has the live effect and the audit row of its API twin (issue 12,
item 4): the same frames on the affected sockets, the same audit entry; and the changes with
no API twin (supervision, deactivation, passwords, portal unlink) reach live sockets too."""

import pytest
from channels.db import database_sync_to_async

from server.models import AuditEntry
from tests.consumers.helpers import Api, handshake, open_socket
from tests.hardening.adminforms import (admin_browser, change_client, change_practice,
                                        change_user, set_password)

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a fresh and private passphrase"


def seen(frames) -> list:
    """What a user sees in frames, without cursors."""
    return [(f["type"], f.get("thread_id") or f.get("thread", {}).get("id"), f.get("unread"))
            for f in frames]


@database_sync_to_async
def in_admin(change, world, *args, **fields):
    """Post an admin change form as the practice admin; the one audit row it wrote."""
    newest = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    change(admin_browser(world.admin), *args, **fields)
    return _entry_after(newest)


@database_sync_to_async
def newest_id():
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@database_sync_to_async
def entry_after(newest):
    return _entry_after(newest)


def _entry_after(newest):
    rows = list(AuditEntry.objects.filter(id__gt=newest).order_by("id"))
    assert len(rows) == 1, [r.action for r in rows]
    return rows[0]


def same_entry(a, b):
    assert (a.action, a.actor_id, a.practice_id, a.client_id, a.ip, a.detail) == \
        (b.action, b.actor_id, b.practice_id, b.client_id, b.ip, b.detail)


async def closed_with(sock) -> int:
    message = await sock.io.receive_output(2)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def test_roles_in_the_admin_equal_roles_through_the_api(world):
    billing = (await (await Api.as_user(world.dana.user)).start("billing"))["thread"]["id"]
    bill = await open_socket(world.bill)
    api = await Api.as_user(world.admin)

    before = await newest_id()
    await api.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["scheduler"]})
    by_api, api_entry = seen(await bill.frames()), await entry_after(before)
    assert by_api == [("thread.removed", billing, None), ("badge", None, 0)]
    await api.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["biller"]})
    assert seen(await bill.frames()) == [("thread.updated", billing, None), ("badge", None, 1)]

    admin_entry = await in_admin(change_user, world, world.bill, roles=["scheduler"])
    assert seen(await bill.frames()) == by_api
    same_entry(admin_entry, api_entry)


async def test_clinicians_in_the_admin_equal_clinicians_through_the_api(world):
    clinical = (await (await Api.as_user(world.dana.user)).start("clinical"))["thread"]["id"]
    cleo, sue = await open_socket(world.cleo), await open_socket(world.sue)
    api = await Api.as_user(world.admin)
    path = f"/api/clients/{world.dana.pk}/clinicians"

    before = await newest_id()
    await api.put(path, {"clinicians": []})
    by_api = [seen(await cleo.frames()), seen(await sue.frames())]
    api_entry = await entry_after(before)
    assert by_api[0] == by_api[1] == [("thread.removed", clinical, None), ("badge", None, 0)]
    await api.put(path, {"clinicians": [world.cleo.pk]})
    await cleo.frames(), await sue.frames()

    admin_entry = await in_admin(change_client, world, world.dana, clinicians=[])
    assert [seen(await cleo.frames()), seen(await sue.frames())] == by_api
    same_entry(admin_entry, api_entry)


async def test_the_portal_switch_in_the_admin_equals_the_api(world):
    dana = await open_socket(world.dana.user)
    api = await Api.as_user(world.admin)

    before = await newest_id()
    await api.put("/api/practice", {"portal_enabled": False})
    assert await closed_with(dana) == 4003
    api_entry = await entry_after(before)
    await api.put("/api/practice", {"portal_enabled": True})

    dana = await open_socket(world.dana.user)
    admin_entry = await in_admin(change_practice, world, world.practice, portal_enabled=False)
    assert await closed_with(dana) == 4003
    same_entry(admin_entry, api_entry)


async def test_supervision_in_the_admin_applies_live_and_is_audited(world):
    clinical = (await (await Api.as_user(world.dana.user)).start("clinical"))["thread"]["id"]
    sue, cleo = await open_socket(world.sue), await open_socket(world.cleo)

    entry = await in_admin(change_user, world, world.sue, supervises=[])
    assert seen(await sue.frames()) == [("thread.removed", clinical, None), ("badge", None, 0)]
    assert await cleo.frames() == []
    assert (entry.action, entry.actor_id, entry.detail) == (
        "staff.supervision_changed", world.admin.pk,
        {"target_user": world.sue.pk, "before": [world.cleo.pk], "after": []})

    await in_admin(change_user, world, world.sue, supervises=[world.cleo.pk])
    assert seen(await sue.frames()) == [("thread.updated", clinical, None), ("badge", None, 1)]


async def test_deactivating_a_clinician_closes_their_sockets_and_updates_their_supervisor(world):
    clinical = (await (await Api.as_user(world.dana.user)).start("clinical"))["thread"]["id"]
    cleo, sue = await open_socket(world.cleo), await open_socket(world.sue)

    entry = await in_admin(change_user, world, world.cleo, is_active=False)
    assert await closed_with(cleo) == 4001
    assert seen(await sue.frames()) == [("thread.removed", clinical, None), ("badge", None, 0)]
    assert (entry.action, entry.detail) == ("user.deactivated", {"target_user": world.cleo.pk})
    accepted, _, _ = await handshake(world.cleo)
    assert not accepted


async def test_a_password_set_in_the_admin_closes_the_users_sockets(world):
    sam = await open_socket(world.sam)
    entry = await in_admin(set_password, world, world.sam, NEW_PASSWORD)
    assert await closed_with(sam) == 4001
    assert (entry.action, entry.detail) == ("user.password_set",
                                            {"target_user": world.sam.pk, "usable": True})


async def test_an_unlinked_portal_account_hears_and_resumes_nothing_of_the_client(world):
    dana = await open_socket(world.dana.user)
    entry = await in_admin(change_client, world, world.dana, user="")
    assert await closed_with(dana) == 4001
    assert (entry.action, entry.client_id) == ("client.portal_unlinked", world.dana.pk)

    await (await Api.as_user(world.cleo)).start("clinical", client=world.dana, body="Notes")
    accepted, _, _ = await handshake(world.dana.user)
    assert not accepted  # no socket, so no `resume` either
