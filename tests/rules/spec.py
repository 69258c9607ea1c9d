"""SPEC §2 restated by hand, independent of rules/, for the tests in this folder to compare with."""

from itertools import combinations

from rules import Person

ROLES = ("practice_admin", "scheduler", "biller", "clinician", "supervisor", "clinical_admin")
AUDIENCES = ("administrative", "billing", "clinical")

# SPEC §2 "Visibility", the roles column: who sees a thread of each audience for every client.
SEEN_BY_ROLE = {
    "administrative": {"scheduler", "practice_admin", "clinical_admin"},
    "billing": {"biller", "clinical_admin"},
    "clinical": {"clinical_admin"},
}

# A staff member's relationship to the thread's client. Assigned clinicians and supervisors of
# assigned clinicians see every audience; "other_clients_only" is a clinician or supervisor whose
# relationships are all with some other client (they see nothing more of this one).
NO_RELATIONSHIP = "no_relationship"
OTHER_CLIENTS_ONLY = "other_clients_only"
ASSIGNED = "assigned"
SUPERVISES = "supervises_assigned"
BOTH = "assigned+supervises"
RELATED = {ASSIGNED, SUPERVISES, BOTH}

PRACTICE, OTHER_PRACTICE = 1, 2
CLIENT, OTHER_CLIENT = 10, 11


def role_subsets():
    """All 2**6 sets of roles, smallest first."""
    return [frozenset(c) for n in range(len(ROLES) + 1) for c in combinations(ROLES, n)]


def label(roles) -> str:
    return "+".join(r for r in ROLES if r in roles) or "no_roles"


def relations_for(roles) -> list[str]:
    """The relationships server/facts.py can build for someone holding `roles`."""
    clinician, supervisor = "clinician" in roles, "supervisor" in roles
    relations = [NO_RELATIONSHIP]
    if clinician or supervisor:
        relations.append(OTHER_CLIENTS_ONLY)
    if clinician:
        relations.append(ASSIGNED)
    if supervisor:
        relations.append(SUPERVISES)
    if clinician and supervisor:
        relations.append(BOTH)
    return relations


def spec_sees(roles, audience, relation) -> bool:
    """SPEC §2: the union over roles and relationships."""
    return relation in RELATED or bool(set(roles) & SEEN_BY_ROLE[audience])


def staff(roles, relation=NO_RELATIONSHIP, practice_id=PRACTICE, user_id=1) -> Person:
    """A staff Person of `practice_id` with `relation` to CLIENT, built as server/facts.py would."""
    roles = frozenset(roles)
    assigned, supervised = set(), set()
    if relation == OTHER_CLIENTS_ONLY:
        if "clinician" in roles:
            assigned.add(OTHER_CLIENT)
        if "supervisor" in roles:
            supervised.add(OTHER_CLIENT)
    if relation in (ASSIGNED, BOTH):
        assert "clinician" in roles, "only clinicians have assignments"
        assigned.add(CLIENT)
    if relation in (SUPERVISES, BOTH):
        assert "supervisor" in roles, "only supervisors supervise"
        supervised.add(CLIENT)
    return Person(user_id, practice_id, "staff", roles, frozenset(assigned), frozenset(supervised))


def client(client_id=CLIENT, practice_id=PRACTICE, user_id=100) -> Person:
    return Person(user_id, practice_id, "client", client_id=client_id)


def staff_cases():
    """(roles, relation, id) for every role subset and every relationship it can have."""
    return [(roles, relation, f"{label(roles)}-{relation}")
            for roles in role_subsets() for relation in relations_for(roles)]


class Matrix:
    """Walks a whole table of cases and reports every disagreement at once, instead of one test
    per case: `check` each case, then `verify`."""

    def __init__(self):
        self.checked = 0
        self.wrong = []

    def check(self, case: str, got, want) -> None:
        self.checked += 1
        if got != want or type(got) is not type(want):
            self.wrong.append(f"{case}: got {got!r}, SPEC §2 says {want!r}")

    def verify(self, at_least: int) -> None:
        """No case disagreed, and the walk covered at least `at_least` cases."""
        assert self.checked >= at_least, f"walked only {self.checked} cases"
        assert not self.wrong, (f"{len(self.wrong)} of {self.checked} cases disagree:\n"
                                + "\n".join(self.wrong[:200]))
