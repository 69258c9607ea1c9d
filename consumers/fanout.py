"""The fan-out: after commit, turn one event row into one *envelope* and hand it to the groups
that can reach its recipients (`rules.groups`): two group sends for a thread event, one for a
user event, whatever the number of sockets.

The envelope carries what each socket needs to decide and personalise without touching the
database: the thread's facts as they are now (`thread`), who sees it now (`viewers`), each
viewer's absolute badge (`server.badges.badges_for`, one grouped query for all of them), and the per-user parts
of a thread summary (`unread_counts`, `archived`). Everything here runs in the committing
thread, once per event — never once per socket.
"""

from dataclasses import replace

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Count

from rules import can_view
from rules.groups import portal_group, thread_groups, user_group
from server import events
from server.badges import badges_for
from server.facts import client_person, person_for, practice_staff, thread_facts
from server.models import ArchiveMark, Thread, UnreadMark, User

# Events whose payload holds a thread summary with per-user fields to fill in.
_WITH_SUMMARY = {events.MESSAGE_CREATED, events.THREAD_CREATED, events.THREAD_UPDATED}
# Events that cannot change anyone's badge.
_BADGE_NEUTRAL = {events.RECEIPT_SEEN, events.THREAD_CREATED}


def publish_events(rows) -> None:
    """Send several committed events, in order (one layer round per event)."""
    sends, staff = [], {}
    for event in rows:
        built = envelope_for(event, staff)
        if built is not None:
            sends += [(group, built[0]) for group in built[1]]
    _send(sends)


def publish_recheck(user_ids, with_supervisors: bool = False) -> None:
    ids = set(user_ids)
    if with_supervisors:
        ids |= set(User.supervises.through.objects.filter(to_user_id__in=ids)
                   .values_list("from_user_id", flat=True))
    _send([_control(user_group(uid), "cairn.recheck") for uid in sorted(ids)])


def publish_portal_switched(practice_id: int) -> None:
    _send([_control(portal_group(practice_id), "cairn.recheck")])


def publish_close(user_id: int, code: int = 4001) -> None:
    _send([_control(user_group(user_id), "cairn.close", code=code)])


def _control(group: str, kind: str, **extra) -> tuple:
    # The hub hands a control message to its sockets in `group`, so the message names it.
    return group, {"type": kind, "group": group, **extra}


def envelope_for(event, staff_cache=None):
    """(envelope, groups) for one event row, or None when it reaches nobody. `staff_cache`
    ({practice_id: staff Persons}) shares the staff lookup across events published together."""
    if event.user_id is not None:
        return _user_envelope(event)
    if event.thread_id is not None:
        return _thread_envelope(event, {} if staff_cache is None else staff_cache)
    return None


def thread_facts_dict(thread) -> dict:
    """The rules' facts of a thread, as plain data that crosses the channel layer."""
    return {"id": thread.pk, "practice_id": thread.practice_id, "client_id": thread.client_id,
            "audience": thread.audience, "deleted": thread.deleted_at is not None}


def _envelope(event, **extra) -> dict:
    return {"type": event.type, "cursor": event.pk, "payload": event.payload,
            "user_id": event.user_id, "thread": None, "viewers": [], "badges": {}, **extra}


def _thread_envelope(event, staff_cache):
    thread = (Thread.objects.select_related("practice", "client")
              .filter(pk=event.thread_id).first())
    if thread is None:
        return None
    facts = thread_facts(thread)
    # A deleted thread's removal goes to those who saw it before the deletion (its client too).
    reach = replace(facts, deleted=False) if event.type == events.THREAD_REMOVED else facts
    if thread.practice_id not in staff_cache:
        staff_cache[thread.practice_id] = practice_staff(thread.practice_id)
    viewers = [p for p in staff_cache[thread.practice_id] if can_view(p, reach)]
    client = client_person(thread.client)
    if client is not None and thread.practice.portal_enabled and can_view(client, reach):
        viewers.append(client)
    envelope = _envelope(event, thread=thread_facts_dict(thread),
                         viewers=[p.user_id for p in viewers])
    if event.type not in _BADGE_NEUTRAL:
        envelope["badges"] = badges_for(viewers)
    if event.type in _WITH_SUMMARY:
        envelope["unread_counts"], envelope["archived"] = summary_marks(thread, envelope["viewers"])
    return envelope, thread_groups(facts)


def _user_envelope(event):
    envelope = _envelope(event, viewers=[event.user_id])
    if event.type == events.ACCESS_CHANGED:
        # The socket reloads its facts and computes its own badge.
        return envelope, (user_group(event.user_id),)
    payload = event.payload or {}
    thread_id = (event.thread_id or payload.get("thread_id")
                 or (payload.get("thread") or {}).get("id"))
    thread = Thread.objects.filter(pk=thread_id).first() if thread_id else None
    if thread is not None:
        envelope["thread"] = thread_facts_dict(thread)
    person = person_for(User.objects.filter(pk=event.user_id, is_active=True).first())
    if person is not None:
        envelope["badges"] = badges_for([person])
    return envelope, (user_group(event.user_id),)


def summary_marks(thread, user_ids) -> tuple[dict, list]:
    """({str(user_id): unread in `thread`}, [user ids who archived it]) for a summary's fields."""
    rows = (UnreadMark.objects.filter(thread=thread, user_id__in=user_ids,
                                      message__deleted_at__isnull=True)
            .values("user_id").annotate(n=Count("id")))
    unread = {str(row["user_id"]): row["n"] for row in rows}
    archived = list(ArchiveMark.objects.filter(thread=thread, user_id__in=user_ids)
                    .values_list("user_id", flat=True))
    return unread, archived


def _send(sends) -> None:
    layer = get_channel_layer()
    if layer is None or not sends:
        return

    async def send_all():
        for group, message in sends:
            try:
                await layer.group_send(group, message)
            except Exception:
                # A pooled Redis connection that outlived a Redis restart fails once; a Redis
                # that is down fails again, and `events` logs it (clients catch up on resume).
                await layer.group_send(group, message)

    async_to_sync(send_all)()
