"""rules.visibility against SPEC §2 "Visibility": every role subset × audience × relationship."""

from dataclasses import replace

import pytest

import rules
from rules import ThreadFacts
from tests.rules.spec import (
    ASSIGNED, AUDIENCES, BOTH, CLIENT, NO_RELATIONSHIP, OTHER_CLIENT, OTHER_CLIENTS_ONLY,
    OTHER_PRACTICE, PRACTICE, ROLES, SUPERVISES, Matrix, client, label, role_subsets, spec_sees,
    staff, staff_cases,
)

VIEW_CASES = [(roles, audience, relation, f"{case_id}-{audience}")
              for roles, relation, case_id in staff_cases() for audience in AUDIENCES]
UNKNOWN_AUDIENCES = ["", "Clinical", "admin", "everyone", "clinical ", None]


def test_the_matrix_is_complete():
    assert len(role_subsets()) == 64 == len(set(role_subsets()))
    assert len(VIEW_CASES) == 576


# A few rows spelled out by hand, so a slip in spec.py cannot hide a slip in rules/.
@pytest.mark.parametrize("roles, audience, relation, expected", [
    ({"practice_admin"}, "administrative", NO_RELATIONSHIP, True),
    ({"practice_admin"}, "billing", NO_RELATIONSHIP, False),
    ({"practice_admin"}, "clinical", NO_RELATIONSHIP, False),
    ({"scheduler"}, "billing", NO_RELATIONSHIP, False),
    ({"biller"}, "billing", NO_RELATIONSHIP, True),
    ({"biller"}, "administrative", NO_RELATIONSHIP, False),
    ({"clinician"}, "administrative", NO_RELATIONSHIP, False),
    ({"clinician"}, "clinical", OTHER_CLIENTS_ONLY, False),
    ({"clinician"}, "billing", ASSIGNED, True),
    ({"supervisor"}, "clinical", OTHER_CLIENTS_ONLY, False),
    ({"supervisor"}, "administrative", SUPERVISES, True),
    ({"clinician", "supervisor"}, "clinical", BOTH, True),
    ({"clinical_admin"}, "clinical", NO_RELATIONSHIP, True),
    ({"practice_admin", "biller", "scheduler"}, "clinical", NO_RELATIONSHIP, False),
    (set(), "administrative", NO_RELATIONSHIP, False),
], ids=lambda v: label(v) if isinstance(v, set) else str(v))
def test_hand_written_rows(roles, audience, relation, expected):
    assert spec_sees(roles, audience, relation) is expected
    assert rules.can_view(staff(roles, relation), ThreadFacts(PRACTICE, CLIENT, audience)) is expected


def test_staff_view():
    matrix = Matrix()
    for roles, audience, relation, case in VIEW_CASES:
        person = staff(roles, relation)
        thread = ThreadFacts(PRACTICE, CLIENT, audience)
        expected = spec_sees(roles, audience, relation)
        matrix.check(case, rules.can_view(person, thread), expected)
        # Staff still see a deleted thread they could see (the "deleted" filter), and no more.
        matrix.check(f"{case} deleted", rules.can_view(person, replace(thread, deleted=True)),
                     expected)
        # Never across practices, whatever the roles and relationships.
        matrix.check(f"{case} thread of another practice",
                     rules.can_view(person, replace(thread, practice_id=OTHER_PRACTICE)), False)
        matrix.check(f"{case} person of another practice",
                     rules.can_view(staff(roles, relation, practice_id=OTHER_PRACTICE), thread),
                     False)
    matrix.verify(at_least=4 * 576)


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("deleted", [False, True], ids=["live", "deleted"])
def test_client_sees_exactly_their_own_live_threads(audience, deleted):
    me = client()
    assert rules.can_view(me, ThreadFacts(PRACTICE, CLIENT, audience, deleted)) is (not deleted)
    assert rules.can_view(me, ThreadFacts(PRACTICE, OTHER_CLIENT, audience, deleted)) is False
    assert rules.can_view(me, ThreadFacts(OTHER_PRACTICE, CLIENT, audience, deleted)) is False


def test_a_client_gains_nothing_from_staff_fields():
    odd = replace(client(), roles=frozenset(ROLES), assigned_client_ids=frozenset({OTHER_CLIENT}),
                  supervised_client_ids=frozenset({OTHER_CLIENT}))
    for audience in AUDIENCES:
        assert rules.can_view(odd, ThreadFacts(PRACTICE, OTHER_CLIENT, audience)) is False
        assert rules.can_view(odd, ThreadFacts(PRACTICE, CLIENT, audience)) is True


def test_unknown_kind_sees_nothing():
    ghost = replace(staff(ROLES, BOTH), kind="robot")
    assert not any(rules.can_view(ghost, ThreadFacts(PRACTICE, CLIENT, a)) for a in AUDIENCES)


def test_start_thread():
    matrix = Matrix()
    for roles, audience, relation, case in VIEW_CASES:
        person = staff(roles, relation)
        matrix.check(case, rules.can_start_thread(person, PRACTICE, CLIENT, audience),
                     spec_sees(roles, audience, relation))
        matrix.check(f"{case} other practice",
                     rules.can_start_thread(person, OTHER_PRACTICE, CLIENT, audience), False)
    matrix.verify(at_least=2 * 576)


@pytest.mark.parametrize("audience", UNKNOWN_AUDIENCES, ids=repr)
def test_start_thread_in_unknown_audience_is_refused(audience):
    everything = staff(ROLES, BOTH)
    assert rules.can_start_thread(everything, PRACTICE, CLIENT, audience) is False
    assert rules.can_start_thread(client(), PRACTICE, CLIENT, audience) is False


@pytest.mark.parametrize("audience", AUDIENCES)
def test_client_starts_threads_only_with_themselves(audience):
    assert rules.can_start_thread(client(), PRACTICE, CLIENT, audience) is True
    assert rules.can_start_thread(client(), PRACTICE, OTHER_CLIENT, audience) is False
    assert rules.can_start_thread(client(), OTHER_PRACTICE, CLIENT, audience) is False


def test_see_client():
    matrix = Matrix()
    for roles, relation, case in staff_cases():
        person = staff(roles, relation)
        expected = any(spec_sees(roles, a, relation) for a in AUDIENCES)
        matrix.check(case, rules.can_see_client(person, PRACTICE, CLIENT), expected)
        matrix.check(f"{case} other practice", rules.can_see_client(person, OTHER_PRACTICE, CLIENT),
                     False)
    matrix.verify(at_least=2 * 192)


def test_clients_see_no_client_records():
    assert rules.can_see_client(client(), PRACTICE, CLIENT) is False
    assert rules.can_see_client(client(), PRACTICE, OTHER_CLIENT) is False


def test_email_audiences_are_those_seen_for_some_client():
    matrix = Matrix()
    for roles, relation, case in staff_cases():
        # Any relationship, with this client or another, opens every audience of that client.
        related = relation != NO_RELATIONSHIP
        expected = {a for a in AUDIENCES if spec_sees(roles, a, ASSIGNED if related else relation)}
        matrix.check(case, set(rules.email_audiences_allowed(staff(roles, relation))), expected)
    matrix.verify(at_least=192)


def test_clients_choose_no_email_audiences():
    assert set(rules.email_audiences_allowed(client())) == set()


def test_visible_audiences_match_the_view_rule():
    matrix = Matrix()
    for roles, relation, case in staff_cases():
        matrix.check(case, set(rules.visible_audiences(staff(roles, relation), CLIENT)),
                     {a for a in AUDIENCES if spec_sees(roles, a, relation)})
    matrix.verify(at_least=192)
    assert rules.visible_audiences(client(), CLIENT) == frozenset()
