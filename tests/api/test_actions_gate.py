"""What every action does the same way: one "not found" for a client whether missing or hidden
(server.access.access_client), and an audit row written by the action itself naming the actor
and the address the request came from."""

import pytest

from server.models import AuditEntry
from tests.api.helpers import reply, start
from tests.factory import JsonClient

MISSING = 10**9
ADDRESS = "10.1.2.3"


@pytest.mark.parametrize("call", ["start", "clinicians", "invite"])
def test_a_hidden_client_and_a_missing_one_get_the_same_answer(world, call):
    carl = JsonClient(world.carl)  # a clinician with no clients: sees none of them
    admin = JsonClient(world.admin)

    def ask(client_id):
        if call == "start":
            return carl.post("/api/threads", {"client_id": client_id, "audience": "clinical",
                                              "subject": "Hi", "body": "Hello"})
        if call == "clinicians":
            return carl.put(f"/api/clients/{client_id}/clinicians", {"clinicians": []})
        return admin.post(f"/api/clients/{client_id}/invite")

    hidden = world.oscar.pk if call == "invite" else world.eli.pk
    answers = [ask(hidden), ask(MISSING), ask(2**70)]
    assert [r.status_code for r in answers] == [404, 404, 404]
    assert answers[0].json() == answers[1].json() == answers[2].json()


def test_a_client_naming_another_client_gets_not_found(world):
    dana = JsonClient(world.dana.user)
    r = dana.post("/api/threads", {"client_id": world.eli.pk, "audience": "administrative",
                                   "subject": "Hi", "body": "Hello"})
    missing = dana.post("/api/threads", {"client_id": MISSING, "audience": "administrative",
                                         "subject": "Hi", "body": "Hello"})
    assert r.status_code == missing.status_code == 404 and r.json() == missing.json()


def _rows(action):
    return list(AuditEntry.objects.filter(action=action).values_list("actor_username", "ip"))


def test_actions_audit_with_the_actor_and_address(world):
    sam = JsonClient(world.sam, REMOTE_ADDR=ADDRESS)
    admin = JsonClient(world.admin, REMOTE_ADDR=ADDRESS)
    thread = start(sam, client=world.eli)  # eli has no account: sam's message invites her
    assert thread["invitation"]["status"] == "sent"
    tid = thread["thread"]["id"]
    message = reply(sam, tid, body="A second line")
    assert sam.get(f"/api/threads/{tid}").status_code == 200
    assert admin.patch(f"/api/threads/{tid}", {"subject": "Changed"}).status_code == 200
    assert sam.delete(f"/api/messages/{message['id']}").status_code == 204
    assert admin.put("/api/practice", {"portal_enabled": False}).status_code == 200
    assert admin.put(f"/api/staff/{world.bill.pk}/roles", {"roles": ["biller"]}).status_code == 200
    expected = {"thread.created": "sam", "invitation.sent": "sam", "message.sent": "sam",
                "thread.viewed": "sam", "thread.edited": "admin", "message.deleted": "sam",
                "staff.roles_changed": "admin", "practice.portal_switched": "admin"}
    assert {action: _rows(action) for action in expected} == {
        action: [(who, ADDRESS)] for action, who in expected.items()}
