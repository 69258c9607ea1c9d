"""Editing a thread's header; an audience change asks for confirmation and moves access at once."""

from server.models import AuditEntry, Thread
from tests.api.helpers import badge, start, thread_ids


def test_audience_change_needs_confirmation_listing_who_loses_and_gains(world, as_user):
    sam, bill = as_user(world.sam), as_user(world.bill)
    tid = start(sam, client=world.dana)["thread"]["id"]
    r = sam.patch(f"/api/threads/{tid}", {"audience": "billing"})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "confirm_audience_change"
    assert error["access_change"] == {
        "losing": [{"id": world.admin.pk, "name": "Ada Admin"},
                   {"id": world.sam.pk, "name": "Sam Scheduler"}],
        "gaining": [{"id": world.bill.pk, "name": "Bill Biller"}],
    }
    assert Thread.objects.get(pk=tid).audience == "administrative"
    assert bill.get(f"/api/threads/{tid}").status_code == 404

    r = sam.patch(f"/api/threads/{tid}", {"audience": "billing", "confirm": True})
    assert r.status_code == 200 and r.json()["thread"]["audience"] == "billing"
    assert sam.get(f"/api/threads/{tid}").status_code == 404
    assert thread_ids(sam) == []
    assert thread_ids(bill) == [tid]
    # The gaining biller finds it with its latest message unread.
    assert badge(bill) == 1
    assert AuditEntry.objects.filter(action="thread.edited", thread_id=tid).count() == 1


def test_topic_and_subject_edit_without_confirmation(world, as_user):
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    forms = world.topics["Forms and documents"]
    r = cleo.patch(f"/api/threads/{tid}", {"topic_id": forms.pk, "subject": "Intake form"})
    assert r.status_code == 200
    thread = r.json()["thread"]
    assert thread["topic"]["id"] == forms.pk and thread["subject"] == "Intake form"
    r = cleo.patch(f"/api/threads/{tid}", {"topic_id": None})
    assert r.json()["thread"]["topic"] is None and r.json()["thread"]["subject"] == "Intake form"


def test_same_audience_needs_no_confirmation(world, as_user):
    sam = as_user(world.sam)
    tid = start(sam, client=world.dana)["thread"]["id"]
    assert sam.patch(f"/api/threads/{tid}", {"audience": "administrative"}).status_code == 200


def test_clients_cannot_edit_the_header(world, as_user):
    dana = as_user(world.dana.user)
    tid = start(dana)["thread"]["id"]
    r = dana.patch(f"/api/threads/{tid}", {"subject": "mine"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"


def test_unassigned_staff_cannot_edit_what_they_cannot_see(world, as_user):
    tid = start(as_user(world.cleo), "clinical", client=world.dana)["thread"]["id"]
    assert as_user(world.sam).patch(f"/api/threads/{tid}", {"subject": "x"}).status_code == 404
    assert Thread.objects.get(pk=tid).subject == "Subject"
