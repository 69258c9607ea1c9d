"""SPEC §4 "Email timing": a notice waits CAIRN_EMAIL_DELAY_SECONDS and is dropped if its recipient
reviews the thread meanwhile. The worker is given the time (`now=`): no test waits for the delay."""

from datetime import timedelta

import pytest
from django.utils import timezone

from server.models import EmailNotice, OutboxEmail, User
from server.notify import outbox, worker
from tests.api import helpers
from tests.api.helpers import reply
from tests.clock import StoppedClock

DELAY = 120


def start(api, *args, **fields):
    # A subject of its own: the PHI check at teardown looks for every subject in every email.
    return helpers.start(api, *args, **{"subject": "Worried about Tuesday", **fields})


@pytest.fixture(autouse=True)
def delay(settings):
    settings.CAIRN_EMAIL_DELAY_SECONDS = DELAY


def at(moment, seconds) -> object:
    return moment + timedelta(seconds=seconds)


def deliver(now) -> int:
    return worker.drain(clock=StoppedClock(now))


def sent_to(smtp) -> list:
    return [r.to for r in smtp.received]


@pytest.fixture
def sam_follows(world):
    User.objects.filter(pk=world.sam.pk).update(email_audiences=["administrative"])


def test_a_notice_goes_once_the_delay_is_over(world, as_user, smtp, sam_follows):
    before = timezone.now()
    start(as_user(world.dana.user))
    after = timezone.now()
    assert deliver(at(before, DELAY - 1)) == 0
    assert smtp.received == []
    assert deliver(at(after, DELAY)) == 1
    assert sent_to(smtp) == [world.sam.email]
    assert deliver(at(after, 10 * DELAY)) == 0


@pytest.mark.parametrize("review", ["open", "mark read"])
def test_staff_who_review_the_thread_meanwhile_get_no_email(world, as_user, smtp, sam_follows,
                                                          review):
    dana, sam = as_user(world.dana.user), as_user(world.sam)
    thread_id = start(dana)["thread"]["id"]
    if review == "open":
        assert sam.get(f"/api/threads/{thread_id}").status_code == 200
    else:
        assert sam.post(f"/api/threads/{thread_id}/read").status_code == 200
    assert deliver(at(timezone.now(), DELAY + 1)) == 0
    assert smtp.received == [] and not OutboxEmail.objects.exists()

    # Reviewed, so the next message is a new notice, which waits and goes as any other.
    reply(dana, thread_id, "One more thing.")
    assert deliver(at(timezone.now(), DELAY + 1)) == 1
    assert sent_to(smtp) == [world.sam.email]


def test_a_client_who_opens_the_thread_in_the_portal_gets_no_email(world, as_user, smtp):
    cleo, dana = as_user(world.cleo), as_user(world.dana.user)
    thread_id = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    reply(cleo, thread_id, "And a second note.")
    assert OutboxEmail.objects.filter(kind="client_notice").count() == 1
    assert dana.get(f"/api/threads/{thread_id}").status_code == 200
    assert deliver(at(timezone.now(), DELAY + 1)) == 0
    assert smtp.received == []


def test_a_review_drops_only_that_recipients_email_of_that_thread(world, as_user, smtp,
                                                                  sam_follows):
    User.objects.filter(pk=world.admin.pk).update(email_audiences=["administrative"])
    dana = as_user(world.dana.user)
    first = start(dana)["thread"]["id"]
    start(dana, subject="Another matter")
    assert as_user(world.sam).get(f"/api/threads/{first}").status_code == 200
    assert deliver(at(timezone.now(), DELAY + 1)) == 3
    assert sorted(sent_to(smtp)) == sorted([world.admin.email, world.admin.email,
                                            world.sam.email])


def test_a_client_who_turned_email_off_gets_none(world, as_user, smtp):
    dana = as_user(world.dana.user)
    assert dana.put("/api/me/notifications", {"email": False}).status_code == 200
    start(as_user(world.cleo), "clinical", client=world.dana)
    assert deliver(at(timezone.now(), DELAY + 1)) == 0
    assert not EmailNotice.objects.exists()
    assert dana.put("/api/me/notifications", {"email": True}).status_code == 200
    start(as_user(world.cleo), "clinical", client=world.dana, subject="Later")
    assert deliver(at(timezone.now(), DELAY + 1)) == 1
    assert sent_to(smtp) == [world.dana.email]


def test_only_notices_of_new_messages_wait(world, as_user, smtp):
    assert outbox.delay_of("staff_notice") == outbox.delay_of("client_notice") == timedelta(
        seconds=DELAY)
    for kind in ("invitation", "urgent_notice"):
        assert outbox.delay_of(kind) == timedelta(0)
    # An invitation goes at once, delay or not.
    created = start(as_user(world.cleo), "clinical", client=world.eli)
    assert created["invitation"]["status"] == "sent"
    assert worker.drain() == 1
    assert sent_to(smtp) == [world.eli.email]


def test_a_worker_restart_during_the_delay_neither_loses_nor_doubles_it(
        world, as_user, smtp, sam_follows, settings):
    settings.CAIRN_OUTBOX_LEASE_SECONDS = 300
    start(as_user(world.dana.user))
    queued = timezone.now()
    # A worker runs during the delay and stops: nothing was due, nothing is held.
    assert worker.run_once(clock=StoppedClock(at(queued, DELAY / 2))) == 0
    # The next one claims the email when it is due and dies before sending it.
    rows, _ = worker.claim(clock=StoppedClock(at(queued, DELAY + 1)))
    assert len(rows) == 1
    # Restarted, a worker leaves the dead one's claim alone until its lease runs out...
    assert deliver(at(queued, DELAY + 2)) == 0
    # ...then sends it, once.
    assert deliver(at(queued, DELAY + 302)) == 1
    assert deliver(at(queued, DELAY + 1000)) == 0
    assert sent_to(smtp) == [world.sam.email]


def test_a_review_after_the_worker_claimed_the_email_still_stops_it(world, as_user, smtp,
                                                                     sam_follows):
    thread_id = start(as_user(world.dana.user))["thread"]["id"]
    rows, lease = worker.claim(clock=StoppedClock(at(timezone.now(), DELAY + 1)))
    assert len(rows) == 1
    assert as_user(world.sam).post(f"/api/threads/{thread_id}/read").status_code == 200
    assert worker.send_claimed(rows, lease) == 0
    assert smtp.received == [] and not OutboxEmail.objects.exists()
