"""A user's own email settings: the audiences a staff user gets email for, and whether a client
gets email at all."""

from django.db import transaction

from rules import AUDIENCES, can_choose_email_audiences, email_audiences_allowed
from server.errors import forbidden, invalid
from server.models import User


def ordered(audiences) -> list:
    """`audiences` in the SPEC's order."""
    return [a for a in AUDIENCES if a in audiences]


def check_set_email_audiences(actor, audiences) -> list:
    """Choose the audiences `actor` gets email for, among those they can see; returns them."""
    person = actor.person
    if not can_choose_email_audiences(person):
        raise forbidden("not_allowed", "Only staff choose notification audiences.")
    unknown = [a for a in audiences if a not in AUDIENCES]
    if unknown:
        raise invalid("invalid", f"Unknown audience: {unknown[0][:40]!r}.", field="email_audiences")
    allowed = email_audiences_allowed(person)
    refused = [a for a in audiences if a not in allowed]
    if refused:
        raise invalid("audience_not_allowed", f"You do not see {refused[0]} threads.",
                      field="email_audiences")
    chosen = ordered(set(audiences))
    with transaction.atomic():
        User.objects.filter(pk=person.user_id).update(email_audiences=chosen)
    return chosen


def check_set_client_email(actor, on: bool) -> bool:
    """Turn the client `actor`'s notice emails on or off (default on); returns the choice."""
    person = actor.person
    if can_choose_email_audiences(person):
        raise invalid("invalid", "Staff choose the audiences they want email for.",
                      field="email_audiences")
    with transaction.atomic():
        User.objects.filter(pk=person.user_id, kind=User.CLIENT).update(email_notices=on)
    return on
