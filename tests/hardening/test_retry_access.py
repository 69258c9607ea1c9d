"""A retried `client_msg_id` goes through the same gate as a first send (issue 12, item 5):
404 when the caller can no longer see what the first send made, 409 when the id comes back
with another request, never another thread; a retry that may be answered shows the thread as
it is now."""

import pytest

from server.models import Message, Thread
from tests.api.helpers import start

THREAD = {"audience": "administrative", "subject": "Rent receipt", "body": "Can I get one?"}


@pytest.fixture(autouse=True)
def _no_send_limit(settings):
    settings.SEND_LIMIT_PER_MINUTE = 10**6


def _first(api, data):
    r = api.post("/api/threads", data)
    assert r.status_code == 201, r.content
    return r.json()


def _counts():
    return Thread.objects.count(), Message.objects.count()


def test_a_client_retrying_a_thread_staff_deleted_gets_404(world, as_user):
    dana, admin = as_user(world.dana.user), as_user(world.admin)
    data = {**THREAD, "client_msg_id": "del-1"}
    tid = _first(dana, data)["thread"]["id"]
    assert admin.delete(f"/api/threads/{tid}").status_code == 204
    before = _counts()
    r = dana.post("/api/threads", data)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert "Can I get one?" not in r.content.decode()
    assert _counts() == before


def test_staff_retrying_after_the_audience_moved_away_gets_404(world, as_user):
    sam, cara = as_user(world.sam), as_user(world.cara)
    data = {**THREAD, "client_id": world.dana.pk, "client_msg_id": "aud-1"}
    tid = _first(sam, data)["thread"]["id"]
    r = cara.patch(f"/api/threads/{tid}", {"audience": "clinical", "confirm": True})
    assert r.status_code == 200, r.content
    before = _counts()
    r = sam.post("/api/threads", data)
    assert r.status_code == 404
    assert _counts() == before


def test_a_clinician_retrying_after_being_unassigned_gets_404(world, as_user):
    cleo, admin = as_user(world.cleo), as_user(world.admin)
    data = {"audience": "clinical", "subject": "Session notes", "body": "See you Tuesday",
            "client_id": world.dana.pk, "client_msg_id": "una-1"}
    _first(cleo, data)
    r = admin.put(f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": []})
    assert r.status_code == 200, r.content
    before = _counts()
    r = cleo.post("/api/threads", data)
    assert r.status_code == 404
    assert _counts() == before


@pytest.mark.parametrize("change", [
    {"client_id": "eli"}, {"audience": "billing"}, {"topic_id": "Billing question"},
    {"subject": "Another subject"}, {"body": "Another body"},
])
def test_the_same_id_with_another_request_is_409_and_makes_nothing(world, as_user, change):
    cara = as_user(world.cara)
    data = {**THREAD, "client_id": world.dana.pk, "client_msg_id": "re-1"}
    _first(cara, data)
    other = dict(data)
    for field, value in change.items():
        other[field] = {"client_id": lambda: world.eli.pk,
                        "topic_id": lambda: world.topics[value].pk}.get(field, lambda: value)()
    before = _counts()
    r = cara.post("/api/threads", other)
    assert r.status_code == 409 and r.json()["error"]["code"] == "client_msg_id_conflict"
    assert _counts() == before


def test_a_retry_naming_another_client_never_returns_the_first_thread(world, as_user):
    """The finding as reported: the earlier thread came back whatever client the retry named."""
    sam = as_user(world.sam)
    data = {**THREAD, "client_id": world.dana.pk, "client_msg_id": "cl-1"}
    _first(sam, data)
    r = sam.post("/api/threads", {**data, "client_id": world.eli.pk})
    assert r.status_code == 409
    assert "Rent receipt" not in r.content.decode()


def test_a_retry_shows_the_thread_as_it_is_now(world, as_user):
    dana, admin = as_user(world.dana.user), as_user(world.admin)
    data = {**THREAD, "client_msg_id": "now-1"}
    first = _first(dana, data)
    tid = first["thread"]["id"]
    assert admin.patch(f"/api/threads/{tid}", {"subject": "Receipt for May"}).status_code == 200
    r = dana.post("/api/threads", data)
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["thread"]["id"] == tid and answer["thread"]["subject"] == "Receipt for May"
    assert answer["message"]["id"] == first["message"]["id"]
    assert Thread.objects.filter(client=world.dana).count() == 1


def test_a_reply_retry_after_staff_deleted_the_message_gets_404(world, as_user):
    dana, admin = as_user(world.dana.user), as_user(world.admin)
    tid = start(dana)["thread"]["id"]
    data = {"body": "One more thing", "client_msg_id": "rep-1"}
    r = dana.post(f"/api/threads/{tid}/messages", data)
    assert r.status_code == 201
    assert admin.delete(f"/api/messages/{r.json()['message']['id']}").status_code == 204
    before = _counts()
    r = dana.post(f"/api/threads/{tid}/messages", data)
    assert r.status_code == 404
    assert "One more thing" not in r.content.decode()
    assert _counts() == before


def test_a_reply_id_reused_elsewhere_is_409(world, as_user):
    dana = as_user(world.dana.user)
    one, two = start(dana)["thread"]["id"], start(dana)["thread"]["id"]
    assert dana.post(f"/api/threads/{one}/messages",
                     {"body": "hi", "client_msg_id": "x-1"}).status_code == 201
    # The same id and body in another thread, then as a new thread.
    r = dana.post(f"/api/threads/{two}/messages", {"body": "hi", "client_msg_id": "x-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "client_msg_id_conflict"
    r = dana.post("/api/threads", {**THREAD, "body": "hi", "client_msg_id": "x-1"})
    assert r.status_code == 409
    assert Message.objects.filter(thread_id=two).count() == 1


def test_a_reply_retry_after_losing_the_thread_gets_404(world, as_user):
    sam, cara = as_user(world.sam), as_user(world.cara)
    tid = start(sam, client=world.dana)["thread"]["id"]
    data = {"body": "Following up", "client_msg_id": "lost-1"}
    assert sam.post(f"/api/threads/{tid}/messages", data).status_code == 201
    assert cara.patch(f"/api/threads/{tid}",
                      {"audience": "billing", "confirm": True}).status_code == 200
    before = _counts()
    assert sam.post(f"/api/threads/{tid}/messages", data).status_code == 404
    assert _counts() == before
