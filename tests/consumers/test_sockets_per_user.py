"""A user holds at most CAIRN_SOCKETS_PER_USER sockets at once (SPEC §4); more are refused at the
handshake, before accept."""

import asyncio

import pytest

from tests.consumers.helpers import handshake, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_twenty_first_socket_is_refused(world, settings):
    assert settings.CAIRN_SOCKETS_PER_USER == 20
    sockets = [await open_socket(world.sam) for _ in range(20)]
    accepted, _, _ = await handshake(world.sam)
    assert not accepted
    for sock in sockets:
        await sock.close()


async def test_a_closed_socket_frees_its_place_and_others_are_not_counted(world, settings):
    settings.CAIRN_SOCKETS_PER_USER = 2
    first, second = await open_socket(world.sam), await open_socket(world.sam)
    assert not (await handshake(world.sam))[0]
    other = await open_socket(world.cleo)  # another user's sockets are their own
    await first.close()
    third = await open_socket(world.sam)
    assert third.hello["type"] == "hello"
    for sock in (second, other, third):
        await sock.close()


async def test_a_burst_of_handshakes_gets_exactly_the_limit(world, settings):
    settings.CAIRN_SOCKETS_PER_USER = 3
    results = await asyncio.gather(*(handshake(world.sam) for _ in range(10)))
    assert sum(accepted for accepted, _, _ in results) == 3
    for accepted, _, communicator in results:
        if accepted:
            await communicator.disconnect()
