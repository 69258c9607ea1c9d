"""What the inbox's walkthrough needed from the API: the last message in each summary, an
invitation answer that says when the link was emailed, a client's email set by a practice admin,
and the access change asked before the header edit."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.models import AuditEntry, Invitation
from tests.api.helpers import reply, start


def test_summaries_carry_the_last_message_preview_and_author(world, as_user):
    cleo, dana = as_user(world.cleo), as_user(world.dana.user)
    tid = start(cleo, "clinical", client=world.dana, body="First   line\nsecond line")["thread"]["id"]
    listed = cleo.get("/api/threads").json()["threads"][0]
    assert listed["last_message"] == {"author": {"id": world.cleo.pk, "name": "Cleo Clinician",
                                                 "kind": "staff"},
                                      "preview": "First line second line"}
    answer = {"message": reply(dana, tid, body="x" * 500)}
    listed = dana.get("/api/threads").json()["threads"][0]
    assert listed["last_message"]["author"] == {"id": world.dana.user_id, "name": "Dana Reyes",
                                                "kind": "client"}
    assert len(listed["last_message"]["preview"]) == 120 and listed["last_message"]["preview"].endswith("…")
    # A deleted message is never previewed: the one before it is.
    assert as_user(world.cara).delete(f"/api/messages/{answer['message']['id']}").status_code == 204
    listed = cleo.get("/api/threads").json()["threads"][0]
    assert listed["last_message"]["preview"] == "First line second line"
    assert cleo.get(f"/api/threads/{tid}").json()["thread"]["last_message"]["author"]["kind"] == "staff"


def test_the_preview_costs_the_same_for_one_thread_and_for_twenty(world, as_user):
    cleo = as_user(world.cleo)
    start(cleo, "clinical", client=world.dana)

    def queries():
        with CaptureQueriesContext(connection) as seen:
            assert cleo.get("/api/threads").status_code == 200
        return len(seen)

    one = queries()
    for n in range(19):
        start(cleo, "clinical", client=world.dana, body=f"Note {n}")
    assert queries() == one


def test_a_second_message_says_when_the_invitation_was_emailed(world, as_user):
    cleo = as_user(world.cleo)
    created = start(cleo, "clinical", client=world.eli, body="Welcome")
    first = Invitation.objects.get(client=world.eli)
    assert created["invitation"]["status"] == "sent"
    again = cleo.post(f"/api/threads/{created['thread']['id']}/messages", {"body": "again"}).json()
    assert again["invitation"]["status"] == "sent"
    assert again["invitation"]["sent_at"] == created["invitation"]["sent_at"]
    assert Invitation.objects.get(client=world.eli) == first
    assert created["invitation"]["sent_at"].startswith(first.created_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_practice_admin_adds_a_clients_email_then_invites(world, as_user):
    admin = as_user(world.admin)
    r = admin.patch(f"/api/clients/{world.fay.pk}", {"email": " fay@example.org "})
    assert r.status_code == 200
    assert r.json() == {"id": world.fay.pk, "name": "Fay Lund", "has_portal_account": False,
                        "has_email": True}
    world.fay.refresh_from_db()
    assert world.fay.email == "fay@example.org"
    entry = AuditEntry.objects.get(action="client.edited")
    assert entry.client_id == world.fay.pk and "fay@example.org" not in str(entry.__dict__)
    invite = admin.post(f"/api/clients/{world.fay.pk}/invite").json()["invitation"]
    assert invite["status"] == "sent"


def test_client_email_edits_are_refused_to_others_and_bad_input(world, as_user):
    for user in (world.cleo, world.cara, world.sam):
        r = as_user(user).patch(f"/api/clients/{world.eli.pk}", {"email": "eli@example.org"})
        assert r.status_code == 403, user
    assert as_user(world.dana.user).patch(f"/api/clients/{world.dana.pk}",
                                     {"email": "d@example.org"}).status_code == 403
    admin = as_user(world.admin)
    assert admin.patch(f"/api/clients/{world.oscar.pk}", {"email": "o@example.org"}).status_code == 404
    assert admin.patch("/api/clients/999999", {"email": "o@example.org"}).status_code == 404
    for bad in ("", "not an email", "a@" + "b" * 260 + ".org", 5, None):
        r = admin.patch(f"/api/clients/{world.fay.pk}", {"email": bad})
        assert r.status_code in (400, 422), (bad, r.status_code)
        assert set(r.json()["error"]) >= {"code", "message"}
    assert as_user(None).patch(f"/api/clients/{world.fay.pk}", {"email": "f@example.org"}).status_code == 401
    world.fay.refresh_from_db()
    assert world.fay.email is None
    assert not AuditEntry.objects.filter(action="client.edited").exists()


def test_the_access_change_can_be_asked_without_a_conflict(world, as_user):
    cleo = as_user(world.cleo)
    tid = start(cleo, "billing", client=world.dana)["thread"]["id"]
    r = cleo.get(f"/api/threads/{tid}/access-change", audience="administrative")
    assert r.status_code == 200
    change = r.json()["access_change"]
    assert [p["name"] for p in change["losing"]] == ["Bill Biller"]
    assert sorted(p["name"] for p in change["gaining"]) == ["Ada Admin", "Sam Scheduler"]
    assert cleo.get(f"/api/threads/{tid}").json()["thread"]["audience"] == "billing"
    same = cleo.get(f"/api/threads/{tid}/access-change", audience="billing").json()
    assert same == {"access_change": {"losing": [], "gaining": []}}
    assert cleo.get(f"/api/threads/{tid}/access-change", audience="secret").status_code == 422
    assert as_user(world.sam).get(f"/api/threads/{tid}/access-change",
                                  audience="clinical").status_code == 404
    assert as_user(world.dana.user).get(f"/api/threads/{tid}/access-change",
                                   audience="clinical").status_code == 403


def test_the_sign_in_page_sends_someone_signed_in_on_without_asking_the_api(world):
    from django.test import Client

    assert Client().get("/").status_code == 200
    staff, client = Client(), Client()
    staff.force_login(world.cleo)
    client.force_login(world.dana.user)
    assert staff.get("/")["Location"] == "/inbox"
    assert client.get("/")["Location"] == "/portal"
    # With a notice to show (signed out, expired, portal off), the page shows it.
    assert client.get("/?portal_off=1").status_code == 200
