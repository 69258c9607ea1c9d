"""Urgent threads (docs/SAFETY.md): crisis language on arrival, marking, acknowledging, clearing.

Everything runs inside the caller's transaction: the urgency, its events, audit entries and
emails commit with the message or action that caused them, or not at all.
"""

from django.utils import timezone

from rules.crisis import crisis_signal
from rules.urgency import CRISIS_LANGUAGE, STAFF, can_handle_urgency, is_alerted, is_escalated_to
from server.access import access_thread
from server.audit import audit_by
from server.errors import forbidden
from server.facts import practice_staff, thread_facts
from server.live import log as events
from server.live.declared import ThreadUpdated, ThreadUrgent
from server.notify.urgent import queue_urgent


def is_open(thread) -> bool:
    """Urgent and nobody owns it yet."""
    return thread.urgent_since is not None and thread.urgent_acknowledged_at is None


def check_crisis(actor, thread, message) -> bool:
    """Run the crisis check over a client's new message; when it fires, make the thread urgent.
    Returns whether it fired. The message itself is never touched."""
    signal = crisis_signal(message.body)
    if signal is None:
        return False
    if not is_open(thread):
        _make_urgent(thread, CRISIS_LANGUAGE, by_user_id=message.author_id)
    # The category names the kind of risk, never the words (docs/SAFETY.md).
    audit_by(actor, "thread.crisis_language", thread_id=thread.pk, message_id=message.pk,
             client_id=thread.client_id, category=signal.category, denied=signal.denied)
    return True


def check_urgency(actor, thread_id, how: str):
    """Apply `how` ("mark", "acknowledge" or "clear") to a live thread `actor` may triage;
    returns the thread. Clients see their threads but not this: 403."""
    person = actor.person
    with events.writing(person.practice_id):
        thread = access_thread(person, thread_id, lock=True, live=True)
        if not can_handle_urgency(person, thread_facts(thread)):
            raise forbidden("not_allowed", "Only staff can change a thread's urgency.")
        CHANGES[how](actor, thread)
        return thread


def do_mark_urgent(actor, thread):
    """Staff mark `thread` urgent; already urgent and unowned, nothing changes."""
    if is_open(thread):
        return
    _make_urgent(thread, STAFF, by_user_id=actor.user.pk)
    audit_by(actor, "thread.marked_urgent", thread_id=thread.pk, client_id=thread.client_id)


def do_acknowledge(actor, thread):
    """`actor` owns the urgent `thread` from now on; its escalation will not go out.
    Acknowledging an owned or a calm thread changes nothing."""
    if not is_open(thread):
        return
    thread.urgent_acknowledged_by = actor.user
    thread.urgent_acknowledged_at = timezone.now()
    thread.save(update_fields=["urgent_acknowledged_by", "urgent_acknowledged_at"])
    events.record(thread.practice_id, ThreadUpdated(thread.pk))
    audit_by(actor, "thread.urgent_acknowledged", thread_id=thread.pk, client_id=thread.client_id)


def do_clear_urgent(actor, thread):
    """Staff judge the urgency a false alarm (or over): the thread is calm again."""
    if thread.urgent_since is None:
        return
    reason = thread.urgent_reason
    thread.urgent_reason = ""
    thread.urgent_since = thread.urgent_acknowledged_at = thread.urgent_acknowledged_by = None
    thread.save(update_fields=["urgent_reason", "urgent_since", "urgent_acknowledged_at",
                               "urgent_acknowledged_by"])
    events.record(thread.practice_id, ThreadUpdated(thread.pk))
    audit_by(actor, "thread.urgent_cleared", thread_id=thread.pk, client_id=thread.client_id,
             reason=reason)


CHANGES = {"mark": do_mark_urgent, "acknowledge": do_acknowledge, "clear": do_clear_urgent}


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
    events.record_many(thread.practice_id, [ThreadUrgent(thread.pk, uid) for uid in alerted])
    events.record(thread.practice_id, ThreadUpdated(thread.pk))
    queue_urgent(thread, alerted, escalated)
