"""The worker against a real SMTP server: outages, retries with backoff, failures, leases."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from server.models import OutboxEmail
from server.notify import outbox as queueing
from server.notify import worker
from tests.clock import StepClock
from tests.factory import make_practice
from tests.notify.conftest import deliver, outbox

REPO = Path(__file__).resolve().parents[2]


def queue(practice, *addresses, kind="staff_notice"):
    return queueing.queue(practice.pk, kind, addresses, "New secure message - Northside Counseling",
                          "Sign in to read it: https://cairn.example.org/inbox\n")


@pytest.fixture
def practice(db):
    return make_practice()


@pytest.fixture
def clock():
    return StepClock()


def test_backoff_doubles_and_is_capped(settings):
    settings.CAIRN_OUTBOX_RETRY_BASE_SECONDS = 30
    settings.CAIRN_OUTBOX_RETRY_MAX_SECONDS = 3600
    assert [worker.backoff(n).total_seconds() for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600]
    assert worker.backoff(500).total_seconds() == 3600


def test_smtp_down_retries_with_backoff_and_sends_exactly_once_when_back(
        practice, smtp, settings, clock):
    settings.CAIRN_OUTBOX_RETRY_BASE_SECONDS = 30
    addresses = ["a@example.org", "b@example.org", "c@example.org"]
    queue(practice, *addresses)
    smtp.stop()

    for attempt, delay in ((1, 30), (2, 60)):
        before = clock.now()
        assert deliver(clock) == 3
        after = clock.now()
        rows = outbox()
        assert len(rows) == 3                                   # nothing lost
        for row in rows:
            assert row.sent_at is None and row.claimed_until is None
            assert row.attempts == attempt
            assert "refused" in row.last_error.lower()
            assert before + timedelta(seconds=delay) <= row.send_after
            assert row.send_after <= after + timedelta(seconds=delay)
        assert deliver(clock) == 0                              # not due again yet
        clock.step(delay)

    smtp.start()
    assert deliver(clock) == 3
    assert deliver(clock) == 0
    assert sorted(r.to for r in smtp.received) == addresses   # exactly once each
    for row in outbox():
        assert row.sent_at is not None and row.attempts == 2 and row.last_error == ""


def test_one_rows_failure_does_not_stop_the_others(practice, smtp, settings, clock):
    settings.CAIRN_OUTBOX_RETRY_BASE_SECONDS = 30
    smtp.sink.refuse = {"bounce@example.org"}
    queue(practice, "first@example.org", "bounce@example.org", "last@example.org")
    assert deliver(clock) == 3
    assert [r.to for r in smtp.received] == ["first@example.org", "last@example.org"]
    (failed,) = outbox(sent_at__isnull=True)
    assert failed.to == "bounce@example.org" and failed.attempts == 1
    assert "550" in failed.last_error

    smtp.sink.refuse.clear()
    assert deliver(clock) == 0             # its retry is not due yet
    clock.step(30)
    assert deliver(clock) == 1
    assert [r.to for r in smtp.received] == ["first@example.org", "last@example.org",
                                             "bounce@example.org"]


def test_a_claim_abandoned_by_a_dead_worker_is_picked_up_after_its_lease(
        practice, smtp, clock):
    queue(practice, "a@example.org")
    rows, lease = worker.claim(clock=clock)  # a worker claims the row, then dies before sending
    assert len(rows) == 1
    clock.step(290)
    assert deliver(clock) == 0             # leased: nobody else takes it
    assert smtp.received == []
    clock.step_past(lease)
    assert deliver(clock) == 1
    assert deliver(clock) == 0
    assert [r.to for r in smtp.received] == ["a@example.org"]


def test_a_worker_whose_lease_ran_out_does_not_send(practice, smtp, clock):
    queue(practice, "a@example.org")
    rows, lease = worker.claim(clock=clock)
    clock.step_past(lease)                 # the worker stalled past its lease
    assert deliver(clock) == 1             # another worker took the row over and sent it
    assert worker.send_claimed(rows, lease, clock=clock) == 0
    assert [r.to for r in smtp.received] == ["a@example.org"]


def test_stopping_gives_claimed_rows_back(practice, smtp):
    import threading

    queue(practice, "a@example.org", "b@example.org")
    rows, lease = worker.claim()
    stop = threading.Event()
    stop.set()
    assert worker.send_claimed(rows, lease, stop) == 0
    assert all(r.claimed_until is None and r.sent_at is None for r in outbox())
    assert deliver() == 2


def test_every_attempt_carries_the_same_message_id(practice, smtp, clock):
    (row,) = queue(practice, "a@example.org")
    _, lease = worker.claim(clock=clock)
    clock.step_past(lease)
    deliver(clock)
    (received,) = smtp.received
    assert received.message_id == worker._message_id(OutboxEmail.objects.get())
    assert received.email["Auto-Submitted"] == "auto-generated"


def test_worker_command_once(practice, smtp):
    queue(practice, "a@example.org", "b@example.org")
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "handled 2" in out.getvalue()
    assert len(smtp.received) == 2


@pytest.mark.django_db(transaction=True)
def test_start_in_background_sends_and_stops(smtp):
    practice = make_practice()
    background = worker.start_in_background(poll=0.05)
    try:
        queue(practice, "a@example.org", "b@example.org")
        deadline = time.monotonic() + 10
        while len(smtp.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        background.stop()
    assert not background.running
    assert sorted(r.to for r in smtp.received) == ["a@example.org", "b@example.org"]
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_worker_process_stops_cleanly_on_sigterm(tmp_path):
    """`python -m server worker` on its own SQLite file ends promptly and cleanly on SIGTERM."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env.update(CAIRN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="server.settings")
    subprocess.run([sys.executable, "-m", "server", "migrate", "-v0"], cwd=REPO, env=env,
                   check=True, timeout=120)
    for sig in (signal.SIGTERM, signal.SIGINT):
        proc = subprocess.Popen([sys.executable, "-m", "server", "worker", "--poll", "0.1"],
                                cwd=REPO, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            _wait_for_line(proc, "email worker started")
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=10)
        finally:
            proc.kill()
        assert proc.returncode == 0, err
        assert "email worker stopped" in err


def _wait_for_line(proc, text, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if text in line:
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"worker never said {text!r}")


def test_without_email_url_emails_land_in_files(practice, settings, tmp_path):
    """The demo's default (EMAIL_URL unset): the same worker writes each email under var/mail/."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    queue(practice, "a@example.org", "b@example.org")
    assert deliver() == 2
    written = "".join(p.read_text() for p in (tmp_path / "mail").iterdir())
    assert written.count("Subject: New secure message - Northside Counseling") == 2
    assert all(row.sent_at for row in outbox())


def test_sent_rows_are_purged_after_the_keep_period(practice, smtp):
    old, recent, unsent = queue(practice, "old@example.org", "recent@example.org",
                                "unsent@example.org")
    now = timezone.now()
    OutboxEmail.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=31))
    OutboxEmail.objects.filter(pk=recent.pk).update(sent_at=now - timedelta(days=29))
    OutboxEmail.objects.filter(pk=unsent.pk).update(send_after=now - timedelta(days=60))
    assert worker.purge_sent() == 1
    assert sorted(r.to for r in outbox()) == ["recent@example.org", "unsent@example.org"]


def test_the_log_says_where_emails_go(settings, smtp):
    assert worker.describe_transport() == f"SMTP 127.0.0.1:{smtp.port}"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = "/srv/cairn/var/mail"
    assert worker.describe_transport() == "files under /srv/cairn/var/mail"
