"""rules.administration: the audit log, roles, assignments and the portal switch, by role subset."""

from dataclasses import replace

import pytest

import rules
from tests.rules.spec import ROLES, Matrix, client, staff, staff_cases

# SPEC §2 "Export and audit": practice admins and clinical admins read the audit log. The spec is
# silent on the rest; the policy: practice admins manage roles and the portal switch, and practice
# or clinical admins manage client assignments.
ALLOWED = {
    "can_read_audit": {"practice_admin", "clinical_admin"},
    "can_manage_roles": {"practice_admin"},
    "can_manage_assignments": {"practice_admin", "clinical_admin"},
    "can_switch_portal": {"practice_admin"},
    "can_use_admin_site": {"practice_admin"},
}
def test_staff():
    matrix = Matrix()
    for check, allowed in ALLOWED.items():
        for roles, relation, case_id in staff_cases():
            # Relationships with clients never make anyone an administrator.
            matrix.check(f"{check}-{case_id}", getattr(rules, check)(staff(roles, relation)),
                         bool(allowed & roles))
    matrix.verify(at_least=len(ALLOWED) * 192)


@pytest.mark.parametrize("check", ALLOWED)
def test_clients_administer_nothing(check):
    assert getattr(rules, check)(client()) is False
    # Not even a client record that somehow carries staff roles.
    assert getattr(rules, check)(replace(client(), roles=frozenset(ROLES))) is False


@pytest.mark.parametrize("check, role, expected", [
    ("can_read_audit", "clinical_admin", True),
    ("can_read_audit", "supervisor", False),
    ("can_manage_roles", "clinical_admin", False),
    ("can_manage_roles", "practice_admin", True),
    ("can_manage_assignments", "clinical_admin", True),
    ("can_manage_assignments", "supervisor", False),
    ("can_switch_portal", "scheduler", False),
    ("can_switch_portal", "practice_admin", True),
], ids=str)
def test_hand_written_rows(check, role, expected):
    assert getattr(rules, check)(staff({role})) is expected
