"""The sessions list: what it shows, ending one or all others, and staff sign-ins for admins."""

from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore

from server.actions import sessions
from server.models import AuditEntry, SignInSession
from tests.api.accounts_helpers import sign_in
from tests.factory import JsonClient

URL = "/api/me/sessions"
CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Safari/537.36")


def test_the_list_shows_each_session_and_never_its_key(world):
    desk, _ = sign_in("sam", ip="10.0.0.1")
    phone, _ = sign_in("sam", ip="10.0.0.2", agent=CHROME_MAC)
    listed = desk.get(URL).json()
    assert [(s["ip"], s["browser"], s["current"]) for s in listed] == [
        ("10.0.0.2", "Chrome on macOS", False), ("10.0.0.1", "Firefox on Linux", True)]
    assert set(listed[0]) == {"id", "created_at", "last_seen_at", "ip", "browser", "current"}
    for api in (desk, phone):
        assert api.http.cookies["sessionid"].value not in str(listed)
    assert [s["current"] for s in phone.get(URL).json()] == [True, False]
    # Others' sessions are not listed.
    assert len(sign_in("bill")[0].get(URL).json()) == 1


def test_last_seen_is_written_at_most_once_a_minute(world):
    api, _ = sign_in("sam")
    row = SignInSession.objects.get()
    api.get("/api/badge")
    assert SignInSession.objects.get().last_seen_at == row.last_seen_at
    # A minute later (as the session remembers it), the next request marks it seen.
    store = SessionStore(api.http.cookies["sessionid"].value)
    store[sessions.SEEN] -= 61
    store.save()
    SignInSession.objects.update(last_seen_at=row.last_seen_at - timedelta(seconds=61))
    api.get("/api/badge")
    assert SignInSession.objects.get().last_seen_at > row.last_seen_at


def test_ending_one_session_signs_it_out(world):
    desk, _ = sign_in("sam", ip="10.0.0.1")
    phone, _ = sign_in("sam", ip="10.0.0.2")
    phone_id = next(s["id"] for s in desk.get(URL).json() if not s["current"])
    assert desk.delete(f"{URL}/{phone_id}").status_code == 204
    assert phone.get("/api/me").status_code == 401
    assert desk.get("/api/me").status_code == 200
    assert [s["current"] for s in desk.get(URL).json()] == [True]
    assert desk.delete(f"{URL}/{phone_id}").status_code == 404
    assert AuditEntry.objects.filter(action="session.ended", actor=world.sam,
                                     ip="10.0.0.1").count() == 1


def test_a_session_of_someone_else_is_not_found(world):
    sam, _ = sign_in("sam")
    bill, _ = sign_in("bill")
    bill_id = bill.get(URL).json()[0]["id"]
    r = sam.delete(f"{URL}/{bill_id}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert bill.get("/api/me").status_code == 200
    assert sam.delete(f"{URL}/abc").status_code in (404, 422)


def test_ending_every_other_session(world):
    here, _ = sign_in("sam", ip="10.0.0.1")
    others = [sign_in("sam", ip=f"10.0.0.{n}")[0] for n in (2, 3)]
    assert here.delete(URL).status_code == 204
    assert all(api.get("/api/me").status_code == 401 for api in others)
    assert [s["current"] for s in here.get(URL).json()] == [True]


def test_signing_out_ends_the_listed_session(world):
    here, _ = sign_in("sam", ip="10.0.0.1")
    there, _ = sign_in("sam", ip="10.0.0.2")
    assert there.post("/api/auth/logout").status_code == 204
    assert [s["ip"] for s in here.get(URL).json()] == ["10.0.0.1"]


def test_practice_admins_see_each_staff_users_last_sign_in(world):
    sign_in("sam", ip="10.0.0.9", agent=CHROME_MAC)
    staff = {s["username"]: s for s in JsonClient(world.admin).get("/api/staff").json()}
    assert staff["sam"]["last_sign_in"]["ip"] == "10.0.0.9"
    assert staff["sam"]["last_sign_in"]["browser"] == "Chrome on macOS"
    assert staff["bill"]["last_sign_in"] is None and staff["sam"]["two_factor"] is False
    assert "olga" not in staff and "dana" not in staff
    assert JsonClient(world.sam).get("/api/staff").status_code == 403
    assert JsonClient(world.dana.user).get("/api/staff").status_code == 403
