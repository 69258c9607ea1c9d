"""A practice's event ids commit in order, so a socket resuming from a cursor skips nothing."""

import threading

import pytest
from django.db import connection, connections

from server.live import log as events
from server.models import Event
from tests.consumers.helpers import Probe
from tests.factory import make_practice

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_writer_waits_for_the_first_to_commit():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock matters on PostgreSQL")
    practice = make_practice()
    first_recorded, first_may_commit = threading.Event(), threading.Event()
    ids = {}

    def first():
        with events.writing(practice.pk):
            ids["first"] = events.record(practice.pk, Probe("test.first")).pk
            first_recorded.set()
            first_may_commit.wait(10)
        connections.close_all()

    def second():
        first_recorded.wait(10)
        with events.writing(practice.pk):
            ids["second"] = events.record(practice.pk, Probe("test.second")).pk
            ids["first_committed_before"] = Event.objects.filter(type="test.first").exists()
        connections.close_all()

    runners = [threading.Thread(target=first), threading.Thread(target=second)]
    for runner in runners:
        runner.start()
    first_recorded.wait(10)
    # The second writer is held at its lock while the first is still open.
    runners[1].join(0.5)
    assert runners[1].is_alive()
    first_may_commit.set()
    for runner in runners:
        runner.join(10)
    assert ids["second"] > ids["first"] and ids["first_committed_before"]


def test_other_practices_do_not_wait():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock matters on PostgreSQL")
    one, two = make_practice("One"), make_practice("Two")
    held, done = threading.Event(), threading.Event()

    def hold_one():
        with events.writing(one.pk):
            events.record(one.pk, Probe("test.hold"))
            held.set()
            done.wait(10)
        connections.close_all()

    runner = threading.Thread(target=hold_one)
    runner.start()
    held.wait(10)
    with events.writing(two.pk):
        events.record(two.pk, Probe("test.other"))
    done.set()
    runner.join(10)
    assert Event.objects.filter(type="test.other").exists()
