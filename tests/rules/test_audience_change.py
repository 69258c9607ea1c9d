"""rules.audience_change: who loses and who gains a thread for every (from, to) audience pair."""

from dataclasses import replace

import pytest

import rules
from rules import Person, ThreadFacts
from tests.rules.spec import AUDIENCES, CLIENT, OTHER_CLIENT, OTHER_PRACTICE, PRACTICE


def _staff(user_id, name, roles, assigned=(), supervised=(), practice_id=PRACTICE):
    person = Person(user_id, practice_id, "staff", frozenset(roles), frozenset(assigned),
                    frozenset(supervised))
    return name, person


# One person per role, plus CLIENT's assigned clinician and that clinician's supervisor.
# carl is assigned to someone else, stan supervises carl, olga works at another practice.
PEOPLE = dict([
    _staff(1, "admin", {"practice_admin"}),
    _staff(2, "sam", {"scheduler"}),
    _staff(3, "bill", {"biller"}),
    _staff(4, "carl", {"clinician"}, assigned={OTHER_CLIENT}),
    _staff(5, "stan", {"supervisor"}, supervised={OTHER_CLIENT}),
    _staff(6, "cara", {"clinical_admin"}),
    _staff(7, "cleo", {"clinician"}, assigned={CLIENT}),
    _staff(8, "sue", {"supervisor"}, supervised={CLIENT}),
    _staff(9, "olga", {"clinical_admin"}, practice_id=OTHER_PRACTICE),
])
NAME = {person: name for name, person in PEOPLE.items()}

# Who sees a thread of CLIENT in each audience (SPEC §2), and of a client nobody is related to.
SEES = {
    "administrative": {"admin", "sam", "cara", "cleo", "sue"},
    "billing": {"bill", "cara", "cleo", "sue"},
    "clinical": {"cara", "cleo", "sue"},
}
SEES_UNRELATED = {
    "administrative": {"admin", "sam", "cara"},
    "billing": {"bill", "cara"},
    "clinical": {"cara"},
}

CHANGES = [  # from, to, losing, gaining — for a thread of CLIENT
    ("administrative", "billing", {"admin", "sam"}, {"bill"}),
    ("administrative", "clinical", {"admin", "sam"}, set()),
    ("billing", "administrative", {"bill"}, {"admin", "sam"}),
    ("billing", "clinical", {"bill"}, set()),
    ("clinical", "administrative", set(), {"admin", "sam"}),
    ("clinical", "billing", set(), {"bill"}),
    ("administrative", "administrative", set(), set()),
    ("billing", "billing", set(), set()),
    ("clinical", "clinical", set(), set()),
]
PAIRS = [pytest.param(*row, id=f"{row[0]}->{row[1]}") for row in CHANGES]


def names(people):
    return [NAME[p] for p in people]


def test_the_table_covers_every_pair_and_agrees_with_who_sees_what():
    assert {(f, t) for f, t, _, _ in CHANGES} == {(f, t) for f in AUDIENCES for t in AUDIENCES}
    for old, new, losing, gaining in CHANGES:
        assert losing == SEES[old] - SEES[new] and gaining == SEES[new] - SEES[old]


@pytest.mark.parametrize("old, new, losing, gaining", PAIRS)
def test_change_for_a_related_client(old, new, losing, gaining):
    staff = list(PEOPLE.values())
    thread = ThreadFacts(PRACTICE, CLIENT, old)
    lost, gained = rules.audience_change(staff, thread, new)
    assert set(names(lost)) == losing and set(names(gained)) == gaining
    # In the order given, each person at most once, the given objects themselves.
    assert names(lost) == [n for n in PEOPLE if n in losing]
    assert names(gained) == [n for n in PEOPLE if n in gaining]
    assert all(any(p is q for q in staff) for p in lost + gained)
    # The thread itself is left as it was.
    assert thread == ThreadFacts(PRACTICE, CLIENT, old)


@pytest.mark.parametrize("old, new", [(f, t) for f in AUDIENCES for t in AUDIENCES],
                         ids=lambda a: a)
def test_change_for_an_unrelated_client(old, new):
    lost, gained = rules.audience_change(list(PEOPLE.values()), ThreadFacts(PRACTICE, OTHER_CLIENT,
                                                                            old), new)
    assert set(names(lost)) == SEES_UNRELATED[old] - SEES_UNRELATED[new]
    assert set(names(gained)) == SEES_UNRELATED[new] - SEES_UNRELATED[old]


@pytest.mark.parametrize("old, new, losing, gaining", PAIRS)
def test_order_follows_the_staff_list(old, new, losing, gaining):
    staff = list(reversed(PEOPLE.values()))
    lost, gained = rules.audience_change(staff, ThreadFacts(PRACTICE, CLIENT, old), new)
    assert names(lost) == [NAME[p] for p in staff if NAME[p] in losing]
    assert names(gained) == [NAME[p] for p in staff if NAME[p] in gaining]


@pytest.mark.parametrize("name", ["cara", "cleo", "sue", "carl", "stan", "olga"])
@pytest.mark.parametrize("old, new", [(f, t) for f in AUDIENCES for t in AUDIENCES if f != t])
def test_never_moving(name, old, new):
    """Clinical admins and related staff keep a thread; others' clinicians and staff of another
    practice never get it."""
    lost, gained = rules.audience_change(list(PEOPLE.values()), ThreadFacts(PRACTICE, CLIENT, old),
                                         new)
    assert name not in names(lost) + names(gained)


def test_a_deleted_thread_moves_the_same_way():
    staff = list(PEOPLE.values())
    thread = ThreadFacts(PRACTICE, CLIENT, "clinical", deleted=True)
    lost, gained = rules.audience_change(staff, thread, "administrative")
    assert (names(lost), names(gained)) == ([], ["admin", "sam"])
    lost, gained = rules.audience_change(staff, replace(thread, audience="billing"), "clinical")
    assert (names(lost), names(gained)) == (["bill"], [])


def test_empty_staff():
    assert rules.audience_change([], ThreadFacts(PRACTICE, CLIENT, "billing"), "clinical") == ([], [])
