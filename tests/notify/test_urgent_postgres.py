"""Against PostgreSQL, with real `python -m server worker` processes and real SMTP: an urgent
escalation waiting in the outbox survives a worker killed mid-wait, and two workers racing for
it send it once (tests/notify/test_postgres.py says why PostgreSQL only)."""

import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from server.models import OutboxEmail
from server.notify import texts
from tests.api.helpers import start
from tests.factory import JsonClient
from tests.notify.test_postgres import start_worker, stop, wait_until

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (set DATABASE_URL=postgres://…)"),
    pytest.mark.django_db(transaction=True),
]


def test_an_escalation_survives_a_killed_worker_and_goes_out_once(world, smtp, tmp_path):
    start(JsonClient(world.dana.user), audience="clinical", subject="Weekend plans",
          body="I am going to kill myself tonight")
    first = start_worker(smtp, tmp_path)
    try:
        wait_until(lambda: len(smtp.received) == 3)  # the immediate notices
        first.send_signal(signal.SIGKILL)            # dies while the escalation waits
        first.wait(10)
    finally:
        first.kill()
    assert OutboxEmail.objects.filter(kind=texts.URGENT_ESCALATION, sent_at__isnull=True).count() == 3
    # The delay passes; two fresh workers race for the escalation.
    OutboxEmail.objects.filter(kind=texts.URGENT_ESCALATION).update(
        send_after=timezone.now() + timedelta(seconds=1))
    workers = [start_worker(smtp, tmp_path, CAIRN_OUTBOX_BATCH=1) for _ in range(2)]
    try:
        wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists())
        time.sleep(0.5)  # room for any stray second send to arrive
    finally:
        logs = [stop(w) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], logs
    escalated = Counter(r.to for r in smtp.received if r.subject.startswith("URGENT, still"))
    assert escalated == Counter({world.cleo.email: 1, world.sue.email: 1, world.cara.email: 1})
