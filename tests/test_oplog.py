"""What the operator sees while the server is in use (server/oplog.py, the worker's lines): sign-ins,
failed sign-ins, every 5xx, each email sent or failed — at INFO, and never a name, a subject, a
body, an address of a client or anything typed."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from server.actions import reading
from server.notify import outbox, worker
from tests.api.helpers import start
from tests.factory import JsonClient
from tests.clock import StoppedClock

SECRET = "Dana panic attacks"


@pytest.fixture
def oplog(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def lines(caplog, logger) -> list:
    return [r.getMessage() for r in caplog.records
            if r.name == logger and r.levelno >= logging.INFO]


def sign_in(username, password):
    client = JsonClient()
    return client.post("/api/auth/login", {"username": username, "password": password})


def test_sign_ins_name_the_user_by_id_and_the_address(world, oplog):
    world.cleo.set_password("a long enough passphrase")
    world.cleo.save()
    assert sign_in("cleo", "a long enough passphrase").status_code == 200
    assert lines(oplog, "server.oplog") == [f"sign-in: user {world.cleo.pk} (staff) from 127.0.0.1"]


def test_failed_sign_ins_never_log_what_was_typed(world, oplog):
    assert sign_in("cleo", "wrong password").status_code == 401
    assert sign_in("my secret passphrase", "x").status_code == 401
    assert lines(oplog, "server.oplog") == [
        f"failed sign-in: user {world.cleo.pk} from 127.0.0.1",
        "failed sign-in: unknown username from 127.0.0.1",
    ]
    assert "passphrase" not in oplog.text and "wrong password" not in oplog.text


def test_every_5xx_logs_method_and_path_with_ids_only(world, oplog, monkeypatch):
    cleo = JsonClient(world.cleo, raise_request_exception=False)
    thread_id = start(cleo, "clinical", client=world.dana, subject=SECRET)["thread"]["id"]

    def broken(thread, exporter):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(reading, "thread_pdf", broken)
    logging.getLogger("django.request").disabled = True  # its traceback is not this test's subject
    try:
        response = cleo.get(f"/api/threads/{thread_id}/export", q=SECRET)
    finally:
        logging.getLogger("django.request").disabled = False
    assert response.status_code == 500
    errors = [line for line in lines(oplog, "server.oplog") if not line.startswith("sign-in")]
    assert errors == [f"500 GET /api/threads/{thread_id}/export"]


def test_a_typed_path_is_masked():
    from server.oplog import safe_path

    assert safe_path("/api/threads/12/export") == "/api/threads/12/export"
    assert safe_path("/static/js/inbox.js") == "/static/js/inbox.js"
    assert safe_path("/api/Dana Reyes/12") == "/api/*/12"


def test_emails_sent_and_failed_log_their_outbox_id_and_kind(world, oplog, smtp_down, settings):
    settings.CAIRN_OUTBOX_RETRY_BASE_SECONDS = 30
    (row,) = outbox.queue(world.practice.pk, "client_notice", [world.dana.email], "New", "Sign in")
    later = timezone.now() + timedelta(hours=1)  # past the notice's delay and the retry's
    worker.run_once(clock=StoppedClock(later))
    assert lines(oplog, "server.notify.worker") == [
        f"email {row.pk} (client_notice) failed (attempt 1), next try in 30s: "
        "ConnectionRefusedError"]
    assert world.dana.email not in oplog.text

    oplog.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    worker.run_once(clock=StoppedClock(later + timedelta(seconds=31)))  # past the retry's wait
    assert lines(oplog, "server.notify.worker") == [f"email {row.pk} (client_notice) sent"]


@pytest.fixture
def smtp_down(settings):
    """The mail settings point at a port nobody listens on."""
    from tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
