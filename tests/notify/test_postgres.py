"""Against PostgreSQL: concurrent workers never send a row twice, a killed worker's rows go out
after its lease (real `python -m server worker` processes, real SMTP), and two transactions
notifying about one thread at once queue one email.

PostgreSQL only: the SQLite test database lives in this process's memory, out of reach of other
processes (and SQLite has no row locks for SKIP LOCKED to skip). CI runs these with
DATABASE_URL=postgres://…
"""

import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from server import notify
from server.facts import practice_staff
from server.models import Message, OutboxEmail, Thread, User
from tests.factory import make_practice
from tests.servers import REPO, server_env

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (set DATABASE_URL=postgres://…): worker "
                              "processes must share the test database, which SQLite keeps in "
                              "memory"),
    pytest.mark.django_db(transaction=True),
]

def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(smtp, tmp_path, **knobs):
    env = server_env(tmp_path, DATABASE_URL=database_url(),
                     EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", **knobs)
    return subprocess.Popen([sys.executable, "-m", "server", "worker", "--poll", "0.05"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def stop(proc) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    return err


def wait_until(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def queue(practice, count):
    now = timezone.now()
    OutboxEmail.objects.bulk_create(
        OutboxEmail(practice=practice, kind="staff_notice", to=f"r{i}@example.org",
                    subject="New secure message - Northside Counseling",
                    body="Sign in to read it: https://cairn.example.org/inbox\n", send_after=now)
        for i in range(count))


def test_three_worker_processes_send_every_row_exactly_once(smtp, tmp_path):
    practice = make_practice()
    queue(practice, 300)
    smtp.sink.delay = 0.002
    smtp.sink.hold = True   # each worker stalls on its first email until all three are sending
    workers = [start_worker(smtp, tmp_path, CAIRN_OUTBOX_BATCH=5, CAIRN_LOG_LEVEL="DEBUG")
               for _ in range(3)]
    try:
        wait_until(lambda: smtp.sink.in_data >= 3)
        smtp.sink.hold = False
        wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists())
    finally:
        # Each stops after the email in hand: once all have exited, every send is in.
        logs = [stop(w) for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], logs
    sent_to = Counter(r.to for r in smtp.received)
    assert len(sent_to) == 300
    assert set(sent_to.values()) == {1}, [a for a, n in sent_to.items() if n > 1]
    assert len({r.message_id for r in smtp.received}) == 300
    assert not OutboxEmail.objects.filter(attempts__gt=0).exists()
    # They really did share the work.
    busy = [log.count("sent") for log in logs]
    assert sum(busy) == 300 and all(busy), busy


def test_rows_of_a_killed_worker_go_out_once_after_its_lease(smtp, tmp_path):
    practice = make_practice()
    queue(practice, 3)
    smtp.sink.hold = True                          # the first email stalls inside DATA
    first = start_worker(smtp, tmp_path, CAIRN_OUTBOX_LEASE_SECONDS=4)
    try:
        wait_until(lambda: smtp.sink.in_data > 0)
        first.send_signal(signal.SIGKILL)          # dies between claim and "sent"
        first.wait(10)
    finally:
        first.kill()
    smtp.sink.hold = False
    leases = set(OutboxEmail.objects.values_list("claimed_until", flat=True))
    assert len(leases) == 1 and None not in leases  # all three still claimed, none sent
    (lease,) = leases
    assert not OutboxEmail.objects.filter(sent_at__isnull=False).exists()

    second = start_worker(smtp, tmp_path, CAIRN_OUTBOX_LEASE_SECONDS=4)
    try:
        wait_until(lambda: len(smtp.received) == 3, timeout=30)
    finally:
        log = stop(second)  # exited: no stray fourth send can still arrive
    assert second.returncode == 0, log
    assert min(r.at for r in smtp.received) >= lease   # nobody touched them while leased
    assert sorted(r.to for r in smtp.received) == [f"r{i}@example.org" for i in range(3)]
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == 0


def test_two_transactions_notifying_at_once_queue_one_email(world):
    """Two client messages committed side by side in one thread: one notice, one email."""
    User.objects.filter(pk=world.sam.pk).update(email_audiences=["administrative"])
    now = timezone.now()
    thread = Thread.objects.create(practice=world.practice, client=world.dana,
                                   audience="administrative", subject="Subject",
                                   created_by=world.dana.user, created_at=now, last_message_at=now)
    sam = [p for p in practice_staff(world.practice.pk) if p.user_id == world.sam.pk]
    first_wrote, first_may_commit, second_done = (threading.Event() for _ in range(3))

    def send(wrote=None, may_commit=None, done=None):
        try:
            with transaction.atomic():
                message = Message.objects.create(thread_id=thread.pk, author=world.dana.user,
                                                 author_kind="client", body="x", created_at=now)
                notify.message_sent(Thread.objects.get(pk=thread.pk), message, sam, None)
                if wrote:
                    wrote.set()
                    may_commit.wait(10)
        finally:
            if done:
                done.set()
            connections.close_all()

    first = threading.Thread(target=send, args=(first_wrote, first_may_commit))
    first.start()
    assert first_wrote.wait(10)
    second = threading.Thread(target=send, kwargs={"done": second_done})
    second.start()
    assert not second_done.wait(0.5)   # it waits on the first one's notice row
    first_may_commit.set()
    first.join(10)
    second.join(10)
    assert Message.objects.filter(thread=thread).count() == 2
    assert OutboxEmail.objects.filter(to=world.sam.email).count() == 1
