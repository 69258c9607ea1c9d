"""Sign-in, sign-out, who am I, and the badge."""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.middleware.csrf import get_token
from ninja import Router, Status
from ninja.utils import check_csrf

from rules import can_sign_in
from server import events, ratelimit
from server.api.schemas import ERRORS, BadgeOut, ErrorOut, LoginIn, MeOut
from server.api.session import person, signed_in
from server.audit import audit, client_ip
from server.badges import badge_for
from server.errors import ApiError, forbidden
from server.models import User

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


@router.post("/auth/login", response={200: MeOut, ERRORS: ErrorOut})
def sign_in(request, payload: LoginIn):
    require_csrf(request)
    username = payload.username[:150]
    practice_id = User.objects.filter(username=username).values_list("practice_id", flat=True).first()
    # Refusals are audited on their own: no transaction to roll them back with the refusal.
    try:
        _refuse_while_guessing(request, username)
    except ApiError:
        audit(request, "login.throttled", username=username, practice_id=practice_id)
        raise
    user = authenticate(request, username=username, password=payload.password)
    if user is None or user.practice_id is None:
        ratelimit.hit("login-user", username.lower(), settings.LOGIN_WINDOW_SECONDS)
        ratelimit.hit("login-ip", client_ip(request) or "-", settings.LOGIN_WINDOW_SECONDS)
        audit(request, "login.failed", username=username, practice_id=practice_id)
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    if not can_sign_in(user.kind, user.practice.portal_enabled):
        audit(request, "login.refused", actor=user, reason="portal_disabled")
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    with transaction.atomic():
        login(request, user)
        audit(request, "login", actor=user)
    return me_dict(request, person(request))


def _refuse_while_guessing(request, username: str) -> None:
    """429 once a username, or an address, has failed too often in the window."""
    window = settings.LOGIN_WINDOW_SECONDS
    for name, key, limit in (
            ("login-user", username.lower(), settings.LOGIN_FAILURES_PER_USERNAME),
            ("login-ip", client_ip(request) or "-", settings.LOGIN_FAILURES_PER_IP)):
        ratelimit.refuse_if_over(name, key, limit, window,
                                 total=ratelimit.count(name, key, window) + 1)


@router.post("/auth/logout", response={204: None, ERRORS: ErrorOut}, auth=signed_in)
def sign_out(request):
    user_id = request.user.pk
    with transaction.atomic():
        audit(request, "logout")
        events.close_user_sockets(user_id)
    logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, ERRORS: ErrorOut}, auth=signed_in)
def me(request):
    return me_dict(request, person(request))


@router.get("/badge", response={200: BadgeOut, ERRORS: ErrorOut}, auth=signed_in)
def badge(request):
    return {"unread": badge_for(person(request))}
