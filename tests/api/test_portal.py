"""The portal switch, invitations for clients without an account, and activation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from server.actions.portal import token_hash
from server.models import Invitation, Message, OutboxEmail, Practice, User
from tests.api.helpers import badge, reply, start
from tests.factory import JsonClient

NEW_PASSWORD = "a long and private passphrase"


def _issue_token(client, by):
    """Issue an invitation as the API does and return its raw token (read from the outbox)."""
    from server.actions.portal import do_invite
    from server.actor import Actor

    do_invite(Actor.of(by), client)
    invitation = Invitation.objects.filter(client=client).latest("id")
    for email in OutboxEmail.objects.filter(kind="invitation").order_by("-id"):
        token = email.body.split("/activate#", 1)[1].split()[0]
        if token_hash(token) == invitation.token_hash:
            return token
    raise AssertionError("no outbox email carries the invitation link")


def test_writing_to_a_client_without_account_keeps_message_and_invites(world, as_user):
    created = start(as_user(world.cleo), "clinical", client=world.eli, body="Welcome")
    assert created["invitation"]["status"] == "sent"
    invitation = Invitation.objects.get(client=world.eli)
    assert len(invitation.token_hash) == 64
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    assert Message.objects.filter(thread_id=created["thread"]["id"]).count() == 1


def test_a_second_message_does_not_mint_a_second_link(world, as_user):
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.eli)["thread"]["id"]
    r = cleo.post(f"/api/threads/{tid}/messages", {"body": "again"})
    assert r.json()["invitation"]["status"] == "sent"
    assert Invitation.objects.filter(client=world.eli).count() == 1


def test_client_without_email_gets_no_invitation_but_the_message_is_kept(world, as_user):
    created = start(as_user(world.sam), client=world.fay, body="Please call us")
    assert created["invitation"] == {"status": "no_email"}
    assert not Invitation.objects.filter(client=world.fay).exists()
    assert Message.objects.filter(thread_id=created["thread"]["id"]).exists()


def test_activation_creates_account_signs_in_and_shows_waiting_messages(world, as_user):
    tid = start(as_user(world.cleo), "clinical", client=world.eli, body="Welcome")["thread"]["id"]
    token = _issue_token(world.eli, world.cleo)
    visitor = JsonClient()
    r = visitor.post("/api/portal/activate", {"token": token, "username": "eli",
                                               "password": NEW_PASSWORD})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "client" and r.json()["name"] == "Eli Moss"
    assert badge(visitor) == 1
    view = visitor.get(f"/api/threads/{tid}").json()
    assert [m["body"] for m in view["messages"]] == ["Welcome"]
    # Single use.
    again = JsonClient().post("/api/portal/activate", {"token": token, "username": "eli2",
                                                        "password": NEW_PASSWORD})
    assert again.status_code == 410 and again.json()["error"]["code"] == "token_invalid"


def test_resending_invalidates_the_older_link(world, as_user):
    old = _issue_token(world.eli, world.sam)
    r = as_user(world.sam).post(f"/api/clients/{world.eli.pk}/invite")
    assert r.status_code == 200 and r.json()["invitation"]["status"] == "sent"
    r = JsonClient().post("/api/portal/activate", {"token": old, "username": "eli",
                                                   "password": NEW_PASSWORD})
    assert r.status_code == 410
    assert not User.objects.filter(username="eli").exists()


def test_expired_link_is_gone(world):
    token = _issue_token(world.eli, world.sam)
    Invitation.objects.filter(client=world.eli).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = JsonClient().post("/api/portal/activate", {"token": token, "username": "eli",
                                                   "password": NEW_PASSWORD})
    assert r.status_code == 410


@pytest.mark.parametrize("username,password,code", [
    ("dana", NEW_PASSWORD, "username_taken"),
    ("has space", NEW_PASSWORD, "invalid_username"),
    ("eli", "short", "weak_password"),
    ("eli", "1234567890123", "weak_password"),
])
def test_activation_refuses_bad_accounts_and_keeps_the_link(world, username, password, code):
    token = _issue_token(world.eli, world.sam)
    r = JsonClient().post("/api/portal/activate", {"token": token, "username": username,
                                                   "password": password})
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert Invitation.objects.get(token_hash=token_hash(token)).used_at is None


def test_inviting_a_client_with_an_account_is_refused(world, as_user):
    r = as_user(world.sam).post(f"/api/clients/{world.dana.pk}/invite")
    assert r.status_code == 422 and r.json()["error"]["code"] == "has_account"


def test_portal_switch_off_stops_client_messages_both_ways(world, as_user):
    admin, sam, dana = as_user(world.admin), as_user(world.sam), as_user(world.dana.user)
    tid = start(dana, body="before")["thread"]["id"]
    r = admin.put("/api/practice", {"portal_enabled": False})
    assert r.status_code == 200 and r.json()["name"] == "Northside Counseling"
    assert r.json()["portal_enabled"] is False
    r = sam.post(f"/api/threads/{tid}/messages", {"body": "reply"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "portal_disabled"
    r = sam.post("/api/threads", {"client_id": world.dana.pk, "audience": "administrative",
                                  "subject": "x", "body": "y"})
    assert r.json()["error"]["code"] == "portal_disabled"
    assert dana.get("/api/threads").json()["error"]["code"] == "portal_disabled"
    # Staff can still read history.
    assert [m["body"] for m in sam.get(f"/api/threads/{tid}").json()["messages"]] == ["before"]
    # Clients cannot sign in meanwhile.
    login = JsonClient().post("/api/auth/login", {"username": "dana", "password": "correct horse battery staple"})
    assert login.status_code == 403 and login.json()["error"]["code"] == "portal_disabled"
    admin.put("/api/practice", {"portal_enabled": True})
    reply(sam, tid, "back on")
    assert Practice.objects.get(pk=world.practice.pk).portal_enabled


def test_only_practice_admins_switch_the_portal(world, as_user):
    for user in (world.sam, world.cara, world.bill):
        r = as_user(user).put("/api/practice", {"portal_enabled": False})
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    assert Practice.objects.get(pk=world.practice.pk).portal_enabled
