"""Passwords (forgotten, reset, changed, sent by an admin), the sessions list, and the staff
sign-in view for practice admins (SPEC §4 "Accounts")."""

import time

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from ninja import Router, Status

from rules.administration import can_see_staff_sign_ins, can_send_password_reset
from server.actions import passwords, sessions
from server.api.account_schemas import (ChangePasswordIn, ForgotIn, LinkSentOut, ResetIn,
                                        SessionOut, StaffOut)
from server.api.auth import require_csrf
from server.api.schemas import ERRORS, ErrorOut
from server.actor import Actor
from server.api.session import actor, person, signed_in
from server.errors import ApiError, forbidden, invalid, not_found
from server.models import Client, SignInSession, StaffRole, TwoFactor, User

router = Router(tags=["accounts"])


@router.post("/auth/password/forgot", response={202: None, ERRORS: ErrorOut})
def forgot_password(request, payload: ForgotIn):
    """Email a reset link to the account `login` names (a username or an email address).
    The answer is the same 202 whether or not there is such an account."""
    require_csrf(request)
    started = time.monotonic()
    with transaction.atomic():
        passwords.do_forgot(request, payload.login.strip()[:254])
    # The same work is done either way; the floor also hides the few writes a known login costs.
    time.sleep(max(0.0, settings.PASSWORD_FORGOT_MIN_SECONDS - (time.monotonic() - started)))
    return Status(202, None)


@router.post("/auth/password/reset", response={204: None, ERRORS: ErrorOut})
def reset_password(request, payload: ResetIn):
    """Set a new password with a reset link's token; every session of the user ends."""
    require_csrf(request)
    with transaction.atomic():
        reset = passwords.find_reset(payload.token)
        if reset is None:
            raise ApiError(410, "token_invalid", "This link was used, replaced by a newer one, or has expired.")
        passwords.do_reset(Actor.from_request(request), reset, payload.password)
    return Status(204, None)


@router.post("/me/password", response={204: None, ERRORS: ErrorOut}, auth=signed_in)
def change_password(request, payload: ChangePasswordIn):
    """Change your own password; your other sessions end, this one stays."""
    person(request, setup_exempt=True)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=request.user.pk)
        passwords.do_change(request, user, payload.current, payload.new)
    return Status(204, None)


def _send_reset(request, user) -> dict:
    with transaction.atomic():
        if not passwords.issue_link(actor(request), user):
            raise invalid("no_email", "This account has no email address to send a link to.")
    return Status(202, {"status": "sent"})


def _admin(request):
    who = person(request)
    if not can_send_password_reset(who):
        raise forbidden("not_allowed", "Only a practice admin can send password reset links.")
    return who


@router.post("/staff/{int:staff_id}/password-reset", response={202: LinkSentOut, ERRORS: ErrorOut},
             auth=signed_in)
def send_staff_reset(request, staff_id: int):
    """Email a staff user of your practice a reset link (practice admins; no password shown)."""
    who = _admin(request)
    user = User.objects.filter(pk=staff_id, practice_id=who.practice_id, kind=User.STAFF,
                               is_active=True).select_related("practice").first()
    if user is None:
        raise not_found("staff user")
    return _send_reset(request, user)


@router.post("/clients/{int:client_id}/password-reset",
             response={202: LinkSentOut, ERRORS: ErrorOut}, auth=signed_in)
def send_client_reset(request, client_id: int):
    """Email a client of your practice a reset link for their portal account (practice admins)."""
    who = _admin(request)
    client = Client.objects.filter(pk=client_id, practice_id=who.practice_id).first()
    if client is None:
        raise not_found("client")
    user = (User.objects.filter(pk=client.user_id, is_active=True).select_related("practice").first()
            if client.user_id else None)
    if user is None:
        raise invalid("no_portal_account", "This client has no portal account: invite them instead.")
    return _send_reset(request, user)


def _session_dict(row, current_hash) -> dict:
    return {"id": row.pk, "created_at": row.created_at, "last_seen_at": row.last_seen_at,
            "ip": row.ip, "browser": sessions.browser_name(row.user_agent),
            "current": row.key_hash == current_hash}


def _current_hash(request) -> str:
    return sessions.key_hash(request.session.session_key or "")


@router.get("/me/sessions", response={200: list[SessionOut], ERRORS: ErrorOut}, auth=signed_in)
def list_sessions(request):
    """Your signed-in sessions, newest first (`current`: this one)."""
    person(request, setup_exempt=True)
    current = _current_hash(request)
    return [_session_dict(row, current) for row in sessions.live_sessions(request.user)]


@router.delete("/me/sessions/{int:session_id}", response={204: None, ERRORS: ErrorOut},
               auth=signed_in)
def end_session(request, session_id: int):
    """End one of your sessions (its sockets close at once). Ending this one signs you out."""
    by = actor(request, setup_exempt=True)
    with transaction.atomic():
        row = sessions.live_sessions(request.user).filter(pk=session_id).first()
        if row is None:
            raise not_found("session")
        sessions.do_end_sessions(by, request.user, [row], reason="ended_by_user")
    return Status(204, None)


@router.delete("/me/sessions", response={204: None, ERRORS: ErrorOut}, auth=signed_in)
def end_other_sessions(request):
    """End every session of yours but this one."""
    by = actor(request, setup_exempt=True)
    with transaction.atomic():
        others = sessions.live_sessions(request.user).exclude(key_hash=_current_hash(request))
        sessions.do_end_sessions(by, request.user, others, reason="ended_others")
    return Status(204, None)


@router.get("/staff", response={200: list[StaffOut], ERRORS: ErrorOut}, auth=signed_in)
def list_staff(request):
    """The practice's staff with each one's last sign-in (time, address, browser) and whether
    they use two-step sign-in (practice admins)."""
    who = person(request)
    if not can_see_staff_sign_ins(who):
        raise forbidden("not_allowed", "Only a practice admin can see the staff list.")
    staff = list(User.objects.filter(practice_id=who.practice_id, kind=User.STAFF, is_active=True)
                 .order_by("name", "id"))
    ids = [u.pk for u in staff]
    roles = {}
    for user_id, role in StaffRole.objects.filter(user_id__in=ids).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(role)
    newest = (SignInSession.objects.filter(user_id=OuterRef("user_id"))
              .order_by("-created_at", "-id").values("id")[:1])
    last = {row.user_id: row for row in SignInSession.objects.filter(
        user_id__in=ids, id=Subquery(newest))}
    with_two_factor = set(TwoFactor.objects.filter(user_id__in=ids, confirmed_at__isnull=False)
                          .values_list("user_id", flat=True))
    return [{"id": u.pk, "username": u.username, "name": u.display_name,
             "roles": sorted(roles.get(u.pk, [])), "two_factor": u.pk in with_two_factor,
             "last_sign_in": ({"at": last[u.pk].created_at, "ip": last[u.pk].ip,
                               "browser": sessions.browser_name(last[u.pk].user_agent)}
                              if u.pk in last else None)}
            for u in staff]
