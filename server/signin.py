"""Signing in: the password check under its throttle, and the audit of both.

Every sign-in door (the API's `/api/auth/login`, the admin site's `/admin/login/`) calls
`sign_in`, so they share one throttle, one audit and the two-step check.

The throttle follows OWASP's authentication guidance: an attacker is slowed, the owner is not
locked out.
- Per username *and* address: after `LOGIN_FAILURES_PER_USERNAME_ADDRESS` failures in the window
  that pair is refused (429) until the window ends. Someone guessing from one address stops there;
  the owner, on another address, is not affected.
- Per address: after `LOGIN_FAILURES_PER_IP` failures over any usernames, that address is refused.
- Per username, over all addresses: past `LOGIN_FAILURES_PER_USERNAME` failures each further one
  makes the next attempt wait 1, 2, 4 … seconds, at most `LOGIN_DELAY_MAX_SECONDS`: a spread-out
  attack gets a handful of guesses a minute, and the owner is asked to wait seconds, never locked.
A refusal is audited once per window per limit and key, not per refused attempt; each wrong
password is audited (`login.failed`). Second-step codes use the same throttle (`scope="code"`).
"""

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction

from rules import can_sign_in
from server import ratelimit, two_factor
from server.actions import sessions
from server.audit import audit, client_ip
from server.errors import ApiError, forbidden
from server.live import publish
from server.models import Client, TwoFactor, User


def _limits(scope: str, subject: str, ip: str):
    """(limit name, key, failures allowed) of the hard limits that apply to one attempt."""
    return ((f"{scope}-pair", f"{subject}\n{ip}", settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS),
            (f"{scope}-ip", ip, settings.LOGIN_FAILURES_PER_IP))


def refuse_while_guessing(request, scope: str, subject: str, *, actor=None, practice_id=None):
    """429 with Retry-After when `subject` (a username, or a user id for codes) from this
    address is over a limit or inside its slow-down delay. Audits the refusal once per window."""
    ip = client_ip(request) or "-"
    window = settings.LOGIN_WINDOW_SECONDS
    # The hard limits, then the username's slow-down delay (no count of its own: None).
    for name, key, limit in (*_limits(scope, subject, ip), (f"{scope}-user", subject, None)):
        try:
            if limit is None:
                ratelimit.refuse_while_delayed(name, key)
            else:
                ratelimit.refuse_if_over(name, key, limit, window,
                                         total=ratelimit.count(name, key, window) + 1)
        except ApiError as refusal:
            if ratelimit.first_in_window(name, key, window):
                # Its own write: no transaction rolls it back with the refusal.
                audit(request, f"{scope}.throttled", actor=actor, practice_id=practice_id,
                      username=subject if actor is None else "", limit=name.split("-", 1)[1],
                      retry_after=refusal.extra.get("retry_after"))
            raise


def count_failure(request, scope: str, subject: str) -> None:
    """Count one wrong password (or code) against every limit, and slow the username down once
    it is past its ceiling."""
    ip = client_ip(request) or "-"
    window = settings.LOGIN_WINDOW_SECONDS
    for name, key, _ in _limits(scope, subject, ip):
        ratelimit.hit(name, key, window)
    failures = ratelimit.hit(f"{scope}-user", subject, window)
    over = failures - settings.LOGIN_FAILURES_PER_USERNAME
    if over > 0:
        delay = min(2 ** min(over - 1, 16), settings.LOGIN_DELAY_MAX_SECONDS)
        ratelimit.delay_until(f"{scope}-user", subject, ratelimit.now() + delay)


def authenticate_throttled(request, username: str, password: str, *,
                           outside_practice: bool = False) -> User:
    """The active user whose `username` and `password` these are, checked under the throttle.

    Raises ApiError: 429 (throttled), 401 `bad_credentials` (audited `login.failed`; also a
    portal account taken from its client, audited `login.refused`), 403 `portal_disabled` (a
    client while the portal is off). Only Django's admin admits users of no practice
    (`outside_practice`: its superusers). Does not sign in: see `complete_sign_in`.
    """
    username = username[:150]
    subject = username.lower()
    practice_id = User.objects.filter(username=username).values_list("practice_id", flat=True).first()
    refuse_while_guessing(request, "login", subject, practice_id=practice_id)
    user = authenticate(request, username=username, password=password)
    if user is None or (user.practice_id is None and not outside_practice):
        count_failure(request, "login", subject)
        audit(request, "login.failed", username=username, practice_id=practice_id)
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    if user.kind == User.CLIENT and not Client.objects.filter(user=user).exists():
        # A portal account taken from its client (Django's admin) opens nothing.
        audit(request, "login.refused", actor=user, reason="no_client")
        raise ApiError(401, "bad_credentials", "Wrong username or password.")
    if user.practice_id is not None and not can_sign_in(user.kind, user.practice.portal_enabled):
        audit(request, "login.refused", actor=user, reason="portal_disabled")
        raise forbidden("portal_disabled", "The practice has switched the client portal off.")
    return user


def refuse(request, user, reason: str) -> None:
    """Audit a sign-in whose credentials were right but which this door does not admit."""
    audit(request, "login.refused", actor=user, reason=reason)


def sign_in(request, username: str, password: str) -> bool:
    """Check the password under the throttle (raising ApiError 401/403/429, see
    `authenticate_throttled`) and sign in. False when two-step sign-in must finish it: no session
    yet, only a marker; POST /api/auth/login/two-factor (or the sign-in page) completes it."""
    user = authenticate_throttled(request, username, password)
    if second_step_needed(request, user):
        return False
    complete_sign_in(request, user)
    return True


def has_two_factor(user: User) -> bool:
    """Whether `user` has confirmed two-step sign-in."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def second_step_needed(request, user: User) -> bool:
    """Whether `user` must give a code before signing in (two-step sign-in on, this browser not
    remembered). If so, the session remembers for a few minutes that the password was right."""
    row = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()
    if row is None or two_factor.is_remembered(request, user, row):
        return False
    two_factor.set_pending(request, user)
    audit(request, "login.second_step", actor=user)
    return True


def pending_user(request) -> User:
    """The user whose password this session gave moments ago (unchanged since, still active),
    or 401 `sign_in_first`."""
    marker = two_factor.pending_marker(request)
    user = marker and User.objects.filter(pk=marker["user_id"], is_active=True).first()
    if not user or user.get_session_auth_hash() != marker.get("auth_hash"):
        raise ApiError(401, "sign_in_first", "Sign in with your password first.")
    return user


def complete_sign_in(request, user: User, **detail) -> None:
    """Start `user`'s session on this request, audited `login`."""
    with transaction.atomic():
        two_factor.clear_pending(request)
        login(request, user, backend=settings.SIGN_IN_BACKEND)
        sessions.record(request, user)
        audit(request, "login", actor=user, **detail)


def audit_sign_in(request, user) -> None:
    """Audit a session started by a door that logs in itself (Django's admin form)."""
    with transaction.atomic():
        sessions.record(request, user)
        audit(request, "login", actor=user)


def sign_out(request) -> None:
    """End this session and close the user's sockets; audited."""
    user_id = request.user.pk
    with transaction.atomic():
        audit(request, "logout")
        sessions.end_current(request)
        publish.close_user_sockets(user_id)
    logout(request)
