"""Who is calling: the signed-in user as a rules.Person, checked for the portal switch."""

from ninja.security import SessionAuth

from server.errors import ApiError, forbidden
from server.facts import person_for

# Session cookie auth; unsafe methods need Django's X-CSRFToken header.
signed_in = SessionAuth(csrf=True)


def person(request, *, staff_only: bool = False):
    """The caller's Person, cached on the request. A client is refused while the portal is off."""
    found = getattr(request, "_cairn_person", None)
    if found is None:
        found = person_for(request.user)
        if found is None:
            raise ApiError(401, "not_signed_in", "Sign in first.")
        request._cairn_person = found
    if found.is_client and not request.user.practice.portal_enabled:
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    if staff_only and not found.is_staff:
        raise forbidden("not_allowed", "Only staff can do that.")
    return found


def require_portal(practice) -> None:
    """Client messages flow only while the practice's portal is on."""
    if not practice.portal_enabled:
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
