"""Practice administration: roles, assignments, the portal switch. Each applies at once,
live sockets included (they are told to reload what their user may see)."""

from server.live.log import access_changed
from server.audit import audit_by
from server.models import Client, StaffRole, User


def do_set_roles(actor, staff_user, roles) -> None:
    before = set(StaffRole.objects.filter(user=staff_user).values_list("role", flat=True))
    StaffRole.objects.filter(user=staff_user).exclude(role__in=roles).delete()
    StaffRole.objects.bulk_create(StaffRole(user=staff_user, role=r)
                                  for r in sorted(set(roles) - before))
    access_changed(staff_user.practice_id, [staff_user.pk])
    audit_by(actor, "staff.roles_changed", practice_id=staff_user.practice_id,
             target_user=staff_user.pk, roles_before=sorted(before), roles_after=sorted(roles))


def do_set_clinicians(actor, client, clinician_ids) -> None:
    before = set(client.clinicians.values_list("id", flat=True))
    client.clinicians.set(clinician_ids)
    touched = before | set(clinician_ids)
    supervisors = User.supervises.through.objects.filter(to_user_id__in=touched)
    affected = touched | set(supervisors.values_list("from_user_id", flat=True))
    access_changed(client.practice_id, affected)
    audit_by(actor, "client.clinicians_changed", practice_id=client.practice_id,
             client_id=client.pk, before=sorted(before), after=sorted(clinician_ids))


def do_switch_portal(actor, practice, enabled: bool) -> None:
    if practice.portal_enabled == enabled:
        return
    practice.portal_enabled = enabled
    practice.save(update_fields=["portal_enabled"])
    client_users = Client.objects.filter(practice=practice, user__isnull=False)
    access_changed(practice.pk, client_users.values_list("user_id", flat=True))
    audit_by(actor, "practice.portal_switched", practice_id=practice.pk, enabled=enabled)
