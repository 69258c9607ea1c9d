"""Sign-in with CSRF, sign-out, the session's idle timeout, and the sign-in shared by every door."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from server.errors import ApiError
from server.models import AuditEntry, SignInSession
from server.signin import authenticate_throttled, sign_in
from tests.factory import PASSWORD, JsonClient


def csrf_client():
    api = JsonClient(enforce_csrf_checks=True)
    assert api.get("/api/auth/csrf").status_code == 204
    return api, {"HTTP_X_CSRFTOKEN": api.http.cookies["csrftoken"].value}


def test_staff_and_client_sign_in_with_csrf_and_sign_out(world):
    for username, kind in (("sam", "staff"), ("dana", "client")):
        api, header = csrf_client()
        r = api.post("/api/auth/login", {"username": username, "password": PASSWORD}, **header)
        assert r.status_code == 200, r.content
        assert r.json()["kind"] == kind
        header = {"HTTP_X_CSRFTOKEN": api.http.cookies["csrftoken"].value}
        assert api.get("/api/me").status_code == 200
        assert api.post("/api/auth/logout", **header).status_code == 204
        r = api.get("/api/me")
        assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"


def test_wrong_password_is_401_and_says_nothing_about_the_user(world):
    api, header = csrf_client()
    wrong = api.post("/api/auth/login", {"username": "sam", "password": "nope"}, **header)
    nobody = api.post("/api/auth/login", {"username": "nobody", "password": "nope"}, **header)
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == nobody.json()


def test_login_without_csrf_token_is_refused(world):
    api = JsonClient(enforce_csrf_checks=True)
    r = api.post("/api/auth/login", {"username": "sam", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


def test_session_cookie_is_http_only_and_expires_after_30_idle_minutes(world):
    api, header = csrf_client()
    api.post("/api/auth/login", {"username": "sam", "password": PASSWORD}, **header)
    cookie = api.http.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # The idle timeout slides without a write per request: tests/api/test_session_sliding.py.
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "server.sessions.slide_session_expiry" in settings.MIDDLEWARE


def test_every_sign_in_door_shares_one_throttle_and_one_audit(world, settings):
    """server.signin is what another door (the admin site's sign-in) calls: failures through
    the API count there, and a sign-in through it is recorded like the API's."""
    settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS = 2

    def request(ip):
        made = RequestFactory().post("/admin/login/", REMOTE_ADDR=ip)
        SessionMiddleware(lambda r: None).process_request(made)
        made.user = AnonymousUser()
        return made

    api, header = csrf_client()
    for _ in range(2):
        api.post("/api/auth/login", {"username": "sam", "password": "nope"}, REMOTE_ADDR="10.5.5.5",
                 **header)
    with pytest.raises(ApiError) as refused:
        authenticate_throttled(request("10.5.5.5"), "sam", PASSWORD)
    assert refused.value.status == 429 and refused.value.extra["retry_after"] > 0
    elsewhere = request("10.5.5.6")
    with pytest.raises(ApiError) as wrong:
        authenticate_throttled(elsewhere, "sam", "nope")
    assert wrong.value.status == 401
    assert sign_in(elsewhere, "sam", PASSWORD) is True
    assert SignInSession.objects.filter(user=world.sam, ip="10.5.5.6").count() == 1
    assert AuditEntry.objects.filter(action="login.failed", actor_username="sam").count() == 3
    assert AuditEntry.objects.filter(action="login", actor=world.sam).count() == 1
