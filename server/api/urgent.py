"""Urgent threads over HTTP: mark, acknowledge, clear (SPEC §4 "Safety"), and the crisis
resources a client's send answer carries."""

from ninja import Router

from rules.crisis import crisis_signal
from server.actions.reading import summary_for
from server.actions.urgent import check_urgency
from server.api.schemas import ERRORS, ErrorOut, ThreadOnly
from server.api.session import actor, signed_in

router = Router(tags=["threads"], auth=signed_in)


def crisis_answer(who, thread, body: str) -> dict | None:
    """`{resources}` for a client whose message reads as a crisis, else None."""
    if not who.is_client or crisis_signal(body) is None:
        return None
    return {"resources": thread.practice.crisis_resources}


def _change(request, thread_id, how):
    thread = check_urgency(actor(request), thread_id, how)
    return {"thread": summary_for(actor(request), thread)}


@router.post("/threads/{int:thread_id}/urgent", response={200: ThreadOnly, ERRORS: ErrorOut})
def mark_urgent(request, thread_id: int):
    """Mark the thread urgent: its clinical staff are alerted at once."""
    return _change(request, thread_id, "mark")


@router.post("/threads/{int:thread_id}/acknowledge", response={200: ThreadOnly, ERRORS: ErrorOut})
def acknowledge(request, thread_id: int):
    """Take the urgent thread on: it stops sorting first and is not escalated."""
    return _change(request, thread_id, "acknowledge")


@router.delete("/threads/{int:thread_id}/urgent", response={200: ThreadOnly, ERRORS: ErrorOut})
def clear_urgent(request, thread_id: int):
    """Clear a false alarm: the thread is no longer urgent."""
    return _change(request, thread_id, "clear")
