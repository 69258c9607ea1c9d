"""Every HTTP answer that carries message text is audited (issue 12, item 7): a sweep over the
endpoints a signed-in user can call on a thread, checking each answer that holds the text against
the audit rows the same request wrote. Marking a message read or unread answers without text."""

import pytest

from server.models import AuditEntry
from tests.api.helpers import reply, start

SECRET = "I have not slept since the accident"
# The audit actions that stand for a read of message text, or for writing it.
TEXT_ROWS = {"thread.viewed", "thread.exported", "message.viewed", "thread.created",
             "message.sent", "threads.listed", "thread.previewed"}


def _calls(thread_id, message_id):
    return [
        ("get", "/api/threads", {}), ("get", "/api/threads", {"state": "all"}),
        ("get", "/api/threads", {"state": "unread"}), ("get", "/api/threads", {"state": "deleted"}),
        ("get", f"/api/threads/{thread_id}", {}),
        ("get", f"/api/threads/{thread_id}", {"state": "deleted"}),
        ("post", f"/api/messages/{message_id}/unread", None),
        ("post", f"/api/messages/{message_id}/read", None),
        ("post", f"/api/threads/{thread_id}/unread", None),
        ("post", f"/api/threads/{thread_id}/read", None),
        ("post", f"/api/threads/{thread_id}/archive", None),
        ("post", f"/api/threads/{thread_id}/unarchive", None),
        ("patch", f"/api/threads/{thread_id}", {"subject": "Sleep"}),
        ("get", "/api/badge", {}), ("get", "/api/me", {}), ("get", "/api/audit", {}),
    ]


@pytest.mark.parametrize("who", ["cara", "dana"])
def test_every_answer_with_message_text_writes_an_audit_row(world, as_user, who):
    user = world.dana.user if who == "dana" else getattr(world, who)
    api, cara = as_user(user), as_user(world.cara)
    thread_id = start(cara, audience="administrative", client=world.dana)["thread"]["id"]
    message_id = reply(as_user(world.dana.user), thread_id, body=SECRET)["id"]
    shown = 0
    for method, path, data in _calls(thread_id, message_id):
        before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        r = api.get(path, **data) if method == "get" else getattr(api, method)(path, data)
        if r.status_code >= 400:
            continue  # refused (a client editing a header, reading the audit log): no text
        rows = set(AuditEntry.objects.filter(id__gt=before, actor=user)
                   .values_list("action", flat=True))
        if SECRET in r.content.decode():
            shown += 1
            assert rows & TEXT_ROWS, f"{method} {path} returned message text without audit"
    assert shown >= 1  # the thread view, at least, shows it


@pytest.mark.parametrize("how", ["read", "unread"])
def test_marking_a_message_answers_without_its_text(world, as_user, how):
    cara, dana = as_user(world.cara), as_user(world.dana.user)
    thread_id = start(cara, client=world.dana)["thread"]["id"]
    message_id = reply(dana, thread_id, body=SECRET)["id"]
    r = cara.post(f"/api/messages/{message_id}/{how}")
    assert r.status_code == 200, r.content
    assert r.json() == {"message": {"id": message_id, "thread_id": thread_id,
                                    "unread": how == "unread"}}
    opened = cara.get(f"/api/threads/{thread_id}").json()["messages"]
    assert [m["unread"] for m in opened if m["id"] == message_id] == [how == "unread"]


def test_a_replayed_send_is_audited_as_a_read(world, as_user):
    dana = as_user(world.dana.user)
    thread_id = start(dana)["thread"]["id"]
    data = {"body": SECRET, "client_msg_id": "audit-1"}
    assert dana.post(f"/api/threads/{thread_id}/messages", data).status_code == 201
    r = dana.post(f"/api/threads/{thread_id}/messages", data)
    assert r.status_code == 200 and SECRET in r.content.decode()
    row = AuditEntry.objects.filter(action="message.viewed").latest("id")
    assert (row.actor_id, row.message_id, row.detail) == (world.dana.user.pk,
                                                           r.json()["message"]["id"],
                                                           {"retry": True})
    assert row.ip == "127.0.0.1"
