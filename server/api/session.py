"""Who is calling: the session's user as an Actor, checked once per request."""

from ninja.security import SessionAuth

from rules import can_sign_in, portal_applies, two_factor_setup_pending
from server.actor import Actor
from server.errors import ApiError, forbidden
from server.facts import has_two_factor

# Session cookie auth; unsafe methods need Django's X-CSRFToken header.
signed_in = SessionAuth(csrf=True)


def actor(request, *, setup_exempt: bool = False) -> Actor:
    """The caller as an Actor, cached on the request. A client is refused while the portal is off;
    staff of a practice that requires two-step sign-in are refused until they set it up (except
    where `setup_exempt`: the set-up itself, me, their password and sessions)."""
    found = getattr(request, "_cairn_actor", None)
    if found is None:
        found = Actor.from_request(request)
        if found.person is None:
            raise ApiError(401, "not_signed_in", "Sign in first.")
        request._cairn_actor = found
    kind = found.person.kind
    # The practice is read only where the switch applies: staff requests skip that query.
    if portal_applies(kind) and not can_sign_in(kind, request.user.practice.portal_enabled):
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    if not setup_exempt:
        refuse_until_two_factor(request, kind)
    return found


def person(request, *, setup_exempt: bool = False):
    """The caller's rules.Person (see `actor`)."""
    return actor(request, setup_exempt=setup_exempt).person


def refuse_until_two_factor(request, kind: str) -> None:
    """403 `two_factor_setup_required` while the practice requires two-step sign-in of its staff
    and this user has not set it up."""
    if not two_factor_setup_pending(kind, True, False):
        return  # not one the requirement holds (a client): no query
    required = request.user.practice.require_two_factor
    if two_factor_setup_pending(kind, required, required and has_two_factor(request.user.pk)):
        raise forbidden("two_factor_setup_required",
                        "Your practice requires two-step sign-in: set it up first.")
