"""The per-socket decision, as plain data: both the publish-time audience and the socket's own
current facts must allow an envelope; a removal outranks older news of the same thread."""

from rules import Person
from server.live.render import frame_for, may_receive

SAM = Person(1, 10, "staff", frozenset({"scheduler"}))
BILL = Person(2, 10, "staff", frozenset({"biller"}))
CLEO = Person(3, 10, "staff", frozenset({"clinician"}), assigned_client_ids=frozenset({7}))
DANA = Person(4, 10, "client", client_id=7)
ADMIN_THREAD = {"id": 50, "practice_id": 10, "client_id": 7, "audience": "administrative",
                "deleted": False}


def envelope(kind="message.created", cursor=100, thread=ADMIN_THREAD, viewers=(1, 3, 4),
             user_id=None, frame=None):
    return {"type": kind, "cursor": cursor, "thread_id": thread["id"], "user_id": user_id,
            "thread": thread, "viewers": list(viewers), "badges": {},
            "frame": frame or {"thread_id": thread["id"]}}


def test_a_viewer_at_publish_time_who_sees_it_now_receives_it():
    assert may_receive(envelope(), SAM, {})
    assert may_receive(envelope(), CLEO, {})
    assert may_receive(envelope(), DANA, {})


def test_not_among_the_viewers_at_publish_time():
    assert not may_receive(envelope(viewers=(3,)), SAM, {})


def test_among_the_viewers_but_the_socket_no_longer_sees_it():
    lost_role = Person(1, 10, "staff", frozenset())
    assert not may_receive(envelope(), lost_role, {})
    other_practice = Person(1, 11, "staff", frozenset({"scheduler"}))
    assert not may_receive(envelope(), other_practice, {})


def test_an_older_event_about_a_thread_removed_from_this_socket_is_dropped():
    hidden = {50: 120}
    assert not may_receive(envelope(cursor=110), SAM, hidden)
    assert may_receive(envelope(cursor=130), SAM, hidden)


def test_user_events_reach_only_their_user_and_still_need_the_thread():
    mine = envelope("message.read_state", user_id=1, viewers=(1,))
    assert may_receive(mine, SAM, {})
    assert not may_receive(mine, BILL, {})
    billing = {**ADMIN_THREAD, "audience": "billing"}
    assert not may_receive(envelope("message.read_state", user_id=1, viewers=(1,), thread=billing),
                           SAM, {})


def test_a_lost_access_removal_is_always_delivered_to_its_user():
    billing = {**ADMIN_THREAD, "audience": "billing"}
    removed = envelope("thread.removed", user_id=1, viewers=(1,), thread=billing,
                       frame={"thread_id": 50, "reason": "access"})
    assert may_receive(removed, SAM, {})


def test_a_deleted_thread_removal_reaches_its_client():
    deleted = {**ADMIN_THREAD, "deleted": True}
    removed = envelope("thread.removed", thread=deleted, frame={"thread_id": 50,
                                                                "reason": "deleted"})
    assert may_receive(removed, DANA, {})
    # But nothing else about a deleted thread does.
    assert not may_receive(envelope("message.deleted", thread=deleted), DANA, {})


def test_personal_fields():
    message = {"id": 9, "thread_id": 50, "author": {"id": 4, "name": "Dana", "kind": "client"},
               "body": "hi", "created_at": "t", "unread": False, "seen_by_client_at": None,
               "deleted": False, "can_delete": False}
    summary = {"id": 50, "audience": "administrative", "unread_count": 0, "archived": False,
               "deleted": False}
    env = envelope(frame={"thread": summary, "message": message})
    env.update(unread_counts={"1": 3}, archived=[3], unread=[1, 3])
    sam = frame_for(env, SAM)
    assert sam["message"]["unread"] is True and sam["message"]["can_delete"] is False
    assert sam["thread"]["unread_count"] == 3 and sam["thread"]["archived"] is False
    cleo = frame_for(env, CLEO)
    assert cleo["thread"]["unread_count"] == 0 and cleo["thread"]["archived"] is True
    # Dana's own message: not unread for her, and clients never delete.
    dana = frame_for(env, DANA)
    assert dana["message"]["unread"] is False and dana["message"]["can_delete"] is False
    assert env["frame"]["message"]["unread"] is False  # the envelope itself is not changed
