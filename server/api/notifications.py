"""GET · PUT /api/me/notifications: the audiences a staff user wants email for, or whether a
client wants email at all (`email`, default on)."""

from typing import Optional

from django.db import transaction
from ninja import Router, Schema
from pydantic import StrictBool, StrictStr

from rules import AUDIENCES, email_audiences_allowed
from server.api.schemas import ERRORS, ErrorOut, Strict
from server.actions.email_choice import do_set_client_email
from server.api.session import person, signed_in
from server.errors import forbidden, invalid
from server.models import User

router = Router(tags=["notifications"], auth=signed_in)


class NotificationsIn(Strict):
    email_audiences: Optional[list[StrictStr]] = None  # staff
    email: Optional[StrictBool] = None  # clients


class NotificationsOut(Schema):
    email_audiences: list[str]
    allowed: list[str]  # the audiences this user may choose from (for the settings form)
    email: bool  # whether any notice email comes (staff: some audience is chosen)


def _ordered(audiences) -> list:
    return [a for a in AUDIENCES if a in audiences]


def _settings_of(who, chosen) -> dict:
    allowed = email_audiences_allowed(who)
    chosen = _ordered(set(chosen if isinstance(chosen, list) else []) & allowed)
    return {"email_audiences": chosen, "allowed": _ordered(allowed), "email": bool(chosen)}


def _client_settings(on: bool) -> dict:
    return {"email_audiences": [], "allowed": [], "email": on}


@router.get("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def get_notifications(request):
    """Staff: the audiences you get email for. Clients: whether you get an email when the
    practice writes (`email`; the audiences are always [])."""
    who = person(request)
    if who.is_client:
        return _client_settings(request.user.email_notices)
    return _settings_of(who, request.user.email_audiences)


@router.put("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def put_notifications(request, payload: NotificationsIn):
    """Staff choose the audiences to get email for, among those they can see
    (`email_audiences`); clients turn their email on or off (`email`)."""
    who = person(request)
    if who.is_client:
        if payload.email_audiences is not None:
            raise forbidden("not_allowed", "Only staff choose notification audiences.")
        if payload.email is None:
            raise invalid("invalid", "Say whether you want email: true or false.", field="email")
        return _client_settings(do_set_client_email(who, payload.email))
    if payload.email is not None or payload.email_audiences is None:
        raise invalid("invalid", "Staff choose the audiences they want email for.",
                      field="email_audiences")
    unknown = [a for a in payload.email_audiences if a not in AUDIENCES]
    if unknown:
        raise invalid("invalid", f"Unknown audience: {unknown[0][:40]!r}.", field="email_audiences")
    allowed = email_audiences_allowed(who)
    refused = [a for a in payload.email_audiences if a not in allowed]
    if refused:
        raise invalid("audience_not_allowed", f"You do not see {refused[0]} threads.",
                      field="email_audiences")
    chosen = _ordered(set(payload.email_audiences))
    with transaction.atomic():
        User.objects.filter(pk=who.user_id).update(email_audiences=chosen)
    return _settings_of(who, chosen)
