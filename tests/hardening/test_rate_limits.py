"""Sign-in failures per username and per address, and sends per minute, are limited (429)."""

from server.models import AuditEntry, Message
from tests.api.helpers import start
from tests.factory import PASSWORD, JsonClient


def login(username, password, ip="10.0.0.1"):
    return JsonClient().post("/api/auth/login", {"username": username, "password": password},
                             REMOTE_ADDR=ip)


def test_username_locked_after_failures_even_with_the_right_password(world, settings):
    settings.LOGIN_FAILURES_PER_USERNAME = 3
    for _ in range(3):
        assert login("sam", "guess").status_code == 401
    r = login("sam", PASSWORD)
    assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    retry_after = int(r["Retry-After"])
    assert 0 < retry_after <= settings.LOGIN_WINDOW_SECONDS + 1
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1
    # Another user is not affected.
    assert login("bill", PASSWORD).status_code == 200


def test_one_address_guessing_many_usernames_is_limited(world, settings):
    settings.LOGIN_FAILURES_PER_IP = 4
    for name in ("a", "b", "c", "d"):
        assert login(name, "guess", ip="10.9.9.9").status_code == 401
    assert login("sam", PASSWORD, ip="10.9.9.9").status_code == 429
    assert login("sam", PASSWORD, ip="10.9.9.10").status_code == 200


def test_sends_per_minute_are_limited_and_nothing_is_written(world, as_user, settings):
    settings.SEND_LIMIT_PER_MINUTE = 3
    dana = as_user(world.dana.user)
    tid = start(dana)["thread"]["id"]
    for i in range(2):
        assert dana.post(f"/api/threads/{tid}/messages", {"body": f"m{i}"}).status_code == 201
    r = dana.post(f"/api/threads/{tid}/messages", {"body": "one too many"})
    assert r.status_code == 429 and "Retry-After" in r
    assert not Message.objects.filter(body="one too many").exists()
