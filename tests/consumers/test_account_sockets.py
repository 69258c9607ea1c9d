"""Sockets close when a password is reset and when a session is ended from the sessions list."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from server.actions import passwords
from server.models import PasswordReset, SignInSession
from tests.api.accounts_helpers import NEW_PASSWORD, sign_in
from tests.consumers.helpers import handshake, open_socket
from tests.factory import JsonClient

pytestmark = pytest.mark.django_db(transaction=True)


async def closed_with(sock, code):
    assert (await sock.io.receive_output(1)) == {"type": "websocket.close", "code": code}


async def signed_in(username, ip):
    api, r = await database_sync_to_async(sign_in)(username, ip=ip)
    assert r.status_code == 200
    return api, api.http.cookies["sessionid"].value


async def test_a_password_reset_closes_every_socket_of_the_user(world):
    _, desk_cookie = await signed_in("sam", "10.0.0.1")
    desk = await open_socket(world.sam, cookie=desk_cookie)
    admin = await open_socket(world.admin)

    def reset():
        # The link as the email would carry it (tests/api/test_password_reset.py reads real ones).
        token = "t0ken-for-this-test"
        PasswordReset.objects.create(user=world.sam, token_hash=passwords.token_hash(token),
                                     created_at=timezone.now(),
                                     expires_at=timezone.now() + timedelta(hours=1))
        return JsonClient().post("/api/auth/password/reset",
                                 {"token": token, "password": NEW_PASSWORD})

    assert (await database_sync_to_async(reset)()).status_code == 204
    await closed_with(desk, 4001)
    accepted, _, _ = await handshake(cookie=desk_cookie)
    assert not accepted
    await admin.send({"type": "ping"})
    assert await admin.frames() == [{"type": "pong"}]


async def test_ending_a_session_closes_its_sockets_and_keeps_the_others(world):
    here, here_cookie = await signed_in("sam", "10.0.0.1")
    there, there_cookie = await signed_in("sam", "10.0.0.2")
    mine = await open_socket(world.sam, cookie=here_cookie)
    theirs = await open_socket(world.sam, cookie=there_cookie)
    there_id = await database_sync_to_async(
        lambda: SignInSession.objects.get(ip="10.0.0.2").pk)()
    r = await database_sync_to_async(here.delete)(f"/api/me/sessions/{there_id}")
    assert r.status_code == 204
    # Both are asked to reconnect at once; only the session still signed in gets back in.
    await closed_with(theirs, 4012)
    await closed_with(mine, 4012)
    accepted, _, _ = await handshake(cookie=there_cookie)
    assert not accepted
    again = await open_socket(world.sam, cookie=here_cookie)
    await again.send({"type": "ping"})
    assert await again.frames() == [{"type": "pong"}]
    assert (await database_sync_to_async(there.get)("/api/me")).status_code == 401
    assert (await database_sync_to_async(here.get)("/api/me")).status_code == 200
