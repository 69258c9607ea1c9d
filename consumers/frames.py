"""What one socket receives of one envelope: the access re-check and the per-user fields.

Plain functions over the envelope (`consumers.fanout`) and the socket's current `rules.Person`:
no database, so a fan-out costs no query per socket.

Frames sent to clients (SPEC §3), each with `type` and `cursor`:

    message.created   {thread: summary, message}
    message.deleted   {thread_id, message_id}
    message.read_state {thread_id, message_ids, unread}       your own marks, on all your devices
    receipt.seen      {thread_id, message_id, seen_by_client_at, can_delete}
    thread.created    {thread: summary}
    thread.updated    {thread: summary}
    thread.removed    {thread_id, reason: "deleted" | "access"}
    thread.urgent     {thread_id, urgent}                        clinical staff who see it
    badge             {unread}
"""

from dataclasses import replace
from typing import TypedDict

from rules import MessageFacts, ThreadFacts, can_delete_message, can_view
from server import events


class Envelope(TypedDict):
    """One event on its way through the channel layer (built by `consumers.fanout`)."""

    type: str             # the event type; also the consumer handler's name
    cursor: int           # the event's id in the log
    payload: dict         # the event's neutral payload, as recorded
    user_id: int | None   # set for a user event: that user alone
    thread: dict | None   # the thread's facts at publish time (`fanout.thread_facts_dict`)
    viewers: list         # user ids that saw the thread at publish time
    badges: dict          # {str(user_id): absolute unread}, for those whose badge may have changed


def facts_of(thread: dict) -> ThreadFacts:
    return ThreadFacts(thread["practice_id"], thread["client_id"], thread["audience"],
                       deleted=bool(thread["deleted"]))


def thread_id_of(envelope) -> int | None:
    if envelope.get("thread"):
        return envelope["thread"]["id"]
    payload = envelope.get("payload") or {}
    return payload.get("thread_id") or (payload.get("thread") or {}).get("id")


def may_receive(envelope, person, hidden: dict) -> bool:
    """Whether `person` may hear of `envelope` now.

    `hidden` maps thread ids to the cursor at which this socket was told it lost the thread:
    anything older about that thread, still in flight, is dropped.
    """
    uid = person.user_id
    kind = envelope["type"]
    # Both the audience at publish time and the socket's own, current facts must allow it.
    if uid not in envelope.get("viewers", ()):
        return False
    thread = envelope.get("thread")
    if envelope.get("user_id") is not None:
        if envelope["user_id"] != uid:
            return False
        # Being told you lost a thread is always allowed: it names a thread you saw.
        if kind == events.THREAD_REMOVED:
            return True
        if thread is not None and not can_view(person, facts_of(thread)):
            return False
    else:
        if thread is None:
            return False
        facts = facts_of(thread)
        # A deleted thread's removal reaches those who saw it before the deletion.
        if kind == events.THREAD_REMOVED:
            facts = replace(facts, deleted=False)
        if not can_view(person, facts):
            return False
    thread_id = thread_id_of(envelope)
    return not (thread_id in hidden and hidden[thread_id] > envelope["cursor"])


def frame_for(envelope, person) -> dict:
    """The frame `person` gets for `envelope` (call `may_receive` first)."""
    payload = envelope.get("payload") or {}
    frame = {"type": envelope["type"], "cursor": envelope["cursor"], **payload}
    key = str(person.user_id)
    thread = envelope.get("thread")
    if isinstance(payload.get("thread"), dict) and envelope.get("user_id") is None:
        frame["thread"] = {**payload["thread"],
                           "unread_count": envelope.get("unread_counts", {}).get(key, 0),
                           "archived": person.user_id in envelope.get("archived", ())}
        if thread is not None:
            # The summary was written when the event was; the facts were read after commit.
            frame["thread"].update(audience=thread["audience"], deleted=bool(thread["deleted"]))
    if person.is_client and isinstance(frame.get("thread"), dict):
        frame["thread"] = {**frame["thread"], "urgent": None}  # staff triage, not for clients
    if envelope["type"] == events.MESSAGE_CREATED and isinstance(payload.get("message"), dict):
        frame["message"] = _message_for(payload["message"], person, thread)
    elif envelope["type"] == events.RECEIPT_SEEN and thread is not None:
        # A staff message the client has now seen: the delete right may have narrowed.
        frame["can_delete"] = can_delete_message(person, facts_of(thread),
                                                 MessageFacts("staff", seen_by_client=True))
    return frame


def _message_for(message: dict, person, thread: dict | None) -> dict:
    author = message.get("author") or {}
    # An automatic reply is unread for no one.
    mine = author.get("id") == person.user_id or author.get("kind") == "system"
    can_delete = False
    if thread is not None:
        facts = MessageFacts(author.get("kind", "staff"),
                             seen_by_client=message.get("seen_by_client_at") is not None,
                             deleted=bool(message.get("deleted")))
        can_delete = can_delete_message(person, facts_of(thread), facts)
    return {**message, "unread": not mine, "can_delete": can_delete}


def badge_of(envelope, person) -> int | None:
    """`person`'s absolute badge carried by `envelope`, if it carries one."""
    return (envelope.get("badges") or {}).get(str(person.user_id))
