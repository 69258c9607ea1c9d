"""The housekeeping loop: each task on its own interval by an injected clock, a failing task
does not stop the others, and a task whose condition is off is skipped."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from server.actions.sessions import key_hash
from server.housekeeping import TASKS, Housekeeping, Task
from server.live import log
from server.models import Attachment, Event, SignInSession
from tests.consumers.helpers import Probe, session_cookie
from tests.factory import make_practice, make_staff


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_tasks_run_when_due_by_the_clock():
    clock, ran = Clock(), []
    housekeeping = Housekeeping([Task("often", 2, lambda: ran.append("often")),
                                 Task("hourly", 3600, lambda: ran.append("hourly"))], clock)
    assert housekeeping.run_due() == ["often", "hourly"]
    clock.now += 1
    assert housekeeping.run_due() == []
    clock.now += 1
    assert housekeeping.run_due() == ["often"]
    clock.now += 3600
    assert housekeeping.run_due() == ["often", "hourly"]
    assert ran == ["often", "hourly", "often", "often", "hourly"]


def test_a_failing_task_is_logged_and_the_others_run(caplog):
    def broken():
        raise RuntimeError("database away")

    ran = []
    housekeeping = Housekeeping([Task("broken", 5, broken), Task("fine", 5, lambda: ran.append(1))],
                                Clock())
    assert housekeeping.run_due() == ["fine"] and ran == [1]
    assert "broken failed" in caplog.text


def test_a_task_whose_condition_is_off_is_skipped():
    ran = []
    housekeeping = Housekeeping([Task("needs redis", 2, lambda: ran.append(1), when=lambda: False)],
                                Clock())
    assert housekeeping.run_due() == [] and ran == []


@pytest.mark.django_db
def test_the_default_tasks_prune_the_log():
    practice = make_practice()
    old = [log.record(practice.pk, Probe("test.old")) for _ in range(3)]
    Event.objects.filter(pk__in=[e.pk for e in old]).update(
        created_at=timezone.now() - timedelta(hours=25))
    assert "prune the event log" in [task.name for task in TASKS]
    assert "prune the event log" in Housekeeping(clock=Clock()).run_due()
    # The newest event always stays: it marks where the retained log begins.
    assert list(Event.objects.values_list("pk", flat=True)) == [old[-1].pk]


@pytest.mark.django_db
def test_the_command_runs_every_task_once(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    out = StringIO()
    call_command("housekeeping", "--once", stdout=out)
    # The in-memory layer reaches no socket from here: everything but the re-push runs.
    assert out.getvalue().strip() == (
        "ran: prune the event log, remove untaken uploads, remove old sign-ins")


@pytest.mark.django_db
def test_the_default_tasks_remove_untaken_uploads():
    practice = make_practice()
    uploader = make_staff(practice, "cleo", ["clinician"])
    stale = Attachment.objects.create(practice=practice, uploader=uploader, storage_name="ab/stale",
                                      name="card.png", size=1, content_type="image/png",
                                      created_at=timezone.now())
    Attachment.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert "remove untaken uploads" in Housekeeping(clock=Clock()).run_due()
    assert not Attachment.objects.filter(pk=stale.pk).exists()


@pytest.mark.django_db
def test_the_default_tasks_remove_sign_ins_whose_session_ended_over_a_day_ago():
    practice = make_practice()
    sam, cleo = make_staff(practice, "sam", ["scheduler"]), make_staff(practice, "cleo", ["clinician"])
    now = timezone.now()

    def sign_in(user, days_ago, *, session="gone"):
        key = session_cookie(user)
        if session == "gone":
            Session.objects.filter(session_key=key).delete()
        elif session == "expired":
            Session.objects.filter(session_key=key).update(expire_date=now - timedelta(hours=1))
        at = now - timedelta(days=days_ago)
        return SignInSession.objects.create(user=user, key_hash=key_hash(key), created_at=at,
                                            last_seen_at=at).pk

    sign_in(sam, 3), sign_in(sam, 2, session="expired")  # both go
    still_signed_in = sign_in(sam, 2, session="live")
    recent = sign_in(sam, 0.5)
    cleos_last = sign_in(cleo, 5)  # her only sign-in: the staff view's "last sign-in"
    assert "remove old sign-ins" in Housekeeping(clock=Clock()).run_due()
    assert set(SignInSession.objects.values_list("pk", flat=True)) == {
        still_signed_in, recent, cleos_last}
