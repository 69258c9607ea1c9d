"""No PHI in any email: every kind is decoded (headers and body) and searched for what it must
not say. (The `smtp` fixture also runs this check on every email of every test in tests/notify.)"""

import re

import pytest
from django.core.mail import EmailMessage

from server.models import User
from tests.factory import make_client
from tests.notify.conftest import Received, assert_no_phi, deliver, outbox

SUBJECT = "Relapse after the funeral"
BODY = "I started drinking again and Cleo Clinician said to write here. Zoë knows."


def test_every_kind_of_email_is_free_of_phi(world, as_user, smtp):
    zoe = make_client(world.practice, "Zoë Ångström", email="z.a@client.example.org",
                      clinicians=[world.cleo], username="zoe")
    for user in (world.cleo, world.sue, world.cara):
        User.objects.filter(pk=user.pk).update(email_audiences=["clinical"])
    topic = world.topics["Clinical question"]

    # A client's new thread (staff notices), staff threads to a portal client (client notice)
    # and to a client without an account (invitation).
    r = as_user(zoe.user).post("/api/threads", {"audience": "clinical", "topic_id": topic.pk,
                                                "subject": SUBJECT, "body": BODY})
    assert r.status_code == 201, r.content
    cleo = as_user(world.cleo)
    for client in (zoe, world.eli):
        r = cleo.post("/api/threads", {"client_id": client.pk, "audience": "clinical",
                                       "topic_id": topic.pk, "subject": SUBJECT, "body": BODY})
        assert r.status_code == 201, r.content
    assert deliver() == 5
    assert {row.kind for row in outbox()} == {"staff_notice", "client_notice", "invitation"}
    assert len(smtp.received) == 5

    forbidden = [SUBJECT, BODY, topic.name, topic.subject, zoe.name, world.eli.name,
                 world.cleo.name, world.sue.name, world.cara.name, "Zoë", "Ångström"]
    assert_no_phi(smtp.received, forbidden)
    for item in smtp.received:
        text = f"{item.subject}\n{item.body}"
        assert "Northside Counseling" in text
        # The only links go to the practice's own Cairn.
        links = re.findall(r"https?://\S+", text)
        assert links and all(link.startswith("https://cairn.example.org/") for link in links)
        assert "sign in" in text.lower() or "/activate#" in text
        # Nothing but the plain text part; no attachments, no HTML to hide things in.
        assert not item.email.is_multipart()
        assert item.email["From"] == "Cairn <no-reply@cairn.invalid>"


@pytest.mark.parametrize("where", ["subject", "body"])
def test_the_check_catches_a_leak(world, where):
    fields = {"subject": "Hello", "body": "Sign in."}
    fields[where] += " from Zoë Ångström"
    leaky = EmailMessage(fields["subject"], fields["body"], "a@example.org", ["b@example.org"])
    item = Received("a@example.org", ["b@example.org"], leaky.message().as_bytes(), None)
    with pytest.raises(AssertionError):
        assert_no_phi([item], ["Zoë Ångström"])
    # A single name word, too (world's client "Dana Reyes").
    item = Received("a@example.org", ["b@example.org"],
                    EmailMessage("Hi", "Reyes wrote.", "a@example.org", ["b@example.org"])
                    .message().as_bytes(), None)
    with pytest.raises(AssertionError):
        assert_no_phi([item], [])


def test_an_odd_practice_name_cannot_break_an_email(world, as_user, smtp):
    """A very long name, or one with a line break, still makes a valid, sendable email."""
    world.practice.name = "Northside Counseling\nand Wellness " + "x" * 160
    world.practice.save()
    User.objects.filter(pk=world.sam.pk).update(email_audiences=["administrative"])
    r = as_user(world.dana.user).post("/api/threads", {"audience": "administrative",
                                                       "subject": SUBJECT, "body": BODY})
    assert r.status_code == 201, r.content
    assert deliver() == 1
    (item,) = smtp.received
    assert item.subject.startswith("New secure message - Northside Counseling and Wellness xxx")
    assert all(row.sent_at for row in outbox())
