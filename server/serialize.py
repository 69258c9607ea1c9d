"""The API's shapes of a thread summary and a message (SPEC §3), shared by HTTP and events."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from rules import can_delete_message
from server.facts import message_facts, thread_facts
from server.models import ArchiveMark, Message, Thread, UnreadMark

PREVIEW_CHARS = 120
UNKNOWN = object()  # thread_dict's `last_message` when the caller did not fetch it


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def latest_messages(thread_ids) -> dict:
    """{thread id: its latest message not deleted, with its author} for many threads in two
    queries (one index probe per thread), whatever the page size."""
    latest = Subquery(Message.objects.filter(thread=OuterRef("pk"), deleted_at__isnull=True)
                      .order_by("-created_at", "-id").values("pk")[:1])
    ids = [pk for pk in Thread.objects.filter(pk__in=list(thread_ids)).annotate(last=latest)
           .values_list("last", flat=True) if pk is not None]
    return {m.thread_id: m for m in Message.objects.filter(pk__in=ids).select_related("author")}


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
    }


def author_dict(user) -> dict:
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
    }


def with_user_marks(threads, user_id):
    """Annotate a thread queryset with `user_id`'s unread count and archive flag."""
    return threads.annotate(
        unread_count=Count("unread_marks", filter=Q(unread_marks__user_id=user_id,
                                                    unread_marks__message__deleted_at__isnull=True)),
        archived=Exists(ArchiveMark.objects.filter(thread=OuterRef("pk"), user_id=user_id)),
    )


def thread_for(person, thread) -> dict:
    """A single thread's summary as `person` sees it (two small queries)."""
    unread = UnreadMark.objects.filter(user_id=person.user_id, thread=thread,
                                       message__deleted_at__isnull=True).count()
    archived = ArchiveMark.objects.filter(user_id=person.user_id, thread=thread).exists()
    return thread_dict(thread, unread_count=unread, archived=archived)


def messages_for(person, thread, messages) -> list[dict]:
    """`messages` of `thread` as `person` sees them: their unread dots and delete rights."""
    unread_ids = set(UnreadMark.objects.filter(user_id=person.user_id, thread=thread)
                     .values_list("message_id", flat=True))
    facts = thread_facts(thread)
    return [message_dict(m, unread=m.pk in unread_ids,
                         can_delete=can_delete_message(person, facts, message_facts(m)))
            for m in messages]
