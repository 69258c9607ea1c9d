"""Who is calling: the signed-in user as an `Actor`, checked for the portal switch."""

from ninja.security import SessionAuth

from rules import can_sign_in, portal_applies
from server.actor import Actor
from server.errors import ApiError, forbidden

# Session cookie auth; unsafe methods need Django's X-CSRFToken header.
signed_in = SessionAuth(csrf=True)


def actor(request) -> Actor:
    """The caller as an Actor, cached on the request. A client is refused while the portal is off."""
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
    return found


def person(request):
    """The caller's rules.Person (see `actor`)."""
    return actor(request).person
