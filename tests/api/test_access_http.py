"""Who sees what, over HTTP: SPEC §2's visibility table for every role, combination of roles and
relationship × audience; clients' own threads; access lost and gained at once; delete rights.

The expectations come from an independent statement of the SPEC table below, not from `rules/`.
"""

import pytest

from server.models import Client, StaffRole
from tests.api.helpers import reply, start
from tests.factory import JsonClient, make_staff

AUDIENCES = ("administrative", "billing", "clinical")

# SPEC §2, "Visibility": the roles that see an audience for every client of the practice.
# Assigned clinicians and supervisors of assigned clinicians see every audience of *their* clients.
SEEN_BY_ROLE = {
    "administrative": {"scheduler", "practice_admin", "clinical_admin"},
    "billing": {"biller", "clinical_admin"},
    "clinical": {"clinical_admin"},
}


def spec_sees(roles, related: bool, audience: str) -> bool:
    """Whether the SPEC table lets a staff user with `roles` see a thread in `audience` of a
    client they are (`related`) or are not related to (assigned, or supervising the assigned)."""
    return related or bool(set(roles) & SEEN_BY_ROLE[audience])


def spec_sees_client(roles, related: bool) -> bool:
    return any(spec_sees(roles, related, a) for a in AUDIENCES)


@pytest.fixture(autouse=True)
def _no_send_limit(settings):
    settings.SEND_LIMIT_PER_MINUTE = 10**6


# Staff profiles: (name, roles, how they relate to Dana). `build` makes the user in the world.
# "assigned": Dana's assigned clinician; "supervisor": supervises one; "none": no relationship.
PROFILES = {
    # The world's own users.
    "admin": (("practice_admin",), "none"),
    "sam": (("scheduler",), "none"),
    "bill": (("biller",), "none"),
    "cleo": (("clinician",), "assigned"),
    "carl": (("clinician",), "none"),
    "sue": (("supervisor",), "supervisor"),
    "cara": (("clinical_admin",), "none"),
    # Small practices overlap roles.
    "admin_biller": (("practice_admin", "biller"), "none"),
    "sched_clinician_assigned": (("scheduler", "clinician"), "assigned"),
    "biller_clinician_unassigned": (("biller", "clinician"), "none"),
    "biller_supervisor_of_cleo": (("biller", "supervisor"), "supervisor"),
    "supervisor_of_carl": (("supervisor",), "none"),
    "supervisor_clinician_of_cleo": (("supervisor", "clinician"), "supervisor"),
    "admin_clinician_assigned": (("practice_admin", "clinician"), "assigned"),
    "no_roles": ((), "none"),
    # A relationship only counts with the role that makes it one.
    "assigned_but_scheduler": (("scheduler",), "none"),
    "supervises_cleo_without_role": (("biller",), "none"),
}


def build(world, name):
    """The staff user for profile `name` (created if not one of the world's)."""
    if hasattr(world, name) and name in {"admin", "sam", "bill", "cleo", "carl", "sue", "cara"}:
        return getattr(world, name)
    roles, _ = PROFILES[name]
    supervises = ()
    if name in ("biller_supervisor_of_cleo", "supervisor_clinician_of_cleo",
                "supervises_cleo_without_role"):
        supervises = [world.cleo]
    if name == "supervisor_of_carl":
        supervises = [world.carl]
    user = make_staff(world.practice, name, roles, supervises=supervises)
    if name in ("sched_clinician_assigned", "admin_clinician_assigned", "assigned_but_scheduler"):
        world.dana.clinicians.add(user)
    return user


def make_dana_threads(world):
    """One thread of Dana's in every audience, by the clinical admin (who sees them all)."""
    cara = JsonClient(world.cara)
    return {a: start(cara, a, client=world.dana, body=f"{a} hello")["thread"]["id"]
            for a in AUDIENCES}


@pytest.fixture
def dana_threads(world):
    return make_dana_threads(world)


def _clients_seen(world, roles, relationship):
    """Expected GET /api/clients for a profile: every client if a role opens an audience,
    else the clients they are related to (Dana, and Eli for cleo's own relationships)."""
    everyone = {world.dana.pk, world.eli.pk, world.fay.pk}
    if spec_sees_client(roles, False):
        return everyone
    if relationship == "none":
        return set()
    # Cleo is assigned to Eli too, so she and her supervisors also see Eli; the other assigned
    # profiles are Dana's clinicians only.
    if relationship == "supervisor" or (roles, relationship) == PROFILES["cleo"]:
        return {world.dana.pk, world.eli.pk}
    return {world.dana.pk}


# The matrix --------------------------------------------------------------------------------------

@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("profile", list(PROFILES))
def test_staff_visibility_matrix(world, profile, audience):
    roles, relationship = PROFILES[profile]
    user = build(world, profile)
    dana_threads = make_dana_threads(world)
    api = JsonClient(user)
    sees = spec_sees(roles, relationship != "none", audience)
    thread_id = dana_threads[audience]

    # The badge counts exactly the unread messages of the threads they see (one each, by Cara).
    expected_badge = 0 if profile == "cara" else sum(
        1 for a in AUDIENCES if spec_sees(roles, relationship != "none", a))
    assert api.get("/api/badge").json()["unread"] == expected_badge

    listed = [t["id"] for t in api.get("/api/threads", state="all").json()["threads"]]
    assert (thread_id in listed) is sees
    assert (thread_id in [t["id"] for t in api.get("/api/threads", audience=audience)
                          .json()["threads"]]) is sees
    assert (thread_id in [t["id"] for t in api.get("/api/threads", client=world.dana.pk)
                          .json()["threads"]]) is sees

    r = api.get(f"/api/threads/{thread_id}")
    assert r.status_code == (200 if sees else 404), r.content
    if not sees:
        assert r.json() == {"error": {"code": "not_found", "message": r.json()["error"]["message"]}}

    r = api.post(f"/api/threads/{thread_id}/messages", {"body": "A reply"})
    assert r.status_code == (201 if sees else 404), r.content

    r = api.post("/api/threads", {"client_id": world.dana.pk, "audience": audience,
                                  "subject": "New", "body": "Starting one"})
    if sees:
        assert r.status_code == 201, r.content
    elif spec_sees_client(roles, relationship != "none"):
        assert r.status_code == 403, r.content
        assert r.json()["error"]["code"] == "audience_not_allowed"
    else:
        assert r.status_code == 404, r.content
        assert r.json()["error"]["code"] == "not_found"

    clients = {c["id"] for c in api.get("/api/clients").json()}
    assert clients == _clients_seen(world, roles, relationship)


@pytest.mark.parametrize("profile", ["admin", "cara", "cleo", "sue"])
def test_no_staff_user_sees_another_practice(world, profile):
    oscar_thread = start(JsonClient(world.oscar.user), "administrative")["thread"]["id"]
    api = JsonClient(getattr(world, profile))
    assert api.get(f"/api/threads/{oscar_thread}").status_code == 404
    assert oscar_thread not in [t["id"] for t in api.get("/api/threads", state="all")
                                .json()["threads"]]
    assert world.oscar.pk not in {c["id"] for c in api.get("/api/clients").json()}
    r = api.post("/api/threads", {"client_id": world.oscar.pk, "audience": "administrative",
                                  "subject": "S", "body": "B"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


# Clients -----------------------------------------------------------------------------------------

def test_a_client_sees_their_own_threads_only(world, dana_threads):
    dana = JsonClient(world.dana.user)
    own = start(dana, "clinical", body="Mine")["thread"]["id"]
    eli_thread = start(JsonClient(world.sam), "administrative", client=world.eli)["thread"]["id"]
    oscar_thread = start(JsonClient(world.oscar.user), "administrative")["thread"]["id"]

    listed = [t["id"] for t in dana.get("/api/threads", state="all").json()["threads"]]
    assert sorted(listed) == sorted([*dana_threads.values(), own])
    for thread_id in [*dana_threads.values(), own]:
        assert dana.get(f"/api/threads/{thread_id}").status_code == 200
    for thread_id in (eli_thread, oscar_thread):
        r = dana.get(f"/api/threads/{thread_id}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert dana.post(f"/api/threads/{thread_id}/messages", {"body": "hi"}).status_code == 404
        assert dana.get(f"/api/threads/{thread_id}/export").status_code == 404
    oscar = JsonClient(world.oscar.user)
    for thread_id in [*dana_threads.values(), own]:
        assert oscar.get(f"/api/threads/{thread_id}").status_code == 404
    assert [t["id"] for t in oscar.get("/api/threads").json()["threads"]] == [oscar_thread]


def test_a_client_may_write_in_every_audience_and_only_to_themselves(world):
    dana = JsonClient(world.dana.user)
    for audience in AUDIENCES:
        assert start(dana, audience)["thread"]["client"]["id"] == world.dana.pk
    r = dana.post("/api/threads", {"client_id": world.eli.pk, "audience": "administrative",
                                   "subject": "S", "body": "B"})
    assert r.status_code == 404


def test_a_deleted_thread_vanishes_for_the_client(world, dana_threads):
    dana, cara = JsonClient(world.dana.user), JsonClient(world.cara)
    thread_id = dana_threads["billing"]
    assert cara.delete(f"/api/threads/{thread_id}").status_code == 204
    assert dana.get(f"/api/threads/{thread_id}").status_code == 404
    assert thread_id not in [t["id"] for t in dana.get("/api/threads", state="all")
                             .json()["threads"]]


# Access changes take effect on the very next request ---------------------------------------------

def _ids(api, **params):
    r = api.get("/api/threads", **params)
    assert r.status_code == 200, r.content
    return [t["id"] for t in r.json()["threads"]]


def test_audience_change_moves_access_at_once(world, dana_threads):
    thread_id = dana_threads["administrative"]
    sam, admin, bill, cleo, cara = (JsonClient(u) for u in (world.sam, world.admin, world.bill,
                                                            world.cleo, world.cara))
    # Everyone involved has looked before: sessions are warm.
    assert sam.get(f"/api/threads/{thread_id}").status_code == 200
    assert admin.get(f"/api/threads/{thread_id}").status_code == 200
    assert bill.get(f"/api/threads/{thread_id}").status_code == 404

    r = cleo.patch(f"/api/threads/{thread_id}", {"audience": "billing"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "confirm_audience_change"
    change = r.json()["error"]["access_change"]
    assert sorted(p["id"] for p in change["losing"]) == sorted([world.sam.pk, world.admin.pk])
    assert [p["id"] for p in change["gaining"]] == [world.bill.pk]
    # Not confirmed: nothing moved.
    assert sam.get(f"/api/threads/{thread_id}").status_code == 200
    assert bill.get(f"/api/threads/{thread_id}").status_code == 404

    r = cleo.patch(f"/api/threads/{thread_id}", {"audience": "billing", "confirm": True})
    assert r.status_code == 200, r.content
    assert r.json()["thread"]["audience"] == "billing"

    for loser in (sam, admin):
        assert loser.get(f"/api/threads/{thread_id}").status_code == 404
        assert thread_id not in _ids(loser, state="all")
        assert loser.post(f"/api/threads/{thread_id}/messages", {"body": "x"}).status_code == 404
        assert loser.post(f"/api/threads/{thread_id}/read").status_code == 404
        assert loser.patch(f"/api/threads/{thread_id}",
                           {"audience": "administrative", "confirm": True}).status_code == 404
    assert bill.get(f"/api/threads/{thread_id}").status_code == 200
    assert thread_id in _ids(bill)
    # The gainer finds it unread; the losers' badges no longer count it.
    assert bill.get("/api/badge").json()["unread"] >= 1
    assert sam.get("/api/badge").json()["unread"] == 0
    for keeper in (cleo, cara):
        assert keeper.get(f"/api/threads/{thread_id}").status_code == 200


def test_audience_change_to_clinical_leaves_only_relationships_and_clinical_admin(world,
                                                                                  dana_threads):
    thread_id = dana_threads["billing"]
    bill, sue, cleo = JsonClient(world.bill), JsonClient(world.sue), JsonClient(world.cleo)
    assert bill.get(f"/api/threads/{thread_id}").status_code == 200
    r = bill.patch(f"/api/threads/{thread_id}", {"audience": "clinical", "confirm": True})
    assert r.status_code == 200, r.content
    assert bill.get(f"/api/threads/{thread_id}").status_code == 404
    # Bill may not move it back: it no longer exists for him.
    assert bill.patch(f"/api/threads/{thread_id}",
                      {"audience": "billing", "confirm": True}).status_code == 404
    assert sue.get(f"/api/threads/{thread_id}").status_code == 200
    assert cleo.get(f"/api/threads/{thread_id}").status_code == 200


def test_removing_a_role_through_the_api_applies_to_the_next_request(world, dana_threads):
    sam, admin = JsonClient(world.sam), JsonClient(world.admin)
    thread_id = dana_threads["administrative"]
    assert sam.get(f"/api/threads/{thread_id}").status_code == 200
    assert sam.get("/api/me").json()["roles"] == ["scheduler"]

    r = admin.put(f"/api/staff/{world.sam.pk}/roles", {"roles": ["biller"]})
    assert r.status_code == 200 and r.json()["roles"] == ["biller"]

    assert sam.get(f"/api/threads/{thread_id}").status_code == 404
    assert sam.get("/api/me").json()["roles"] == ["biller"]
    assert _ids(sam, state="all") == [dana_threads["billing"]]
    assert sam.get(f"/api/threads/{dana_threads['billing']}").status_code == 200
    r = sam.post("/api/threads", {"client_id": world.dana.pk, "audience": "administrative",
                                  "subject": "S", "body": "B"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "audience_not_allowed"

    # No roles at all: nothing, not even the client list.
    assert admin.put(f"/api/staff/{world.sam.pk}/roles", {"roles": []}).status_code == 200
    assert sam.get(f"/api/threads/{dana_threads['billing']}").status_code == 404
    assert _ids(sam, state="all") == []
    assert sam.get("/api/clients").json() == []
    assert sam.get("/api/badge").json()["unread"] == 0


def test_removing_the_clinician_role_ends_assignment_and_supervision_access(world, dana_threads):
    cleo, sue, admin = JsonClient(world.cleo), JsonClient(world.sue), JsonClient(world.admin)
    thread_id = dana_threads["clinical"]
    assert cleo.get(f"/api/threads/{thread_id}").status_code == 200
    assert sue.get(f"/api/threads/{thread_id}").status_code == 200
    assert admin.put(f"/api/staff/{world.cleo.pk}/roles", {"roles": []}).status_code == 200
    assert cleo.get(f"/api/threads/{thread_id}").status_code == 404
    # Sue supervises a clinician who no longer is one.
    assert sue.get(f"/api/threads/{thread_id}").status_code == 404


def test_unassigning_the_clinician_applies_to_her_and_her_supervisor_at_once(world,
                                                                             dana_threads):
    cleo, sue, cara = JsonClient(world.cleo), JsonClient(world.sue), JsonClient(world.cara)
    eli_thread = start(cleo, "clinical", client=world.eli)["thread"]["id"]
    for audience, thread_id in dana_threads.items():
        assert cleo.get(f"/api/threads/{thread_id}").status_code == 200
        assert sue.get(f"/api/threads/{thread_id}").status_code == 200

    r = cara.put(f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": []})
    assert r.status_code == 200 and r.json()["clinicians"] == []

    for thread_id in dana_threads.values():
        for api in (cleo, sue):
            assert api.get(f"/api/threads/{thread_id}").status_code == 404
            assert api.post(f"/api/threads/{thread_id}/messages", {"body": "x"}).status_code == 404
    for api in (cleo, sue):
        assert _ids(api, state="all") == [eli_thread]
        assert world.dana.pk not in {c["id"] for c in api.get("/api/clients").json()}
        assert api.post("/api/threads", {"client_id": world.dana.pk, "audience": "clinical",
                                         "subject": "S", "body": "B"}).status_code == 404
        # Eli is still theirs.
        assert api.get(f"/api/threads/{eli_thread}").status_code == 200

    # Assigning Carl instead gives him every audience of Dana's at once.
    carl = JsonClient(world.carl)
    assert carl.get(f"/api/threads/{dana_threads['clinical']}").status_code == 404
    r = cara.put(f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": [world.carl.pk]})
    assert r.status_code == 200
    for thread_id in dana_threads.values():
        assert carl.get(f"/api/threads/{thread_id}").status_code == 200
        assert sue.get(f"/api/threads/{thread_id}").status_code == 404


def test_role_changes_made_in_the_database_apply_to_the_next_request(world, dana_threads):
    """As Django's admin would: rows change, no API call, no cache to clear."""
    bill, sam, sue = JsonClient(world.bill), JsonClient(world.sam), JsonClient(world.sue)
    billing = dana_threads["billing"]
    assert bill.get(f"/api/threads/{billing}").status_code == 200
    assert sam.get(f"/api/threads/{billing}").status_code == 404

    StaffRole.objects.filter(user=world.bill, role="biller").delete()
    assert bill.get(f"/api/threads/{billing}").status_code == 404
    assert _ids(bill, state="all") == []

    StaffRole.objects.create(user=world.sam, role="biller")
    assert sam.get(f"/api/threads/{billing}").status_code == 200
    assert billing in _ids(sam)

    # Supervision and assignment edited in the database likewise.
    assert sue.get(f"/api/threads/{dana_threads['clinical']}").status_code == 200
    world.sue.supervises.remove(world.cleo)
    assert sue.get(f"/api/threads/{dana_threads['clinical']}").status_code == 404
    world.sue.supervises.add(world.carl)
    Client.objects.get(pk=world.dana.pk).clinicians.add(world.carl)
    assert sue.get(f"/api/threads/{dana_threads['clinical']}").status_code == 200


def test_a_deactivated_staff_user_is_signed_out(world, dana_threads):
    sam = JsonClient(world.sam)
    assert sam.get(f"/api/threads/{dana_threads['administrative']}").status_code == 200
    world.sam.is_active = False
    world.sam.save(update_fields=["is_active"])
    r = sam.get(f"/api/threads/{dana_threads['administrative']}")
    assert r.status_code in (401, 404), r.content


# Delete rights -----------------------------------------------------------------------------------

def _seen_by_dana(world, thread_id):
    assert JsonClient(world.dana.user).get(f"/api/threads/{thread_id}").status_code == 200


def test_delete_never_reaches_a_thread_you_cannot_see(world, dana_threads):
    admin = JsonClient(world.admin)
    billing = dana_threads["billing"]
    message_id = JsonClient(world.cara).get(f"/api/threads/{billing}").json()["messages"][0]["id"]
    # A practice admin who is not a biller: the billing thread does not exist for them.
    for r in (admin.delete(f"/api/messages/{message_id}"), admin.delete(f"/api/threads/{billing}")):
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # Unseen or not, the same answer.
    _seen_by_dana(world, billing)
    assert admin.delete(f"/api/messages/{message_id}").status_code == 404
    # With the biller role as well, the practice admin may delete it even once seen.
    both = JsonClient(make_staff(world.practice, "ab", ["practice_admin", "biller"]))
    assert both.delete(f"/api/messages/{message_id}").status_code == 204


def test_anyone_who_sees_an_unseen_message_may_delete_it(world, dana_threads):
    for audience, deleter in (("administrative", world.sam), ("billing", world.bill),
                              ("clinical", world.sue)):
        message = reply(JsonClient(world.cleo), dana_threads[audience], "unseen for now")
        r = JsonClient(deleter).delete(f"/api/messages/{message['id']}")
        assert r.status_code == 204, (audience, r.content)


@pytest.mark.parametrize("audience,refused,allowed", [
    ("administrative", ["sam", "cleo", "sue", "cara"], "admin"),
    ("billing", ["bill", "cleo", "sue", "cara"], "admin_biller"),
    ("clinical", ["cleo", "sue"], "cara"),
])
def test_once_the_client_has_seen_it_only_the_right_admin_deletes(world, dana_threads, audience,
                                                                  refused, allowed):
    thread_id = dana_threads[audience]
    staff_msg = reply(JsonClient(world.cleo), thread_id, "please read")["id"]
    client_msg = reply(JsonClient(world.dana.user), thread_id, "I wrote this")["id"]
    _seen_by_dana(world, thread_id)
    for name in refused:
        api = JsonClient(getattr(world, name))
        for message_id in (staff_msg, client_msg):
            r = api.delete(f"/api/messages/{message_id}")
            assert r.status_code == 403, (name, r.content)
            assert r.json()["error"]["code"] == "seen_by_client"
        r = api.delete(f"/api/threads/{thread_id}")
        assert r.status_code == 403 and r.json()["error"]["code"] == "seen_by_client", name
        shown = api.get(f"/api/threads/{thread_id}").json()["messages"]
        assert [m["can_delete"] for m in shown if m["id"] in (staff_msg, client_msg)] == [False,
                                                                                        False]
    deleter = (JsonClient(build(world, "admin_biller")) if allowed == "admin_biller"
               else JsonClient(getattr(world, allowed)))
    shown = deleter.get(f"/api/threads/{thread_id}").json()["messages"]
    assert all(m["can_delete"] for m in shown)
    assert deleter.delete(f"/api/messages/{staff_msg}").status_code == 204
    assert deleter.delete(f"/api/messages/{client_msg}").status_code == 204
    assert deleter.delete(f"/api/threads/{thread_id}").status_code == 204
    # Clients never delete, not even their own words.
    assert JsonClient(world.dana.user).delete(f"/api/threads/{thread_id}").status_code == 404


def test_a_client_cannot_delete_their_own_message(world, dana_threads):
    dana = JsonClient(world.dana.user)
    message_id = reply(dana, dana_threads["administrative"], "mine")["id"]
    r = dana.delete(f"/api/messages/{message_id}")
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    shown = dana.get(f"/api/threads/{dana_threads['administrative']}").json()["messages"]
    assert not any(m["can_delete"] for m in shown)
