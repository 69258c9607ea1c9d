"""The email worker: claims due outbox rows, sends them, records what happened.

How it stays safe (STYLE 10, after Zulip's `missedmessage_emails` worker):

- **Claim** in a short transaction: due, unclaimed rows are picked with
  `SELECT … FOR UPDATE SKIP LOCKED` and given a lease (`claimed_until`). Two workers never hold the
  same row; a row whose worker died is claimable again once its lease has run out.
- **Send** outside any transaction, one row at a time. A failure is recorded on that row alone
  (`attempts`, `last_error`, and `send_after` pushed back exponentially) and the next row goes on.
  Nothing is ever dropped: a row stays in the outbox until a server has accepted it.
- **Mark sent** only while still holding the lease, so a worker that lost its lease notices.

The one window left is inherent to SMTP: the server accepted a message and the worker died before
recording it. That row goes out again after its lease; it carries the same `Message-ID` both
times, so the receiving side can recognise the repeat.

Knobs (Django settings or environment variables, all optional): CAIRN_OUTBOX_LEASE_SECONDS (300),
CAIRN_OUTBOX_BATCH (20), CAIRN_OUTBOX_POLL_SECONDS (2), CAIRN_OUTBOX_RETRY_BASE_SECONDS (30),
CAIRN_OUTBOX_RETRY_MAX_SECONDS (3600), CAIRN_OUTBOX_KEEP_DAYS (30: sent rows are then deleted).
"""

import logging
import os
import random
import threading
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, close_old_connections, connection, connections, transaction
from django.db.models import Q

from server.clock import REAL, Clock
from server.models import OutboxEmail
from server.notify import outbox, urgent

log = logging.getLogger(__name__)


def _knob(name: str, default: float) -> float:
    """A tuning knob: the Django setting if set, else the environment variable, else `default`."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return float(value)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: base · 2^(attempts-1), capped."""
    base = _knob("CAIRN_OUTBOX_RETRY_BASE_SECONDS", 30)
    cap = _knob("CAIRN_OUTBOX_RETRY_MAX_SECONDS", 3600)
    return timedelta(seconds=min(cap, base * 2 ** min(max(attempts - 1, 0), 30)))


def _claimable(now) -> Q:
    return (Q(sent_at__isnull=True, send_after__lte=now)
            & (Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)))


def claim(limit: int | None = None, *, clock: Clock = REAL):
    """Lease up to `limit` due rows to this worker; returns `(rows, lease)`.

    The lease time doubles as this claim's token: it carries a random sub-millisecond part, so
    the rows still holding exactly `lease` are this claim's. (On PostgreSQL the rows are also
    locked while being claimed; on SQLite the conditional UPDATE is what keeps claims apart.)
    """
    limit = limit or int(_knob("CAIRN_OUTBOX_BATCH", 20))
    now = clock.now()
    lease = now + timedelta(seconds=_knob("CAIRN_OUTBOX_LEASE_SECONDS", 300),
                            microseconds=random.randrange(1000))
    with transaction.atomic():
        ids = list(OutboxEmail.objects.select_for_update(skip_locked=True)
                   .filter(_claimable(now)).order_by("send_after", "id")
                   .values_list("id", flat=True)[:limit])
        if not ids:
            return [], lease
        # Claimability is checked again here: without row locks (SQLite) this is the guard.
        OutboxEmail.objects.filter(_claimable(now), pk__in=ids).update(claimed_until=lease)
    rows = list(OutboxEmail.objects.filter(pk__in=ids, claimed_until=lease)
                .order_by("send_after", "id"))
    return rows, lease


def release(rows, lease) -> None:
    """Give back claimed rows unsent (stopping, or too little lease left) for anyone to take."""
    OutboxEmail.objects.filter(pk__in=[r.pk for r in rows], claimed_until=lease,
                               sent_at__isnull=True).update(claimed_until=None)


def _message_id(row) -> str:
    # The same for every attempt at this row, so a repeat after a crash is recognisable.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "cairn.local"
    return f"<outbox-{row.pk}.{int(row.created_at.timestamp())}@{domain}>"


def _email(row) -> EmailMessage:
    return EmailMessage(subject=row.subject, body=row.body, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[row.to], headers={"Message-ID": _message_id(row),
                                              "Auto-Submitted": "auto-generated"})


def _close_quietly(mail_connection) -> None:
    try:
        mail_connection.close()
    except Exception:  # a broken connection is being thrown away anyway
        pass


def _failed(row, lease, exc, clock: Clock) -> None:
    attempts = row.attempts + 1
    delay = backoff(attempts)
    OutboxEmail.objects.filter(pk=row.pk, claimed_until=lease).update(
        attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000],
        send_after=clock.now() + delay, claimed_until=None)
    # The error's text may name the recipient: it stays on the row (`last_error`), out of the log.
    log.warning("email %s (%s) failed (attempt %s), next try in %ss: %s",
                row.pk, row.kind, attempts, int(delay.total_seconds()), type(exc).__name__)


def _withdraw(row, lease) -> None:
    """A row no longer wanted (an escalation whose thread was acknowledged meanwhile)."""
    OutboxEmail.objects.filter(pk=row.pk, claimed_until=lease).delete()
    log.debug("email %s (%s) withdrawn before sending", row.pk, row.kind)


def _mark_sent(row, lease, clock: Clock) -> bool:
    """Record the send. The email is already out, so a database hiccup here is retried before
    giving up (giving up means the row goes out again once its lease runs out)."""
    for attempt in range(3):
        try:
            updated = OutboxEmail.objects.filter(pk=row.pk, claimed_until=lease).update(
                sent_at=clock.now(), claimed_until=None, last_error="",
                body=outbox.scrubbed(row.kind, row.body))
            break
        except DatabaseError:
            log.exception("email %s sent but not recorded yet (try %s)", row.pk, attempt + 1)
            connection.close()
            clock.sleep(1 + attempt)
    else:
        return False
    if not updated:
        log.warning("email %s sent after its lease was lost or the row was withdrawn", row.pk)
    else:
        log.info("email %s (%s) sent", row.pk, row.kind)
    return bool(updated)


def _still_queued(row, lease) -> bool:
    # A notice is dropped when its recipient reviews the thread (`outbox.drop_notice`), which may
    # happen between the claim and the send: look again just before sending.
    return OutboxEmail.objects.filter(pk=row.pk, claimed_until=lease).exists()


def send_claimed(rows, lease, stop: threading.Event | None = None, *,
                 clock: Clock = REAL) -> int:
    """Send claimed `rows` one by one; returns how many were sent and recorded."""
    margin = timedelta(seconds=min(_knob("CAIRN_OUTBOX_LEASE_SECONDS", 300) / 2, 60))
    mail = get_connection()
    sent = 0
    try:
        for index, row in enumerate(rows):
            if (stop is not None and stop.is_set()) or clock.now() >= lease - margin:
                release(rows[index:], lease)
                break
            if row.kind in outbox.WAITING and not _still_queued(row, lease):
                continue  # its recipient reviewed the thread after the claim: dropped
            if not urgent.still_due(row):
                _withdraw(row, lease)
                continue
            try:
                mail.open()
                if not mail.send_messages([_email(row)]):
                    raise RuntimeError("the mail backend accepted nothing")
            except Exception as exc:  # this row's failure is recorded; the others go on
                _failed(row, lease, exc, clock)
                _close_quietly(mail)
                continue
            sent += _mark_sent(row, lease, clock)
    finally:
        _close_quietly(mail)
    return sent


def run_once(stop: threading.Event | None = None, *, clock: Clock = REAL) -> int:
    """Claim one batch and send it; returns how many rows were claimed (0: nothing due)."""
    rows, lease = claim(clock=clock)
    if rows:
        send_claimed(rows, lease, stop, clock=clock)
    return len(rows)


def drain(*, clock: Clock = REAL) -> int:
    """Send everything due now, then return how many rows were handled."""
    handled = 0
    while batch := run_once(clock=clock):
        handled += batch
    return handled


def purge_sent(days: float | None = None, *, clock: Clock = REAL) -> int:
    """Delete rows sent more than `days` ago (CAIRN_OUTBOX_KEEP_DAYS, default 30)."""
    days = _knob("CAIRN_OUTBOX_KEEP_DAYS", 30) if days is None else days
    cutoff = clock.now() - timedelta(days=days)
    return OutboxEmail.objects.filter(sent_at__lt=cutoff).delete()[0]


def describe_transport() -> str:
    """Where emails go, for the log: the SMTP relay, the mail folder, or the backend's name."""
    backend = settings.EMAIL_BACKEND
    if backend.endswith("smtp.EmailBackend"):
        tls = " (TLS)" if settings.EMAIL_USE_TLS else " (SSL)" if settings.EMAIL_USE_SSL else ""
        return f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}{tls}"
    if backend.endswith("filebased.EmailBackend"):
        return f"files under {settings.EMAIL_FILE_PATH}"
    return backend


def run(stop: threading.Event, poll: float | None = None, *, clock: Clock = REAL) -> None:
    """Send due emails until `stop` is set. Survives database and SMTP outages."""
    poll = _knob("CAIRN_OUTBOX_POLL_SECONDS", 2) if poll is None else poll
    log.info("email worker started: sending to %s", describe_transport())
    next_purge = 0.0
    try:
        while not stop.is_set():
            try:
                close_old_connections()
                if clock.monotonic() >= next_purge:
                    # Hourly: sent emails past their keep.
                    purge_sent(clock=clock)
                    next_purge = clock.monotonic() + 3600
                handled = run_once(stop, clock=clock)
            except Exception:
                log.exception("email worker: batch failed; trying again shortly")
                connection.close()
                handled = 0
            if not handled:
                stop.wait(poll)
    finally:
        connections.close_all()
        log.info("email worker stopped")


class BackgroundWorker:
    """The worker running on a daemon thread of this process (`demo`, `serve`)."""

    def __init__(self, poll: float | None = None):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=run, args=(self._stop, poll), daemon=True,
                                        name="cairn-email-worker")

    def start(self) -> "BackgroundWorker":
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 30) -> None:
        """Ask the loop to stop after the email in hand, and wait for it."""
        self._stop.set()
        self._thread.join(timeout)


def start_in_background(poll: float | None = None) -> BackgroundWorker:
    """Start the worker loop on a daemon thread; call `.stop()` on the result to end it."""
    return BackgroundWorker(poll).start()
