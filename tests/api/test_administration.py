"""Roles, assignments and the audit log over the API; changes apply to the very next request."""

from server.models import AuditEntry, StaffRole
from tests.api.helpers import start
from tests.factory import PASSWORD, JsonClient


def test_practice_admin_replaces_roles_and_access_follows(world, as_user):
    admin, bill = as_user(world.admin), as_user(world.bill)
    tid = start(as_user(world.sam), client=world.dana)["thread"]["id"]
    assert bill.get(f"/api/threads/{tid}").status_code == 404
    r = admin.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["biller", "scheduler"]})
    assert r.status_code == 200 and r.json() == {"id": world.bill.pk,
                                                 "roles": ["biller", "scheduler"]}
    assert bill.get(f"/api/threads/{tid}").status_code == 200
    admin.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["biller"]})
    assert bill.get(f"/api/threads/{tid}").status_code == 404
    assert AuditEntry.objects.filter(action="staff.roles_changed").count() == 2


def test_roles_refused_for_non_admins_unknown_roles_and_foreign_staff(world, as_user):
    assert as_user(world.cara).put(f"/api/staff/{world.bill.pk}/roles",
                                   {"roles": ["scheduler"]}).status_code == 403
    r = as_user(world.admin).put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["boss"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_role"
    assert as_user(world.admin).put(f"/api/staff/{world.olga.pk}/roles",
                                    {"roles": ["biller"]}).status_code == 404
    assert list(StaffRole.objects.filter(user=world.bill).values_list("role", flat=True)) == ["biller"]


def test_unassigning_a_clinician_removes_them_and_their_supervisor(world, as_user):
    cara, cleo, sue = as_user(world.cara), as_user(world.cleo), as_user(world.sue)
    tid = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    assert sue.get(f"/api/threads/{tid}").status_code == 200
    r = cara.put(f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": [world.carl.pk]})
    assert r.status_code == 200
    assert r.json() == {"id": world.dana.pk,
                        "clinicians": [{"id": world.carl.pk, "name": "Carl Clinician"}]}
    assert cleo.get(f"/api/threads/{tid}").status_code == 404
    assert sue.get(f"/api/threads/{tid}").status_code == 404
    assert as_user(world.carl).get(f"/api/threads/{tid}").status_code == 200


def test_assignments_need_clinicians_of_the_practice(world, as_user):
    admin = as_user(world.admin)
    for staff in (world.sam, world.olga):
        r = admin.put(f"/api/clients/{world.dana.pk}/clinicians", {"clinicians": [staff.pk]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "not_a_clinician"
    assert list(world.dana.clinicians.all()) == [world.cleo]
    assert as_user(world.sam).put(f"/api/clients/{world.dana.pk}/clinicians",
                                  {"clinicians": []}).status_code == 403


def test_audit_log_records_views_exports_edits_deletes_and_logins(world, as_user):
    sam, admin = as_user(world.sam), as_user(world.admin)
    tid = start(sam, client=world.dana)["thread"]["id"]
    sam.get(f"/api/threads/{tid}")
    sam.get(f"/api/threads/{tid}/export")
    sam.patch(f"/api/threads/{tid}", {"subject": "Renamed"})
    sam.delete(f"/api/threads/{tid}")
    JsonClient().post("/api/auth/login", {"username": "sam", "password": "wrong"})
    JsonClient().post("/api/auth/login", {"username": "sam", "password": PASSWORD})

    entries = admin.get("/api/audit", thread=tid).json()["entries"]
    # The edit's answer carries the thread's summary, whose last-message preview is text.
    assert [e["action"] for e in reversed(entries)] == [
        "thread.created", "thread.viewed", "thread.exported", "thread.edited",
        "thread.previewed", "thread.deleted"]
    assert all(e["actor"] == {"id": world.sam.pk, "username": "sam"} for e in entries)
    assert all(e["ip"] == "127.0.0.1" for e in entries)
    by_sam = [e["action"] for e in admin.get("/api/audit", actor=world.sam.pk).json()["entries"]]
    assert by_sam[0] == "login"
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "login.failed" in actions
    # No message text or subject in the log.
    for entry in AuditEntry.objects.all():
        assert "Renamed" not in str(entry.detail) and "Hello" not in str(entry.detail)


def test_audit_log_is_for_practice_and_clinical_admins_only(world, as_user):
    assert as_user(world.cara).get("/api/audit").status_code == 200
    for user in (world.sam, world.bill, world.cleo, world.sue):
        assert as_user(user).get("/api/audit").status_code == 403
    assert as_user(world.dana.user).get("/api/audit").status_code == 403


def test_audit_log_shows_only_this_practice(world, as_user):
    JsonClient().post("/api/auth/login", {"username": "olga", "password": PASSWORD})
    entries = as_user(world.admin).get("/api/audit").json()["entries"]
    assert all(e["actor"] is None or e["actor"]["username"] != "olga" for e in entries)
