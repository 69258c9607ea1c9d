"""The 30-minute idle timeout slides without a session write on every request
(docs/PERFORMANCE.md F4): a request writes the session row only when its stored expiry is more
than a minute older than a fresh one would be."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api.test_auth import csrf_client
from tests.factory import PASSWORD

IDLE = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def signed_in(username="sam"):
    api, header = csrf_client()
    r = api.post("/api/auth/login", {"username": username, "password": PASSWORD}, **header)
    assert r.status_code == 200, r.content
    return api, api.http.cookies[settings.SESSION_COOKIE_NAME].value


def session_writes(api, path="/api/badge", status=200):
    """(number of writes to django_session, the response) for one GET of `path`."""
    with CaptureQueriesContext(connection) as captured:
        r = api.get(path)
    assert r.status_code == status, r.content
    writes = [q["sql"] for q in captured.captured_queries
              if "django_session" in q["sql"]
              and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    return len(writes), r


def expiry(key):
    return Session.objects.get(pk=key).expire_date


def age_session(key, seconds):
    """As if the session's last write happened `seconds` earlier."""
    row = Session.objects.get(pk=key)
    row.expire_date -= timedelta(seconds=seconds)
    row.save(update_fields=["expire_date"])
    return row.expire_date


def test_requests_right_after_sign_in_do_not_write_the_session(world):
    api, key = signed_in()
    before = expiry(key)
    for path in ("/api/badge", "/api/me", "/api/threads", "/api/badge"):
        writes, r = session_writes(api, path)
        assert writes == 0, path
        assert settings.SESSION_COOKIE_NAME not in r.cookies, path
    assert expiry(key) == before


def test_a_request_within_the_minute_of_slack_writes_nothing(world):
    api, key = signed_in()
    aged = age_session(key, 50)
    writes, _ = session_writes(api)
    assert writes == 0
    assert expiry(key) == aged


def test_a_request_more_than_a_minute_later_slides_the_expiry(world):
    api, key = signed_in()
    aged = age_session(key, 61)
    writes, r = session_writes(api)
    assert writes == 1
    slid = expiry(key)
    assert slid > aged
    assert abs(slid - (timezone.now() + IDLE)) < timedelta(seconds=10)
    # The cookie is renewed with the row.
    assert r.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    # And the next request, just after, writes nothing again.
    assert session_writes(api)[0] == 0


def test_a_session_kept_busy_stays_signed_in_past_30_minutes(world):
    """Requests 25 minutes apart, each sliding the expiry: still signed in after 50 minutes."""
    api, key = signed_in("dana")
    for _ in range(2):
        age_session(key, 25 * 60)
        assert session_writes(api, "/api/me")[0] == 1
    assert expiry(key) > timezone.now() + IDLE - timedelta(seconds=10)


def test_a_session_idle_past_30_minutes_is_signed_out(world):
    api, key = signed_in()
    age_session(key, IDLE.total_seconds() + 1)
    writes, r = session_writes(api, "/api/me", status=401)
    assert r.json() == {"error": {"code": "not_signed_in", "message": "Sign in first."}}
    assert writes == 0
    assert api.get("/api/badge").status_code == 401


def test_signing_out_still_ends_the_session_at_once(world):
    api, key = signed_in()
    header = {"HTTP_X_CSRFTOKEN": api.http.cookies["csrftoken"].value}
    assert api.post("/api/auth/logout", **header).status_code == 204
    assert not Session.objects.filter(pk=key).exists()
    assert api.get("/api/me").status_code == 401
