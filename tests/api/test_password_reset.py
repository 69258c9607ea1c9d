"""Forgotten, reset and changed passwords (SPEC §4 "Accounts"), against a real SMTP server."""

import statistics
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from server.models import AuditEntry, OutboxEmail, PasswordReset, User
from tests.api.accounts_helpers import NEW_PASSWORD, link_in_mail, sign_in, token_of
from tests.factory import PASSWORD, JsonClient
from tests.notify.conftest import deliver, smtp  # noqa: F401 (the fixture)

FORGOT = "/api/auth/password/forgot"
RESET = "/api/auth/password/reset"


@pytest.fixture(autouse=True)
def short_answer_floor(settings):
    settings.PASSWORD_FORGOT_MIN_SECONDS = 0.01


def forgot(login, ip="10.0.0.1"):
    return JsonClient(REMOTE_ADDR=ip).post(FORGOT, {"login": login})


def reset(token, password=NEW_PASSWORD):
    return JsonClient().post(RESET, {"token": token, "password": password})


def can_sign_in(username, password) -> bool:
    return sign_in(username, password, ip="10.3.3.3")[1].status_code == 200


def test_a_forgotten_password_is_reset_with_the_link_from_the_email_once(world, smtp):
    r = forgot("dana")
    assert r.status_code == 202 and r.content == b""
    link = link_in_mail(smtp, "dana@client.example.org")
    mail = smtp.to("dana@client.example.org")[-1]
    assert "Northside Counseling" in mail.subject and "1 hour" in mail.body
    assert link.startswith("https://cairn.example.org/reset#")
    assert reset(token_of(link)).status_code == 204
    assert can_sign_in("dana", NEW_PASSWORD) and not can_sign_in("dana", PASSWORD)
    again = reset(token_of(link), "yet another passphrase")
    assert again.status_code == 410 and again.json()["error"]["code"] == "token_invalid"
    assert can_sign_in("dana", NEW_PASSWORD)
    # Only the hash is kept, and the sent email's copy of the link is scrubbed.
    assert token_of(link) not in str(list(PasswordReset.objects.values()))
    assert token_of(link) not in OutboxEmail.objects.get(to="dana@client.example.org").body
    actions = list(AuditEntry.objects.filter(actor=world.dana.user).values_list("action", flat=True))
    assert "password.reset_requested" in actions and "password.reset" in actions


def test_a_login_may_be_an_email_address(world, smtp):
    assert forgot("SAM@staff.example.org").status_code == 202
    assert link_in_mail(smtp, "sam@staff.example.org")


def test_unknown_logins_get_the_same_answer_and_no_email(world, smtp):
    known, unknown = forgot("sam"), forgot("nobody-here")
    assert (known.status_code, known.content) == (unknown.status_code, unknown.content) == (202, b"")
    assert dict(known.items()).keys() == dict(unknown.items()).keys()
    deliver()
    assert [m.to for m in smtp.received] == ["sam@staff.example.org"]


@pytest.mark.parametrize("floor", [0.0, 0.1])
def test_known_and_unknown_logins_take_about_the_same_time(world, settings, floor):
    """Within 2x on the work alone (no floor), and alike once the answer waits for its floor."""
    settings.PASSWORD_FORGOT_PER_LOGIN = settings.PASSWORD_FORGOT_PER_IP = 1000
    settings.PASSWORD_FORGOT_MIN_SECONDS = floor

    def median_of(login):
        times = []
        for _ in range(7):
            started = time.perf_counter()
            assert forgot(login).status_code == 202
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    forgot("warm-up")
    known, unknown = median_of("sam"), median_of("nobody-here")
    assert 0.5 < known / unknown < 2, (known, unknown)
    if floor:
        assert 0.8 < known / unknown < 1.25, (known, unknown)


def test_a_newer_link_voids_the_older(world, smtp):
    forgot("sam")
    first = token_of(link_in_mail(smtp, "sam@staff.example.org"))
    forgot("sam")
    second = token_of(link_in_mail(smtp, "sam@staff.example.org"))
    assert reset(first).status_code == 410
    assert reset(second).status_code == 204


def test_an_expired_link_is_gone(world, smtp):
    forgot("sam")
    token = token_of(link_in_mail(smtp, "sam@staff.example.org"))
    PasswordReset.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert reset(token).status_code == 410
    assert can_sign_in("sam", PASSWORD)


def test_unknown_and_malformed_tokens(world):
    for token in ("", "nope", "x" * 5000):
        r = reset(token)
        assert r.status_code == 410 and r.json()["error"]["code"] == "token_invalid"
    for body in ({"token": "\ud800", "password": NEW_PASSWORD}, {"token": "t"},
                 {"token": 5, "password": NEW_PASSWORD}, {"login": "\ud800"}):
        r = JsonClient().post(RESET if "token" in body else FORGOT, body)
        assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid", "invalid_text"), body
    assert JsonClient().post(RESET, "not json").status_code == 400


def test_a_password_the_validators_refuse_is_422_and_the_link_still_works(world, smtp):
    forgot("sam")
    token = token_of(link_in_mail(smtp, "sam@staff.example.org"))
    r = reset(token, "12345")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_password"
    assert "too short" in r.json()["error"]["message"]
    assert can_sign_in("sam", PASSWORD)
    assert reset(token).status_code == 204


def test_an_inactive_user_gets_no_link_and_an_older_link_changes_nothing(world, smtp):
    forgot("sam")
    token = token_of(link_in_mail(smtp, "sam@staff.example.org"))
    User.objects.filter(pk=world.sam.pk).update(is_active=False)
    assert forgot("sam").status_code == 202
    deliver()
    assert len(smtp.to("sam@staff.example.org")) == 1
    assert reset(token).status_code == 410
    assert User.objects.get(pk=world.sam.pk).check_password(PASSWORD)


def test_a_flood_for_one_login_is_dropped_silently_and_audited_once(world, smtp, settings):
    settings.PASSWORD_FORGOT_PER_LOGIN = 3
    answers = {(r.status_code, r.content) for r in (forgot("sam", ip=f"10.4.0.{n}")
                                                     for n in range(8))}
    assert answers == {(202, b"")}
    deliver()
    assert len(smtp.to("sam@staff.example.org")) == 3
    assert AuditEntry.objects.filter(action="password.forgot_throttled").count() == 1


def test_a_reset_ends_every_session_of_the_user(world, smtp):
    desk, _ = sign_in("sam")
    phone, _ = sign_in("sam", ip="10.0.0.2")
    forgot("sam")
    assert reset(token_of(link_in_mail(smtp, "sam@staff.example.org"))).status_code == 204
    for api in (desk, phone):
        assert api.get("/api/me").status_code == 401


def test_changing_your_password_ends_your_other_sessions_only(world):
    here, _ = sign_in("sam")
    there, _ = sign_in("sam", ip="10.0.0.2")
    r = here.post("/api/me/password", {"current": "wrong", "new": NEW_PASSWORD})
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_password"
    r = here.post("/api/me/password", {"current": PASSWORD, "new": "sam"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_password"
    assert here.post("/api/me/password", {"current": PASSWORD, "new": NEW_PASSWORD}).status_code == 204
    assert here.get("/api/me").status_code == 200
    assert there.get("/api/me").status_code == 401
    assert [s["current"] for s in here.get("/api/me/sessions").json()] == [True]
    assert AuditEntry.objects.filter(action="password.changed", actor=world.sam).count() == 1


@pytest.mark.parametrize("path", ["/api/staff/{sam}/password-reset",
                                  "/api/clients/{dana}/password-reset"])
def test_a_practice_admin_sends_a_reset_link_and_sees_no_password(world, smtp, path):
    url = path.format(sam=world.sam.pk, dana=world.dana.pk)
    r = JsonClient(world.admin).post(url)
    assert r.status_code == 202 and r.json() == {"status": "sent"}
    address = "sam@staff.example.org" if "staff" in url else "dana@client.example.org"
    assert token_of(link_in_mail(smtp, address))
    assert AuditEntry.objects.filter(action="password.reset_sent", actor=world.admin).count() == 1
    # Only practice admins, only their practice.
    assert JsonClient(world.cara).post(url).status_code == 403
    assert JsonClient(world.olga).post(url).status_code == 403


def test_admin_resets_outside_the_practice_or_without_an_account(world):
    admin = JsonClient(world.admin)
    assert admin.post(f"/api/staff/{world.olga.pk}/password-reset").status_code == 404
    assert admin.post(f"/api/clients/{world.oscar.pk}/password-reset").status_code == 404
    r = admin.post(f"/api/clients/{world.eli.pk}/password-reset")
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_portal_account"
    assert admin.post(f"/api/staff/{world.dana.user.pk}/password-reset").status_code == 404
