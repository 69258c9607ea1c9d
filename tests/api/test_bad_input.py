"""Adversarial input over HTTP (SPEC §3): every bad request gets the right status, the error shape
{"error": {"code", "message"}}, and changes nothing; no input at all reaches a 500.

The cases are tables of (caller, "METHOD path", body, status, code). Paths and bodies name the
scene's objects in braces ({dana_admin} is the id of Dana's administrative thread, {oscar_msg} a
message of the other practice); a body that is a str is sent exactly as written, anything else as
JSON.
"""

import base64
import json

import pytest
from django.urls import resolve

from server.models import (ArchiveMark, AuditEntry, Client, Event, Invitation, Message,
                           OutboxEmail, Practice, StaffRole, Thread, Topic, UnreadMark, User)
from tests.api.helpers import start
from tests.factory import JsonClient

HUGE = "99999999999999999999"


# The scene -------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _no_send_limit(settings):
    # Bad sends count towards the per-minute send limit; these tests are about validation.
    settings.SEND_LIMIT_PER_MINUTE = 10**6


@pytest.fixture
def scene(world):
    """Threads in every audience of the practice and one in the other practice, with the ids
    the tables name."""
    dana_api, cleo, bill, sam = (JsonClient(world.dana.user), JsonClient(world.cleo),
                                 JsonClient(world.bill), JsonClient(world.sam))
    made = {
        "dana_admin": start(dana_api, "administrative", body="Can I move Tuesday?"),
        "dana_clinical": start(cleo, "clinical", client=world.dana, body="How are you?"),
        "dana_billing": start(bill, "billing", client=world.dana, body="Your invoice"),
        "eli_admin": start(sam, "administrative", client=world.eli, body="Hello Eli"),
        "oscar_thread": start(JsonClient(world.oscar.user), "administrative", body="Other place"),
    }
    ids = {}
    for name, created in made.items():
        ids[name] = created["thread"]["id"]
        ids[name + "_msg"] = created["message"]["id"]
    other_topic = Topic.objects.filter(practice=world.other_practice).first()
    ids.update(
        dana=world.dana.pk, eli=world.eli.pk, fay=world.fay.pk, oscar=world.oscar.pk,
        admin=world.admin.pk, sam=world.sam.pk, cleo=world.cleo.pk, olga=world.olga.pk,
        dana_user=world.dana.user_id, topic=world.topics["Scheduling"].pk,
        other_topic=other_topic.pk, huge=HUGE,
    )
    users = {"anon": None, "dana": world.dana.user, "oscar": world.oscar.user, "admin": world.admin,
             "sam": world.sam, "bill": world.bill, "cleo": world.cleo, "carl": world.carl,
             "sue": world.sue, "cara": world.cara, "olga": world.olga}
    return {"ids": ids, "users": users, "world": world}


def snapshot() -> dict:
    """Everything a request could change, as comparable values."""
    return {
        "threads": list(Thread.objects.order_by("pk").values_list(
            "pk", "audience", "topic_id", "subject", "deleted_at", "last_message_at")),
        "messages": list(Message.objects.order_by("pk").values_list(
            "pk", "body", "deleted_at", "seen_by_client_at")),
        "unread": sorted(UnreadMark.objects.values_list("user_id", "message_id")),
        "archived": sorted(ArchiveMark.objects.values_list("user_id", "thread_id")),
        "roles": sorted(StaffRole.objects.values_list("user_id", "role")),
        "assigned": sorted(Client.clinicians.through.objects.values_list("client_id", "user_id")),
        "portal": sorted(Practice.objects.values_list("pk", "portal_enabled")),
        "users": sorted(User.objects.values_list("pk", "username", "is_active")),
        "email_audiences": sorted((u.pk, tuple(u.email_audiences or ()))
                                  for u in User.objects.all()),
        "invitations": sorted(Invitation.objects.values_list("pk", "used_at", "revoked_at")),
        "outbox": OutboxEmail.objects.count(),
        "events": Event.objects.count(),
        # Failed sign-ins are audited on purpose; nothing else a bad request does is.
        "audit": list(AuditEntry.objects.exclude(action="login.failed").order_by("pk")
                      .values_list("pk", "action")),
    }


def fill(template, ids):
    """A path or body with the scene's names in braces replaced by their ids."""
    if isinstance(template, str):
        for name in sorted(ids, key=len, reverse=True):
            template = template.replace("{%s}" % name, str(ids[name]))
        return template
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, ids) for v in template]
    return template


class Id(str):
    """A body value that becomes the (integer) id of the scene object it names."""


def fill_body(body, ids):
    if isinstance(body, Id):
        return int(ids[str(body)])
    if isinstance(body, dict):
        return {k: fill_body(v, ids) for k, v in body.items()}
    if isinstance(body, list):
        return [fill_body(v, ids) for v in body]
    return body


def send(api, method, path, body=None, **extra):
    """One request through Django's test client; a str body goes as written, others as JSON."""
    if body is None:
        return api.http.generic(method, path, **extra)
    data = body if isinstance(body, (str, bytes)) and not isinstance(body, Id) else json.dumps(body)
    return api.http.generic(method, path, data, content_type="application/json", **extra)


def assert_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    payload = response.json()
    assert set(payload) == {"error"}, payload
    error = payload["error"]
    assert isinstance(error.get("code"), str) and error["code"], payload
    assert isinstance(error.get("message"), str) and error["message"], payload
    if code is not None:
        assert error["code"] == code, payload


def run_case(scene, who, request, body, status, code):
    method, path = request.split(" ", 1)
    ids = scene["ids"]
    api = JsonClient(scene["users"][who])
    before = snapshot()
    response = send(api, method, fill(path, ids), fill_body(body, ids))
    assert_error(response, status, code)
    assert snapshot() == before, "a refused request changed something"


def routed(path) -> bool:
    """Whether `path` reaches a real endpoint (not the JSON 404 for unknown /api/ paths)."""
    return resolve(path).func.__name__ != "api_not_found"


# The tables ------------------------------------------------------------------------------------

# Every endpoint that reads a JSON body, with a caller who may use it.
BODY_ENDPOINTS = [
    ("anon", "POST /api/auth/login"),
    ("dana", "POST /api/threads"),
    ("cleo", "POST /api/threads"),
    ("cleo", "PATCH /api/threads/{dana_admin}"),
    ("dana", "POST /api/threads/{dana_admin}/messages"),
    ("cleo", "POST /api/threads/{dana_admin}/messages"),
    ("admin", "PUT /api/practice"),
    ("anon", "POST /api/portal/activate"),
    ("admin", "PUT /api/staff/{sam}/roles"),
    ("admin", "PUT /api/clients/{dana}/clinicians"),
    ("cleo", "PUT /api/me/notifications"),
]

# Bodies that are not a JSON object at all: 400 malformed wherever a body is expected.
NOT_AN_OBJECT = {
    "half_object": "{",
    "broken_object": '{"body": }',
    "trailing_garbage": '{"body": "x"} x',
    "array": [],
    "array_of_object": [{"body": "x"}],
    "string": '"hello"',
    "number": "42",
    "null": "null",
    "true": "true",
    "empty": "",
    "not_utf8": b'{"body": "\xff"}',
    "nested_deep": "[" * 50_000 + "]" * 50_000,
}

MALFORMED = [
    pytest.param(who, request, body, 400, "malformed", id=f"{request}-{who}-{shape}")
    for who, request in BODY_ENDPOINTS for shape, body in NOT_AN_OBJECT.items()
]

STAFF_THREAD = {"client_id": Id("dana"), "audience": "administrative", "subject": "S", "body": "B"}
CLIENT_THREAD = {"audience": "administrative", "subject": "S", "body": "B"}


def staff_thread(**changes):
    return {k: v for k, v in {**STAFF_THREAD, **changes}.items() if v is not ...}


def client_thread(**changes):
    return {k: v for k, v in {**CLIENT_THREAD, **changes}.items() if v is not ...}


# Fields of the wrong JSON type or missing: 422 invalid.
WRONG_TYPES = [
    ("anon", "POST /api/auth/login", {"username": 5, "password": "x"}),
    ("anon", "POST /api/auth/login", {"username": "admin", "password": None}),
    ("anon", "POST /api/auth/login", {"username": ["admin"], "password": "x"}),
    ("anon", "POST /api/auth/login", {"username": "admin"}),
    ("anon", "POST /api/auth/login", {}),
    ("dana", "POST /api/threads", client_thread(body=5)),
    ("dana", "POST /api/threads", client_thread(body=None)),
    ("dana", "POST /api/threads", client_thread(body=["B"])),
    ("dana", "POST /api/threads", client_thread(body={"text": "B"})),
    ("dana", "POST /api/threads", client_thread(body=...)),
    ("dana", "POST /api/threads", client_thread(audience=...)),
    ("dana", "POST /api/threads", client_thread(audience=1)),
    ("dana", "POST /api/threads", client_thread(topic_id="1")),
    ("dana", "POST /api/threads", client_thread(topic_id=1.5)),
    ("dana", "POST /api/threads", client_thread(subject=5)),
    ("dana", "POST /api/threads", client_thread(client_msg_id=5)),
    ("dana", "POST /api/threads", client_thread(mark_thread_read="true")),
    ("cleo", "POST /api/threads", staff_thread(client_id="1")),
    ("cleo", "POST /api/threads", staff_thread(client_id=1.5)),
    ("cleo", "POST /api/threads", staff_thread(client_id=True)),
    ("cleo", "POST /api/threads", staff_thread(client_id=[1])),
    ("cleo", "POST /api/threads", staff_thread(client_id=...)),
    ("cleo", "POST /api/threads", staff_thread(body=1)),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": "clinical", "confirm": "true"}),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": "clinical", "confirm": 1}),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": 5}),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"topic_id": "x"}),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"subject": 5}),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"subject": ["x"]}),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": 5}),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": None}),
    ("dana", "POST /api/threads/{dana_admin}/messages", {}),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "x", "mark_thread_read": "yes"}),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "x", "mark_thread_read": None}),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "x", "client_msg_id": 7}),
    ("admin", "PUT /api/practice", {"portal_enabled": "false"}),
    ("admin", "PUT /api/practice", {"portal_enabled": 0}),
    ("admin", "PUT /api/practice", {"portal_enabled": None}),
    ("admin", "PUT /api/practice", {}),
    ("anon", "POST /api/portal/activate", {"token": 5, "username": "a", "password": "b"}),
    ("anon", "POST /api/portal/activate", {"token": "t", "password": "b"}),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": "biller"}),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": [1]}),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": None}),
    ("admin", "PUT /api/staff/{sam}/roles", {}),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": "{cleo}"}),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": ["{cleo}"]}),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [True]}),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": Id("cleo")}),
    ("admin", "PUT /api/clients/{dana}/clinicians", {}),
    ("cleo", "PUT /api/me/notifications", {"email_audiences": "clinical"}),
    ("cleo", "PUT /api/me/notifications", {"email_audiences": [5]}),
    ("cleo", "PUT /api/me/notifications", {}),
]

INVALID_TYPES = [pytest.param(who, request, body, 422, "invalid", id=f"{request}-{who}-{i}")
                 for i, (who, request, body) in enumerate(WRONG_TYPES)]

# Well-typed but invalid values.
TEN_K = "x" * 10_000
VALUES = [
    # Audiences that do not exist.
    ("dana", "POST /api/threads", client_thread(audience="everyone"), 422, "unknown_audience"),
    ("dana", "POST /api/threads", client_thread(audience=""), 422, "unknown_audience"),
    ("dana", "POST /api/threads", client_thread(audience="Clinical"), 422, "unknown_audience"),
    ("cleo", "POST /api/threads", staff_thread(audience="admin"), 422, "unknown_audience"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": "bogus", "confirm": True}, 422,
     "unknown_audience"),
    # Topics of another practice, or none at all.
    ("dana", "POST /api/threads", client_thread(topic_id=Id("other_topic")), 422, "unknown_topic"),
    ("cleo", "POST /api/threads", staff_thread(topic_id=Id("other_topic")), 422, "unknown_topic"),
    ("cleo", "POST /api/threads", staff_thread(topic_id=999_999), 422, "unknown_topic"),
    ("cleo", "POST /api/threads", staff_thread(topic_id=int(HUGE)), 422, "unknown_topic"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"topic_id": Id("other_topic")}, 422,
     "unknown_topic"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"topic_id": -1}, 422, "unknown_topic"),
    # Clients that are not there for the caller.
    ("cleo", "POST /api/threads", staff_thread(client_id=999_999), 404, "not_found"),
    ("cleo", "POST /api/threads", staff_thread(client_id=int(HUGE)), 404, "not_found"),
    ("cleo", "POST /api/threads", staff_thread(client_id=Id("oscar")), 404, "not_found"),
    ("cleo", "POST /api/threads", staff_thread(client_id=Id("fay")), 404, "not_found"),
    ("olga", "POST /api/threads", staff_thread(client_id=Id("dana")), 404, "not_found"),
    ("dana", "POST /api/threads", client_thread(client_id=Id("eli")), 404, "not_found"),
    ("dana", "POST /api/threads", client_thread(client_id=Id("oscar")), 404, "not_found"),
    # Bodies: empty, blank, one past the limit, NUL.
    ("dana", "POST /api/threads", client_thread(body=""), 422, "body_empty"),
    ("dana", "POST /api/threads", client_thread(body=" \n\t\u00a0 "), 422, "body_empty"),
    ("dana", "POST /api/threads", client_thread(body=TEN_K + "x"), 422, "body_too_long"),
    ("dana", "POST /api/threads", client_thread(body="a\x00b"), 422, "invalid"),
    ("cleo", "POST /api/threads", staff_thread(body=""), 422, "body_empty"),
    ("cleo", "POST /api/threads", staff_thread(body="   "), 422, "body_empty"),
    ("cleo", "POST /api/threads", staff_thread(body=TEN_K + "x"), 422, "body_too_long"),
    ("cleo", "POST /api/threads", staff_thread(body="\x00"), 422, "invalid"),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": ""}, 422, "body_empty"),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": "\n\n"}, 422, "body_empty"),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": TEN_K + "x"}, 422,
     "body_too_long"),
    ("dana", "POST /api/threads/{dana_admin}/messages", {"body": "nul\x00"}, 422, "invalid"),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": " "}, 422, "body_empty"),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "y" * 20_000}, 422,
     "body_too_long"),
    # Subjects: blank, one past the limit, NUL.
    ("dana", "POST /api/threads", client_thread(subject="s" * 201), 422, "subject_too_long"),
    ("dana", "POST /api/threads", client_thread(subject="  "), 422, "subject_empty"),
    ("dana", "POST /api/threads", client_thread(subject=...), 422, "subject_empty"),
    ("dana", "POST /api/threads", client_thread(subject="a\x00"), 422, "invalid"),
    ("cleo", "POST /api/threads", staff_thread(subject="s" * 201), 422, "subject_too_long"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"subject": "s" * 201}, 422, "subject_too_long"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"subject": ""}, 422, "subject_empty"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"subject": "x\x00y"}, 422, "invalid"),
    # client_msg_id: empty, too long.
    ("dana", "POST /api/threads", client_thread(client_msg_id=""), 422, "invalid"),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "x", "client_msg_id": "c" * 65},
     422, "invalid"),
    # An audience change needs confirming: refused with the access change, nothing moved.
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": "clinical"}, 409,
     "confirm_audience_change"),
    ("cleo", "PATCH /api/threads/{dana_admin}", {"audience": "billing", "confirm": False,
                                                 "subject": "Also this"}, 409,
     "confirm_audience_change"),
    # Administration: unknown roles, non-clinicians, other practices' staff.
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": ["owner"]}, 422, "unknown_role"),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": ["scheduler", ""]}, 422, "unknown_role"),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": ["Scheduler"]}, 422, "unknown_role"),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [Id("sam")]}, 422,
     "not_a_clinician"),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [Id("olga")]}, 422,
     "not_a_clinician"),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [Id("dana_user")]}, 422,
     "not_a_clinician"),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [999_999]}, 422,
     "not_a_clinician"),
    ("admin", "PUT /api/clients/{dana}/clinicians", {"clinicians": [int(HUGE)]}, 422, None),
    ("cleo", "PUT /api/me/notifications", {"email_audiences": ["everyone"]}, 422, None),
    ("bill", "PUT /api/me/notifications", {"email_audiences": ["clinical"]}, 422, None),
    # Invitations and sign-in.
    ("anon", "POST /api/portal/activate", {"token": "nope", "username": "newbie",
                                           "password": "a long enough password"}, 410,
     "token_invalid"),
    ("anon", "POST /api/portal/activate", {"token": "", "username": "", "password": ""}, 410,
     "token_invalid"),
    ("anon", "POST /api/auth/login", {"username": "admin", "password": "wrong"}, 401,
     "bad_credentials"),
    # NUL in text the server looks up as it is (PostgreSQL text cannot hold it).
    ("anon", "POST /api/auth/login", {"username": "ad\x00min", "password": "x"}, 422, "invalid"),
    ("anon", "POST /api/auth/login", {"username": "admin", "password": "x\x00"}, 422, "invalid"),
    ("anon", "POST /api/portal/activate", {"token": "t\x00", "username": "newbie",
                                           "password": "a long enough password"}, 422, "invalid"),
    ("anon", "POST /api/portal/activate", {"token": "t", "username": "new\x00bie",
                                           "password": "a long enough password"}, 422, "invalid"),
    ("dana", "POST /api/threads", client_thread(client_msg_id="id\x00"), 422, "invalid"),
    ("cleo", "POST /api/threads/{dana_admin}/messages", {"body": "x", "client_msg_id": "\x00"},
     422, "invalid"),
    ("admin", "PUT /api/staff/{sam}/roles", {"roles": ["biller\x00"]}, 422, "unknown_role"),
    ("anon", "POST /api/auth/login", {"username": "", "password": ""}, 401, "bad_credentials"),
    ("anon", "POST /api/auth/login", {"username": "u" * 5000, "password": "p"}, 401,
     "bad_credentials"),
]

INVALID_VALUES = [pytest.param(*case, id=f"{case[1]}-{case[0]}-{i}")
                  for i, case in enumerate(VALUES)]

# Query strings.
def _cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode()


QUERIES = [
    ("admin", "GET /api/threads?state=bogus", 422, "invalid_state"),
    ("admin", "GET /api/threads?state=", 422, "invalid_state"),
    ("admin", "GET /api/threads?state=INBOX", 422, "invalid_state"),
    ("dana", "GET /api/threads?state=deleted", 422, "invalid_state"),
    ("admin", "GET /api/threads?limit=0", 422, "invalid"),
    ("admin", "GET /api/threads?limit=-1", 422, "invalid"),
    ("admin", "GET /api/threads?limit=1000", 422, "invalid"),
    ("admin", "GET /api/threads?limit=abc", 422, "invalid"),
    ("admin", "GET /api/threads?limit=1.5", 422, "invalid"),
    ("admin", f"GET /api/threads?limit={HUGE}", 422, "invalid"),
    ("admin", "GET /api/threads?before=garbage", 422, "invalid_cursor"),
    ("admin", "GET /api/threads?before=%00", 422, "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('2026-01-01T00:00:00+00:00')}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('2026-01-01T00:00:00+00:00|x')}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('2026-01-01T00:00:00+00:00|1|2')}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('0001-01-01T00:00:00+14:00|1')}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('9999-12-31T23:59:59-14:00|1')}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('2026-01-01T00:00:00+00:00|' + HUGE)}", 422,
     "invalid_cursor"),
    ("admin", f"GET /api/threads?before={_cursor('2026-01-01|1')}", 422, "invalid_cursor"),
    ("admin", "GET /api/threads?client=abc", 422, "invalid"),
    ("admin", "GET /api/threads?client=1.5", 422, "invalid"),
    ("admin", f"GET /api/threads?client={HUGE}", 422, "invalid"),
    ("admin", f"GET /api/threads?client=-{HUGE}", 422, "invalid"),
    ("admin", "GET /api/threads?topic=abc", 422, "invalid"),
    ("admin", f"GET /api/threads?topic={HUGE}", 422, "invalid"),
    ("admin", "GET /api/threads?audience=bogus", 422, "unknown_audience"),
    ("dana", "GET /api/threads?audience=", 422, "unknown_audience"),
    ("admin", "GET /api/audit?limit=0", 422, "invalid"),
    ("admin", "GET /api/audit?limit=abc", 422, "invalid"),
    ("admin", "GET /api/audit?thread=abc", 422, "invalid"),
    ("admin", "GET /api/audit?actor=abc", 422, "invalid"),
    ("admin", "GET /api/audit?before=abc", 422, "invalid"),
    ("admin", f"GET /api/audit?thread={HUGE}", 422, "invalid"),
    ("admin", f"GET /api/audit?actor={HUGE}", 422, "invalid"),
    ("admin", f"GET /api/audit?before={HUGE}", 422, "invalid"),
]

BAD_QUERIES = [pytest.param(who, request, None, status, code, id=f"{request}-{who}")
               for who, request, status, code in QUERIES]

# Endpoints that act on one thread or one message, with a harmless body where one is needed.
THREAD_ENDPOINTS = [
    ("GET", "/api/threads/{t}", None),
    ("PATCH", "/api/threads/{t}", {"subject": "Changed"}),
    ("PATCH", "/api/threads/{t}", {"audience": "clinical", "confirm": True}),
    ("DELETE", "/api/threads/{t}", None),
    ("POST", "/api/threads/{t}/messages", {"body": "Hello?"}),
    ("POST", "/api/threads/{t}/read", None),
    ("POST", "/api/threads/{t}/unread", None),
    ("POST", "/api/threads/{t}/archive", None),
    ("POST", "/api/threads/{t}/unarchive", None),
    ("GET", "/api/threads/{t}/export", None),
]
MESSAGE_ENDPOINTS = [
    ("POST", "/api/messages/{m}/read", None),
    ("POST", "/api/messages/{m}/unread", None),
    ("DELETE", "/api/messages/{m}", None),
]

# (caller, thread they must not see): other clients, other practices, audiences not theirs.
HIDDEN = [
    ("dana", "eli_admin"), ("dana", "oscar_thread"), ("oscar", "dana_admin"),
    ("olga", "dana_clinical"), ("cleo", "oscar_thread"), ("carl", "dana_admin"),
    ("carl", "dana_clinical"), ("sam", "dana_clinical"), ("sam", "dana_billing"),
    ("bill", "dana_admin"), ("bill", "dana_clinical"), ("admin", "dana_billing"),
    ("admin", "dana_clinical"), ("sue", "oscar_thread"), ("cara", "oscar_thread"),
]


def _endpoint_requests(thread, message):
    """The thread and message endpoints aimed at `thread` and `message` (names or literal ids)."""
    for method, path, body in THREAD_ENDPOINTS:
        yield f"{method} " + path.replace("{t}", thread), body
    for method, path, body in MESSAGE_ENDPOINTS:
        yield f"{method} " + path.replace("{m}", message), body


# One row per caller and target; each row tries every thread and message endpoint.
HIDDEN_ROWS = [pytest.param(who, "{%s}" % thread, "{%s_msg}" % thread, id=f"{who}-{thread}")
               for who, thread in HIDDEN] + [
    pytest.param(who, bad, bad, id=f"{who}-id-{bad.strip('{}')}")
    for who in ("admin", "dana") for bad in ("{huge}", "0", "999999999")
]


def _hidden_cases():
    for param in HIDDEN_ROWS:
        who, thread, message = param.values
        for request, body in _endpoint_requests(thread, message):
            yield pytest.param(who, request, body, 404, "not_found", id=f"{request}-{who}")


HIDDEN_THINGS = [
    pytest.param(who, request, body, 404, "not_found", id=f"{request}-{who}")
    for who, request, body in [
        ("admin", "PUT /api/clients/{oscar}/clinicians", {"clinicians": []}),
        ("cara", "PUT /api/clients/{oscar}/clinicians", {"clinicians": []}),
        ("admin", "PUT /api/clients/{huge}/clinicians", {"clinicians": []}),
        ("cleo", "PUT /api/clients/{fay}/clinicians", {"clinicians": []}),
        ("admin", "POST /api/clients/{oscar}/invite", None),
        ("admin", "POST /api/clients/{huge}/invite", None),
        ("cleo", "POST /api/clients/{fay}/invite", None),
        ("carl", "POST /api/clients/{eli}/invite", None),
        ("admin", "PUT /api/staff/{olga}/roles", {"roles": ["biller"]}),
        ("admin", "PUT /api/staff/{dana_user}/roles", {"roles": ["biller"]}),
        ("admin", "PUT /api/staff/{huge}/roles", {"roles": []}),
        ("admin", "GET /api/threads/abc", None),
        ("admin", "GET /api/threads/-1", None),
        ("admin", "DELETE /api/messages/1e3", None),
        ("admin", "GET /api/no/such/endpoint", None),
    ]
]

# Staff-only actions tried by a client, and admin actions by staff without the role: 403.
FORBIDDEN = [
    ("dana", "PATCH /api/threads/{dana_admin}", {"subject": "Mine now"}, "not_allowed"),
    ("dana", "PATCH /api/threads/{dana_admin}", {"audience": "clinical", "confirm": True},
     "not_allowed"),
    ("dana", "DELETE /api/threads/{dana_admin}", None, "not_allowed"),
    ("dana", "DELETE /api/messages/{dana_admin_msg}", None, "not_allowed"),
    ("dana", "DELETE /api/messages/{dana_clinical_msg}", None, "not_allowed"),
    ("dana", "PUT /api/staff/{sam}/roles", {"roles": ["practice_admin"]}, "not_allowed"),
    ("dana", "PUT /api/staff/{dana_user}/roles", {"roles": ["practice_admin"]}, "not_allowed"),
    ("dana", "PUT /api/clients/{dana}/clinicians", {"clinicians": []}, "not_allowed"),
    ("dana", "PUT /api/practice", {"portal_enabled": False}, "not_allowed"),
    ("dana", "GET /api/audit", None, "not_allowed"),
    ("dana", "GET /api/clients", None, "not_allowed"),
    ("dana", "POST /api/clients/{eli}/invite", None, "not_allowed"),
    ("dana", "PUT /api/me/notifications", {"email_audiences": ["clinical"]}, "not_allowed"),
    ("sam", "PUT /api/practice", {"portal_enabled": False}, "not_allowed"),
    ("cara", "PUT /api/practice", {"portal_enabled": False}, "not_allowed"),
    ("cleo", "PUT /api/staff/{cleo}/roles", {"roles": ["practice_admin"]}, "not_allowed"),
    ("cara", "PUT /api/staff/{cleo}/roles", {"roles": []}, "not_allowed"),
    ("cleo", "PUT /api/clients/{dana}/clinicians", {"clinicians": []}, "not_allowed"),
    ("sue", "PUT /api/clients/{dana}/clinicians", {"clinicians": []}, "not_allowed"),
    ("sam", "PUT /api/clients/{dana}/clinicians", {"clinicians": [Id("cleo")]}, "not_allowed"),
    ("bill", "GET /api/audit", None, "not_allowed"),
    ("cleo", "GET /api/audit", None, "not_allowed"),
    ("sue", "GET /api/audit?thread={dana_clinical}", None, "not_allowed"),
    ("sam", "POST /api/threads", staff_thread(audience="clinical"), "audience_not_allowed"),
    ("bill", "POST /api/threads", staff_thread(audience="administrative"),
     "audience_not_allowed"),
    ("admin", "POST /api/threads", staff_thread(audience="billing"), "audience_not_allowed"),
]

FORBIDDEN_CASES = [pytest.param(who, request, body, 403, code, id=f"{request}-{who}")
                   for who, request, body, code in FORBIDDEN]

# Every endpoint behind sign-in, called anonymously: 401.
SIGNED_IN_ENDPOINTS = [
    ("POST", "/api/auth/logout", None),
    ("GET", "/api/me", None),
    ("GET", "/api/badge", None),
    ("GET", "/api/clients", None),
    ("GET", "/api/topics", None),
    ("GET", "/api/threads", None),
    ("GET", "/api/threads?state=bogus", None),
    ("POST", "/api/threads", staff_thread()),
    ("POST", "/api/threads", "{"),
    ("GET", "/api/threads/{dana_admin}", None),
    ("PATCH", "/api/threads/{dana_admin}", {"subject": "x"}),
    ("DELETE", "/api/threads/{dana_admin}", None),
    ("POST", "/api/threads/{dana_admin}/messages", {"body": "x"}),
    ("POST", "/api/threads/{dana_admin}/read", None),
    ("POST", "/api/threads/{dana_admin}/unread", None),
    ("POST", "/api/threads/{dana_admin}/archive", None),
    ("POST", "/api/threads/{dana_admin}/unarchive", None),
    ("GET", "/api/threads/{dana_admin}/export", None),
    ("GET", "/api/threads/{huge}", None),
    ("POST", "/api/messages/{dana_admin_msg}/read", None),
    ("POST", "/api/messages/{dana_admin_msg}/unread", None),
    ("DELETE", "/api/messages/{dana_admin_msg}", None),
    ("GET", "/api/me/notifications", None),
    ("PUT", "/api/me/notifications", {"email_audiences": []}),
    ("PUT", "/api/practice", {"portal_enabled": False}),
    ("PUT", "/api/staff/{sam}/roles", {"roles": []}),
    ("PUT", "/api/clients/{dana}/clinicians", {"clinicians": []}),
    ("POST", "/api/clients/{eli}/invite", None),
    ("GET", "/api/audit", None),
]

ANONYMOUS = [pytest.param("anon", f"{method} {path}", body, 401, "not_signed_in",
                          id=f"{method} {path}-{i}")
             for i, (method, path, body) in enumerate(SIGNED_IN_ENDPOINTS)]

# Unsafe methods that need the X-CSRFToken header, with a body that would otherwise succeed.
UNSAFE = [
    ("dana", "POST", "/api/threads", client_thread()),
    ("cleo", "POST", "/api/threads", staff_thread()),
    ("cleo", "PATCH", "/api/threads/{dana_admin}", {"subject": "Changed"}),
    ("cleo", "PATCH", "/api/threads/{dana_admin}", {"audience": "clinical", "confirm": True}),
    ("admin", "DELETE", "/api/threads/{dana_admin}", None),
    ("cleo", "DELETE", "/api/messages/{dana_clinical_msg}", None),
    ("dana", "POST", "/api/threads/{dana_admin}/messages", {"body": "x"}),
    ("cleo", "POST", "/api/threads/{dana_admin}/read", None),
    ("cleo", "POST", "/api/threads/{dana_admin}/unread", None),
    ("cleo", "POST", "/api/threads/{dana_admin}/archive", None),
    ("cleo", "POST", "/api/messages/{dana_admin_msg}/read", None),
    ("cleo", "POST", "/api/messages/{dana_clinical_msg}/unread", None),
    ("admin", "PUT", "/api/practice", {"portal_enabled": False}),
    ("admin", "PUT", "/api/staff/{sam}/roles", {"roles": ["biller"]}),
    ("admin", "PUT", "/api/clients/{dana}/clinicians", {"clinicians": []}),
    ("admin", "POST", "/api/clients/{eli}/invite", None),
    ("cleo", "PUT", "/api/me/notifications", {"email_audiences": ["clinical"]}),
    ("cleo", "POST", "/api/auth/logout", None),
]


def _skip_unrouted(params):
    """Leave out the notification settings' cases while that endpoint is not mounted."""
    mounted = routed("/api/me/notifications")
    return [p for p in params if mounted or "notifications" not in p.values[1]]


ALL_BAD = _skip_unrouted(MALFORMED + INVALID_TYPES + INVALID_VALUES + BAD_QUERIES
                         + list(_hidden_cases()) + HIDDEN_THINGS + FORBIDDEN_CASES + ANONYMOUS)


# The tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("who,request_", BODY_ENDPOINTS,
                         ids=[f"{r}-{w}" for w, r in BODY_ENDPOINTS])
def test_a_body_that_is_not_a_json_object_is_malformed(scene, who, request_):
    if "notifications" in request_ and not routed("/api/me/notifications"):
        pytest.skip("PUT /api/me/notifications is not mounted")
    for shape, body in NOT_AN_OBJECT.items():
        try:
            run_case(scene, who, request_, body, 400, "malformed")
        except AssertionError as e:
            raise AssertionError(f"{shape}: {e}") from e


@pytest.mark.parametrize("who,request_,body,status,code", _skip_unrouted(INVALID_TYPES))
def test_wrong_types_and_missing_fields_are_invalid(scene, who, request_, body, status, code):
    run_case(scene, who, request_, body, status, code)


@pytest.mark.parametrize("who,request_,body,status,code", _skip_unrouted(INVALID_VALUES))
def test_invalid_values_are_refused(scene, who, request_, body, status, code):
    run_case(scene, who, request_, body, status, code)


@pytest.mark.parametrize("who,request_,body,status,code", BAD_QUERIES)
def test_bad_query_parameters_are_invalid(scene, who, request_, body, status, code):
    run_case(scene, who, request_, body, status, code)


@pytest.mark.parametrize("who,thread,message", HIDDEN_ROWS)
def test_threads_and_messages_you_cannot_see_are_not_found_never_forbidden(scene, who, thread,
                                                                           message):
    for request, body in _endpoint_requests(thread, message):
        try:
            run_case(scene, who, request, body, 404, "not_found")
        except AssertionError as e:
            raise AssertionError(f"{request}: {e}") from e


@pytest.mark.parametrize("who,request_,body,status,code", HIDDEN_THINGS)
def test_clients_and_staff_you_cannot_see_are_not_found(scene, who, request_, body, status, code):
    run_case(scene, who, request_, body, status, code)


@pytest.mark.parametrize("who,request_,body,status,code", _skip_unrouted(FORBIDDEN_CASES))
def test_actions_beyond_the_callers_roles_are_forbidden(scene, who, request_, body, status,
                                                        code):
    run_case(scene, who, request_, body, status, code)


@pytest.mark.parametrize("who,request_,body,status,code", _skip_unrouted(ANONYMOUS))
def test_anonymous_callers_are_not_signed_in(scene, who, request_, body, status, code):
    run_case(scene, who, request_, body, status, code)


def test_no_bad_input_is_a_server_error(scene):
    """The whole table once more, as one loop: nothing answers 5xx, everything answers JSON."""
    ids = scene["ids"]
    apis = {who: JsonClient(user, raise_request_exception=False)
            for who, user in scene["users"].items()}
    failures = []
    for param in ALL_BAD:
        who, request, body = param.values[:3]
        method, path = request.split(" ", 1)
        response = send(apis[who], method, fill(path, ids), fill_body(body, ids))
        if response.status_code >= 500 or not response["Content-Type"].startswith(
                "application/json"):
            failures.append((param.id, response.status_code))
    assert failures == []


# Limits that are accepted ----------------------------------------------------------------------

def test_a_body_of_exactly_ten_thousand_characters_is_accepted(scene):
    dana = JsonClient(scene["world"].dana.user)
    r = dana.post("/api/threads", client_thread(body=TEN_K))
    assert r.status_code == 201, r.content
    assert len(r.json()["message"]["body"]) == 10_000
    # Trimming comes first: surrounding whitespace does not count towards the limit.
    r = dana.post(f"/api/threads/{scene['ids']['dana_admin']}/messages",
                  {"body": "  \n" + TEN_K + "\n  "})
    assert r.status_code == 201, r.content
    assert r.json()["message"]["body"] == TEN_K


def test_a_subject_of_exactly_two_hundred_characters_is_accepted(scene):
    cleo = JsonClient(scene["world"].cleo)
    r = cleo.post("/api/threads", fill_body(staff_thread(subject="s" * 200), scene["ids"]))
    assert r.status_code == 201, r.content
    assert r.json()["thread"]["subject"] == "s" * 200
    r = cleo.patch(f"/api/threads/{scene['ids']['dana_admin']}", {"subject": " " + "t" * 200})
    assert r.status_code == 200, r.content


def test_unicode_beyond_the_basic_plane_counts_as_one_character(scene):
    dana = JsonClient(scene["world"].dana.user)
    r = dana.post("/api/threads", client_thread(body="\U0001F600" * 10_000))
    assert r.status_code == 201, r.content
    r = dana.post("/api/threads", client_thread(body="\U0001F600" * 10_001))
    assert_error(r, 422, "body_too_long")


def test_a_request_over_the_upload_limit_is_too_large(scene, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    dana = JsonClient(scene["world"].dana.user)
    before = snapshot()
    r = dana.post("/api/threads", client_thread(body="x" * 60_000))
    assert_error(r, 413, "too_large")
    assert snapshot() == before


def test_nul_in_the_client_search_finds_nothing_odd(scene):
    admin = JsonClient(scene["world"].admin)
    everyone = admin.get("/api/clients").json()
    assert admin.get("/api/clients", q="\x00").json() == everyone
    r = admin.get("/api/clients", q="Da\x00na")
    assert r.status_code == 200 and [c["name"] for c in r.json()] == ["Dana Reyes"]


def test_staff_may_not_start_a_thread_without_a_client(scene):
    cleo = JsonClient(scene["world"].cleo)
    before = snapshot()
    r = cleo.post("/api/threads", fill_body(staff_thread(client_id=None), scene["ids"]))
    assert_error(r, 422)
    assert snapshot() == before


def test_portal_off_refuses_client_writes_without_changes(scene):
    world = scene["world"]
    Practice.objects.filter(pk=world.practice.pk).update(portal_enabled=False)
    dana = JsonClient(world.dana.user)
    before = snapshot()
    assert_error(dana.post("/api/threads", client_thread()), 403, "portal_disabled")
    assert_error(dana.post(f"/api/threads/{scene['ids']['dana_admin']}/messages", {"body": "x"}),
                 403, "portal_disabled")
    # Staff can read history but not write to the client.
    cleo = JsonClient(world.cleo)
    assert cleo.get(f"/api/threads/{scene['ids']['dana_admin']}").status_code == 200
    assert_error(cleo.post(f"/api/threads/{scene['ids']['dana_admin']}/messages", {"body": "x"}),
                 403, "portal_disabled")
    assert_error(cleo.post("/api/threads", fill_body(staff_thread(), scene["ids"])), 403,
                 "portal_disabled")
    after = snapshot()
    # Reading is audited; nothing else changed.
    assert {k: v for k, v in after.items() if k != "audit"} == \
           {k: v for k, v in before.items() if k != "audit"}
    assert [a for _, a in after["audit"][len(before["audit"]):]] == ["thread.viewed"]


# CSRF ------------------------------------------------------------------------------------------

def _csrf_token(api) -> str:
    assert api.get("/api/auth/csrf").status_code == 204
    return api.http.cookies["csrftoken"].value


@pytest.mark.parametrize("who,method,path,body", UNSAFE,
                         ids=[f"{m} {p}-{w}" for w, m, p, _ in UNSAFE])
def test_unsafe_methods_without_the_csrf_header_are_refused(scene, who, method, path, body):
    if "notifications" in path and not routed("/api/me/notifications"):
        pytest.skip("PUT /api/me/notifications is not mounted")
    ids = scene["ids"]
    api = JsonClient(scene["users"][who], enforce_csrf_checks=True)
    _csrf_token(api)  # the cookie alone is not enough: the header must carry it
    before = snapshot()
    response = send(api, method, fill(path, ids), fill_body(body, ids))
    assert_error(response, 403, "csrf_failed")
    wrong = send(api, method, fill(path, ids), fill_body(body, ids),
                 HTTP_X_CSRFTOKEN="x" * 32)
    assert_error(wrong, 403, "csrf_failed")
    assert snapshot() == before
    # The same request with the header goes through.
    ok = send(api, method, fill(path, ids), fill_body(body, ids),
              HTTP_X_CSRFTOKEN=_csrf_token(api))
    assert ok.status_code < 300, (ok.status_code, ok.content[:300])


def test_safe_methods_need_no_csrf_header(scene):
    api = JsonClient(scene["world"].cleo, enforce_csrf_checks=True)
    assert api.get("/api/threads").status_code == 200
    assert api.get(f"/api/threads/{scene['ids']['dana_admin']}").status_code == 200


def test_login_without_csrf_is_refused(scene):
    api = JsonClient(None, enforce_csrf_checks=True)
    credentials = {"username": "admin", "password": "correct horse battery staple"}
    before = AuditEntry.objects.count()
    assert_error(api.post("/api/auth/login", credentials), 403, "csrf_failed")
    _csrf_token(api)
    assert_error(api.post("/api/auth/login", credentials), 403, "csrf_failed")
    assert_error(api.post("/api/auth/login", credentials, HTTP_X_CSRFTOKEN="y" * 32), 403,
                 "csrf_failed")
    assert AuditEntry.objects.count() == before
    assert_error(api.get("/api/me"), 401, "not_signed_in")
    r = api.post("/api/auth/login", credentials, HTTP_X_CSRFTOKEN=_csrf_token(api))
    assert r.status_code == 200, r.content
    assert api.get("/api/me").json()["id"] == scene["world"].admin.pk


def test_activation_without_csrf_is_refused(scene):
    api = JsonClient(None, enforce_csrf_checks=True)
    before = snapshot()
    r = api.post("/api/portal/activate", {"token": "t", "username": "newbie",
                                          "password": "a long enough password"})
    assert_error(r, 403, "csrf_failed")
    assert snapshot() == before


def test_unknown_api_paths_answer_json_even_without_csrf(scene):
    api = JsonClient(scene["world"].cleo, enforce_csrf_checks=True)
    assert_error(send(api, "POST", "/api/threads/abc/messages", {"body": "x"}), 404, "not_found")
    assert_error(send(api, "DELETE", "/api/nothing/here"), 404, "not_found")


def test_a_deleted_thread_is_gone_and_stays_unchanged(scene):
    """After a delete: 410 for staff who could see it, 404 for the client, and no change."""
    ids, world = scene["ids"], scene["world"]
    thread, message = ids["dana_clinical"], ids["dana_clinical_msg"]
    cleo = JsonClient(world.cleo)
    assert cleo.delete(f"/api/threads/{thread}").status_code == 204
    before = snapshot()
    for method, path, body in [
        ("PATCH", f"/api/threads/{thread}", {"subject": "Back?"}),
        ("DELETE", f"/api/threads/{thread}", None),
        ("POST", f"/api/threads/{thread}/messages", {"body": "Hello?"}),
        ("POST", f"/api/threads/{thread}/read", None),
        ("POST", f"/api/threads/{thread}/archive", None),
        ("GET", f"/api/threads/{thread}/export", None),
        ("DELETE", f"/api/messages/{message}", None),
    ]:
        response = send(cleo, method, path, body)
        assert_error(response, 410)
    dana = JsonClient(world.dana.user)
    for method, path in [("GET", f"/api/threads/{thread}"), ("POST", f"/api/threads/{thread}/read"),
                         ("POST", f"/api/messages/{message}/read")]:
        assert_error(send(dana, method, path), 404, "not_found")
    assert snapshot() == before
