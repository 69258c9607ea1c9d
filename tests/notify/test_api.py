"""GET · PUT /api/me/notifications."""

from server.models import User


URL = "/api/me/notifications"


def audiences_of(user):
    return User.objects.get(pk=user.pk).email_audiences


def test_default_is_none_and_allowed_follows_what_you_see(world, as_user):
    assert as_user(world.sam).get(URL).json() == {"email_audiences": [],
                                                  "allowed": ["administrative"], "email": False}
    assert as_user(world.bill).get(URL).json()["allowed"] == ["billing"]
    assert as_user(world.cleo).get(URL).json()["allowed"] == ["administrative", "billing",
                                                              "clinical"]
    assert as_user(world.carl).get(URL).json()["allowed"] == []   # assigned to nobody
    assert as_user(world.cara).get(URL).json()["allowed"] == ["administrative", "billing",
                                                              "clinical"]


def test_staff_choose_among_what_they_see(world, as_user):
    cleo = as_user(world.cleo)
    r = cleo.put(URL, {"email_audiences": ["clinical", "administrative", "clinical"]})
    assert r.status_code == 200, r.content
    assert r.json()["email_audiences"] == ["administrative", "clinical"]
    assert r.json()["email"] is True
    assert audiences_of(world.cleo) == ["administrative", "clinical"]
    assert cleo.get(URL).json()["email_audiences"] == ["administrative", "clinical"]
    r = cleo.put(URL, {"email_audiences": []})
    assert r.status_code == 200 and audiences_of(world.cleo) == []


def test_an_audience_you_do_not_see_is_refused(world, as_user):
    r = as_user(world.sam).put(URL, {"email_audiences": ["administrative", "clinical"]})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "audience_not_allowed"
    assert audiences_of(world.sam) == []


def test_unknown_audiences_and_bad_bodies(world, as_user):
    sam = as_user(world.sam)
    r = sam.put(URL, {"email_audiences": ["gossip"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    r = sam.put(URL, {"email_audiences": "administrative"})
    assert r.status_code == 422
    r = sam.put(URL, {"email_audiences": [1]})
    assert r.status_code == 422
    r = sam.put(URL, "not json")
    assert r.status_code == 400
    r = sam.put(URL, {})
    assert r.status_code == 422
    assert audiences_of(world.sam) == []


def test_clients_turn_email_on_or_off_and_strangers_are_not_signed_in(world, as_user):
    dana = as_user(world.dana.user)
    assert dana.get(URL).json() == {"email_audiences": [], "allowed": [], "email": True}
    r = dana.put(URL, {"email": False})
    assert r.status_code == 200 and r.json()["email"] is False
    assert dana.get(URL).json()["email"] is False
    assert User.objects.get(pk=world.dana.user_id).email_notices is False
    assert dana.put(URL, {"email": True}).json()["email"] is True
    # Audiences are staff's choice; a client's body says on or off, as a JSON boolean.
    r = dana.put(URL, {"email_audiences": []})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    for bad in ({}, {"email": "false"}, {"email": 0}, {"email": None}):
        assert dana.put(URL, bad).status_code == 422, bad
    assert User.objects.get(pk=world.dana.user_id).email_notices is True
    # Staff choose audiences, not on or off.
    assert as_user(world.sam).put(URL, {"email": True}).status_code == 422
    assert as_user().get(URL).status_code == 401
    assert as_user().put(URL, {"email_audiences": []}).status_code == 401


def test_a_choice_you_can_no_longer_see_is_not_shown(world, as_user):
    User.objects.filter(pk=world.sam.pk).update(email_audiences=["administrative", "billing"])
    assert as_user(world.sam).get(URL).json()["email_audiences"] == ["administrative"]


def test_put_needs_the_csrf_token(world):
    from tests.factory import JsonClient

    sam = JsonClient(world.sam, enforce_csrf_checks=True)
    assert sam.put(URL, {"email_audiences": []}).status_code == 403
