"""Deleting messages and threads: free until the client has seen it, then only the right admin."""

from server.models import AuditEntry, Message
from tests.api.helpers import badge, reply, start, thread_ids


def test_unseen_message_may_be_deleted_by_anyone_who_sees_it(world, as_user):
    sam, admin = as_user(world.sam), as_user(world.admin)
    tid = start(sam, client=world.dana, body="oops")["thread"]["id"]
    mid = reply(sam, tid, "wrong client, sorry")["id"]
    assert admin.delete(f"/api/messages/{mid}").status_code == 204
    assert Message.objects.get(pk=mid).deleted_at is not None
    # Gone from the client and the inbox view; kept for staff under the deleted state.
    dana = as_user(world.dana.user)
    assert [m["id"] for m in dana.get(f"/api/threads/{tid}").json()["messages"]] != [mid]
    assert mid not in [m["id"] for m in sam.get(f"/api/threads/{tid}").json()["messages"]]
    shown = sam.get(f"/api/threads/{tid}", state="deleted").json()["messages"]
    assert [m["deleted"] for m in shown if m["id"] == mid] == [True]
    assert thread_ids(sam, state="deleted") == [tid]
    assert AuditEntry.objects.filter(action="message.deleted", message_id=mid,
                                     actor=world.admin).count() == 1


def test_seen_message_only_practice_admin_in_administrative(world, as_user):
    sam, admin, dana = as_user(world.sam), as_user(world.admin), as_user(world.dana.user)
    tid = start(sam, client=world.dana)["thread"]["id"]
    mid = reply(sam, tid, "see you Tuesday")["id"]
    dana.get(f"/api/threads/{tid}")
    r = sam.delete(f"/api/messages/{mid}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "seen_by_client"
    assert sam.get(f"/api/threads/{tid}").json()["messages"][-1]["can_delete"] is False
    assert admin.get(f"/api/threads/{tid}").json()["messages"][-1]["can_delete"] is True
    assert admin.delete(f"/api/messages/{mid}").status_code == 204


def test_client_written_messages_count_as_seen(world, as_user):
    dana, cleo, cara = as_user(world.dana.user), as_user(world.cleo), as_user(world.cara)
    tid = start(dana, "clinical", body="I had a hard week")["thread"]["id"]
    mid = dana.get(f"/api/threads/{tid}").json()["messages"][0]["id"]
    assert cleo.delete(f"/api/messages/{mid}").json()["error"]["code"] == "seen_by_client"
    assert cara.delete(f"/api/messages/{mid}").status_code == 204


def test_practice_admin_cannot_reach_billing_threads(world, as_user):
    bill, admin = as_user(world.bill), as_user(world.admin)
    tid = start(bill, "billing", client=world.dana)["thread"]["id"]
    mid = reply(bill, tid, "Invoice attached")["id"]
    as_user(world.dana.user).get(f"/api/threads/{tid}")
    assert admin.delete(f"/api/messages/{mid}").status_code == 404
    assert admin.delete(f"/api/threads/{tid}").status_code == 404
    assert bill.delete(f"/api/messages/{mid}").json()["error"]["code"] == "seen_by_client"


def test_clients_cannot_delete(world, as_user):
    dana = as_user(world.dana.user)
    created = start(dana)
    r = dana.delete(f"/api/messages/{created['message']['id']}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    assert dana.delete(f"/api/threads/{created['thread']['id']}").status_code == 403


def test_deleting_a_thread_needs_the_right_to_delete_every_message(world, as_user):
    sam, admin, dana = as_user(world.sam), as_user(world.admin), as_user(world.dana.user)
    tid = start(dana, body="client wrote this")["thread"]["id"]
    r = sam.delete(f"/api/threads/{tid}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "seen_by_client"
    assert Message.objects.filter(thread_id=tid, deleted_at__isnull=True).count() == 1
    assert admin.delete(f"/api/threads/{tid}").status_code == 204
    assert Message.objects.filter(thread_id=tid, deleted_at__isnull=True).count() == 0
    assert thread_ids(dana) == [] and dana.get(f"/api/threads/{tid}").status_code == 404
    assert AuditEntry.objects.filter(action="thread.deleted", thread_id=tid).count() == 1


def test_deleted_messages_leave_the_badge(world, as_user):
    dana, cara = as_user(world.dana.user), as_user(world.cara)
    tid = start(cara, "clinical", client=world.dana, body="first")["thread"]["id"]
    mid = reply(cara, tid, "second")["id"]
    assert badge(dana) == 2
    cara.delete(f"/api/messages/{mid}")
    assert badge(dana) == 1


def test_deleting_twice_is_gone(world, as_user):
    sam = as_user(world.sam)
    created = start(sam, client=world.dana)
    mid = created["message"]["id"]
    assert sam.delete(f"/api/messages/{mid}").status_code == 204
    r = sam.delete(f"/api/messages/{mid}")
    assert r.status_code == 410 and r.json()["error"]["code"] == "message_deleted"
    assert sam.delete(f"/api/threads/{created['thread']['id']}").status_code == 204
    assert sam.delete(f"/api/threads/{created['thread']['id']}").status_code == 410
