"""Staff roles and thread audiences, and which audiences each role opens on its own."""

ADMINISTRATIVE = "administrative"
BILLING = "billing"
CLINICAL = "clinical"
AUDIENCES = (ADMINISTRATIVE, BILLING, CLINICAL)

PRACTICE_ADMIN = "practice_admin"
SCHEDULER = "scheduler"
BILLER = "biller"
CLINICIAN = "clinician"
SUPERVISOR = "supervisor"
CLINICAL_ADMIN = "clinical_admin"
ROLES = (PRACTICE_ADMIN, SCHEDULER, BILLER, CLINICIAN, SUPERVISOR, CLINICAL_ADMIN)

# Audiences a role sees for every client of the practice, with no relationship needed.
# Clinicians and supervisors see through their relationship to the client, never by role alone.
_ROLE_AUDIENCES = {
    PRACTICE_ADMIN: frozenset({ADMINISTRATIVE}),
    SCHEDULER: frozenset({ADMINISTRATIVE}),
    BILLER: frozenset({BILLING}),
    CLINICIAN: frozenset(),
    SUPERVISOR: frozenset(),
    CLINICAL_ADMIN: frozenset(AUDIENCES),
}


def audiences_by_role(roles) -> frozenset:
    """The audiences that `roles` open for every client of the practice (their union)."""
    opened = frozenset()
    for role in roles:
        opened |= _ROLE_AUDIENCES.get(role, frozenset())
    return opened
