"""The portal switch and the staff-only predicates (rules.portal, rules.editing,
rules.administration.can_manage_clients), walked over every role set and relationship at once;
each test reports every mismatch, not the first."""

import rules
from rules import ThreadFacts
from tests.rules.spec import AUDIENCES, CLIENT, PRACTICE, client, spec_sees, staff, staff_cases

STAFF_ONLY = ("can_delete_anything", "can_see_deleted", "can_choose_email_audiences",
              "can_manage_clients")


def test_the_portal_switch_stops_clients_and_the_exchange_never_staff():
    table = [(kind, enabled, kind == "staff" or enabled, enabled)
             for kind in ("staff", "client") for enabled in (True, False)]
    wrong = [(kind, enabled) for kind, enabled, signs_in, flows in table
             if rules.can_sign_in(kind, enabled) is not signs_in
             or rules.can_message_clients(enabled) is not flows
             or rules.portal_applies(kind) is not (kind == "client")]
    assert wrong == []


def test_staff_only_predicates_hold_for_every_staff_member_and_no_client():
    people = [staff(roles, relation) for roles, relation, _ in staff_cases()]
    wrong = [(check, p) for check in STAFF_ONLY for p in people if getattr(rules, check)(p) is not True]
    wrong += [(check, "client") for check in STAFF_ONLY if getattr(rules, check)(client()) is not False]
    assert wrong == []


def test_staff_edit_the_headers_of_the_threads_they_see_and_clients_none():
    wrong = []
    for roles, relation, case_id in staff_cases():
        for audience in AUDIENCES:
            thread = ThreadFacts(PRACTICE, CLIENT, audience)
            if rules.can_edit_header(staff(roles, relation), thread) is not spec_sees(
                    roles, audience, relation):
                wrong.append((case_id, audience))
    wrong += [a for a in AUDIENCES
              if rules.can_edit_header(client(), ThreadFacts(PRACTICE, CLIENT, a)) is not False]
    assert wrong == []
