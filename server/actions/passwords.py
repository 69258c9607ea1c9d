"""Forgotten, reset and changed passwords.

A reset link is single-use, valid PASSWORD_RESET_TTL_SECONDS, stored only as a hash, and voids
the user's older links. Asking for one answers the same, after the same work, whether or not the
login exists: nobody learns from it who has an account.
"""

import hashlib
import secrets
from datetime import timedelta

from dataclasses import replace

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from server import notify, ratelimit, signin
from server.actions import sessions
from server.actor import Actor
from server.audit import audit, audit_by, client_ip
from server.errors import invalid
from server.models import Client, PasswordReset, SignInSession, User

HOUR = 60 * 60


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def email_of(user) -> str:
    """Where a user's reset link goes: their own address, or (a client) the client's."""
    if user.email:
        return user.email
    if user.kind == User.CLIENT:
        return Client.objects.filter(user=user).values_list("email", flat=True).first() or ""
    return ""


def _accounts_for(login: str) -> list:
    """The active accounts a login names: a username, or an email address."""
    found = User.objects.filter(Q(username=login) | Q(email__iexact=login), is_active=True,
                                practice__isnull=False)
    if "@" in login:
        found = found | User.objects.filter(is_active=True, kind=User.CLIENT,
                                            client_record__email__iexact=login)
    return list(found.select_related("practice").distinct()[:5])


def _over_forgot_limits(request, login: str) -> bool:
    # Counted per login and per address; past either, requests are dropped without a word.
    over = False
    for name, key, limit in (("forgot-login", login.lower(), settings.PASSWORD_FORGOT_PER_LOGIN),
                             ("forgot-ip", client_ip(request) or "-",
                              settings.PASSWORD_FORGOT_PER_IP)):
        if ratelimit.hit(name, key, HOUR) > limit:
            over = True
            if ratelimit.first_in_window(name, key, HOUR):
                audit(request, "password.forgot_throttled", limit=name)
    return over


def do_forgot(request, login: str) -> None:
    """Send a reset link to each active account `login` names that has an email; nothing for
    unknown logins — after the same work (a token drawn and hashed, the same lookups)."""
    token = secrets.token_urlsafe(32)
    digest = token_hash(token)
    if _over_forgot_limits(request, login):
        return
    nobody = Actor(None, None, client_ip(request))  # the link is asked for, not sent by anyone
    for number, user in enumerate(_accounts_for(login)):
        if number:
            token = secrets.token_urlsafe(32)
            digest = token_hash(token)
        issue_link(nobody, user, token, digest)


def issue_link(actor, user, token=None, digest=None) -> bool:
    """A new reset link for `user` (older ones void), emailed; False when they have no email.
    Sent by `actor` (an admin), or asked for by nobody signed in (`actor.user` None): then
    audited as the user's own request."""
    address = email_of(user)
    if not address:
        return False
    if token is None:
        token = secrets.token_urlsafe(32)
        digest = token_hash(token)
    now = timezone.now()
    PasswordReset.objects.filter(user=user, used_at__isnull=True,
                                 revoked_at__isnull=True).update(revoked_at=now)
    PasswordReset.objects.create(
        user=user, token_hash=digest, created_by=actor.user, created_at=now,
        expires_at=now + timedelta(seconds=settings.PASSWORD_RESET_TTL_SECONDS))
    notify.password_reset(user.practice, address, f"{settings.PUBLIC_URL}/reset#{token}")
    if actor.user is None:
        audit_by(replace(actor, user=user), "password.reset_requested",
                 practice_id=user.practice_id, user_id=user.pk)
    else:
        audit_by(actor, "password.reset_sent", practice_id=user.practice_id, user_id=user.pk)
    return True


def find_reset(token):
    """The live reset for `token` whose user is active, locked; None otherwise."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return (PasswordReset.objects.select_for_update().select_related("user")
            .filter(token_hash=token_hash(token), used_at__isnull=True, revoked_at__isnull=True,
                    expires_at__gt=timezone.now(), user__is_active=True).first())


def check_new_password(password: str, user) -> None:
    """422 `invalid_password` with Django's validators' messages."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise invalid("invalid_password", " ".join(error.messages), reasons=error.messages)


def do_reset(actor, reset: PasswordReset, password: str) -> User:
    """Set the password, spend the link (and void any other), end every session of the user
    (audited as theirs, from `actor`'s address)."""
    user = reset.user
    check_new_password(password, user)
    now = timezone.now()
    user.set_password(password)
    user.save(update_fields=["password"])
    reset.used_at = now
    reset.save(update_fields=["used_at"])
    PasswordReset.objects.filter(user=user, used_at__isnull=True,
                                 revoked_at__isnull=True).update(revoked_at=now)
    sessions.end_every_session(user)
    audit_by(replace(actor, user=user), "password.reset")
    return user


def do_change(request, user, current: str, new: str) -> None:
    """Change the caller's own password: this session stays, every other one ends."""
    ratelimit_subject = str(user.pk)
    signin.refuse_while_guessing(request, "password", ratelimit_subject, actor=user)
    if not user.check_password(current):
        signin.count_failure(request, "password", ratelimit_subject)
        audit(request, "password.change_failed", actor=user)
        raise invalid("wrong_password", "The current password is not right.")
    check_new_password(new, user)
    old_hash = sessions.key_hash(request.session.session_key)
    user.set_password(new)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)  # keeps this session (under a new key)
    SignInSession.objects.filter(key_hash=old_hash).update(
        key_hash=sessions.key_hash(request.session.session_key))
    others = sessions.live_sessions(user).exclude(
        key_hash=sessions.key_hash(request.session.session_key))
    sessions.do_end_sessions(Actor.of(user, client_ip(request)), user, others,
                             reason="password_changed")
    PasswordReset.objects.filter(user=user, used_at__isnull=True,
                                 revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit(request, "password.changed", actor=user)
