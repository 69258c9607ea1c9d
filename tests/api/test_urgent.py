"""Crisis language on arrival and urgent threads over HTTP (SPEC §4 "Safety"): who is alerted
and emailed, mark / acknowledge / clear, urgent threads first, and refusals that change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from server.models import AuditEntry, Event, Message, OutboxEmail, Thread
from server.notify import texts
from tests.api.helpers import reply, start

CRISIS = "I can't do this anymore, I am going to kill myself tonight"
CALM = "This bill is killing me, can we talk about a payment plan?"


def addressees(kind) -> set:
    return set(OutboxEmail.objects.filter(kind=kind).values_list("to", flat=True))


def urgent_of(api, thread_id):
    r = api.get(f"/api/threads/{thread_id}")
    assert r.status_code == 200, r.content
    return r.json()["thread"]["urgent"]


def test_crisis_language_in_a_new_thread_alerts_the_clinical_staff_who_see_it(world, as_user):
    dana = as_user(world.dana.user)
    created = start(dana, audience="billing", body=CRISIS)
    # The client is shown where to get help, and the message is kept exactly as written.
    assert created["crisis"] == {"resources": world.practice.crisis_resources}
    assert created["message"]["body"] == CRISIS
    assert created["thread"]["urgent"] is None  # staff triage, not shown to clients
    thread_id = created["thread"]["id"]
    assert Message.objects.get(thread_id=thread_id).body == CRISIS

    urgent = urgent_of(as_user(world.cleo), thread_id)
    assert urgent["reason"] == "crisis_language" and urgent["since"]
    assert urgent["acknowledged_by"] is None and urgent["acknowledged_at"] is None
    # The billing thread is seen by bill, cleo (assigned), sue (her supervisor) and cara
    # (clinical admin); only the clinical roles are alerted, whatever their email settings.
    clinical = {world.cleo.email, world.sue.email, world.cara.email}
    assert addressees(texts.URGENT_NOTICE) == clinical
    assert {e.user_id for e in Event.objects.filter(type="thread.urgent")} == {
        world.cleo.pk, world.sue.pk, world.cara.pk}
    escalations = OutboxEmail.objects.filter(kind=texts.URGENT_ESCALATION)
    assert {e.to for e in escalations} == clinical
    assert all(e.send_after >= timezone.now() + timedelta(seconds=890) for e in escalations)
    entry = AuditEntry.objects.get(action="thread.crisis_language")
    assert entry.thread_id == thread_id and entry.detail["category"] == "suicide"
    assert CRISIS not in str(entry.detail)


def test_a_reply_with_crisis_language_makes_the_thread_urgent(world, as_user):
    thread_id = start(as_user(world.cleo), audience="clinical", client=world.dana)["thread"]["id"]
    dana = as_user(world.dana.user)
    r = dana.post(f"/api/threads/{thread_id}/messages", {"body": "i want to die"})
    assert r.status_code == 201 and r.json()["crisis"]["resources"]
    assert urgent_of(as_user(world.sue), thread_id)["reason"] == "crisis_language"


def test_calm_messages_and_staff_messages_are_not_crises(world, as_user):
    dana = as_user(world.dana.user)
    created = start(dana, body=CALM)
    assert created["crisis"] is None
    assert reply(dana, created["thread"]["id"], body="Me muero de ganas de verte") is not None
    # Staff quoting a client is never a crisis of the client's.
    staff_thread = start(as_user(world.cleo), client=world.dana, body=CRISIS)
    assert staff_thread["crisis"] is None
    assert not Thread.objects.filter(urgent_since__isnull=False).exists()
    assert not OutboxEmail.objects.filter(kind__startswith="urgent").exists()


def test_a_retried_send_shows_the_resources_again(world, as_user):
    dana = as_user(world.dana.user)
    first = start(dana, body=CRISIS, client_msg_id="m-1")
    again = dana.post("/api/threads", {"audience": "administrative", "subject": "Subject",
                                       "body": CRISIS, "client_msg_id": "m-1"})
    assert again.status_code == 200 and again.json()["crisis"] == first["crisis"]
    assert OutboxEmail.objects.filter(kind=texts.URGENT_NOTICE).count() == 3


def test_staff_mark_acknowledge_and_clear(world, as_user):
    thread_id = start(as_user(world.sam), client=world.dana)["thread"]["id"]
    sam, cleo, cara = as_user(world.sam), as_user(world.cleo), as_user(world.cara)

    marked = sam.post(f"/api/threads/{thread_id}/urgent")
    assert marked.status_code == 200, marked.content
    assert marked.json()["thread"]["urgent"]["reason"] == "staff"
    # Marking again while nobody owns it changes nothing and alerts nobody twice.
    assert sam.post(f"/api/threads/{thread_id}/urgent").json() == marked.json()
    assert addressees(texts.URGENT_NOTICE) == {world.cleo.email, world.sue.email, world.cara.email}
    assert OutboxEmail.objects.filter(kind=texts.URGENT_NOTICE).count() == 3

    acked = cleo.post(f"/api/threads/{thread_id}/acknowledge")
    assert acked.status_code == 200
    owner = acked.json()["thread"]["urgent"]
    assert owner["acknowledged_by"] == {"id": world.cleo.pk, "name": "Cleo Clinician"}
    assert owner["acknowledged_at"] and owner["reason"] == "staff"
    # Acknowledging twice is harmless: the first owner stays.
    again = cara.post(f"/api/threads/{thread_id}/acknowledge")
    assert again.status_code == 200 and again.json()["thread"]["urgent"] == owner
    assert urgent_of(sam, thread_id) == owner

    cleared = cara.delete(f"/api/threads/{thread_id}/urgent")
    assert cleared.status_code == 200 and cleared.json()["thread"]["urgent"] is None
    assert cara.delete(f"/api/threads/{thread_id}/urgent").status_code == 200
    assert cara.post(f"/api/threads/{thread_id}/acknowledge").json()["thread"]["urgent"] is None
    actions = list(AuditEntry.objects.filter(thread_id=thread_id, action__startswith="thread.")
                   .exclude(action__in=("thread.created", "thread.viewed", "thread.previewed"))
                   .values_list("action", "actor__username"))
    assert actions == [("thread.marked_urgent", "sam"), ("thread.urgent_acknowledged", "cleo"),
                       ("thread.urgent_cleared", "cara")]


def test_who_marks_is_not_alerted_but_the_escalation_reaches_them(world, as_user):
    thread_id = start(as_user(world.cara), audience="clinical", client=world.dana)["thread"]["id"]
    assert as_user(world.cara).post(f"/api/threads/{thread_id}/urgent").status_code == 200
    assert addressees(texts.URGENT_NOTICE) == {world.cleo.email, world.sue.email}
    assert addressees(texts.URGENT_ESCALATION) == {world.cleo.email, world.sue.email,
                                                   world.cara.email}


@pytest.mark.parametrize("method, path", [("post", "urgent"), ("post", "acknowledge"),
                                          ("delete", "urgent")])
def test_refusals_change_nothing(world, as_user, method, path):
    thread_id = start(as_user(world.dana.user), body=CRISIS)["thread"]["id"]
    before = Thread.objects.values().get(pk=thread_id)
    url = f"/api/threads/{thread_id}/{path}"
    calls = {
        as_user(None): 401,
        as_user(world.dana.user): 403,  # her own thread: she sees it, but it is staff triage
        as_user(world.oscar.user): 404,  # another practice's client
        as_user(world.bill): 404,  # the administrative thread is not his
        as_user(world.carl): 404,  # a clinician with no relationship to dana
        as_user(world.olga): 404,  # another practice's clinical admin
    }
    for api, status in calls.items():
        r = getattr(api, method)(url)
        assert r.status_code == status, (status, r.content)
        assert set(r.json()["error"]) == {"code", "message"}
    for bad in ("/api/threads/999999/", "/api/threads/99999999999999999999/"):
        assert getattr(as_user(world.cleo), method)(bad + path).status_code == 404
    assert Thread.objects.values().get(pk=thread_id) == before


def test_a_deleted_thread_cannot_be_marked(world, as_user):
    thread_id = start(as_user(world.cleo), client=world.dana)["thread"]["id"]
    assert as_user(world.cleo).delete(f"/api/threads/{thread_id}").status_code == 204
    assert as_user(world.cleo).post(f"/api/threads/{thread_id}/urgent").status_code == 410


def test_unacknowledged_urgent_threads_come_first_and_paging_holds(world, as_user):
    cleo = as_user(world.cleo)
    ids = [start(cleo, client=world.dana, subject=f"t{i}")["thread"]["id"] for i in range(7)]
    # Oldest two urgent; the third urgent but owned, so back in its place.
    for thread_id in ids[:3]:
        assert as_user(world.sam).post(f"/api/threads/{thread_id}/urgent").status_code == 200
    assert cleo.post(f"/api/threads/{ids[2]}/acknowledge").status_code == 200
    expected = [ids[1], ids[0], *reversed(ids[2:])]
    for limit in (1, 2, 3, 7, 50):
        seen, cursor = [], None
        while True:
            params = {"limit": limit, **({"before": cursor} if cursor else {})}
            page = cleo.get("/api/threads", **params).json()
            seen += [t["id"] for t in page["threads"]]
            cursor = page["next"]
            if not cursor:
                break
        assert seen == expected, limit
    # The client's own listing is newest first, with no urgency shown.
    mine = as_user(world.dana.user).get("/api/threads").json()["threads"]
    assert [t["id"] for t in mine] == list(reversed(ids))
    assert all(t["urgent"] is None for t in mine)


def test_a_hand_made_cursor_is_refused(world, as_user):
    import base64

    bad = base64.urlsafe_b64encode(b"2026-01-01T00:00:00+00:00|5|x").decode()
    r = as_user(world.cleo).get("/api/threads", before=bad)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_cursor"
