"""GET · PUT /api/me/notifications: the audiences a staff user wants email for."""

from django.db import transaction
from ninja import Router, Schema
from pydantic import StrictStr

from rules import AUDIENCES, can_choose_email_audiences, email_audiences_allowed
from server.api.schemas import ERRORS, ErrorOut, Strict
from server.api.session import person, signed_in
from server.errors import forbidden, invalid
from server.models import User

router = Router(tags=["notifications"], auth=signed_in)


class NotificationsIn(Strict):
    email_audiences: list[StrictStr]


class NotificationsOut(Schema):
    email_audiences: list[str]
    allowed: list[str]  # the audiences this user may choose from (for the settings form)


def _ordered(audiences) -> list:
    return [a for a in AUDIENCES if a in audiences]


def _settings_of(who, chosen) -> dict:
    allowed = email_audiences_allowed(who)
    chosen = chosen if isinstance(chosen, list) else []
    return {"email_audiences": _ordered(set(chosen) & allowed), "allowed": _ordered(allowed)}


@router.get("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def get_notifications(request):
    """The audiences you get email for (a client's email follows their threads: always [])."""
    who = person(request)
    return _settings_of(who, request.user.email_audiences if can_choose_email_audiences(who) else [])


@router.put("/me/notifications", response={200: NotificationsOut, ERRORS: ErrorOut})
def put_notifications(request, payload: NotificationsIn):
    """Choose the audiences to get email for, among those you can see."""
    who = person(request)
    if not can_choose_email_audiences(who):
        raise forbidden("not_allowed", "Only staff choose notification audiences.")
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
