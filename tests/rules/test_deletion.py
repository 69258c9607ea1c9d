"""rules.deletion against SPEC §2 "Deleting": role subsets × audience × relationship × seen state."""

from dataclasses import replace

import pytest

import rules
from rules import MessageFacts, ThreadFacts
from tests.rules.spec import (
    ASSIGNED, AUDIENCES, BOTH, CLIENT, NO_RELATIONSHIP, OTHER_CLIENT, OTHER_PRACTICE, PRACTICE,
    ROLES, SUPERVISES, Matrix, client, label, spec_sees, staff, staff_cases,
)

UNSEEN, SEEN, CLIENT_AUTHORED = "unseen", "seen", "client_authored"
SEEN_STATES = (UNSEEN, SEEN, CLIENT_AUTHORED)


def message(seen, deleted=False) -> MessageFacts:
    if seen == CLIENT_AUTHORED:
        return MessageFacts("client", seen_by_client=False, deleted=deleted)
    return MessageFacts("staff", seen_by_client=seen == SEEN, deleted=deleted)


def spec_can_delete(roles, audience, relation, seen, deleted) -> bool:
    """SPEC §2 "Deleting", restated."""
    if not spec_sees(roles, audience, relation) or deleted:
        return False
    if seen == UNSEEN:
        return True
    # Once the client has seen it: clinical_admin for clinical, practice_admin otherwise.
    return ("clinical_admin" if audience == "clinical" else "practice_admin") in roles


def test_delete_message():
    matrix = Matrix()
    for roles, relation, case_id in staff_cases():
        person = staff(roles, relation)
        for audience in AUDIENCES:
            thread = ThreadFacts(PRACTICE, CLIENT, audience)
            for seen in SEEN_STATES:
                for deleted in (False, True):
                    case = f"{case_id}-{audience}-{seen}{'-deleted' if deleted else ''}"
                    gone = message(seen, deleted)
                    matrix.check(case, rules.can_delete_message(person, thread, gone),
                                 spec_can_delete(roles, audience, relation, seen, deleted))
                    matrix.check(f"{case} other practice", rules.can_delete_message(
                        person, replace(thread, practice_id=OTHER_PRACTICE), gone), False)
    matrix.verify(at_least=2 * 192 * 3 * 3 * 2)


@pytest.mark.parametrize("roles, audience, relation, seen, expected", [
    ({"practice_admin"}, "billing", NO_RELATIONSHIP, UNSEEN, False),
    ({"practice_admin"}, "billing", NO_RELATIONSHIP, SEEN, False),
    ({"practice_admin"}, "billing", NO_RELATIONSHIP, CLIENT_AUTHORED, False),
    ({"practice_admin", "scheduler"}, "billing", NO_RELATIONSHIP, SEEN, False),
    ({"practice_admin", "biller"}, "billing", NO_RELATIONSHIP, SEEN, True),
    ({"practice_admin", "clinician"}, "billing", ASSIGNED, CLIENT_AUTHORED, True),
    ({"practice_admin", "supervisor"}, "billing", SUPERVISES, SEEN, True),
    ({"practice_admin"}, "administrative", NO_RELATIONSHIP, CLIENT_AUTHORED, True),
    ({"practice_admin"}, "clinical", NO_RELATIONSHIP, UNSEEN, False),
    ({"biller"}, "billing", NO_RELATIONSHIP, UNSEEN, True),
    ({"biller"}, "billing", NO_RELATIONSHIP, SEEN, False),
    ({"scheduler"}, "administrative", NO_RELATIONSHIP, CLIENT_AUTHORED, False),
    ({"clinical_admin"}, "clinical", NO_RELATIONSHIP, SEEN, True),
    ({"clinical_admin"}, "administrative", NO_RELATIONSHIP, SEEN, False),
    ({"clinical_admin"}, "billing", NO_RELATIONSHIP, CLIENT_AUTHORED, False),
    ({"clinician"}, "clinical", ASSIGNED, UNSEEN, True),
    ({"clinician"}, "clinical", ASSIGNED, SEEN, False),
    ({"clinician"}, "clinical", NO_RELATIONSHIP, UNSEEN, False),
    ({"clinician", "supervisor"}, "clinical", BOTH, CLIENT_AUTHORED, False),
], ids=lambda v: label(v) if isinstance(v, set) else str(v))
def test_hand_written_rows(roles, audience, relation, seen, expected):
    person, thread = staff(roles, relation), ThreadFacts(PRACTICE, CLIENT, audience)
    assert rules.can_delete_message(person, thread, message(seen)) is expected


@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("seen", SEEN_STATES)
def test_clients_never_delete(audience, seen):
    own = ThreadFacts(PRACTICE, CLIENT, audience)
    assert rules.can_view(client(), own) is True
    assert rules.can_delete_message(client(), own, message(seen)) is False
    assert rules.can_delete_thread(client(), own, [message(seen)]) is False
    powerful = replace(client(), roles=frozenset(ROLES))
    assert rules.can_delete_message(powerful, own, message(seen)) is False


def test_unrelated_client_thread_is_out_of_reach_for_a_clinician():
    assigned = staff({"clinician"}, ASSIGNED)
    theirs = ThreadFacts(PRACTICE, OTHER_CLIENT, "clinical")
    assert rules.can_delete_message(assigned, theirs, message(UNSEEN)) is False


MIXES = {
    "all_unseen": [UNSEEN, UNSEEN],
    "unseen+seen": [UNSEEN, SEEN],
    "client_wrote": [CLIENT_AUTHORED, UNSEEN],
    "seen_and_client_wrote": [SEEN, CLIENT_AUTHORED],
}
def test_delete_thread_needs_every_live_message():
    matrix = Matrix()
    for roles, relation, case_id in staff_cases():
        person = staff(roles, relation)
        for audience in AUDIENCES:
            thread = ThreadFacts(PRACTICE, CLIENT, audience)
            for mix, states in MIXES.items():
                case = f"{case_id}-{audience}-{mix}"
                live = [message(s) for s in states]
                expected = spec_sees(roles, audience, relation) and all(
                    spec_can_delete(roles, audience, relation, s, False) for s in states)
                matrix.check(case, rules.can_delete_thread(person, thread, live), expected)
                # Already deleted messages do not stand in the way, whatever their seen state.
                with_gone = live + [message(SEEN, deleted=True),
                                    message(CLIENT_AUTHORED, deleted=True)]
                matrix.check(f"{case} with deleted messages",
                             rules.can_delete_thread(person, thread, with_gone), expected)
                # A deleted thread cannot be deleted again.
                matrix.check(f"{case} thread deleted",
                             rules.can_delete_thread(person, replace(thread, deleted=True), live),
                             False)
    matrix.verify(at_least=3 * 192 * 3 * len(MIXES))


@pytest.mark.parametrize("person, audience, messages, expected", [
    (staff({"biller"}), "billing", [UNSEEN, UNSEEN, UNSEEN], True),
    (staff({"biller"}), "billing", [UNSEEN, UNSEEN, SEEN], False),
    (staff({"practice_admin", "biller"}), "billing", [SEEN, CLIENT_AUTHORED, UNSEEN], True),
    (staff({"practice_admin"}), "billing", [UNSEEN], False),
    (staff({"clinical_admin"}), "clinical", [CLIENT_AUTHORED, SEEN], True),
    (staff({"clinical_admin"}), "administrative", [CLIENT_AUTHORED], False),
    (staff({"clinician"}, ASSIGNED), "clinical", [CLIENT_AUTHORED], False),
    (staff({"clinician"}, ASSIGNED), "clinical", [], True),
    (staff({"clinician"}), "clinical", [], False),
], ids=["biller-unseen", "biller-one-seen", "admin+biller-seen", "admin-cannot-see-billing",
        "clinical_admin-clinical", "clinical_admin-seen-admin-thread", "assigned-client-wrote",
        "assigned-no-live-messages", "unassigned-no-live-messages"])
def test_delete_thread_examples(person, audience, messages, expected):
    thread = ThreadFacts(PRACTICE, CLIENT, audience)
    assert rules.can_delete_thread(person, thread, [message(s) for s in messages]) is expected
