"""Rendering events from the facts as they are now, in two stages that the live fan-out
(`server.live.publish`) and `resume` (`server.live.replay`) both call — so a replayed frame is,
by construction, what a live socket would be sent now.

1. `envelopes(rows)`, per event, with the database: the thread, the message, who sees the thread
   now, and the marks and badges of those it reaches, read once for all rows together (for the
   live push: once, in the committing thread, never per socket). An event whose subject is gone
   reaches nobody: a message deleted since is never rendered with its text (its
   `message.deleted` still is).
2. `may_receive` and `frame_for`, per recipient, without the database: the access re-check
   against the recipient's current `Person`, then their unread count, archive flag, unread dot,
   delete right and badge.

An envelope is plain data (it crosses the channel layer):

    type, cursor, thread_id, user_id   the event row's (`user_id`: that user alone)
    thread         the thread's facts now: id, practice_id, client_id, audience, deleted
    viewers        the user ids it may reach
    frame          the frame's fields shared by every recipient
    unread_counts  {str(user id): unread in the thread}, archived [user ids]   (summary events)
    unread         [user ids who hold the message unread]                     (message.created)
    badges         {str(user id): absolute badge}         (live events that may change badges)
"""

from dataclasses import replace

from django.db.models import prefetch_related_objects

from rules import (MessageFacts, ThreadFacts, can_delete_message, can_message_clients,
                   can_view)
from server import readmodel
from server.facts import client_person, practice_staff
from server.live.declared import (SENT, MessageCreated, MessageDeleted, MessageReadState,
                                  ReceiptSeen, ThreadRemoved, ThreadUpdated, ThreadUrgent,
                                  declared)
from server.models import Message, Thread
from server.serialize import iso, latest_messages, message_dict, thread_dict, urgent_dict

# What a frame reads of a thread (its summary; the portal switch for its client), and of a
# message with its thread.
_THREAD_WITH = ("practice", "client", "topic", "urgent_acknowledged_by")
_MESSAGE_WITH_THREAD = ("author", *(f"thread__{name}" for name in _THREAD_WITH))

# Events whose frame carries no thread summary, and so no last message.
_NO_SUMMARY = (MessageDeleted, MessageReadState, ReceiptSeen, ThreadRemoved, ThreadUrgent)

# --- stage 1: per event ---------------------------------------------------------------------


def envelopes(rows, *, recipient=None) -> list:
    """The envelopes of event `rows` that reach anyone, in order.

    Live (`recipient` None): each reaches whoever sees its thread now (or its one user), with
    their badges; the rows share one staff lookup per practice. Replay: each is rendered for
    `recipient` alone, without badges (`resume` sends the badge once).
    """
    events = [(row, event) for row in rows
              if (event := declared(row)) is not None and event.name in SENT]
    if not events:
        return []
    # The messages with their threads in one read; the other threads in a second, if any.
    with_message = {event.message_id for _, event in events
                    if isinstance(event, (MessageCreated, ReceiptSeen))}
    messages = (Message.objects.select_related(*_MESSAGE_WITH_THREAD).in_bulk(with_message)
                if with_message else {})
    prefetch_related_objects(list(messages.values()), "attachments")
    threads = {message.thread_id: message.thread for message in messages.values()}
    missing = {event.thread_id for _, event in events} - set(threads)
    if missing:
        threads.update(Thread.objects.select_related(*_THREAD_WITH).in_bulk(missing))
    # Each summary's last message as it is now: a message read above that is its thread's
    # latest (a live message.created), else all the others in one read.
    latest = {m.thread_id: m for m in messages.values() if m.deleted_at is None
              and m.thread_id in threads and m.created_at == threads[m.thread_id].last_message_at}
    summarised = {event.thread_id for _, event in events if not isinstance(event, _NO_SUMMARY)}
    latest.update(latest_messages(summarised - set(latest)))
    staff = {}  # practice id -> its staff Persons
    built = []  # (envelope, event, the Persons it reaches)
    for row, event in events:
        thread = threads.get(event.thread_id)
        frame = _shared_frame(event, thread, messages, latest)
        if frame is None:
            continue
        viewers, people = (([recipient.user_id], [recipient]) if recipient is not None
                           else _reached(event, thread, staff))
        built.append(({"type": event.name, "cursor": row.pk, "thread_id": event.thread_id,
                       "user_id": getattr(event, "user_id", None), "thread": facts_dict(thread),
                       "viewers": viewers, "frame": frame, "badges": {}}, event, people))
    _add_marks(built)
    if recipient is None:
        _add_badges(built)
    return [envelope for envelope, _, _ in built]


def facts_dict(thread) -> dict:
    """The rules' facts of a thread, as plain data that crosses the channel layer."""
    return {"id": thread.pk, "practice_id": thread.practice_id, "client_id": thread.client_id,
            "audience": thread.audience, "deleted": thread.deleted_at is not None}


def _shared_frame(event, thread, messages, latest) -> dict | None:
    """The frame's fields that are the same for every recipient; None when it reaches nobody."""
    if thread is None:
        return None
    if isinstance(event, (MessageCreated, ReceiptSeen)):
        message = messages.get(event.message_id)
        if message is None or message.deleted_at is not None:
            return None
        if isinstance(event, MessageCreated):
            return {"thread": thread_dict(thread, last_message=latest.get(thread.pk)),
                    "message": message_dict(message)}
        return {"thread_id": thread.pk, "message_id": message.pk,
                "seen_by_client_at": iso(message.seen_by_client_at)}
    if isinstance(event, MessageDeleted):
        return {"thread_id": thread.pk, "message_id": event.message_id}
    if isinstance(event, MessageReadState):
        return {"thread_id": thread.pk, "message_ids": list(event.message_ids),
                "unread": bool(event.unread)}
    if isinstance(event, ThreadRemoved):
        return {"thread_id": thread.pk, "reason": event.reason}
    if isinstance(event, ThreadUrgent):
        return {"thread_id": thread.pk, "urgent": urgent_dict(thread)}
    return {"thread": thread_dict(thread, last_message=latest.get(thread.pk))}


def _reached(event, thread, staff) -> tuple[list, list]:
    """(user ids, their Persons) a live event reaches now: its one user, or whoever sees its
    thread (a deleted thread's removal: whoever saw it before, its client too)."""
    if thread.practice_id not in staff:
        staff[thread.practice_id] = practice_staff(thread.practice_id)
    people = staff[thread.practice_id]
    client = (client_person(thread.client)
              if can_message_clients(thread.practice.portal_enabled) else None)
    user_id = getattr(event, "user_id", None)
    if user_id is not None:
        # Their own event reaches them even when they hold no Person now (no badge then).
        found = [p for p in people + [client] if p is not None and p.user_id == user_id]
        return [user_id], found[:1]
    facts = facts_of(facts_dict(thread))
    if isinstance(event, ThreadRemoved):
        facts = replace(facts, deleted=False)
    reached = [p for p in people if can_view(p, facts)]
    if client is not None and can_view(client, facts):
        reached.append(client)
    return [p.user_id for p in reached], reached


def _add_marks(built) -> None:
    """The per-user parts of summaries and of new messages, for all envelopes at once (the read
    model's two queries)."""
    summaries = [(e, event) for e, event, _ in built if event.summary]
    if not summaries:
        return
    created = [e for e, event in summaries if isinstance(event, MessageCreated)]
    marks = readmodel.marks_for({uid for e, _ in summaries for uid in e["viewers"]},
                                {e["thread_id"] for e, _ in summaries},
                                {e["frame"]["message"]["id"] for e in created})
    for envelope, _ in summaries:
        tid = envelope["thread_id"]
        envelope["unread_counts"] = {str(uid): marks.unread_count(uid, tid)
                                     for uid in envelope["viewers"]
                                     if marks.unread_count(uid, tid)}
        envelope["archived"] = [uid for uid in envelope["viewers"]
                                if marks.is_archived(uid, tid)]
    for envelope in created:
        message_id = envelope["frame"]["message"]["id"]
        envelope["unread"] = [uid for uid in envelope["viewers"]
                              if (uid, message_id) in marks.unread_messages]


def _add_badges(built) -> None:
    """The absolute badges of those whom events that may change them reach, in one read."""
    people = {p.user_id: p for _, event, reached in built if event.badge for p in reached}
    if not people:
        return
    badges = readmodel.badges_for(list(people.values()))
    for envelope, event, reached in built:
        if event.badge:
            envelope["badges"] = {str(p.user_id): badges[str(p.user_id)] for p in reached}


# --- stage 2: per recipient -----------------------------------------------------------------


def facts_of(thread: dict) -> ThreadFacts:
    return ThreadFacts(thread["practice_id"], thread["client_id"], thread["audience"],
                       deleted=bool(thread["deleted"]))


def may_receive(envelope, person, hidden: dict) -> bool:
    """Whether `person` may hear of `envelope` now.

    `hidden` maps thread ids to the cursor at which this socket was told it lost the thread:
    anything older about that thread, still in flight, is dropped.
    """
    uid = person.user_id
    # Both the audience when rendered and the socket's own, current facts must allow it.
    if uid not in envelope.get("viewers", ()):
        return False
    removed = envelope["type"] == ThreadRemoved.name
    if envelope.get("user_id") is not None:
        if envelope["user_id"] != uid:
            return False
        # Being told you lost a thread is always allowed: it names a thread you saw.
        if not removed and not can_view(person, facts_of(envelope["thread"])):
            return False
    else:
        facts = facts_of(envelope["thread"])
        # A deleted thread's removal reaches those who saw it before the deletion.
        if removed:
            facts = replace(facts, deleted=False)
        if not can_view(person, facts):
            return False
    thread_id = envelope["thread_id"]
    return not (thread_id in hidden and hidden[thread_id] > envelope["cursor"])


def frame_for(envelope, person) -> dict:
    """The frame `person` gets for `envelope` (call `may_receive` first)."""
    frame = {"type": envelope["type"], "cursor": envelope["cursor"], **envelope["frame"]}
    uid = person.user_id
    facts = facts_of(envelope["thread"])
    if "unread_counts" in envelope:
        frame["thread"] = {**frame["thread"],
                           "unread_count": envelope["unread_counts"].get(str(uid), 0),
                           "archived": uid in envelope["archived"]}
        if person.is_client:
            frame["thread"]["urgent"] = None  # the staff's triage, never shown to clients
    if envelope["type"] == MessageCreated.name:
        message = frame["message"]
        seen = MessageFacts(message["author"]["kind"], message["seen_by_client_at"] is not None,
                            deleted=message["deleted"])
        frame["message"] = {**message, "unread": uid in envelope["unread"],
                            "can_delete": can_delete_message(person, facts, seen)}
    elif envelope["type"] == ReceiptSeen.name:
        # A staff message the client has now seen: the delete right may have narrowed.
        frame["can_delete"] = can_delete_message(person, facts,
                                                 MessageFacts("staff", seen_by_client=True))
    return frame


def badge_of(envelope, person) -> int | None:
    """`person`'s absolute badge carried by `envelope`, if it carries one."""
    return envelope["badges"].get(str(person.user_id))


def removed_frame(thread_id: int, cursor: int) -> dict:
    """`thread.removed` for a thread a socket's user no longer sees (found by a reload)."""
    return {"type": ThreadRemoved.name, "cursor": cursor, "thread_id": thread_id,
            "reason": "access"}


def gained_frame(summary: dict, cursor: int) -> dict:
    """`thread.updated` for a thread a socket's user sees since a reload (`summary` theirs)."""
    return {"type": ThreadUpdated.name, "cursor": cursor, "thread": summary}


def badge_frame(unread: int, cursor: int) -> dict:
    return {"type": "badge", "cursor": cursor, "unread": unread}
