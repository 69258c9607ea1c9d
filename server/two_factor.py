"""Two-step sign-in (TOTP, RFC 6238): codes, recovery codes, the pending second step, and the
remember-this-browser cookie.

pyotp over django-otp: we need a secret, a provisioning URI and a code check with a replay
guard, all of it a few lines over pyotp; django-otp brings its own device models, admin and
middleware, a second account model beside ours to keep in step.
"""

import hashlib
import hmac
import io
import re
import secrets
import time

import pyotp
import segno
from django.conf import settings
from django.core import signing

from server.errors import invalid

# How long the password step stays good while the user fetches a code.
PENDING_SECONDS = 5 * 60
PENDING = "cairn_two_factor_pending"
REMEMBER_COOKIE = "cairn_remember"
_REMEMBER_SALT = "cairn.two_factor.remember"
RECOVERY_CODES = 10
_CODE = re.compile(r"[0-9]{6}")
_RECOVERY = re.compile(r"[a-z2-7]{16}")


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, user) -> str:
    issuer = user.practice.name if user.practice_id else "Cairn"
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The URI as a QR code, an inline SVG drawn here (no outside service sees the secret)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True,
                                     nl=False)
    return out.getvalue().decode()


def parse_code(code) -> tuple[str, str]:
    """("totp", "123456") or ("recovery", "abcd…") from what the user typed (spaces and dashes
    are allowed; letters any case). 422 `invalid_code` for anything else."""
    text = re.sub(r"[\s-]", "", code).lower() if isinstance(code, str) else ""
    if _CODE.fullmatch(text):
        return "totp", text
    if _RECOVERY.fullmatch(text):
        return "recovery", text
    raise invalid("invalid_code",
                  "A code is 6 digits from your authenticator app, or a 16-letter recovery code.")


def matching_step(secret: str, code: str, after_step: int, now: float | None = None) -> int | None:
    """The time step (this one, or one either side for clock drift) whose code is `code`, if it
    is later than `after_step` (a step already used is a replay); else None."""
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    current = int(at // totp.interval)
    for step in (current - 1, current, current + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like `abcd-efgh-ijkl-mnop` (80 random bits each)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    return codes


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code (dashes and case dropped first)."""
    normal = re.sub(r"[\s-]", "", code).lower()
    return hmac.new(settings.SECRET_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


# --- the pending second step ------------------------------------------------------------------

def set_pending(request, user) -> None:
    request.session[PENDING] = {"user_id": user.pk, "at": time.time(),
                                "auth_hash": user.get_session_auth_hash()}


def pending_marker(request) -> dict | None:
    """{user_id, at, auth_hash} of the password this session gave within PENDING_SECONDS, or
    None (the caller checks `auth_hash` against the user's, so a password changed since voids it)."""
    marker = request.session.get(PENDING)
    if not isinstance(marker, dict) or time.time() - marker.get("at", 0) > PENDING_SECONDS:
        return None
    return marker


def clear_pending(request) -> None:
    request.session.pop(PENDING, None)


# --- remember this browser --------------------------------------------------------------------

def _fingerprint(user, two_factor) -> str:
    # Changes when the password changes or two-step sign-in is turned off (and on again).
    material = f"{user.password}|{two_factor.secret}|{two_factor.confirmed_at.isoformat()}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def remember_value(user, two_factor) -> str:
    return signing.dumps({"u": user.pk, "f": _fingerprint(user, two_factor)}, salt=_REMEMBER_SALT)


def is_remembered(request, user, two_factor) -> bool:
    """Whether this browser holds a remember cookie for `user`, still valid."""
    value = request.COOKIES.get(REMEMBER_COOKIE)
    if not value:
        return False
    try:
        data = signing.loads(value, salt=_REMEMBER_SALT,
                             max_age=settings.REMEMBER_BROWSER_DAYS * 86400)
    except signing.BadSignature:
        return False
    return (isinstance(data, dict) and data.get("u") == user.pk
            and hmac.compare_digest(str(data.get("f")), _fingerprint(user, two_factor)))
