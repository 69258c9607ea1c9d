"""Who administers the practice: audit log, roles, assignments, the portal switch, client
contact details."""

from rules.facts import Person
from rules.roles import CLINICAL_ADMIN, PRACTICE_ADMIN


def can_read_audit(person: Person) -> bool:
    return person.is_staff and bool({PRACTICE_ADMIN, CLINICAL_ADMIN} & person.roles)


def can_manage_roles(person: Person) -> bool:
    return person.is_staff and PRACTICE_ADMIN in person.roles


def can_manage_assignments(person: Person) -> bool:
    return person.is_staff and bool({PRACTICE_ADMIN, CLINICAL_ADMIN} & person.roles)


def can_use_admin_site(person: Person) -> bool:
    # Django's admin manages staff, roles and clients: the practice admin's work.
    return person.is_staff and PRACTICE_ADMIN in person.roles


def can_switch_portal(person: Person) -> bool:
    return person.is_staff and PRACTICE_ADMIN in person.roles


def can_send_password_reset(person: Person) -> bool:
    # Practice admins send reset links (they never see or set a password themselves).
    return person.is_staff and PRACTICE_ADMIN in person.roles


def can_see_staff_sign_ins(person: Person) -> bool:
    return person.is_staff and PRACTICE_ADMIN in person.roles


def can_manage_clients(person: Person) -> bool:
    """Whether `person` works with client records at all: lists them, invites them, sees their
    assignments (changing those needs `can_manage_assignments` too)."""
    return person.is_staff


def can_edit_client_contact(person: Person) -> bool:
    # A client's email address decides where invitations go: practice admins only.
    return person.is_staff and PRACTICE_ADMIN in person.roles
