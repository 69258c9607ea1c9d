"""A practice that requires two-step sign-in holds its staff at the set-up on the socket too: no
socket opens until they have set it up, and switching the requirement on closes the sockets of
those who have not."""

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consumers import state
from server.models import Practice, TwoFactor
from tests.consumers.helpers import Api, handshake, open_socket, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def set_up_two_factor(user):
    now = timezone.now()
    TwoFactor.objects.create(user=user, secret="JBSWY3DPEHPK3PXP", created_at=now, confirmed_at=now)


def require_two_factor(practice):
    Practice.objects.filter(pk=practice.pk).update(require_two_factor=True)


async def test_staff_without_two_factor_are_refused_at_the_handshake(world):
    await database_sync_to_async(set_up_two_factor)(world.cleo)
    await database_sync_to_async(require_two_factor)(world.practice)
    accepted, _, _ = await handshake(world.sam)
    assert not accepted
    # Staff who set it up, clients, and staff of another practice open as before.
    for user in (world.cleo, world.dana.user, world.olga):
        sock = await open_socket(user)
        assert sock.hello["user"]["id"] == user.pk
        await sock.close()


async def test_requiring_it_closes_the_sockets_of_staff_without_it(world):
    await database_sync_to_async(set_up_two_factor)(world.cleo)
    sam, cleo, dana = [await open_socket(u) for u in (world.sam, world.cleo, world.dana.user)]
    await (await Api.as_user(world.admin)).put("/api/practice", {"require_two_factor": True})
    assert (await sam.io.receive_output(1)) == {"type": "websocket.close", "code": 4003}
    for sock in (cleo, dana):
        await sock.send({"type": "ping"})
        assert await sock.frames() == [{"type": "pong"}]
    accepted, _, _ = await handshake(world.sam)
    assert not accepted


def test_openings_read_together_agree_and_cost_one_query_more(world):
    staff = [world.admin, world.sam, world.cleo, world.sue, world.olga]
    keys = {session_cookie(user) for user in staff} | {session_cookie(world.dana.user)}
    set_up_two_factor(world.cleo)

    def read():
        with CaptureQueriesContext(connection) as bulk:
            together = state.openings(keys)
        with CaptureQueriesContext(connection) as alone:
            one = state.opening(session_cookie(world.cleo))
        return together, len(bulk), one, len(alone)

    _, bulk_before, _, alone_before = read()
    require_two_factor(world.practice)
    together, bulk_after, one, alone_after = read()
    assert bulk_after == bulk_before + 1  # the users' confirmed TwoFactor rows, in one query
    assert alone_after == alone_before + 1
    opened = {v[0].pk for v in together.values() if v is not None}
    assert opened == {world.cleo.pk, world.olga.pk, world.dana.user.pk}
    assert {key: state.opening(key) is not None for key in keys} == {
        key: together.get(key) is not None for key in keys}
    assert one is not None
