"""Who is calling: the signed-in user as a rules.Person, checked for the portal switch."""

from ninja.security import SessionAuth

from server.errors import ApiError, forbidden
from server.facts import person_for
from server.models import TwoFactor

# Session cookie auth; unsafe methods need Django's X-CSRFToken header.
signed_in = SessionAuth(csrf=True)


def person(request, *, staff_only: bool = False, setup_exempt: bool = False):
    """The caller's Person, cached on the request. A client is refused while the portal is off;
    staff of a practice that requires two-step sign-in are refused until they set it up
    (except where `setup_exempt`: the set-up itself, me, their password and sessions)."""
    found = getattr(request, "_cairn_person", None)
    if found is None:
        found = person_for(request.user)
        if found is None:
            raise ApiError(401, "not_signed_in", "Sign in first.")
        request._cairn_person = found
    if found.is_client and not request.user.practice.portal_enabled:
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    if found.is_staff and not setup_exempt:
        refuse_until_two_factor(request)
    if staff_only and not found.is_staff:
        raise forbidden("not_allowed", "Only staff can do that.")
    return found


def require_portal(practice) -> None:
    """Client messages flow only while the practice's portal is on."""
    if not practice.portal_enabled:
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")


def refuse_until_two_factor(request) -> None:
    """403 `two_factor_setup_required` while the practice requires two-step sign-in of its staff
    and this user has not set it up."""
    if not request.user.practice.require_two_factor:
        return
    if not TwoFactor.objects.filter(user_id=request.user.pk, confirmed_at__isnull=False).exists():
        raise forbidden("two_factor_setup_required",
                        "Your practice requires two-step sign-in: set it up first.")
