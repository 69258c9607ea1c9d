"""The sign-in sessions list: recorded at sign-in, seen at most once a minute, ended on demand.

A row is keyed by a hash of its Django session key. Ending a session deletes Django's session
row (found by hashing the live keys: ending is rare, and the key is never stored beside the
hash) and asks the user's sockets to reconnect: those of the ended session fail the handshake
and stay closed, the others come back and resume at once.
"""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from server.live import publish
from server.audit import audit_by, client_ip
from server.models import SignInSession

# The session value that says when this session's row was last marked seen (epoch seconds).
SEEN = "cairn_seen"
SEEN_EVERY = timedelta(seconds=60)
# A sign-in whose Django session has expired or is gone is kept this long after it was last
# seen, then housekeeping removes it (`remove_old_sign_ins`).
KEPT_AFTER_USE = timedelta(days=1)


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def record(request, user) -> SignInSession:
    """Note the session `request` just signed in (called inside the sign-in)."""
    now = timezone.now()
    request.session[SEEN] = now.timestamp()
    request.session.save()
    return SignInSession.objects.create(
        user=user, key_hash=key_hash(request.session.session_key), created_at=now,
        last_seen_at=now, ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


def mark_seen(get_response):
    """Middleware: update the session's `last_seen_at` at most once a minute. Requests that did
    not read the session (a page, a static file) and sessions without a row cost nothing."""

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        used = session is not None and session.accessed and session.session_key
        seen = session.get(SEEN) if used else None
        if seen is not None and response.status_code < 500:
            now = timezone.now()
            if now.timestamp() - seen > SEEN_EVERY.total_seconds():
                SignInSession.objects.filter(key_hash=key_hash(session.session_key),
                                             ended_at__isnull=True).update(last_seen_at=now)
                session[SEEN] = now.timestamp()
        return response

    return middleware


def live_sessions(user):
    """The user's sessions that have not ended nor idled out, newest first."""
    idle = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE) - SEEN_EVERY
    return (SignInSession.objects.filter(user=user, ended_at__isnull=True, last_seen_at__gt=idle)
            .order_by("-created_at", "-id"))


def remove_old_sign_ins() -> int:
    """Remove the sign-ins not seen for `KEPT_AFTER_USE` whose Django session has expired or is
    gone, except each user's newest (the staff view shows it as their last sign-in). Returns how
    many went."""
    now = timezone.now()
    old = SignInSession.objects.filter(last_seen_at__lt=now - KEPT_AFTER_USE)
    newest = (SignInSession.objects.filter(user_id=OuterRef("user_id"))
              .order_by("-created_at", "-id").values("id")[:1])
    candidates = list(old.exclude(id=Subquery(newest)).values_list("id", "key_hash"))
    if not candidates:
        return 0
    live = {key_hash(key) for key in Session.objects.filter(expire_date__gt=now)
            .values_list("session_key", flat=True).iterator(chunk_size=2000)}
    gone = [pk for pk, hashed in candidates if hashed not in live]
    for start in range(0, len(gone), 500):
        SignInSession.objects.filter(pk__in=gone[start:start + 500]).delete()
    return len(gone)


def _delete_django_sessions(hashes: set) -> None:
    found = [key for key in (Session.objects.filter(expire_date__gt=timezone.now())
                             .values_list("session_key", flat=True).iterator(chunk_size=2000))
             if key_hash(key) in hashes]
    Session.objects.filter(session_key__in=found).delete()


def do_end_sessions(actor, user, rows, *, reason: str) -> int:
    """`actor` ends `rows` (`user`'s SignInSessions): their Django sessions are deleted, their
    sockets close. Returns how many ended."""
    rows = list(rows)
    if not rows:
        return 0
    SignInSession.objects.filter(pk__in=[r.pk for r in rows]).update(ended_at=timezone.now())
    _delete_django_sessions({r.key_hash for r in rows})
    audit_by(actor, "session.ended", practice_id=user.practice_id, user_id=user.pk, sessions=len(rows), reason=reason)
    publish.reconnect_user_sockets(user.pk)
    return len(rows)


def end_every_session(user) -> None:
    """After a password reset: every row of the user ends and every socket closes. (The new
    password already voids each Django session: its auth hash no longer matches.)"""
    SignInSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
    publish.close_user_sockets(user.pk)


_BROWSERS = [("Edge", r"Edg/"), ("Opera", r"OPR/"), ("Firefox", r"Firefox/"),
             ("Chrome", r"Chrome/"), ("Safari", r"Safari/")]
_SYSTEMS = [("Windows", r"Windows"), ("Android", r"Android"), ("iOS", r"iPhone|iPad"),
            ("macOS", r"Mac OS X"), ("Linux", r"Linux")]


def browser_name(user_agent: str) -> str:
    """"Firefox on Linux" and the like, or "Unknown browser"."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


def end_current(request) -> None:
    """On sign-out: this session's row ends with it."""
    if request.session.session_key:
        SignInSession.objects.filter(key_hash=key_hash(request.session.session_key)).update(
            ended_at=timezone.now())
