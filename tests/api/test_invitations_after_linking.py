"""An invitation link only ever creates a client's first portal account: once the client has one,
however it came (activation, load_practice, the admin site), every outstanding link is gone (410)
and none replaces the account."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from server.actor import Actor
from server.actions.portal import do_activate, token_hash
from server.errors import ApiError
from server.models import Client, Invitation, User
from server.practice_file import create_practice, read_practice_file
from tests.api.test_portal import NEW_PASSWORD, _issue_token
from tests.factory import JsonClient, PASSWORD

DEMO_PRACTICE = Path(__file__).resolve().parents[2] / "server" / "demo_practice.json"


def _outstanding_link(client, token) -> None:
    """A link issued before the client got an account (as an invitation sent, then the account
    made another way)."""
    now = timezone.now()
    Invitation.objects.create(client=client, token_hash=token_hash(token), created_at=now,
                              expires_at=now + timedelta(days=7))


def _activate(token, username="newname"):
    return JsonClient().post("/api/portal/activate", {"token": token, "username": username,
                                                      "password": NEW_PASSWORD})


def _assert_gone_and_account_kept(client, account, response):
    assert response.status_code == 410, response.content
    assert response.json()["error"]["code"] == "token_invalid"
    client.refresh_from_db()
    assert client.user_id == account.pk
    assert not User.objects.filter(username="newname").exists()
    assert JsonClient().post("/api/auth/login", {"username": account.username,
                                                 "password": PASSWORD}).status_code == 200


def test_an_older_link_is_gone_after_activation_with_a_newer_one(world):
    older = "an-older-link-sent-by-hand"
    _outstanding_link(world.eli, older)
    newer = _issue_token(world.eli, world.cleo)
    # do_invite revokes what is outstanding; an older link that escaped it is void all the same.
    Invitation.objects.filter(token_hash=token_hash(older)).update(revoked_at=None)
    assert _activate(newer, username="eli").status_code == 201
    eli = Client.objects.get(pk=world.eli.pk)
    assert _activate(older).status_code == 410
    eli.refresh_from_db()
    assert eli.user.username == "eli"
    assert not Invitation.objects.filter(client=eli, used_at__isnull=True,
                                         revoked_at__isnull=True).exists()


def test_a_link_is_gone_once_the_admin_site_links_an_account(world):
    token = _issue_token(world.eli, world.cleo)
    account = User.objects.create_user(username="eli.m", password=PASSWORD, kind=User.CLIENT,
                                       practice=world.practice, name="Eli Moss")
    # Linked outside activation, as the admin site's change form saves it.
    world.eli.user = account
    world.eli.save()
    _assert_gone_and_account_kept(world.eli, account, _activate(token))


def test_a_link_is_gone_for_a_client_load_practice_gave_an_account(db):
    create_practice(read_practice_file(DEMO_PRACTICE))
    client = Client.objects.filter(user__isnull=False).select_related("user").first()
    _outstanding_link(client, "a-link-from-before-the-load")
    response = _activate("a-link-from-before-the-load")
    assert response.status_code == 410
    client.refresh_from_db()
    assert not User.objects.filter(username="newname").exists()


def test_using_a_link_never_replaces_an_account(world):
    """Whatever found the link (a caller that did not go through `find_invitation`, or an account
    linked after it looked), activation does not overwrite the client's account."""
    now = timezone.now()
    invitation = Invitation.objects.create(client=world.dana, token_hash=token_hash("dana-link"),
                                           created_at=now, expires_at=now + timedelta(days=7))
    with pytest.raises(ApiError) as gone, transaction.atomic():
        do_activate(Actor(None, None), invitation, "newname", NEW_PASSWORD)
    assert gone.value.status == 410
    _assert_gone_and_account_kept(world.dana, world.dana.user, _activate("dana-link"))


@pytest.mark.parametrize("expired", [False, True])
def test_a_client_without_an_account_still_activates_until_the_link_expires(world, expired):
    token = _issue_token(world.eli, world.cleo)
    if expired:
        Invitation.objects.filter(client=world.eli).update(expires_at=timezone.now())
    assert _activate(token, username="eli").status_code == (410 if expired else 201)
