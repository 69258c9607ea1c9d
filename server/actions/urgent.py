"""Urgent threads (docs/SAFETY.md): crisis language on arrival, marking, acknowledging, clearing.

Everything runs inside the caller's transaction: the urgency, its events, audit entries and
emails commit with the message or action that caused them, or not at all.
"""

from django.utils import timezone

from rules.crisis import crisis_signal
from rules.urgency import CRISIS_LANGUAGE, STAFF, is_alerted, is_escalated_to
from server import events
from server.audit import audit
from server.facts import practice_staff, thread_facts
from server.notify.urgent import queue_urgent
from server.serialize import thread_dict, urgent_dict


def is_open(thread) -> bool:
    """Urgent and nobody owns it yet."""
    return thread.urgent_since is not None and thread.urgent_acknowledged_at is None


def check_crisis(thread, message) -> bool:
    """Run the crisis check over a client's new message; when it fires, make the thread urgent.
    Returns whether it fired. The message itself is never touched."""
    signal = crisis_signal(message.body)
    if signal is None:
        return False
    if not is_open(thread):
        _make_urgent(thread, CRISIS_LANGUAGE, by_user_id=message.author_id)
    # The category names the kind of risk, never the words (docs/SAFETY.md).
    audit(None, "thread.crisis_language", actor=message.author, thread_id=thread.pk,
          message_id=message.pk, client_id=thread.client_id, category=signal.category,
          denied=signal.denied)
    return True


def do_mark_urgent(person, thread, *, request=None):
    """Staff mark `thread` urgent; already urgent and unowned, nothing changes."""
    if is_open(thread):
        return thread
    _make_urgent(thread, STAFF, by_user_id=person.user_id)
    audit(request, "thread.marked_urgent", thread_id=thread.pk, client_id=thread.client_id)
    return thread


def do_acknowledge(person, user, thread, *, request=None):
    """`user` owns the urgent `thread` from now on; its escalation will not go out. Acknowledging
    an owned or a calm thread changes nothing."""
    if not is_open(thread):
        return thread
    thread.urgent_acknowledged_by = user
    thread.urgent_acknowledged_at = timezone.now()
    thread.save(update_fields=["urgent_acknowledged_by", "urgent_acknowledged_at"])
    _updated(thread)
    audit(request, "thread.urgent_acknowledged", thread_id=thread.pk, client_id=thread.client_id)
    return thread


def do_clear_urgent(person, thread, *, request=None):
    """Staff judge the urgency a false alarm (or over): the thread is calm again."""
    if thread.urgent_since is None:
        return thread
    reason = thread.urgent_reason
    thread.urgent_reason = ""
    thread.urgent_since = thread.urgent_acknowledged_at = thread.urgent_acknowledged_by = None
    thread.save(update_fields=["urgent_reason", "urgent_since", "urgent_acknowledged_at",
                               "urgent_acknowledged_by"])
    _updated(thread)
    audit(request, "thread.urgent_cleared", thread_id=thread.pk, client_id=thread.client_id,
          reason=reason)
    return thread


def _make_urgent(thread, reason: str, *, by_user_id) -> None:
    """Set the urgency; alert the clinical staff who see the thread (live and by email, the one
    who caused it excepted) and queue the escalation for them and every clinical admin."""
    thread.urgent_reason = reason
    thread.urgent_since = timezone.now()
    thread.urgent_acknowledged_by = thread.urgent_acknowledged_at = None
    thread.save(update_fields=["urgent_reason", "urgent_since", "urgent_acknowledged_at",
                               "urgent_acknowledged_by"])
    facts = thread_facts(thread)
    staff = practice_staff(thread.practice_id)
    alerted = [p.user_id for p in staff if is_alerted(p, facts) and p.user_id != by_user_id]
    escalated = [p.user_id for p in staff if is_escalated_to(p, facts)]
    payload = {"thread_id": thread.pk, "urgent": urgent_dict(thread)}
    for user_id in alerted:
        events.record(thread.practice_id, events.THREAD_URGENT, payload, thread=thread,
                      user_id=user_id)
    _updated(thread)
    queue_urgent(thread, alerted, escalated)


def _updated(thread) -> None:
    events.record(thread.practice_id, events.THREAD_UPDATED, {"thread": thread_dict(thread)},
                  thread=thread)
