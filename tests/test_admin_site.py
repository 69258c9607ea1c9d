"""Django's admin lets a practice admin manage their own practice, and nothing else."""

from django.test import Client as Browser

from server.models import AuditEntry, Practice, Topic, User
from tests.factory import make_staff


def browser(user):
    b = Browser()
    b.force_login(user)
    return b


def test_practice_admin_gets_in_other_staff_do_not(world):
    assert browser(world.admin).get("/admin/").status_code == 200
    for user in (world.sam, world.cara, world.cleo, world.dana.user):
        assert browser(user).get("/admin/").status_code == 302  # to the admin sign-in


def test_lists_hold_only_the_admins_practice(world):
    admin = browser(world.admin)
    users = admin.get("/admin/server/user/").content.decode()
    assert "cleo" in users and "olga" not in users
    clients = admin.get("/admin/server/client/").content.decode()
    assert "Dana Reyes" in clients and "Oscar Other" not in clients
    assert admin.get(f"/admin/server/user/{world.olga.pk}/change/").status_code == 302
    assert admin.get(f"/admin/server/client/{world.oscar.pk}/change/").status_code == 302


def test_no_django_powers_for_practice_admins(world):
    page = browser(world.admin).get(f"/admin/server/user/{world.sam.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="practice"' not in page


def test_assigning_a_clinician_in_the_admin_applies_to_the_next_request(world, as_user):
    tid = as_user(world.cara).post("/api/threads", {
        "client_id": world.fay.pk, "audience": "clinical", "subject": "s", "body": "b"}).json()["thread"]["id"]
    carl = as_user(world.carl)
    assert carl.get(f"/api/threads/{tid}").status_code == 404
    r = browser(world.admin).post(f"/admin/server/client/{world.fay.pk}/change/", {
        "name": "Fay Lund", "email": "", "user": "", "clinicians": [world.carl.pk]})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert carl.get(f"/api/threads/{tid}").status_code == 200


def test_clinician_choices_are_limited_to_the_practice(world):
    page = browser(world.admin).get(f"/admin/server/client/{world.dana.pk}/change/").content.decode()
    assert "Cleo Clinician" in page and "Olga Other" not in page


def test_a_foreign_clinician_posted_by_hand_is_refused(world):
    r = browser(world.admin).post(f"/admin/server/client/{world.fay.pk}/change/", {
        "name": "Fay Lund", "email": "", "user": "", "clinicians": [world.olga.pk]})
    assert r.status_code == 200  # the form comes back with an error
    assert list(world.fay.clinicians.all()) == []


def test_adding_a_topic_lands_in_the_admins_practice(world):
    r = browser(world.admin).post("/admin/server/topic/add/", {
        "name": "Telehealth", "subject": "Video session question"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Topic.objects.get(name="Telehealth").practice_id == world.practice.pk


def test_superuser_sees_every_practice(world):
    root = User.objects.create_superuser("root", "root@example.org", "x" * 12)
    users = browser(root).get("/admin/server/user/").content.decode()
    assert "olga" in users and "cleo" in users


def test_new_practice_admin_by_role_only_gets_in(world):
    morgan = make_staff(world.practice, "morgan", ["practice_admin"])
    assert not morgan.is_staff
    assert browser(morgan).get("/admin/").status_code == 200


def practice_form(world, **changes) -> dict:
    fields = {"name": world.practice.name, "portal_enabled": "on", "guidelines": "",
              "timezone": "UTC", "hours": "{}", "after_hours_reply": "",
              "crisis_resources": "Call or text 988, or call 911.",
              "topics-TOTAL_FORMS": "0", "topics-INITIAL_FORMS": "0"}
    return {**fields, **changes}


def test_the_admin_shows_and_changes_the_safety_settings_audited(world):
    admin = browser(world.admin)
    url = f"/admin/server/practice/{world.practice.pk}/change/"
    page = admin.get(url).content.decode()
    for field in ("guidelines", "timezone", "hours", "after_hours_reply", "crisis_resources",
                  "require_two_factor"):
        assert f'name="{field}"' in page
    r = admin.post(url, practice_form(world, timezone="Europe/Madrid",
                                      hours='{"mon": [["09:00", "14:00"]]}'))
    assert r.status_code == 302, r.content.decode()[:2000]
    practice = Practice.objects.get(pk=world.practice.pk)
    assert (practice.timezone, practice.hours) == ("Europe/Madrid", {"mon": [["09:00", "14:00"]]})
    entry = AuditEntry.objects.get(action="practice.settings_changed")
    assert entry.actor_id == world.admin.pk and "timezone" in entry.detail["fields"]


def test_the_admin_refuses_bad_hours_naming_the_field(world):
    r = browser(world.admin).post(f"/admin/server/practice/{world.practice.pk}/change/",
                                  practice_form(world, hours='{"mon": [["17:00", "09:00"]]}',
                                                timezone="Nowhere/Land"))
    assert r.status_code == 200  # the form comes back with its errors
    page = r.content.decode()
    assert "hours.mon[0]" in page and "Nowhere/Land" in page
    assert Practice.objects.get(pk=world.practice.pk).hours == {}
