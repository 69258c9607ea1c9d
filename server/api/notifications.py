"""GET · PUT /api/me/notifications: the audiences a staff user wants email for, or whether a
client wants email at all (`email`, default on)."""

from typing import Optional

from ninja import Router, Schema
from pydantic import StrictBool, StrictStr

from rules import can_choose_email_audiences, email_audiences_allowed
from server.actions.preferences import (check_set_client_email, check_set_email_audiences,
                                        ordered)
from server.api.schemas import ERRORS, ErrorOut, Strict
from server.api.session import actor, signed_in
from server.errors import forbidden, invalid

router = Router(tags=["notifications"], auth=signed_in)


class NotificationsIn(Strict):
    email_audiences: Optional[list[StrictStr]] = None  # staff
    email: Optional[StrictBool] = None  # clients


class NotificationsOut(Schema):
    email_audiences: list[str]
    allowed: list[str]  # the audiences this user may choose from (for the settings form)
    email: bool  # whether any notice email comes (staff: some audience is chosen)


def _settings_of(who, chosen) -> dict:
    allowed = email_audiences_allowed(who)
    chosen = ordered(set(chosen if isinstance(chosen, list) else []) & allowed)
    return {"email_audiences": chosen, "allowed": ordered(allowed), "email": bool(chosen)}


def _client_settings(on: bool) -> dict:
    return {"email_audiences": [], "allowed": [], "email": on}


@router.get("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def get_notifications(request):
    """Staff: the audiences you get email for. Clients: whether you get an email when the
    practice writes (`email`; the audiences are always [])."""
    who = actor(request).person
    if not can_choose_email_audiences(who):
        return _client_settings(request.user.email_notices)
    return _settings_of(who, request.user.email_audiences)


@router.put("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def put_notifications(request, payload: NotificationsIn):
    """Staff choose the audiences to get email for, among those they can see
    (`email_audiences`); clients turn their email on or off (`email`)."""
    who = actor(request)
    if can_choose_email_audiences(who.person):
        if payload.email is not None or payload.email_audiences is None:
            raise invalid("invalid", "Staff choose the audiences they want email for.",
                          field="email_audiences")
        return _settings_of(who.person, check_set_email_audiences(who, payload.email_audiences))
    if payload.email_audiences is not None:
        raise forbidden("not_allowed", "Only staff choose notification audiences.")
    if payload.email is None:
        raise invalid("invalid", "Say whether you want email: true or false.", field="email")
    return _client_settings(check_set_client_email(who, payload.email))
