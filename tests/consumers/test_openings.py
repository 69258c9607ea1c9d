"""Sockets opening at the same time share their reads of the database (`consumers.openings`),
and each still gets exactly what it would have got alone."""

import asyncio
import threading
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.utils import timezone

from consumers import openings, state
from server.readmodel import badge_for
from server.facts import live_person
from server.models import Practice, User
from tests.clock import until
from tests.consumers.helpers import open_socket, session_cookie
from tests.factory import JsonClient

pytestmark = pytest.mark.django_db(transaction=True)


def comparable(opened):
    """An opening's result with the user as its id (User compares by id anyway)."""
    return None if opened is None else (opened[0].pk, opened[1], opened[2])


def test_many_openings_read_at_once_are_those_read_one_by_one(world):
    users = [world.admin, world.sam, world.bill, world.cleo, world.carl, world.sue, world.cara,
             world.dana.user, world.olga, world.oscar.user]
    keys = [session_cookie(user) for user in users] + ["no-such-session"]
    dana = JsonClient(world.dana.user)
    assert dana.post("/api/threads", {"audience": "clinical", "subject": "S", "body": "B"}
                     ).status_code == 201
    assert dana.post("/api/threads", {"audience": "administrative", "subject": "S", "body": "B"}
                     ).status_code == 201

    def check():
        alone = {key: comparable(state.opening(key)) for key in keys}
        together = {key: comparable(opened) for key, opened in state.openings(set(keys)).items()}
        assert {k: v for k, v in alone.items() if v is not None} == together
        return alone

    alone = check()
    assert alone["no-such-session"] is None
    assert sum(v is not None and v[2]["badge"] > 0 for v in alone.values()) >= 3
    # An expired session, a deactivated user and a client whose portal is off open nothing.
    Session.objects.filter(session_key=keys[0]).update(expire_date=timezone.now() - timedelta(1))
    User.objects.filter(pk=world.bill.pk).update(is_active=False)
    Practice.objects.filter(pk=world.other_practice.pk).update(portal_enabled=False)
    alone = check()
    assert alone[keys[0]] is None and alone[keys[2]] is None and alone[keys[9]] is None
    assert alone[keys[8]] is not None  # olga, staff of that practice, still opens


async def test_sockets_opening_together_share_visits_to_the_database(world, monkeypatch):
    calls = []
    real = state.openings

    def counting(keys):
        calls.append(len(keys))
        return real(keys)

    monkeypatch.setattr(state, "openings", counting)
    staff = [world.admin, world.sam, world.bill, world.cleo, world.sue, world.cara]
    cookies = [await database_sync_to_async(session_cookie)(user) for user in staff]
    # Three tabs of each user open at once.
    sockets = await asyncio.gather(*(open_socket(user, cookie=cookie)
                                     for user, cookie in zip(staff * 3, cookies * 3)))
    assert sum(calls) == len(staff)  # each session read once, whatever its tabs
    assert len(calls) <= 3
    for sock, user in zip(sockets, staff * 3):
        assert sock.hello["user"]["id"] == user.pk
        person = await database_sync_to_async(live_person)(user.pk)
        assert sock.hello["badge"] == await database_sync_to_async(badge_for)(person)
    for sock in sockets:
        await sock.close()


async def test_a_batch_reads_what_was_asked_while_it_read_in_the_next_visit(db):
    started, release = threading.Event(), threading.Event()
    seen = []

    def fetch(keys):
        seen.append(sorted(keys))
        if len(seen) == 1:
            started.set()
            release.wait(5)
        return {key: key.upper() for key in keys if key != "missing"}

    batch = openings.Batch(fetch)
    first = asyncio.ensure_future(batch.get("a"))
    await asyncio.to_thread(started.wait, 5)
    later = [asyncio.ensure_future(batch.get(key)) for key in ("b", "c", "b", "missing")]
    await until(lambda: set(batch.waiting) == {"b", "c", "missing"})
    release.set()
    assert await first == "A"
    assert await asyncio.gather(*later) == ["B", "C", "B", None]
    assert seen == [["a"], ["b", "c", "missing"]]


async def test_a_failed_visit_fails_its_askers_and_not_the_next(db):
    visits = []

    def fetch(keys):
        visits.append(keys)
        if len(visits) == 1:
            raise RuntimeError("database down")
        return {key: 1 for key in keys}

    batch = openings.Batch(fetch)
    with pytest.raises(RuntimeError):
        await asyncio.gather(batch.get("a"), batch.get("b"))
    assert await batch.get("a") == 1


async def test_an_asker_that_goes_away_leaves_its_tab_mates_their_answer(db):
    started, release = threading.Event(), threading.Event()

    def fetch(keys):
        started.set()
        release.wait(5)
        return {key: "ok" for key in keys}

    batch = openings.Batch(fetch)
    gone, stays = asyncio.ensure_future(batch.get("k")), asyncio.ensure_future(batch.get("k"))
    await asyncio.to_thread(started.wait, 5)  # both wait on the one read
    gone.cancel()
    release.set()
    assert await stays == "ok"
    with pytest.raises(asyncio.CancelledError):
        await gone
