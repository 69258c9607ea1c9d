"""Two-step sign-in: set-up, confirmation, turning off, and the sign-in's second step."""

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from ninja import Router, Status

from server.actions import two_factor as actions
from server.api.account_schemas import (CodeIn, RecoveryCodesOut, SecondStepIn, TwoFactorSetupOut,
                                        TwoFactorStatusOut)
from server.api.auth import me_dict, require_csrf
from server.api.schemas import ERRORS, ERRORS_AND_CONFLICT, ErrorOut, MeOut
from server.api.session import actor, person, signed_in
from server.models import RecoveryCode
from server.signin import complete_sign_in, pending_user
from server.two_factor import REMEMBER_COOKIE, remember_value

router = Router(tags=["two-factor"])


@router.post("/auth/login/two-factor", response={200: MeOut, ERRORS: ErrorOut})
def second_step(request, payload: SecondStepIn, response: HttpResponse):
    """Finish signing in with a code from the authenticator app or a recovery code;
    `remember_browser` skips this step on this browser for 30 days."""
    require_csrf(request)
    user = pending_user(request)
    used = actions.check_code(request, user, payload.code, status=401)
    complete_sign_in(request, user, two_factor=used)
    if payload.remember_browser:
        response.set_cookie(REMEMBER_COOKIE, remember_value(user, actions.confirmed(user)),
                            max_age=settings.REMEMBER_BROWSER_DAYS * 86400, httponly=True,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return me_dict(request, person(request, setup_exempt=True))


@router.get("/me/two-factor", response={200: TwoFactorStatusOut, ERRORS: ErrorOut}, auth=signed_in)
def status(request):
    """Whether two-step sign-in is on, how many recovery codes are left, and whether the
    practice requires it."""
    who = person(request, setup_exempt=True)
    user = request.user
    return {"enabled": actions.confirmed(user) is not None,
            "recovery_codes_left": RecoveryCode.objects.filter(user=user,
                                                               used_at__isnull=True).count(),
            "required": who.is_staff and user.practice.require_two_factor}


@router.post("/me/two-factor", response={200: TwoFactorSetupOut, ERRORS_AND_CONFLICT: ErrorOut}, auth=signed_in)
def start_setup(request):
    """A new secret to add to an authenticator app: `otpauth_uri`, and the same as a QR code
    (`qr_svg`, drawn here). Nothing changes until it is confirmed."""
    by = actor(request, setup_exempt=True)
    with transaction.atomic():
        return actions.do_start_setup(by)


@router.post("/me/two-factor/confirm", response={200: RecoveryCodesOut, ERRORS_AND_CONFLICT: ErrorOut},
             auth=signed_in)
def confirm(request, payload: CodeIn):
    """Turn two-step sign-in on with a first code; answers the 10 recovery codes, shown once."""
    person(request, setup_exempt=True)
    return {"recovery_codes": actions.do_confirm(request, request.user, payload.code)}


@router.delete("/me/two-factor", response={204: None, ERRORS_AND_CONFLICT: ErrorOut}, auth=signed_in)
def turn_off(request, payload: CodeIn):
    """Turn two-step sign-in off with a current code (or a recovery code)."""
    person(request, setup_exempt=True)
    actions.do_disable(request, request.user, payload.code)
    return Status(204, None)
