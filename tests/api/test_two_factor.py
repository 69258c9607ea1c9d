"""Two-step sign-in (TOTP): set-up, sign-in with a code or a recovery code, replays, throttling,
remembered browsers, turning it off, and a practice that requires it."""

import time

import pyotp
import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from server import two_factor
from server.models import AuditEntry, Practice, RecoveryCode, TwoFactor
from server.signin import sign_in as door
from tests.api.accounts_helpers import NEW_PASSWORD, sign_in
from tests.factory import PASSWORD, JsonClient

SETUP = "/api/me/two-factor"
STEP = "/api/auth/login/two-factor"


def code_at(secret, steps_ahead=0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def turn_on(api) -> tuple[str, list]:
    """(secret, recovery codes) after setting up two-step sign-in as the app would."""
    r = api.post(SETUP)
    assert r.status_code == 200, r.content
    secret = r.json()["secret"]
    r = api.post(f"{SETUP}/confirm", {"code": code_at(secret)})
    assert r.status_code == 200, r.content
    return secret, r.json()["recovery_codes"]


@pytest.fixture
def sam_with_2fa(world):
    api, _ = sign_in("sam")
    return turn_on(api)


def test_set_up_gives_a_secret_a_uri_and_a_qr_code_drawn_here(world):
    api, _ = sign_in("sam")
    setup = api.post(SETUP).json()
    assert pyotp.parse_uri(setup["otpauth_uri"]).secret == setup["secret"]
    assert "issuer=Northside%20Counseling" in setup["otpauth_uri"]
    assert setup["qr_svg"].startswith("<svg") and "<script" not in setup["qr_svg"]
    # Nothing is on until confirmed: sign-in still takes only the password.
    assert sign_in("sam")[1].json()["kind"] == "staff"
    r = api.post(f"{SETUP}/confirm", {"code": "000000" if code_at(setup["secret"]) != "000000"
                                      else "111111"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_code"
    codes = api.post(f"{SETUP}/confirm", {"code": code_at(setup["secret"])}).json()["recovery_codes"]
    assert len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=world.sam).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not set(codes) & set(stored)
    assert api.get(SETUP).json() == {"enabled": True, "recovery_codes_left": 10, "required": False}
    assert AuditEntry.objects.filter(action="two_factor.enabled", actor=world.sam).count() == 1


def test_sign_in_asks_for_the_code_and_starts_no_session_until_it_is_given(world, sam_with_2fa):
    secret, _ = sam_with_2fa
    api, r = sign_in("sam")
    assert r.status_code == 200 and r.json() == {"two_factor_required": True}
    assert api.get("/api/me").status_code == 401
    r = api.post(STEP, {"code": code_at(secret, 1)})
    assert r.status_code == 200 and r.json()["kind"] == "staff"
    assert api.get("/api/me").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=world.sam,
                                     detail__two_factor="code").count() == 1


def test_a_code_cannot_be_used_twice(world, sam_with_2fa):
    secret, _ = sam_with_2fa
    # The confirming code's time step is spent already.
    api, _ = sign_in("sam")
    r = api.post(STEP, {"code": code_at(secret)})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_code"
    assert api.post(STEP, {"code": code_at(secret, 1)}).status_code == 200
    other, _ = sign_in("sam", ip="10.0.0.2")
    assert other.post(STEP, {"code": code_at(secret, 1)}).status_code == 401


def test_a_recovery_code_works_once(world, sam_with_2fa):
    _, codes = sam_with_2fa
    api, _ = sign_in("sam")
    r = api.post(STEP, {"code": codes[0].upper().replace("-", " ")})
    assert r.status_code == 200
    api, _ = sign_in("sam")
    r = api.post(STEP, {"code": codes[0]})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_code"
    assert api.get("/api/me").status_code == 401
    assert api.post(STEP, {"code": codes[1]}).status_code == 200
    assert RecoveryCode.objects.filter(user=world.sam, used_at__isnull=True).count() == 8


def test_malformed_codes_are_422_and_change_nothing(world, sam_with_2fa):
    secret, _ = sam_with_2fa
    api, _ = sign_in("sam")
    for code in ("12345", "1234567", "12a456", "", "\u0661\u0662\u0663\u0664\u0665\u0666",
                 "abcd-efgh"):
        r = api.post(STEP, {"code": code})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_code", code
    for body in ({"code": 123456}, {"code": "\ud800"}, {}, {"code": "123456",
                                                             "remember_browser": "yes"}):
        r = api.post(STEP, body)
        assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid", "invalid_text"), body
    assert api.get("/api/me").status_code == 401
    # Spaces inside a code are what an app shows: accepted.
    code = code_at(secret, 1)
    assert api.post(STEP, {"code": f" {code[:3]} {code[3:]} "}).status_code == 200


def test_the_second_step_needs_the_first(world, sam_with_2fa, monkeypatch):
    secret, _ = sam_with_2fa
    r = JsonClient().post(STEP, {"code": code_at(secret, 1)})
    assert r.status_code == 401 and r.json()["error"]["code"] == "sign_in_first"
    api, _ = sign_in("sam")
    monkeypatch.setattr(two_factor, "PENDING_SECONDS", -1)  # the password step has gone stale
    r = api.post(STEP, {"code": code_at(secret, 1)})
    assert r.status_code == 401 and r.json()["error"]["code"] == "sign_in_first"


def test_wrong_codes_are_throttled_and_audited(world, sam_with_2fa, settings):
    secret, _ = sam_with_2fa
    settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS = 3
    api, _ = sign_in("sam")
    wrong = "000000" if code_at(secret, 1) != "000000" else "111111"
    for _ in range(3):
        assert api.post(STEP, {"code": wrong}).status_code == 401
    r = api.post(STEP, {"code": code_at(secret, 1)})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert AuditEntry.objects.filter(action="two_factor.failed").count() == 3
    assert AuditEntry.objects.filter(action="two_factor.throttled").count() == 1


def test_a_remembered_browser_skips_the_step_for_that_user_only(world, sam_with_2fa):
    secret, _ = sam_with_2fa
    api, _ = sign_in("sam")
    r = api.post(STEP, {"code": code_at(secret, 1), "remember_browser": True})
    cookie = r.cookies[two_factor.REMEMBER_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) == 30 * 86400
    again, r = sign_in("sam", api=JsonClient())
    again.http.cookies[two_factor.REMEMBER_COOKIE] = cookie.value
    assert again.post("/api/auth/login", {"username": "sam", "password": PASSWORD}).json()[
        "kind"] == "staff"
    # Another user with 2FA on, presenting sam's cookie, is still asked.
    bill, _ = sign_in("bill")
    bill_secret, _ = turn_on(bill)
    stranger = JsonClient()
    stranger.http.cookies[two_factor.REMEMBER_COOKIE] = cookie.value
    r = stranger.post("/api/auth/login", {"username": "bill", "password": PASSWORD})
    assert r.json() == {"two_factor_required": True}


def remembered(cookie_value, password=PASSWORD) -> bool:
    api = JsonClient()
    api.http.cookies[two_factor.REMEMBER_COOKIE] = cookie_value
    r = api.post("/api/auth/login", {"username": "sam", "password": password})
    assert r.status_code == 200, r.content
    return "kind" in r.json()


def test_a_password_change_or_turning_2fa_off_forgets_remembered_browsers(world, sam_with_2fa):
    secret, _ = sam_with_2fa
    api, _ = sign_in("sam")
    cookie = api.post(STEP, {"code": code_at(secret, 1), "remember_browser": True}).cookies[
        two_factor.REMEMBER_COOKIE].value
    assert remembered(cookie)
    assert api.post("/api/me/password", {"current": PASSWORD, "new": NEW_PASSWORD}).status_code == 204
    assert not remembered(cookie, NEW_PASSWORD)
    # Forged or garbled cookies count for nothing.
    assert not remembered(cookie[:-2] + "xx", NEW_PASSWORD)


def test_turning_it_off_takes_a_code(world, sam_with_2fa):
    secret, codes = sam_with_2fa
    api, _ = sign_in("sam")
    assert api.post(STEP, {"code": codes[0]}).status_code == 200
    r = api.delete(SETUP, data={"code": "000000" if code_at(secret, 1) != "000000" else "111111"})
    assert r.status_code == 422 and TwoFactor.objects.filter(user=world.sam).exists()
    assert api.delete(SETUP, data={"code": code_at(secret, 1)}).status_code == 204
    assert not TwoFactor.objects.filter(user=world.sam).exists()
    assert not RecoveryCode.objects.filter(user=world.sam).exists()
    assert sign_in("sam")[1].json()["kind"] == "staff"
    r = api.delete(SETUP, data={"code": code_at(secret, 1)})
    assert r.status_code == 409


def test_a_practice_that_requires_it_holds_staff_at_the_set_up(world):
    Practice.objects.filter(pk=world.practice.pk).update(require_two_factor=True)
    api, r = sign_in("sam")
    assert r.status_code == 200
    r = api.get("/api/threads")
    assert r.status_code == 403 and r.json()["error"]["code"] == "two_factor_setup_required"
    assert api.get("/api/clients").status_code == 403
    assert api.get("/api/me").status_code == 200
    assert api.get(SETUP).json()["required"] is True
    secret, codes = turn_on(api)
    assert api.get("/api/threads").status_code == 200
    # Required: it cannot be turned off.
    r = api.delete(SETUP, data={"code": codes[0]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "two_factor_required"
    # Clients are not held.
    dana, _ = sign_in("dana")
    assert dana.get("/api/threads").status_code == 200


def test_a_practice_admin_switches_the_requirement_on_and_staff_are_held_at_once(world):
    sam, _ = sign_in("sam")
    assert sam.get("/api/threads").status_code == 200
    admin, _ = sign_in("admin", ip="10.0.0.2")
    r = admin.put("/api/practice", {"require_two_factor": True})
    assert r.status_code == 200 and r.json()["require_two_factor"] is True
    entry = AuditEntry.objects.get(action="practice.settings_changed")
    assert entry.actor_id == world.admin.pk and entry.detail["fields"] == ["require_two_factor"]
    # Sam's session, open since before the switch, is held at the set-up from the next call.
    r = sam.get("/api/threads")
    assert r.status_code == 403 and r.json()["error"]["code"] == "two_factor_setup_required"
    assert sam.get("/api/me").status_code == 200
    assert sam.get(SETUP).json() == {"enabled": False, "recovery_codes_left": 0, "required": True}
    assert sam.post(SETUP).status_code == 200
    assert sam.post("/api/auth/logout").status_code == 204
    assert sam.get("/api/me").status_code == 401
    # The admin who switched it is held too, until they set it up.
    r = admin.get("/api/threads")
    assert r.status_code == 403 and r.json()["error"]["code"] == "two_factor_setup_required"
    turn_on(admin)
    assert admin.get("/api/threads").status_code == 200


def test_turning_2fa_off_and_on_again_forgets_remembered_browsers(world, sam_with_2fa):
    secret, codes = sam_with_2fa
    api, _ = sign_in("sam")
    cookie = api.post(STEP, {"code": code_at(secret, 1), "remember_browser": True}).cookies[
        two_factor.REMEMBER_COOKIE].value
    assert api.delete(SETUP, data={"code": codes[0]}).status_code == 204
    turn_on(api)
    assert not remembered(cookie)


def test_another_door_cannot_skip_the_second_step(world, sam_with_2fa):
    """server.signin.sign_in (what the admin site's sign-in calls) starts no session either."""
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="10.0.0.1")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    assert door(request, "sam", PASSWORD) is False
    assert "_auth_user_id" not in request.session
    assert request.session[two_factor.PENDING]["user_id"] == world.sam.pk
