"""A send retried with the same client_msg_id returns the first message instead of a second."""

from server.models import Message, Thread
from tests.api.helpers import start


def test_same_client_msg_id_returns_the_first_message(world, as_user):
    dana = as_user(world.dana.user)
    tid = start(dana)["thread"]["id"]
    first = dana.post(f"/api/threads/{tid}/messages", {"body": "hi", "client_msg_id": "abc-1"})
    again = dana.post(f"/api/threads/{tid}/messages", {"body": "hi", "client_msg_id": "abc-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert Message.objects.filter(thread_id=tid).count() == 2


def test_same_id_with_another_body_is_a_conflict(world, as_user):
    dana = as_user(world.dana.user)
    tid = start(dana)["thread"]["id"]
    dana.post(f"/api/threads/{tid}/messages", {"body": "hi", "client_msg_id": "abc-2"})
    r = dana.post(f"/api/threads/{tid}/messages", {"body": "bye", "client_msg_id": "abc-2"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "client_msg_id_conflict"
    assert Message.objects.filter(thread_id=tid).count() == 2


def test_new_thread_retry_returns_the_first_thread(world, as_user):
    dana = as_user(world.dana.user)
    data = {"audience": "administrative", "subject": "Hi", "body": "x", "client_msg_id": "t-1"}
    first = dana.post("/api/threads", data)
    again = dana.post("/api/threads", data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["thread"]["id"] == first.json()["thread"]["id"]
    assert Thread.objects.filter(client=world.dana).count() == 1


def test_ids_are_per_author(world, as_user):
    dana, sam = as_user(world.dana.user), as_user(world.sam)
    tid = start(dana)["thread"]["id"]
    a = dana.post(f"/api/threads/{tid}/messages", {"body": "hi", "client_msg_id": "same"})
    b = sam.post(f"/api/threads/{tid}/messages", {"body": "hi", "client_msg_id": "same"})
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["message"]["id"] != b.json()["message"]["id"]
