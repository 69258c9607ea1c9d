"""Sockets close when their user signs out, their session ends, the portal is switched off or the
user is deactivated; others' sockets stay open."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session

from consumers import hub
from server.models import User
from tests.consumers.helpers import Api, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def closed_with(sock, code):
    assert (await sock.io.receive_output(1)) == {"type": "websocket.close", "code": code}


async def test_signing_out_closes_the_users_sockets(world):
    cookie = await database_sync_to_async(session_cookie)(world.sam)
    phone = await open_socket(world.sam, cookie=cookie)
    desk = await open_socket(world.sam)
    admin = await open_socket(world.admin)
    sam = await Api.as_user(world.sam)
    await sam.post("/api/auth/logout", expect=204)
    await closed_with(phone, 4001)
    await closed_with(desk, 4001)
    await admin.send({"type": "ping"})
    assert await admin.frames() == [{"type": "pong"}]


async def test_an_ended_session_closes_the_socket(world, monkeypatch):
    monkeypatch.setattr(hub, "SESSION_CHECK_SECONDS", 0.05)
    cookie = await database_sync_to_async(session_cookie)(world.sam)
    sock = await open_socket(world.sam, cookie=cookie)
    other = await open_socket(world.admin)
    await sock.io.receive_nothing(0.2)  # still standing
    await database_sync_to_async(Session.objects.filter(session_key=cookie).delete)()
    await closed_with(sock, 4001)
    assert await other.frames(quiet=0.2) == []


async def test_an_expired_session_cannot_open_a_socket(world):
    cookie = await database_sync_to_async(session_cookie)(world.sam)
    await database_sync_to_async(Session.objects.filter(session_key=cookie).delete)()
    from tests.consumers.helpers import handshake

    accepted, _, _ = await handshake(cookie=cookie)
    assert not accepted


async def test_switching_the_portal_off_closes_client_sockets_only(world):
    dana = await open_socket(world.dana.user)
    sam = await open_socket(world.sam)
    await (await Api.as_user(world.admin)).put("/api/practice", {"portal_enabled": False})
    await closed_with(dana, 4003)
    await sam.send({"type": "ping"})
    assert await sam.frames() == [{"type": "pong"}]


async def test_deactivating_a_user_closes_their_sockets(world):
    sam = await open_socket(world.sam)

    def deactivate():
        user = User.objects.get(pk=world.sam.pk)
        user.is_active = False
        user.save()

    await database_sync_to_async(deactivate)()
    await closed_with(sam, 4001)


async def test_a_lost_access_push_is_made_up_by_the_periodic_reload(world, monkeypatch):
    """Pushes can be dropped: the socket rereads its facts on its own now and then."""
    from django.db import transaction

    from server.models import StaffRole

    monkeypatch.setattr(hub, "SESSION_CHECK_SECONDS", 0.05)
    monkeypatch.setattr(hub, "PERSON_REFRESH_SECONDS", 0.1)
    dana = await Api.as_user(world.dana.user)
    thread_id = (await dana.start("administrative"))["thread"]["id"]
    sam = await open_socket(world.sam)

    def drop_role_silently():
        with transaction.atomic():
            StaffRole.objects.filter(user=world.sam).update(role="biller")  # no signal

    await database_sync_to_async(drop_role_silently)()
    got = await sam.frames(quiet=0.5)
    assert got[0] == {"type": "thread.removed", "cursor": got[0]["cursor"], "thread_id": thread_id,
                      "reason": "access"}
