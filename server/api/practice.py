"""The practice: clients, topics, the portal switch, staff roles, assignments, invitations, audit."""

from typing import Optional

from django.db import transaction
from ninja import Router

from rules import ROLES, can_manage_assignments, can_manage_roles, can_read_audit, can_see_client
from rules import can_switch_portal
from rules.roles import CLINICIAN
from server.live import log as events
from server.actions.portal import do_invite
from server.actions.practice import do_set_clinicians, do_set_roles, do_switch_portal
from server.actions.practice_settings import do_update_practice_settings
from server.api import paging
from server.api.schemas import (ERRORS, AuditPage, CliniciansIn, CliniciansOut, ClientOut, ErrorOut,
                                InviteOut, RolesIn, RolesOut, TopicOut)
from server.api.schemas import PracticeSettingsIn, PracticeSettingsOut
from server.api.session import person, require_portal, signed_in
from server.errors import ApiError, forbidden, invalid, not_found
from server.models import AuditEntry, Client, Practice, StaffRole, Topic, User
from server.practice_settings import check_settings, settings_of
from server.visibility import visible_clients

router = Router(tags=["practice"], auth=signed_in)
TYPEAHEAD_LIMIT = 50


@router.get("/clients", response={200: list[ClientOut], ERRORS: ErrorOut})
def list_clients(request, q: str = ""):
    """Clients the caller can message, by name (type-ahead with `q`)."""
    who = person(request, staff_only=True)
    clients = Client.objects.filter(visible_clients(who)).order_by("name", "id")
    q = q.replace("\x00", "").strip()  # no name holds NUL, and PostgreSQL refuses it in a query
    if q:
        clients = clients.filter(name__icontains=q)[:TYPEAHEAD_LIMIT]
    return [{"id": c.pk, "name": c.name, "has_portal_account": c.user_id is not None,
             "has_email": bool(c.email)} for c in clients]


@router.get("/topics", response={200: list[TopicOut], ERRORS: ErrorOut})
def list_topics(request):
    who = person(request)
    return [{"id": t.pk, "name": t.name, "subject": t.subject}
            for t in Topic.objects.filter(practice_id=who.practice_id)]


@router.get("/practice", response={200: PracticeSettingsOut, ERRORS: ErrorOut})
def read_practice(request):
    """The practice's name, portal switch and settings (anyone signed in to the practice)."""
    person(request)
    return settings_of(Practice.objects.get(pk=request.user.practice_id))


@router.put("/practice", response={200: PracticeSettingsOut, ERRORS: ErrorOut})
def update_practice(request, payload: PracticeSettingsIn):
    """Switch the client portal on or off and change the settings (practice admins); fields
    left out keep their value."""
    who = person(request, staff_only=True)
    if not can_switch_portal(who):
        raise forbidden("not_allowed", "Only a practice admin can switch the portal.")
    values = check_settings(payload.model_dump(exclude_unset=True))
    with events.writing(who.practice_id):
        practice = Practice.objects.select_for_update().get(pk=who.practice_id)
        if "portal_enabled" in values:
            do_switch_portal(practice, values.pop("portal_enabled"), request=request)
        do_update_practice_settings(practice, values, request=request)
    return settings_of(practice)


@router.put("/staff/{int:staff_id}/roles", response={200: RolesOut, ERRORS: ErrorOut})
def set_roles(request, staff_id: int, payload: RolesIn):
    """Replace a staff member's roles (practice admins); applies at once."""
    who = person(request, staff_only=True)
    if not can_manage_roles(who):
        raise forbidden("not_allowed", "Only a practice admin can change roles.")
    unknown = sorted(set(payload.roles) - set(ROLES))
    if unknown:
        raise invalid("unknown_role", f"Unknown role: {unknown[0]}.", field="roles")
    with events.writing(who.practice_id):
        staff = User.objects.select_for_update().filter(
            pk=staff_id, practice_id=who.practice_id, kind=User.STAFF).first()
        if staff is None:
            raise not_found("staff member")
        do_set_roles(staff, sorted(set(payload.roles)), request=request)
        roles = sorted(StaffRole.objects.filter(user=staff).values_list("role", flat=True))
    return {"id": staff.pk, "roles": roles}


def _client_for_admin(who, client_id, lock=False):
    clients = Client.objects.select_for_update() if lock else Client.objects
    client = clients.filter(pk=client_id).first()
    if client is None or not can_see_client(who, client.practice_id, client.pk):
        raise not_found("client")
    return client


@router.put("/clients/{int:client_id}/clinicians", response={200: CliniciansOut,
                                                              ERRORS: ErrorOut})
def set_clinicians(request, client_id: int, payload: CliniciansIn):
    """Replace a client's assigned clinicians (practice and clinical admins); applies at once."""
    who = person(request, staff_only=True)
    with events.writing(who.practice_id):
        client = _client_for_admin(who, client_id, lock=True)
        if not can_manage_assignments(who):
            raise forbidden("not_allowed", "Only a practice or clinical admin can assign clinicians.")
        wanted = set(payload.clinicians)
        for staff_id in wanted:
            paging.check_id(staff_id, "clinicians")
        clinicians = list(User.objects.filter(pk__in=wanted, practice_id=who.practice_id,
                                              kind=User.STAFF, role_rows__role=CLINICIAN))
        missing = sorted(wanted - {u.pk for u in clinicians})
        if missing:
            raise invalid("not_a_clinician", f"Staff {missing[0]} is not a clinician here.",
                          field="clinicians")
        do_set_clinicians(client, sorted(wanted), request=request)
    return {"id": client.pk, "clinicians": [{"id": u.pk, "name": u.display_name}
                                            for u in sorted(clinicians, key=lambda u: u.pk)]}


@router.post("/clients/{int:client_id}/invite", response={200: InviteOut, ERRORS: ErrorOut})
def invite(request, client_id: int):
    """(Re)send the portal invitation; any older link stops working."""
    who = person(request, staff_only=True)
    with transaction.atomic():
        client = _client_for_admin(who, client_id, lock=True)
        require_portal(request.user.practice)
        if client.user_id is not None:
            raise ApiError(422, "has_account", "This client already has a portal account.")
        return {"invitation": do_invite(client, request.user, request=request)}


@router.get("/audit", response={200: AuditPage, ERRORS: ErrorOut})
def read_audit(request, thread: Optional[int] = None, actor: Optional[int] = None,
               limit: Optional[int] = None, before: Optional[int] = None):
    """The practice's audit log, newest first (practice and clinical admins)."""
    who = person(request, staff_only=True)
    if not can_read_audit(who):
        raise forbidden("not_allowed", "Only practice and clinical admins read the audit log.")
    size = paging.limit_of(limit, 100, 500)
    for field, value in (("thread", thread), ("actor", actor), ("before", before)):
        paging.check_id(value, field)
    entries = AuditEntry.objects.filter(practice_id=who.practice_id).select_related("actor")
    if thread is not None:
        entries = entries.filter(thread_id=thread)
    if actor is not None:
        entries = entries.filter(actor_id=actor)
    if before is not None:
        entries = entries.filter(pk__lt=before)
    page = list(entries.order_by("-id")[:size + 1])
    more, page = len(page) > size, page[:size]
    return {"entries": [_audit_dict(e) for e in page], "next": str(page[-1].pk) if more else None}


def _audit_dict(entry) -> dict:
    actor = {"id": entry.actor_id, "username": entry.actor_username} if entry.actor_username else None
    return {"id": entry.pk, "at": entry.at, "actor": actor, "action": entry.action,
            "thread_id": entry.thread_id, "message_id": entry.message_id,
            "client_id": entry.client_id, "ip": entry.ip, "detail": entry.detail}
