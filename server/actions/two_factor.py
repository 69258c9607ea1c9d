"""Turning two-step sign-in on and off, and checking a code (sign-in, turning off)."""

from django.utils import timezone

from server import signin, two_factor
from server.audit import audit, audit_by
from server.errors import ApiError, forbidden
from server.models import RecoveryCode, TwoFactor


def confirmed(user) -> TwoFactor | None:
    """The user's two-step sign-in if it is on."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def do_start_setup(actor) -> dict:
    """A fresh secret for the actor to scan; two-step sign-in is on only once confirmed."""
    user = actor.user
    if confirmed(user) is not None:
        raise ApiError(409, "two_factor_on", "Two-step sign-in is already on; turn it off first.")
    secret = two_factor.new_secret()
    TwoFactor.objects.update_or_create(user=user, defaults={
        "secret": secret, "created_at": timezone.now(), "confirmed_at": None, "last_step": 0})
    audit_by(actor, "two_factor.setup_started")
    uri = two_factor.otpauth_uri(secret, user)
    return {"secret": secret, "otpauth_uri": uri, "qr_svg": two_factor.qr_svg(uri)}


def check_code(request, user, code, *, pending_setup: bool = False, status: int = 422) -> str:
    """Check `code` (a TOTP code, or a recovery code unless setting up) for `user` under the
    code throttle; a TOTP code's step is used up, a recovery code is spent. Returns "code" or
    "recovery_code". Raises 422 `invalid_code` (malformed, not counted), 429, or `status`
    `bad_code` (counted and audited; 401 at sign-in, 422 for a signed-in user). Call outside a transaction: each use is one compare-and-set UPDATE,
    so two requests with one code cannot both pass, and a refusal's audit row stays."""
    kind, text = two_factor.parse_code(code)
    subject = str(user.pk)
    signin.refuse_while_guessing(request, "two_factor", subject, actor=user)
    row = TwoFactor.objects.filter(user=user, confirmed_at__isnull=pending_setup).first()
    if row is not None and kind == "totp":
        step = two_factor.matching_step(row.secret, text, row.last_step)
        if step is not None and TwoFactor.objects.filter(
                pk=row.pk, last_step__lt=step).update(last_step=step):
            return "code"
    if row is not None and kind == "recovery" and not pending_setup:
        spent = (RecoveryCode.objects.filter(user=user, used_at__isnull=True,
                                             code_hash=two_factor.recovery_hash(text))
                 .update(used_at=timezone.now()))
        if spent:
            return "recovery_code"
    signin.count_failure(request, "two_factor", subject)
    audit(request, "two_factor.failed", actor=user)
    raise ApiError(status, "bad_code", "That code is not right (or was used already).")


def do_confirm(request, user, code) -> list[str]:
    """Turn two-step sign-in on with a first good code; returns the 10 recovery codes (shown
    once; only their hashes are kept)."""
    if confirmed(user) is not None:
        raise ApiError(409, "two_factor_on", "Two-step sign-in is already on.")
    if not TwoFactor.objects.filter(user=user).exists():
        raise ApiError(409, "two_factor_not_started", "Start the set-up first.")
    check_code(request, user, code, pending_setup=True)
    TwoFactor.objects.filter(user=user).update(confirmed_at=timezone.now())
    codes = two_factor.new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=two_factor.recovery_hash(c))
                                     for c in codes)
    audit(request, "two_factor.enabled", actor=user)
    return codes


def do_disable(request, user, code) -> None:
    """Turn two-step sign-in off (a current code or a recovery code); remembered browsers are
    forgotten with it."""
    if confirmed(user) is None:
        raise ApiError(409, "two_factor_off", "Two-step sign-in is not on.")
    if user.kind == user.STAFF and user.practice.require_two_factor:
        raise forbidden("two_factor_required", "Your practice requires two-step sign-in.")
    check_code(request, user, code)
    TwoFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit(request, "two_factor.disabled", actor=user)
