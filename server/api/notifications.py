"""GET · PUT /api/me/notifications: the audiences a staff user wants email for."""

from ninja import Router, Schema
from pydantic import StrictStr

from rules import can_choose_email_audiences, email_audiences_allowed
from server.actions.preferences import check_set_email_audiences, ordered
from server.api.schemas import ERRORS, ErrorOut, Strict
from server.api.session import actor, signed_in

router = Router(tags=["notifications"], auth=signed_in)


class NotificationsIn(Strict):
    email_audiences: list[StrictStr]


class NotificationsOut(Schema):
    email_audiences: list[str]
    allowed: list[str]  # the audiences this user may choose from (for the settings form)


def _settings_of(who, chosen) -> dict:
    allowed = email_audiences_allowed(who)
    chosen = chosen if isinstance(chosen, list) else []
    return {"email_audiences": ordered(set(chosen) & allowed), "allowed": ordered(allowed)}


@router.get("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def get_notifications(request):
    """The audiences you get email for (a client's email follows their threads: always [])."""
    who = actor(request).person
    return _settings_of(who, request.user.email_audiences if can_choose_email_audiences(who) else [])


@router.put("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def put_notifications(request, payload: NotificationsIn):
    """Choose the audiences to get email for, among those you can see."""
    chosen = check_set_email_audiences(actor(request), payload.email_audiences)
    return _settings_of(actor(request).person, chosen)
