"""Sign-in, sign-out, who am I, and the badge."""

from django.middleware.csrf import get_token
from ninja import Router, Status
from ninja.utils import check_csrf

from server import signin
from server.api.account_schemas import TwoFactorRequiredOut
from server.api.schemas import ERRORS, BadgeOut, ErrorOut, LoginIn, MeOut
from server.api.session import person, signed_in
from server.readmodel import badge_for
from server.errors import forbidden

router = Router(tags=["auth"])


def me_dict(request, who) -> dict:
    user = request.user
    return {
        "id": user.pk,
        "kind": who.kind,
        "name": user.display_name,
        "roles": sorted(who.roles),
        "practice": {"name": user.practice.name, "portal_enabled": user.practice.portal_enabled},
        "badge": badge_for(who),
    }


def require_csrf(request) -> None:
    if check_csrf(request) is not None:
        raise forbidden("csrf_failed", "Missing or wrong CSRF token: GET /api/auth/csrf first.")


@router.get("/auth/csrf", response={204: None})
def csrf(request):
    """Sets the `csrftoken` cookie; send it back as the X-CSRFToken header."""
    get_token(request)
    return Status(204, None)


@router.post("/auth/login", response={200: MeOut | TwoFactorRequiredOut, ERRORS: ErrorOut})
def sign_in(request, payload: LoginIn):
    """Sign in; with two-step sign-in on (and this browser not remembered) the answer is
    `{"two_factor_required": true}` and POST /api/auth/login/two-factor completes it."""
    require_csrf(request)
    if not signin.sign_in(request, payload.username, payload.password):
        return {"two_factor_required": True}
    return me_dict(request, person(request, setup_exempt=True))


@router.post("/auth/logout", response={204: None, ERRORS: ErrorOut}, auth=signed_in)
def sign_out(request):
    signin.sign_out(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, ERRORS: ErrorOut}, auth=signed_in)
def me(request):
    return me_dict(request, person(request, setup_exempt=True))


@router.get("/badge", response={200: BadgeOut, ERRORS: ErrorOut}, auth=signed_in)
def badge(request):
    return {"unread": badge_for(person(request))}
