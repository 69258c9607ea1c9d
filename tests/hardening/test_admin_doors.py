"""Django's admin is no side door (issue 12, items 2-4): its sign-in is the API's, the role
opens it, it deletes nothing that holds history, and its changes are the API's actions."""

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import Client as Browser
from django.test import RequestFactory

from server.admin import site

from server.models import AuditEntry, Client, Invitation, Message, Practice, Thread, Topic, User
from tests.api.helpers import start
from tests.factory import PASSWORD, JsonClient, make_staff
from tests.hardening.adminforms import (admin_browser, change_client, change_practice,
                                        change_user, set_password)

NEW_PASSWORD = "a fresh and private passphrase"


def admin_login(username, password, ip="10.0.0.1"):
    browser = Browser(REMOTE_ADDR=ip)
    response = browser.post("/admin/login/?next=/admin/",
                            {"username": username, "password": password})
    return browser, response


def api_login(username, password, ip="10.0.0.1"):
    return JsonClient().post("/api/auth/login", {"username": username, "password": password},
                             REMOTE_ADDR=ip)


def signed_in(browser) -> bool:
    return browser.get("/api/me").status_code == 200


# --- the sign-in ---------------------------------------------------------------------------

def test_twenty_wrong_admin_logins_are_throttled_then_the_right_password_too(world, settings):
    limit = settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS
    answers = [admin_login("admin", f"guess {i}")[1] for i in range(20)]
    assert all(r.status_code == 200 for r in answers)  # the form again, never signed in
    assert all("Too many attempts" not in r.content.decode() for r in answers[:limit])
    assert all("Too many attempts" in r.content.decode() for r in answers[limit:])
    browser, r = admin_login("admin", PASSWORD)
    assert r.status_code == 200 and "Too many attempts" in r.content.decode()
    assert not signed_in(browser)
    # The same counters as the API's: the API refuses the right password as well.
    assert api_login("admin", PASSWORD).status_code == 429
    assert AuditEntry.objects.filter(action="login.failed", actor_username="admin").count() == limit
    assert AuditEntry.objects.filter(action="login.throttled", actor_username="admin").exists()


def test_wrong_api_passwords_count_at_the_admin(world, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_USERNAME_ADDRESS):
        assert api_login("admin", "guess").status_code == 401
    browser, r = admin_login("admin", PASSWORD)
    assert r.status_code == 200 and not signed_in(browser)


def test_admin_sign_in_and_its_failure_are_audited_like_the_api(world):
    browser, r = admin_login("admin", "wrong", ip="10.1.2.3")
    failed = AuditEntry.objects.get(action="login.failed")
    assert (failed.actor_username, failed.ip, failed.practice_id) == ("admin", "10.1.2.3",
                                                                       world.practice.pk)
    browser, r = admin_login("admin", PASSWORD, ip="10.1.2.3")
    assert r.status_code == 302 and r["Location"] == "/admin/"
    login = AuditEntry.objects.get(action="login")
    assert (login.actor_id, login.ip) == (world.admin.pk, "10.1.2.3")
    # The admin's session is the app's: the API knows it, and signing out closes it, audited.
    assert signed_in(browser)
    assert browser.post("/admin/logout/").status_code == 200
    assert AuditEntry.objects.filter(action="logout", actor=world.admin).exists()
    assert not signed_in(browser)


def test_the_right_password_of_someone_who_is_not_a_practice_admin_opens_nothing(world):
    browser, r = admin_login("cleo", PASSWORD)
    assert r.status_code == 200 and not signed_in(browser)
    refused = AuditEntry.objects.get(action="login.refused")
    assert refused.actor_id == world.cleo.pk and refused.detail["reason"] == "not_practice_admin"


# --- the role, not is_staff ----------------------------------------------------------------

def test_the_role_opens_and_closes_the_admin_at_once(world, as_user):
    assert not world.sam.is_staff
    sam_admin = admin_browser(world.sam)
    assert sam_admin.get("/admin/").status_code == 302
    api = as_user(world.admin)
    assert api.put(f"/api/staff/{world.sam.pk}/roles",
                   {"roles": ["scheduler", "practice_admin"]}).status_code == 200
    assert sam_admin.get("/admin/").status_code == 200  # the session already open
    assert admin_login("sam", PASSWORD)[1].status_code == 302  # and the sign-in form
    assert api.put(f"/api/staff/{world.sam.pk}/roles", {"roles": ["scheduler"]}).status_code == 200
    assert sam_admin.get("/admin/").status_code == 302
    assert sam_admin.get("/admin/server/user/").status_code == 302
    assert User.objects.get(pk=world.sam.pk).is_staff is False


def test_is_staff_alone_opens_nothing(world):
    User.objects.filter(pk=world.sam.pk).update(is_staff=True)
    assert admin_browser(world.sam).get("/admin/").status_code == 302
    assert admin_login("sam", PASSWORD)[1].status_code == 200


def test_a_role_taken_away_in_the_admin_closes_it_for_that_session(world):
    second = make_staff(world.practice, "pat", ["practice_admin"])
    pat = admin_browser(second)
    assert pat.get("/admin/").status_code == 200
    change_user(admin_browser(world.admin), second, roles=["scheduler"])
    assert pat.get("/admin/").status_code == 302


# --- nothing that holds history is deleted -------------------------------------------------

@pytest.mark.parametrize("model", ["client", "user", "practice"])
def test_delete_views_refuse_and_bulk_delete_is_gone(world, as_user, model):
    start(as_user(world.dana.user), "clinical", body="Hard week")
    target = {"client": world.dana, "user": world.cleo, "practice": world.practice}[model]
    browser = admin_browser(world.admin)
    path = f"/admin/server/{model}/{target.pk}/delete/"
    assert browser.get(path).status_code == 403
    assert browser.post(path, {"post": "yes"}).status_code == 403
    listing = browser.get(f"/admin/server/{model}/")
    assert listing.status_code == 200 and "delete_selected" not in listing.content.decode()
    browser.post(f"/admin/server/{model}/", {"action": "delete_selected", "post": "yes",
                                             "_selected_action": [target.pk]})
    assert type(target).objects.filter(pk=target.pk).exists()
    assert Thread.objects.count() == 1 and Message.objects.count() == 1


def test_every_admin_page_saves_through_actions_and_deletes_nothing_in_bulk(world):
    """A model page added later inherits Django's plain save and delete unless it says
    otherwise: this catches it."""
    request = RequestFactory().get("/admin/")
    request.user = world.admin
    assert "delete_selected" not in dict(site.actions)
    for model, page in site._registry.items():
        kind = type(page)
        assert kind.save_model is not admin.ModelAdmin.save_model, model
        if model._meta.many_to_many:
            assert kind.save_related is not admin.ModelAdmin.save_related, model
        assert not page.has_delete_permission(request), model
        assert not page.get_inlines(request, None), model  # inlines save around the actions


def test_threads_and_messages_have_no_admin_pages(world):
    browser = admin_browser(world.admin)
    for model in ("thread", "message", "auditentry", "staffrole"):
        assert browser.get(f"/admin/server/{model}/").status_code == 404


def test_a_topic_in_use_stays_an_unused_one_may_go(world, as_user):
    used = world.topics["Scheduling"]
    start(as_user(world.dana.user), topic_id=used.pk)
    unused = world.topics["Other"]
    browser = admin_browser(world.admin)
    assert browser.get(f"/admin/server/topic/{used.pk}/delete/").status_code == 403
    assert browser.post(f"/admin/server/topic/{used.pk}/delete/", {"post": "yes"}).status_code == 403
    with pytest.raises(ProtectedError):
        Topic.objects.get(pk=used.pk).delete()  # nor by any other way
    assert browser.post(f"/admin/server/topic/{unused.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Topic.objects.filter(pk=unused.pk).exists()
    entry = AuditEntry.objects.get(action="topic.deleted")
    assert (entry.actor_id, entry.detail["topic"]) == (world.admin.pk, unused.pk)


# --- deactivation, passwords, portal accounts ----------------------------------------------

def test_deactivating_staff_ends_their_sessions_audited(world, as_user):
    cleo = as_user(world.cleo)
    assert cleo.get("/api/me").status_code == 200
    change_user(admin_browser(world.admin), world.cleo, is_active=False)
    assert User.objects.get(pk=world.cleo.pk).is_active is False
    assert cleo.get("/api/me").status_code == 401
    assert api_login("cleo", PASSWORD).status_code == 401
    entry = AuditEntry.objects.get(action="user.deactivated")
    assert (entry.actor_id, entry.detail["target_user"]) == (world.admin.pk, world.cleo.pk)


def test_the_bulk_action_deactivates_rather_than_deletes(world, as_user):
    dana = as_user(world.dana.user)
    r = admin_browser(world.admin).post("/admin/server/user/", {
        "action": "deactivate", "_selected_action": [world.dana.user.pk, world.sam.pk]})
    assert r.status_code == 302
    assert not User.objects.filter(pk__in=[world.dana.user.pk, world.sam.pk], is_active=True).exists()
    assert dana.get("/api/me").status_code == 401
    assert AuditEntry.objects.filter(action="user.deactivated").count() == 2


def test_a_password_set_by_the_admin_ends_the_users_sessions_and_is_never_logged(world, as_user):
    sam = as_user(world.sam)
    set_password(admin_browser(world.admin), world.sam, NEW_PASSWORD)
    assert sam.get("/api/me").status_code == 401
    assert api_login("sam", NEW_PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(action="user.password_set")
    assert (entry.actor_id, entry.detail["target_user"]) == (world.admin.pk, world.sam.pk)
    assert not any(NEW_PASSWORD in str(e.detail) for e in AuditEntry.objects.all())


def test_the_admins_own_password_keeps_their_session_and_ends_the_others(world, as_user):
    browser = admin_browser(world.admin)
    elsewhere = as_user(world.admin)
    assert browser.get("/admin/password_change/").status_code == 302  # to their own page
    set_password(browser, world.admin, NEW_PASSWORD)
    assert browser.get("/admin/").status_code == 200
    assert elsewhere.get("/api/me").status_code == 401


def test_unlinking_a_portal_account_signs_it_out_of_the_clients_messages(world, as_user):
    dana = as_user(world.dana.user)
    start(as_user(world.cleo), "clinical", client=world.dana, body="Session notes")
    change_client(admin_browser(world.admin), world.dana, user="")
    assert Client.objects.get(pk=world.dana.pk).user_id is None
    assert dana.get("/api/threads").status_code == 401
    assert api_login("dana", PASSWORD).status_code == 401
    assert JsonClient(world.dana.user).get("/api/threads").status_code == 401
    entry = AuditEntry.objects.get(action="client.portal_unlinked")
    assert (entry.client_id, entry.detail["target_user"]) == (world.dana.pk, world.dana.user.pk)


def test_linking_an_account_voids_outstanding_invitations(world, as_user):
    start(as_user(world.cleo), "clinical", client=world.eli, body="Welcome")
    invitation = Invitation.objects.get(client=world.eli)
    change_client(admin_browser(world.admin), world.dana, user="")  # dana's account is free
    change_client(admin_browser(world.admin), world.eli, user=world.dana.user.pk)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    eli = JsonClient(world.dana.user)
    threads = eli.get("/api/threads").json()["threads"]
    assert [t["client"]["id"] for t in threads] == [world.eli.pk] and threads[0]["unread_count"] == 1
    assert AuditEntry.objects.filter(action="client.portal_linked", client_id=world.eli.pk).exists()


def test_only_free_client_accounts_of_the_practice_can_be_linked(world):
    browser = admin_browser(world.admin)
    for account in (world.sam, world.oscar.user, world.dana.user):
        r = browser.post(f"/admin/server/client/{world.eli.pk}/change/", {
            "name": "Eli Moss", "email": "eli@client.example.org", "user": account.pk})
        assert r.status_code == 200  # the form again, with its error
    assert Client.objects.get(pk=world.eli.pk).user_id is None


def test_an_account_kind_cannot_change(world):
    change_user(admin_browser(world.admin), world.dana.user, kind="staff")
    assert User.objects.get(pk=world.dana.user.pk).kind == "client"


# --- creation is audited -------------------------------------------------------------------

def test_creating_staff_clients_and_topics_is_audited_and_lands_in_the_practice(world):
    browser = admin_browser(world.admin)
    r = browser.post("/admin/server/user/add/", {
        "username": "nina", "name": "Nina New", "email": "nina@staff.example.org",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "kind": "client",
        "practice": world.other_practice.pk})
    assert r.status_code == 302, r.content.decode()[:2000]
    nina = User.objects.get(username="nina")
    assert (nina.kind, nina.practice_id, nina.is_staff) == ("staff", world.practice.pk, False)
    assert AuditEntry.objects.get(action="staff.created").detail["target_user"] == nina.pk
    r = browser.post("/admin/server/client/add/", {"name": "Gil Park", "email": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    gil = Client.objects.get(name="Gil Park")
    assert gil.practice_id == world.practice.pk
    assert AuditEntry.objects.get(action="client.created").client_id == gil.pk
    assert browser.post("/admin/server/topic/add/", {"name": "Telehealth",
                                                     "subject": "Video"}).status_code == 302
    topic = Topic.objects.get(name="Telehealth")
    assert AuditEntry.objects.get(action="topic.created").detail["topic"] == topic.pk


def test_renaming_the_practice_is_audited(world):
    change_practice(admin_browser(world.admin), world.practice, name="Northside Wellness")
    assert Practice.objects.get(pk=world.practice.pk).name == "Northside Wellness"
    assert AuditEntry.objects.filter(action="practice.renamed", actor=world.admin).exists()


def test_a_superuser_in_the_practice_is_out_of_a_practice_admins_reach(world):
    root = make_staff(world.practice, "root")
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    browser = admin_browser(world.admin)
    assert "root" not in browser.get("/admin/server/user/").content.decode()
    r = browser.post(f"/admin/server/user/{root.pk}/password/", {
        "usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert r.status_code == 404
    assert User.objects.get(pk=root.pk).check_password(PASSWORD)


def test_a_topic_name_taken_in_the_practice_is_refused_not_a_500(world):
    browser = admin_browser(world.admin)
    r = browser.post("/admin/server/topic/add/", {"name": "Scheduling", "subject": "Again"})
    assert r.status_code == 200 and "a topic of that name" in r.content.decode()
    other = world.topics["Other"]
    r = browser.post(f"/admin/server/topic/{other.pk}/change/", {"name": "Billing question",
                                                                 "subject": "x"})
    assert r.status_code == 200 and Topic.objects.get(pk=other.pk).name == "Other"
    assert not AuditEntry.objects.filter(action__startswith="topic.").exists()


def test_a_portal_account_is_given_no_roles(world):
    change_user(admin_browser(world.admin), world.dana.user, roles=["clinical_admin"])
    assert not world.dana.user.role_rows.exists()
