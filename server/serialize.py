"""The API's shapes of a thread summary and a message (SPEC §3), shared by HTTP and the live
frames (`server.live.render`). Per-user fields come from the read model (`server.readmodel`)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, Subquery, prefetch_related_objects

from rules import can_delete_message
from server import readmodel
from server.facts import message_facts, thread_facts
from server.models import Message, Thread

PREVIEW_CHARS = 120
UNKNOWN = object()  # thread_dict's `last_message` when the caller did not fetch it


def iso(moment):
    """A time as the HTTP answers write it (milliseconds, "Z"), so that a frame and a fetch of
    the same summary are equal and sort alike (the pages order rows by comparing these strings)."""
    return DjangoJSONEncoder().default(moment) if moment else None


def latest_messages(thread_ids) -> dict:
    """{thread id: its latest message not deleted, with its author} for many threads in one
    query (one index probe per thread), whatever the page size."""
    thread_ids = list(thread_ids)
    if not thread_ids:
        return {}
    latest = Subquery(Message.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True)
                      .order_by("-created_at", "-id").values("pk")[:1])
    last_ids = Thread.objects.filter(pk__in=thread_ids).annotate(last=latest).values("last")
    return {m.thread_id: m for m in Message.objects.filter(pk__in=last_ids).select_related("author")}


def last_message_dict(message) -> dict | None:
    """Who wrote last and the start of what they wrote, on one line (the list's preview)."""
    if message is None:
        return None
    text = " ".join(message.body.split())
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS - 1].rstrip() + "…"
    return {"author": author_dict(message.author), "preview": text}


def thread_dict(thread, *, unread_count: int = 0, archived: bool = False,
                last_message=UNKNOWN) -> dict:
    """A thread summary. `last_message`: the thread's latest message not deleted (or None), when
    the caller has it (a listing passes it from latest_messages); else one query fetches it."""
    if last_message is UNKNOWN:
        last_message = latest_messages([thread.pk]).get(thread.pk)
    return {
        "id": thread.pk,
        "client": {"id": thread.client_id, "name": thread.client.name},
        "audience": thread.audience,
        "topic": {"id": thread.topic_id, "name": thread.topic.name} if thread.topic_id else None,
        "subject": thread.subject,
        "created_at": iso(thread.created_at),
        "last_message_at": iso(thread.last_message_at),
        "unread_count": unread_count,
        "archived": archived,
        "deleted": thread.deleted_at is not None,
        "last_message": last_message_dict(last_message),
        "urgent": urgent_dict(thread),
    }


def urgent_dict(thread) -> dict | None:
    """The thread's urgency (SPEC §4), or None. Staff triage: clients are shown None
    (`for_client`)."""
    if thread.urgent_since is None:
        return None
    owner = thread.urgent_acknowledged_by if thread.urgent_acknowledged_by_id else None
    return {
        "reason": thread.urgent_reason,
        "since": iso(thread.urgent_since),
        "acknowledged_by": {"id": owner.pk, "name": owner.display_name} if owner else None,
        "acknowledged_at": iso(thread.urgent_acknowledged_at),
    }


def for_client(summary: dict) -> dict:
    """A thread summary as a client sees it: without the staff's urgency triage."""
    return {**summary, "urgent": None}


SYSTEM_AUTHOR = {"id": None, "name": "Automatic reply", "kind": "system"}


def author_dict(user) -> dict:
    """The author of a message; an automatic reply has none (SYSTEM_AUTHOR)."""
    if user is None:
        return dict(SYSTEM_AUTHOR)
    return {"id": user.pk, "name": user.display_name, "kind": user.kind}


def message_dict(message, *, unread: bool = False, can_delete: bool = False) -> dict:
    return {
        "id": message.pk,
        "thread_id": message.thread_id,
        "author": author_dict(message.author),
        "body": message.body,
        "created_at": iso(message.created_at),
        "unread": unread,
        "seen_by_client_at": iso(message.seen_by_client_at),
        "deleted": message.deleted_at is not None,
        "can_delete": can_delete,
        "attachments": [attachment_dict(a) for a in message.attachments.all()],
    }


def attachment_dict(attachment) -> dict:
    return {"id": attachment.pk, "name": attachment.name, "size": attachment.size,
            "content_type": attachment.content_type}


def thread_for(person, thread, *, last_message=UNKNOWN) -> dict:
    """A single thread's summary as `person` sees it (two small queries; a third for its last
    message unless the caller has it)."""
    marks = readmodel.marks_for([person.user_id], [thread.pk])
    summary = thread_dict(thread, unread_count=marks.unread_count(person.user_id, thread.pk),
                          archived=marks.is_archived(person.user_id, thread.pk),
                          last_message=last_message)
    return for_client(summary) if person.is_client else summary


def messages_for(person, thread, messages) -> list[dict]:
    """`messages` of `thread` as `person` sees them: their unread dots and delete rights."""
    messages = list(messages)
    prefetch_related_objects(messages, "attachments")
    unread_ids = readmodel.unread_in(person.user_id, thread)
    facts = thread_facts(thread)
    return [message_dict(m, unread=m.pk in unread_ids,
                         can_delete=can_delete_message(person, facts, message_facts(m)))
            for m in messages]
