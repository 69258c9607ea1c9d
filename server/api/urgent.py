"""Urgent threads over HTTP: mark, acknowledge, clear (SPEC §4 "Safety"), and the crisis
resources a client's send answer carries."""

from ninja import Router

from rules.crisis import crisis_signal
from rules.urgency import can_handle_urgency
from server import events
from server.access import access_thread
from server.actions.urgent import do_acknowledge, do_clear_urgent, do_mark_urgent
from server.api.schemas import ERRORS, ErrorOut, ThreadOnly
from server.api.session import person, signed_in
from server.errors import forbidden
from server.facts import thread_facts
from server.serialize import thread_for

router = Router(tags=["threads"], auth=signed_in)


def crisis_answer(who, thread, body: str) -> dict | None:
    """`{resources}` for a client whose message reads as a crisis, else None."""
    if not who.is_client or crisis_signal(body) is None:
        return None
    return {"resources": thread.practice.crisis_resources}


def _change(request, thread_id, action):
    who = person(request)
    with events.writing(who.practice_id):
        thread = access_thread(who, thread_id, lock=True, live=True)
        if not can_handle_urgency(who, thread_facts(thread)):
            raise forbidden("not_allowed", "Only staff can change a thread's urgency.")
        action(who, thread)
        return {"thread": thread_for(who, thread)}


@router.post("/threads/{int:thread_id}/urgent", response={200: ThreadOnly, ERRORS: ErrorOut})
def mark_urgent(request, thread_id: int):
    """Mark the thread urgent: its clinical staff are alerted at once."""
    return _change(request, thread_id,
                   lambda who, thread: do_mark_urgent(who, thread, request=request))


@router.post("/threads/{int:thread_id}/acknowledge", response={200: ThreadOnly, ERRORS: ErrorOut})
def acknowledge(request, thread_id: int):
    """Take the urgent thread on: it stops sorting first and is not escalated."""
    return _change(request, thread_id, lambda who, thread: do_acknowledge(
        who, request.user, thread, request=request))


@router.delete("/threads/{int:thread_id}/urgent", response={200: ThreadOnly, ERRORS: ErrorOut})
def clear_urgent(request, thread_id: int):
    """Clear a false alarm: the thread is no longer urgent."""
    return _change(request, thread_id,
                   lambda who, thread: do_clear_urgent(who, thread, request=request))
