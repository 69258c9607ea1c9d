"""/api/ refuses what a browser marks `Sec-Fetch-Site: cross-site` (SPEC §4), so a link, form or
script on another site changes nothing, not even through a GET."""

import pytest

from server.models import AuditEntry, Message
from tests.api.helpers import start
from tests.factory import JsonClient


@pytest.fixture
def staff_message(world):
    """A message staff wrote to Dana, which she has not seen yet."""
    thread = start(JsonClient(world.cleo), audience="clinical", client=world.dana, body="Hello")
    return Message.objects.get(pk=thread["message"]["id"])


def _get_thread(world, message, **headers):
    return JsonClient(world.dana.user).http.get(f"/api/threads/{message.thread_id}", **headers)


def test_a_cross_site_get_of_a_thread_by_the_client_changes_nothing(world, staff_message):
    audit_rows = AuditEntry.objects.count()
    r = _get_thread(world, staff_message, HTTP_SEC_FETCH_SITE="cross-site")
    assert r.status_code == 403
    assert r.json() == {"error": {"code": "cross_site",
                                  "message": "Requests from other sites are refused."}}
    staff_message.refresh_from_db()
    assert staff_message.seen_by_client_at is None  # no seen receipt: staff may still delete it
    assert AuditEntry.objects.count() == audit_rows
    assert JsonClient(world.cleo).delete(f"/api/messages/{staff_message.pk}").status_code == 204


@pytest.mark.parametrize("site", ["same-origin", "same-site", "none", None])
def test_requests_from_the_site_itself_or_no_site_pass(world, staff_message, site):
    headers = {} if site is None else {"HTTP_SEC_FETCH_SITE": site}
    r = _get_thread(world, staff_message, **headers)
    assert r.status_code == 200
    staff_message.refresh_from_db()
    assert staff_message.seen_by_client_at is not None


def test_a_cross_site_post_writes_nothing(world):
    r = JsonClient(world.dana.user).post("/api/threads", {"audience": "administrative",
                                                          "subject": "Hi", "body": "Hello"},
                                         HTTP_SEC_FETCH_SITE="cross-site")
    assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site"
    assert not Message.objects.exists()


def test_pages_outside_the_api_are_not_refused(db):
    # A link from another site to the sign-in page is how people arrive.
    r = JsonClient(HTTP_HOST="127.0.0.1").http.get("/", HTTP_SEC_FETCH_SITE="cross-site")
    assert r.status_code == 200
