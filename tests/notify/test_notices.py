"""Who gets an email, and how often: through the HTTP API, delivered by the worker over SMTP."""

import re

from server.models import EmailNotice, OutboxEmail, User
from tests.notify.conftest import deliver, outbox
from tests.api import helpers

SUBJECT = "Worried about my Tuesday session"
BODY = "My panic attacks came back this week."


def choose(user, *audiences):
    User.objects.filter(pk=user.pk).update(email_audiences=list(audiences))


def start(api, **fields):
    return helpers.start(api, **{"subject": SUBJECT, "body": BODY, **fields})


def reply(api, thread_id, body="One more thing about it.", **fields):
    return helpers.reply(api, thread_id, body, **fields)


def test_client_message_emails_each_opted_in_viewer_once_until_reviewed(world, as_user, smtp):
    choose(world.sam, "administrative")
    choose(world.cara, "administrative", "clinical")
    choose(world.bill, "billing")            # does not see administrative threads: no email
    # world.admin sees the thread but chose nothing: no email
    dana = as_user(world.dana.user)
    thread_id = start(dana)["thread"]["id"]
    assert deliver() == 2
    assert sorted(r.to for r in smtp.received) == [world.cara.email, world.sam.email]

    # Further client messages: nobody is emailed again before reviewing.
    reply(dana, thread_id)
    reply(dana, thread_id, "And another.")
    assert deliver() == 0
    assert len(smtp.received) == 2

    # Sam opens the thread (a review); Cara does not.
    assert as_user(world.sam).get(f"/api/threads/{thread_id}").status_code == 200
    reply(dana, thread_id, "Still there?")
    assert deliver() == 1
    assert [r.to for r in smtp.received[2:]] == [world.sam.email]

    # Cara marks it read (a review); the next message emails her again, not Sam.
    assert as_user(world.cara).post(f"/api/threads/{thread_id}/read").status_code == 200
    reply(dana, thread_id, "Hello?")
    assert deliver() == 1
    assert [r.to for r in smtp.received[3:]] == [world.cara.email]
    assert all(r.subject == "New secure message - Northside Counseling" for r in smtp.received)
    assert all("https://cairn.example.org/inbox" in r.body for r in smtp.received)


def test_only_the_chosen_audience_emails(world, as_user, smtp):
    choose(world.cleo, "clinical")
    dana = as_user(world.dana.user)
    start(dana, audience="administrative")
    assert deliver() == 0
    start(dana, audience="clinical")
    assert deliver() == 1
    assert [r.to for r in smtp.received] == [world.cleo.email]


def test_each_thread_has_its_own_notice(world, as_user, smtp):
    choose(world.sam, "administrative")
    dana = as_user(world.dana.user)
    start(dana)
    start(dana, subject="Another matter")
    assert deliver() == 2
    assert [r.to for r in smtp.received] == [world.sam.email] * 2


def test_staff_without_address_or_inactive_get_nothing(world, as_user, smtp):
    choose(world.sam, "administrative")
    choose(world.admin, "administrative")
    User.objects.filter(pk=world.sam.pk).update(email="")
    User.objects.filter(pk=world.admin.pk).update(is_active=False)
    start(as_user(world.dana.user))
    assert deliver() == 0
    assert not EmailNotice.objects.exists()


def test_staff_messages_email_no_staff_but_the_client(world, as_user, smtp):
    for user in world.staff():
        choose(user, "administrative", "billing", "clinical")
    cleo = as_user(world.cleo)
    thread_id = start(cleo, client_id=world.dana.pk, audience="clinical")["thread"]["id"]
    reply(as_user(world.sue), thread_id, "Adding a note from supervision.")
    assert deliver() == 1
    (notice,) = smtp.received
    assert notice.to == world.dana.email
    assert notice.subject == "New secure message from Northside Counseling"
    assert "Sign in to read it: https://cairn.example.org/portal" in notice.body

    # Once per thread until the client opens it.
    reply(cleo, thread_id, "Are you free Thursday?")
    assert deliver() == 0
    dana = as_user(world.dana.user)
    assert dana.get(f"/api/threads/{thread_id}").status_code == 200
    reply(cleo, thread_id, "Following up.")
    assert deliver() == 1
    assert [r.to for r in smtp.received] == [world.dana.email] * 2

    # The client's own reply emails the staff who chose clinical and see it.
    reply(dana, thread_id, "Thursday works.")
    deliver()
    staff_emails = sorted(r.to for r in smtp.received[2:])
    assert staff_emails == sorted([world.cleo.email, world.sue.email, world.cara.email])


def test_client_without_email_gets_no_notice(world, as_user, smtp):
    User.objects.filter(pk=world.dana.user_id).update(email="")
    world.dana.email = None
    world.dana.save()
    start(as_user(world.cleo), client_id=world.dana.pk, audience="clinical")
    assert deliver() == 0


def test_invitation_carries_a_working_single_use_link_that_is_scrubbed_once_sent(
        world, as_user, smtp):
    cleo = as_user(world.cleo)
    created = start(cleo, client_id=world.eli.pk, audience="clinical")
    assert created["invitation"]["status"] == "sent"
    (row,) = outbox(kind="invitation")
    assert row.to == world.eli.email
    assert deliver() == 1

    (invite,) = smtp.received
    assert invite.to == world.eli.email
    assert invite.subject == "Your secure messaging account at Northside Counseling"
    link = re.search(r"https://cairn\.example\.org/activate#(\S+)", invite.body)
    assert link, invite.body
    token = link.group(1)
    assert "7 days" in invite.body

    # The raw link now exists only in the client's mailbox.
    row.refresh_from_db()
    assert row.sent_at is not None
    assert token not in row.body and "/activate" not in row.body
    assert "[link removed after sending]" in row.body
    assert not OutboxEmail.objects.filter(body__contains=token).exists()

    eli = as_user()
    r = eli.post("/api/portal/activate", {"token": token, "username": "eli",
                                          "password": "a long enough passphrase"})
    assert r.status_code == 201, r.content
    r = as_user().post("/api/portal/activate", {"token": token, "username": "eli2",
                                                "password": "a long enough passphrase"})
    assert r.status_code == 410

    # Now a portal user: the next staff message is a notice, not an invitation.
    reply(cleo, created["thread"]["id"], "Welcome aboard.")
    assert deliver() == 1
    assert smtp.received[-1].subject == "New secure message from Northside Counseling"


def test_reinvite_before_sending_drops_the_revoked_link(world, as_user, smtp):
    admin = as_user(world.admin)
    for _ in range(2):
        r = admin.post(f"/api/clients/{world.eli.pk}/invite")
        assert r.status_code == 200, r.content
    assert len(outbox(kind="invitation", sent_at__isnull=True)) == 1
    assert deliver() == 1
    token = re.search(r"/activate#(\S+)", smtp.received[0].body).group(1)
    r = as_user().post("/api/portal/activate", {"token": token, "username": "eli",
                                                "password": "a long enough passphrase"})
    assert r.status_code == 201, r.content


def test_client_without_email_gets_no_invitation(world, as_user, smtp):
    created = start(as_user(world.cara), client_id=world.fay.pk, audience="clinical")
    assert created["invitation"] == {"status": "no_email"}
    assert deliver() == 0


def test_message_sent_costs_the_same_queries_for_two_or_twenty_viewers(
        world, django_assert_num_queries):
    """Called directly, as `do_send_message` does: a fixed number of queries, whatever the
    number of staff to email."""
    from django.utils import timezone

    from server import notify
    from server.facts import practice_staff
    from server.models import Message, Thread
    from tests.factory import make_staff

    for i in range(18):
        make_staff(world.practice, f"extra{i}", ["scheduler"])
    User.objects.filter(practice=world.practice, kind=User.STAFF).update(
        email_audiences=["administrative"])
    now = timezone.now()

    def one_message():
        thread = Thread.objects.create(practice=world.practice, client=world.dana,
                                       audience="administrative", subject=SUBJECT,
                                       created_by=world.dana.user, created_at=now,
                                       last_message_at=now)
        message = Message.objects.create(thread=thread, author=world.dana.user,
                                         author_kind="client", body=BODY, created_at=now)
        return Thread.objects.get(pk=thread.pk), message

    viewers = [p for p in practice_staff(world.practice.pk) if "scheduler" in p.roles]
    for some in (viewers[:2], viewers):
        thread, message = one_message()
        with django_assert_num_queries(5):  # users, notices, practice name, outbox rows, links
            notify.message_sent(thread, message, some, None)
        assert OutboxEmail.objects.filter(kind="staff_notice").count() == (
            2 if some is not viewers else 2 + len(viewers))
    with django_assert_num_queries(2):      # users, notices (all already emailed)
        notify.message_sent(thread, message, viewers, None)
