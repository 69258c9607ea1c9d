"""Signing in and out, the same through every door: the API's `POST /api/auth/login` and
Django's admin both call these, so they share one throttle, one audit trail, one set of checks.
"""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction

from server import ratelimit
from server.live import publish
from server.audit import audit, client_ip
from server.errors import ApiError, forbidden
from server.models import Client, User


def check_credentials(request, username: str, password: str, *,
                      outside_practice: bool = False) -> User:
    """The user these credentials sign in, or ApiError: 429 while the username or the address
    is guessing, 401 for wrong credentials (or a portal account of no client), 403 for a client while the portal is off. Every
    refusal is audited (on its own: there is no transaction to roll it back with).

    Only Django's admin admits users of no practice (`outside_practice`: its superusers)."""
    username = username[:150]
    practice_id = User.objects.filter(username=username).values_list("practice_id", flat=True).first()
    try:
        _refuse_while_guessing(request, username)
    except ApiError:
        audit(request, "login.throttled", username=username, practice_id=practice_id)
        raise
    user = authenticate(request, username=username, password=password)
    if user is None or (user.practice_id is None and not outside_practice):
        ratelimit.hit("login-user", username.lower(), settings.LOGIN_WINDOW_SECONDS)
        ratelimit.hit("login-ip", client_ip(request) or "-", settings.LOGIN_WINDOW_SECONDS)
        audit(request, "login.failed", username=username, practice_id=practice_id)
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    if user.kind == User.CLIENT and not Client.objects.filter(user=user).exists():
        # A portal account taken from its client (Django's admin) opens nothing.
        audit(request, "login.refused", actor=user, reason="no_client")
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    if user.kind == User.CLIENT and not user.practice.portal_enabled:
        audit(request, "login.refused", actor=user, reason="portal_disabled")
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    return user


def refuse(request, user, reason: str) -> None:
    """Audit a sign-in whose credentials were right but which this door does not admit."""
    audit(request, "login.refused", actor=user, reason=reason)


def sign_in(request, user) -> None:
    """Start `user`'s session (checked by `check_credentials`) and audit it."""
    with transaction.atomic():
        login(request, user)
        audit_sign_in(request, user)


def audit_sign_in(request, user) -> None:
    audit(request, "login", actor=user)


def sign_out(request) -> None:
    """End this session and close the user's sockets; audited."""
    user_id = request.user.pk
    with transaction.atomic():
        audit(request, "logout")
        publish.close_user_sockets(user_id)
    logout(request)


def _refuse_while_guessing(request, username: str) -> None:
    """429 once a username, or an address, has failed too often in the window."""
    window = settings.LOGIN_WINDOW_SECONDS
    for name, key, limit in (
            ("login-user", username.lower(), settings.LOGIN_FAILURES_PER_USERNAME),
            ("login-ip", client_ip(request) or "-", settings.LOGIN_FAILURES_PER_IP)):
        ratelimit.refuse_if_over(name, key, limit, window,
                                 total=ratelimit.count(name, key, window) + 1)
