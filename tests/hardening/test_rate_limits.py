"""Sign-in throttling (an attacker is slowed, the owner is not locked out) and sends per minute."""

import pytest

from server import ratelimit
from server.models import AuditEntry, Message
from tests.api.helpers import start
from tests.factory import PASSWORD, JsonClient


def login(username, password, ip="10.0.0.1"):
    return JsonClient().post("/api/auth/login", {"username": username, "password": password},
                             REMOTE_ADDR=ip)


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, moved by hand: clock.now += seconds."""

    class Clock:
        now = 1_800_000_000.0  # the start of a window for every window length used here

    monkeypatch.setattr(ratelimit, "now", lambda: Clock.now)
    return Clock


def test_guessing_from_one_address_is_refused_there_and_the_owner_signs_in_elsewhere(
        world, settings, clock):
    settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS = 3
    for _ in range(3):
        assert login("sam", "guess", ip="10.6.6.6").status_code == 401
    for _ in range(4):
        r = login("sam", PASSWORD, ip="10.6.6.6")
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
    assert 0 < int(r["Retry-After"]) <= settings.LOGIN_WINDOW_SECONDS + 1
    # The owner, on their own address, is not locked out.
    assert login("sam", PASSWORD, ip="10.0.0.7").status_code == 200
    # Four refusals, one audit row; each wrong password has its own.
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1
    assert AuditEntry.objects.filter(action="login.failed").count() == 3
    # The next window lets the address try again.
    clock.now += settings.LOGIN_WINDOW_SECONDS
    assert login("sam", PASSWORD, ip="10.6.6.6").status_code == 200


def test_guessing_spread_over_addresses_is_slowed_with_a_growing_delay_not_locked(
        world, settings, clock):
    settings.LOGIN_FAILURES_PER_USERNAME = 4
    settings.LOGIN_DELAY_MAX_SECONDS = 8
    for n in range(4):
        assert login("sam", "guess", ip=f"10.1.0.{n}").status_code == 401
    waits = []
    for n in range(5):
        assert login("sam", "guess", ip=f"10.2.0.{n}").status_code == 401
        r = login("sam", PASSWORD, ip="10.0.0.7")  # the owner, right after a guess
        assert r.status_code == 429
        waits.append(int(r["Retry-After"]))
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 8]  # grows, capped: slowed, never locked
    # Once the delay has run, the owner's right password works.
    assert login("sam", PASSWORD, ip="10.0.0.7").status_code == 200
    # Other usernames are not slowed.
    assert login("bill", PASSWORD, ip="10.2.0.1").status_code == 200
    assert AuditEntry.objects.filter(action="login.throttled").count() == 1


def test_one_address_guessing_many_usernames_is_limited(world, settings, clock):
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
