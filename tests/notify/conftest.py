"""A real SMTP server (aiosmtpd) on a free port, and the PHI check every received email gets."""

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from server.clock import REAL, Clock
from server.models import Client, Message, OutboxEmail, Thread, Topic, User
from server.notify import worker
from tests.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    content: bytes
    at: datetime  # when the server accepted it

    @property
    def email(self):
        return message_from_bytes(self.content, policy=policy.default)

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.email["Subject"])

    @property
    def body(self) -> str:
        return self.email.get_body(("plain",)).get_content()

    @property
    def message_id(self) -> str:
        return str(self.email["Message-ID"])


class SmtpSink:
    """aiosmtpd handler: keeps what it accepts; refuses the addresses in `refuse` (550);
    `delay` slows each DATA down; while `hold` is set, DATA waits (`in_data` counts arrivals)."""

    def __init__(self):
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.hold = False
        self.in_data = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.in_data += 1
        while self.hold:
            await asyncio.sleep(0.02)
        if self.delay:
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            return "421 Sender gone"  # it died before we accepted: not delivered
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content,
                                      timezone.now()))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1:`port` that tests can take down and bring back."""

    def __init__(self, port: int):
        self.port = port
        self.sink = SmtpSink()
        self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.sink.received

    def to(self, address) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def start(self):
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def phi_of_database() -> list[str]:
    """Everything that must never appear in an email: client names, thread subjects, topics of
    threads, message bodies, staff names."""
    phrases = set(Client.objects.values_list("name", flat=True))
    phrases |= set(Thread.objects.values_list("subject", flat=True))
    phrases |= set(Topic.objects.filter(thread__isnull=False).values_list("name", flat=True))
    phrases |= set(Message.objects.values_list("body", flat=True))
    phrases |= {n for n in User.objects.filter(kind=User.STAFF).values_list("name", flat=True) if n}
    return sorted(p for p in phrases if p)


def assert_no_phi(received: list[Received], phrases) -> None:
    """Decode each email: no phrase in any header or the body, and no part of a name (a word of
    three letters or more) in the subject or body. (An address may hold a first name: it is the
    inbox the email goes to.)"""
    names = [*Client.objects.values_list("name", flat=True),
             *User.objects.filter(kind=User.STAFF).values_list("name", flat=True)]
    name_words = {w.lower() for name in names for w in re.findall(r"\w+", name) if len(w) >= 3}
    for item in received:
        mail = item.email
        headers = "\n".join(f"{k}: {v}" for k, v in mail.items()).lower()
        text = f"{item.subject}\n{item.body}".lower()
        for phrase in phrases:
            assert phrase.lower() not in headers, (phrase, headers)
            assert phrase.lower() not in text, (phrase, text)
        # (Links are left out of the word check: a random token may spell anything.)
        leaked = name_words & set(re.findall(r"\w+", re.sub(r"https?://\S+", " ", text)))
        assert not leaked, (leaked, text)


@pytest.fixture(autouse=True)
def no_email_delay(settings):
    """These tests check who is emailed; when is tested with the delay set (test_timing.py)."""
    settings.CAIRN_EMAIL_DELAY_SECONDS = 0


@pytest.fixture
def smtp(settings, db):
    """A running SMTP server the mail settings point at. On teardown, every email it received
    is decoded and checked for PHI against everything in the database."""
    server = SmtpServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.PUBLIC_URL = "https://cairn.example.org"
    server.start()
    yield server
    server.stop()
    assert_no_phi(server.received, phi_of_database())


def deliver(clock: Clock = REAL) -> int:
    """Run the worker until nothing is due (by `clock`); returns the rows it handled."""
    return worker.drain(clock=clock)


def outbox(**filters):
    return list(OutboxEmail.objects.filter(**filters).order_by("id"))
