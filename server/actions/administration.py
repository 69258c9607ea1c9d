"""Practice administration, checked: the portal switch, roles, assignments, invitations.

Each takes the practice's event-log lock, finds its object as the caller may see it, applies
`rules.administration`, then calls the `do_*` action (server.actions.practice, .portal).
"""

from django.db import transaction

from rules import (ROLES, can_manage_assignments, can_manage_clients, can_manage_roles,
                   can_switch_portal)
from rules.roles import CLINICIAN
from server.live import log as events
from server.access import access_client, require_portal
from server.actions.portal import do_invite
from server.actions.practice import do_set_clinicians, do_set_roles, do_switch_portal
from server.actions.practice_settings import do_update_practice_settings
from server.errors import ApiError, forbidden, invalid, not_found
from server.models import Practice, StaffRole, User
from server.validation import clean_ids


def check_update_practice(actor, values: dict) -> Practice:
    """Switch the client portal of `actor`'s practice and change its settings (practice admins):
    `values` were checked by server.practice_settings; those left out keep their value."""
    person = actor.person
    if not can_switch_portal(person):
        raise forbidden("not_allowed", "Only a practice admin can change the practice's settings.")
    values = dict(values)
    with events.writing(person.practice_id):
        practice = Practice.objects.select_for_update().get(pk=person.practice_id)
        if "portal_enabled" in values:
            do_switch_portal(actor, practice, values.pop("portal_enabled"))
        do_update_practice_settings(actor, practice, values)
        return practice


def check_set_roles(actor, staff_id, roles) -> tuple:
    """Replace a staff member's roles (practice admins); returns (staff user, roles now)."""
    person = actor.person
    if not can_manage_roles(person):
        raise forbidden("not_allowed", "Only a practice admin can change roles.")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise invalid("unknown_role", f"Unknown role: {unknown[0]}.", field="roles")
    with events.writing(person.practice_id):
        staff = User.objects.select_for_update().filter(
            pk=staff_id, practice_id=person.practice_id, kind=User.STAFF).first()
        if staff is None:
            raise not_found("staff member")
        do_set_roles(actor, staff, sorted(set(roles)))
        return staff, sorted(StaffRole.objects.filter(user=staff).values_list("role", flat=True))


def check_set_clinicians(actor, client_id, clinician_ids) -> tuple:
    """Replace a client's assigned clinicians (practice and clinical admins); returns
    (client, clinicians as users by id)."""
    person = actor.person
    with events.writing(person.practice_id):
        client = _client_for_staff(person, client_id, lock=True)
        if not can_manage_assignments(person):
            raise forbidden("not_allowed", "Only a practice or clinical admin can assign clinicians.")
        wanted = clean_ids(clinician_ids, "clinicians")
        clinicians = list(User.objects.filter(pk__in=wanted, practice_id=person.practice_id,
                                              kind=User.STAFF, role_rows__role=CLINICIAN))
        missing = sorted(wanted - {u.pk for u in clinicians})
        if missing:
            raise invalid("not_a_clinician", f"Staff {missing[0]} is not a clinician here.",
                          field="clinicians")
        do_set_clinicians(actor, client, sorted(wanted))
        return client, sorted(clinicians, key=lambda u: u.pk)


def check_invite(actor, client_id) -> dict:
    """(Re)send a client's portal invitation; any older link stops working."""
    person = actor.person
    with transaction.atomic():
        client = _client_for_staff(person, client_id, lock=True)
        require_portal(client.practice)
        if client.user_id is not None:
            raise ApiError(422, "has_account", "This client already has a portal account.")
        return do_invite(actor, client)


def _client_for_staff(person, client_id, *, lock: bool):
    """A client a staff `person` sees (403 for clients, 404 for a client hidden or missing)."""
    if not can_manage_clients(person):
        raise forbidden("not_allowed", "Only staff can do that.")
    return access_client(person, client_id, lock=lock)
