"""The sweep over replay: for every event type, after each kind of change, what `resume` from
the start of the log replays is what a fresh `GET /api/threads/{id}` shows the same user now —
no deleted text, the current header, nothing about a thread they no longer see.

Replay here is `server.live.replay.replay` with the Person the socket held *before* the change
(a socket's facts can be stale when it resumes), and frames made by `render.frame_for`, as the
consumer makes them."""

import pytest
from django.db.models import Min

from server.facts import person_for
from server.live.declared import SENT
from server.live.render import frame_for
from server.live.replay import replay
from server.models import AuditEntry, Client, Event, Message, StaffRole
from tests.api.helpers import reply, start

pytestmark = pytest.mark.django_db

HEADER = ("id", "client", "audience", "topic", "subject", "created_at", "last_message_at",
          "deleted")


def baseline(world, as_user):
    """Threads that between them log every event type; returns their ids by name."""
    dana, cleo, sam, cara = (as_user(u) for u in (world.dana.user, world.cleo, world.sam,
                                                    world.cara))
    a = start(dana, "administrative", "Can we move Thursday?", subject="Scheduling")
    a_id = a["thread"]["id"]
    reply(cleo, a_id, "Friday works.")
    assert dana.get(f"/api/threads/{a_id}").status_code == 200  # receipts, dana's read state
    assert sam.post(f"/api/threads/{a_id}/archive").status_code == 200
    assert sam.post(f"/api/messages/{a['message']['id']}/unread").status_code == 200
    c_id = start(cleo, "clinical", "The breathing exercise.", client=world.dana,
                 subject="Exercise")["thread"]["id"]
    oops = reply(cleo, c_id, "Sent to the wrong client")
    assert cleo.delete(f"/api/messages/{oops['id']}").status_code == 204
    b_id = start(cleo, "billing", "Your statement.", client=world.dana,
                 subject="Statement")["thread"]["id"]
    assert cleo.patch(f"/api/threads/{b_id}", {"audience": "clinical",
                                               "confirm": True}).status_code == 200
    d_id = start(cara, "administrative", "Not needed.", client=world.dana)["thread"]["id"]
    assert cara.delete(f"/api/threads/{d_id}").status_code == 204
    assert cara.post(f"/api/threads/{b_id}/urgent").status_code == 200  # thread.urgent
    assert set(Event.objects.values_list("type", flat=True)) >= SENT
    return {"a": a_id, "b": b_id, "c": c_id, "d": d_id}


def delete_a_message(world, as_user, ids):
    seen = Message.objects.filter(thread_id=ids["a"], author=world.cleo).get()
    assert as_user(world.admin).delete(f"/api/messages/{seen.pk}").status_code == 204


def delete_a_thread(world, as_user, ids):
    assert as_user(world.cara).delete(f"/api/threads/{ids['c']}").status_code == 204


def change_the_audience(world, as_user, ids):
    assert as_user(world.cleo).patch(f"/api/threads/{ids['a']}", {
        "audience": "clinical", "confirm": True}).status_code == 200


def edit_the_header(world, as_user, ids):
    for key in ("a", "b"):
        assert as_user(world.cleo).patch(f"/api/threads/{ids[key]}",
                                         {"subject": "Renamed"}).status_code == 200


def unassign(world, as_user, ids):
    assert as_user(world.admin).put(f"/api/clients/{world.dana.pk}/clinicians",
                                    {"clinicians": []}).status_code == 200


def lose_a_role(world, as_user, ids):
    assert as_user(world.admin).put(f"/api/staff/{world.sam.pk}/roles",
                                    {"roles": []}).status_code == 200


def lose_a_role_in_a_shell(world, as_user, ids):
    # No action, no `access.changed` row: the replay itself must re-check.
    StaffRole.objects.filter(user__in=[world.sam, world.cleo]).delete()


def unlink_the_portal_account(world, as_user, ids):
    Client.objects.filter(pk=world.dana.pk).update(user=None)


def switch_the_portal_off(world, as_user, ids):
    assert as_user(world.admin).put("/api/practice", {"portal_enabled": False}).status_code == 200


CHANGES = [delete_a_message, delete_a_thread, change_the_audience, edit_the_header, unassign,
           lose_a_role, lose_a_role_in_a_shell, unlink_the_portal_account, switch_the_portal_off]


def plain(obj):
    """`obj` with its moments to the millisecond (the HTTP schema writes them so)."""
    if isinstance(obj, dict):
        return {k: (v[:23] if k.endswith(("_at", "since")) and isinstance(v, str) else plain(v))
                for k, v in obj.items()}
    return obj


def replayed(person, after) -> list | None:
    result = replay(person, after)
    return None if result is None else [frame_for(e, person) for e in result.envelopes]


def assert_replay_shows_what_a_fetch_shows(frames, api, staff: bool):
    fetched = {}
    for frame in frames:
        thread_id = frame.get("thread_id") or frame["thread"]["id"]
        if thread_id not in fetched:
            r = api.get(f"/api/threads/{thread_id}")
            fetched[thread_id] = r.json() if r.status_code == 200 else None
        now = fetched[thread_id]
        if now is None:
            # A thread the user cannot see: at most the news that it went.
            assert frame["type"] == "thread.removed", frame
            continue
        if "thread" in frame:
            # (`match` belongs to a search's summaries only.)
            keys = now["thread"].keys() - {"match"} if staff else HEADER
            assert plain({k: frame["thread"][k] for k in keys}) == plain(
                {k: now["thread"][k] for k in keys})
        if frame["type"] == "message.created":
            shown = {m["id"]: m for m in now["messages"]}
            message = frame["message"]
            assert message["id"] in shown and not shown[message["id"]]["deleted"], frame
            if staff:
                assert plain(message) == plain(shown[message["id"]])
            else:
                assert message["body"] == shown[message["id"]]["body"]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_replay_from_the_start_equals_a_fresh_fetch(world, as_user, settings, change):
    settings.SEND_LIMIT_PER_MINUTE = 1000
    ids = baseline(world, as_user)
    users = [*world.staff(), world.dana.user]
    before = {user.pk: person_for(user) for user in users}
    change(world, as_user, ids)
    start_of_log = Event.objects.aggregate(first=Min("id"))["first"] - 1
    for user in users:
        frames = replayed(before[user.pk], start_of_log)
        if frames is None:
            continue  # resync_required: the client refetches, nothing replayed
        assert_replay_shows_what_a_fetch_shows(frames, as_user(user), user.kind == "staff")
        texts = [f["message"]["body"] for f in frames if f["type"] == "message.created"]
        assert "Sent to the wrong client" not in texts
    # Those who lost the client or the portal hear nothing more of its threads.
    if change in (unlink_the_portal_account, switch_the_portal_off):
        assert replayed(before[world.dana.user.pk], start_of_log) is None


def test_a_deleted_message_is_replayed_as_deleted_only(world, as_user, settings):
    settings.SEND_LIMIT_PER_MINUTE = 1000
    ids = baseline(world, as_user)
    delete_a_message(world, as_user, ids)
    frames = replayed(person_for(world.cara), Event.objects.aggregate(m=Min("id"))["m"] - 1)
    gone = Message.objects.get(thread_id=ids["a"], author=world.cleo).pk
    about = [f["type"] for f in frames if f.get("message_id") == gone
             or f.get("message", {}).get("id") == gone]
    assert about == ["message.deleted"]


def test_a_resume_that_returns_text_is_audited_by_message_id(world, as_user, settings):
    settings.SEND_LIMIT_PER_MINUTE = 1000
    baseline(world, as_user)
    frames = replayed(person_for(world.sam), Event.objects.aggregate(m=Min("id"))["m"] - 1)
    shown = [f["message"]["id"] for f in frames if f["type"] == "message.created"]
    entry = AuditEntry.objects.filter(action="messages.replayed").latest("id")
    assert shown and entry.actor_id == world.sam.pk and entry.detail["message_ids"] == shown
    assert not any(body in str(entry.detail) for body in Message.objects.values_list("body",
                                                                                      flat=True))
    # A resume with no text to return writes nothing.
    count = AuditEntry.objects.filter(action="messages.replayed").count()
    head = Event.objects.latest("id").pk
    assert replayed(person_for(world.sam), head) == []
    assert AuditEntry.objects.filter(action="messages.replayed").count() == count
