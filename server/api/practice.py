"""The practice: clients, topics, the portal switch, staff roles, assignments, invitations, audit."""

from typing import Optional

from ninja import Router

from server.actions.administration import (check_invite, check_set_clinicians, check_set_roles,
                                           check_update_practice)
from server.actions.lookups import check_list_clients, check_read_audit
from server.api import session
from server.api.schemas import (ERRORS, AuditPage, CliniciansIn, CliniciansOut, ClientOut, ErrorOut,
                                InviteOut, PracticeSettingsIn, PracticeSettingsOut, RolesIn,
                                RolesOut, TopicOut)
from server.api.session import actor, signed_in
from server.models import Practice, Topic
from server.practice_settings import check_settings, settings_of

router = Router(tags=["practice"], auth=signed_in)


@router.get("/clients", response={200: list[ClientOut], ERRORS: ErrorOut})
def list_clients(request, q: str = ""):
    """Clients the caller can message, by name (type-ahead with `q`)."""
    return [{"id": c.pk, "name": c.name, "has_portal_account": c.user_id is not None,
             "has_email": bool(c.email)} for c in check_list_clients(actor(request), q)]


@router.get("/topics", response={200: list[TopicOut], ERRORS: ErrorOut})
def list_topics(request):
    who = actor(request).person
    return [{"id": t.pk, "name": t.name, "subject": t.subject}
            for t in Topic.objects.filter(practice_id=who.practice_id)]


@router.get("/practice", response={200: PracticeSettingsOut, ERRORS: ErrorOut})
def read_practice(request):
    """The practice's name, portal switch and settings (anyone signed in to the practice)."""
    return settings_of(Practice.objects.get(pk=actor(request).person.practice_id))


@router.put("/practice", response={200: PracticeSettingsOut, ERRORS: ErrorOut})
def update_practice(request, payload: PracticeSettingsIn):
    """Switch the client portal on or off and change the settings (practice admins); fields
    left out keep their value."""
    values = check_settings(payload.model_dump(exclude_unset=True))
    return settings_of(check_update_practice(actor(request), values))


@router.put("/staff/{int:staff_id}/roles", response={200: RolesOut, ERRORS: ErrorOut})
def set_roles(request, staff_id: int, payload: RolesIn):
    """Replace a staff member's roles (practice admins); applies at once."""
    staff, roles = check_set_roles(actor(request), staff_id, payload.roles)
    return {"id": staff.pk, "roles": roles}


@router.put("/clients/{int:client_id}/clinicians", response={200: CliniciansOut,
                                                              ERRORS: ErrorOut})
def set_clinicians(request, client_id: int, payload: CliniciansIn):
    """Replace a client's assigned clinicians (practice and clinical admins); applies at once."""
    client, clinicians = check_set_clinicians(actor(request), client_id, payload.clinicians)
    return {"id": client.pk, "clinicians": [{"id": u.pk, "name": u.display_name}
                                            for u in clinicians]}


@router.post("/clients/{int:client_id}/invite", response={200: InviteOut, ERRORS: ErrorOut})
def invite(request, client_id: int):
    """(Re)send the portal invitation; any older link stops working."""
    return {"invitation": check_invite(actor(request), client_id)}


@router.get("/audit", response={200: AuditPage, ERRORS: ErrorOut})
def read_audit(request, thread: Optional[int] = None, actor: Optional[int] = None,
               limit: Optional[int] = None, before: Optional[int] = None):
    """The practice's audit log, newest first (practice and clinical admins)."""
    # `actor` is the filter parameter here; the caller is session.actor.
    page, more = check_read_audit(session.actor(request), thread=thread, by=actor, limit=limit,
                                  before=before)
    return {"entries": [_audit_dict(e) for e in page], "next": str(page[-1].pk) if more else None}


def _audit_dict(entry) -> dict:
    actor = {"id": entry.actor_id, "username": entry.actor_username} if entry.actor_username else None
    return {"id": entry.pk, "at": entry.at, "actor": actor, "action": entry.action,
            "thread_id": entry.thread_id, "message_id": entry.message_id,
            "client_id": entry.client_id, "ip": entry.ip, "detail": entry.detail}
