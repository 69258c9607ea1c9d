"""Urgent emails against a real SMTP server (docs/SAFETY.md): the message and its urgency commit
together, an outage delays but never drops the urgent notice, the escalation goes out once when
nobody acknowledged and never when someone did. Every received email is checked for PHI."""

from datetime import timedelta

import pytest
from django.utils import timezone

import server.actions.messages
from server.models import AuditEntry, Event, Message, OutboxEmail, Thread
from server.notify import texts
from tests.api.helpers import start
from tests.factory import JsonClient
from tests.notify.conftest import deliver

CRISIS = "I am going to kill myself tonight, I have the pills ready"


def clinical(world) -> set:
    return {world.cleo.email, world.sue.email, world.cara.email}


def urgent_to(smtp, kind_subject) -> list:
    return sorted(r.to for r in smtp.received if r.subject.startswith(kind_subject))


def crisis_thread(world) -> int:
    return start(JsonClient(world.dana.user), audience="clinical", body=CRISIS,
                 subject="Weekend plans")["thread"]["id"]


def escalate_now():
    """The escalation delay has passed (moving the rows' time, not sleeping)."""
    OutboxEmail.objects.filter(kind=texts.URGENT_ESCALATION).update(
        send_after=timezone.now() - timedelta(seconds=1))


def test_a_failure_after_the_message_leaves_neither_message_nor_urgency(world, monkeypatch):
    def broken(thread, message):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(server.actions.messages.after_hours, "reply_if_closed", broken)
    dana = JsonClient(world.dana.user, raise_request_exception=False)
    r = dana.post("/api/threads", {"audience": "clinical", "subject": "S", "body": CRISIS})
    assert r.status_code == 500
    assert not Message.objects.exists() and not Thread.objects.exists()
    assert not OutboxEmail.objects.exists() and not Event.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="thread.").exists()


def test_the_urgent_notice_goes_out_at_once_whatever_the_email_settings(world, smtp):
    crisis_thread(world)  # nobody in the world asked for email about any audience
    deliver()
    assert urgent_to(smtp, "URGENT secure message") == sorted(clinical(world))
    mail = smtp.to(world.cleo.email)[0]
    assert "https://cairn.example.org/inbox" in mail.body and world.practice.name in mail.subject


def test_an_smtp_outage_delays_the_urgent_notice_but_never_drops_it(world, smtp):
    smtp.stop()
    crisis_thread(world)
    deliver()
    failed = OutboxEmail.objects.filter(kind=texts.URGENT_NOTICE)
    assert failed.count() == 3 and all(r.attempts == 1 and r.sent_at is None for r in failed)
    assert all(r.send_after > timezone.now() for r in failed)  # retried later
    smtp.start()
    failed.update(send_after=timezone.now())  # the backoff has passed
    deliver()
    assert urgent_to(smtp, "URGENT secure message") == sorted(clinical(world))
    deliver()
    assert len(smtp.received) == 3  # each once


def test_an_unacknowledged_thread_is_escalated_once_after_the_delay(world, smtp):
    crisis_thread(world)
    deliver()
    assert urgent_to(smtp, "URGENT, still") == []  # not before its time
    escalate_now()
    deliver()
    deliver()  # a second worker round (or a restarted worker) finds nothing left
    assert urgent_to(smtp, "URGENT, still") == sorted(clinical(world))


def test_an_acknowledged_thread_is_not_escalated(world, smtp):
    thread_id = crisis_thread(world)
    assert JsonClient(world.sue).post(f"/api/threads/{thread_id}/acknowledge").status_code == 200
    escalate_now()
    deliver()
    assert urgent_to(smtp, "URGENT, still") == []
    assert not OutboxEmail.objects.filter(kind=texts.URGENT_ESCALATION).exists()


@pytest.mark.parametrize("then", ["clear", "clear_and_mark_again"])
def test_a_cleared_thread_is_not_escalated_for_its_old_urgency(world, smtp, then):
    thread_id = crisis_thread(world)
    cara = JsonClient(world.cara)
    assert cara.delete(f"/api/threads/{thread_id}/urgent").status_code == 200
    if then == "clear_and_mark_again":
        assert JsonClient(world.sam).post(f"/api/threads/{thread_id}/urgent").status_code == 404
        assert JsonClient(world.cleo).post(f"/api/threads/{thread_id}/urgent").status_code == 200
    escalate_now()
    deliver()
    expected = sorted(clinical(world)) if then == "clear_and_mark_again" else []
    assert urgent_to(smtp, "URGENT, still") == expected  # the new urgency's, once each
