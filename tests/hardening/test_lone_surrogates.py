"""A lone UTF-16 surrogate is invalid text wherever it is sent (SPEC §4): every field of every
operation in /api/openapi.json, body or query, answers 422 `invalid_text` and writes nothing."""

import json

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from server.api.parser import TextParser
from server.errors import ApiError
from server.models import Attachment, Invitation, Message, StaffRole, Thread
from tests.api.helpers import start
from tests.factory import JsonClient

LONE = "\ud800"
LONE_IN_QUERY = "%ED%A0%80"  # the surrogate's three UTF-8 bytes; Django would make them U+FFFD


def _schema():
    return JsonClient(HTTP_HOST="127.0.0.1").get("/api/openapi.json").json()


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _admits(node, kind) -> bool:
    return node.get("type") == kind or any(part.get("type") == kind
                                           for part in node.get("anyOf", ()))


def _cases():
    """(method, path, where, field) for every body property and query parameter; a list field
    is named `field[]` (the surrogate goes inside the list)."""
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for param in op.get("parameters", ()):
                if param["in"] == "query":
                    yield method, path, "query", param["name"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                properties = _resolve(schema, body["schema"]).get("properties", {})
                for name, node in properties.items():
                    yield method, path, "body", name + "[]" * _admits(node, "array")


CASES = list(_cases())


def test_the_sweep_covers_the_text_fields_the_issue_names():
    fields = {(path, field.removesuffix("[]")) for _, path, _, field in CASES}
    for expected in [("/api/threads", "subject"), ("/api/threads", "body"),
                     ("/api/threads", "client_msg_id"), ("/api/threads", "client"),
                     ("/api/auth/login", "username"), ("/api/auth/login", "password"),
                     ("/api/portal/activate", "token"), ("/api/clients", "q"),
                     ("/api/threads/{thread_id}/messages", "body"),
                     ("/api/staff/{staff_id}/roles", "roles")]:
        assert expected in fields


@pytest.fixture
def ids(world):
    """Rows for every path parameter, seen by a signed-in practice and clinical admin."""
    StaffRole.objects.create(user=world.admin, role="clinical_admin")
    thread = start(JsonClient(world.dana.user), audience="administrative", body="Hello")["thread"]
    upload = Attachment.objects.create(practice=world.practice, uploader=world.admin,
                                       storage_name="ab/upload", name="card.png", size=1,
                                       content_type="image/png", created_at=timezone.now())
    return {"thread_id": thread["id"], "message_id": Message.objects.get(thread_id=thread["id"]).pk,
            "staff_id": world.sam.pk, "client_id": world.eli.pk, "attachment_id": upload.pk}


def _rows() -> dict:
    counts = {model.__name__: model.objects.count()
              for model in apps.get_app_config("server").get_models()}
    counts["Session"] = Session.objects.count()
    return counts


def _send(http, method, path, where, field, value, ids):
    url = path.format(**ids)
    if where == "query":
        return http.generic(method.upper(), f"{url}?{field}={value}")
    if field.endswith("[]"):
        field, value = field.removesuffix("[]"), [value]
    return http.generic(method.upper(), url, json.dumps({field: value}),
                        content_type="application/json")


@pytest.mark.parametrize("method,path,where,field", CASES,
                         ids=[f"{m} {p} {w}:{f}" for m, p, w, f in CASES])
def test_a_lone_surrogate_is_invalid_text_and_writes_nothing(world, ids, method, path, where,
                                                              field):
    http = JsonClient(world.admin, HTTP_HOST="127.0.0.1").http
    before = _rows()
    r = _send(http, method, path, where, field, LONE_IN_QUERY if where == "query" else LONE, ids)
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "invalid_text"
    assert r.json()["error"]["field"] == field.replace("[]", ".0")
    assert _rows() == before
    # The same request with plain text in that field is not refused as invalid text.
    r = _send(http, method, path, where, field, "x", ids)
    assert r.status_code < 500
    assert r.status_code != 422 or r.json()["error"]["code"] != "invalid_text"


def test_nested_text_and_keys_are_checked_too(world):
    http = JsonClient(world.admin).http
    r = http.put(f"/api/staff/{world.sam.pk}/roles", json.dumps({"roles": ["scheduler", LONE]}),
                 content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["field"] == "roles.1"
    r = http.post("/api/threads", json.dumps({"body": "Hi", LONE: 1}), content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text"


def test_surrogate_bytes_in_a_raw_body_are_invalid_text(world):
    http = JsonClient(world.dana.user).http
    r = http.post("/api/threads", b'{"audience": "administrative", "body": "\xed\xa0\x80"}',
                  content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["field"] == "body"
    assert not Thread.objects.exists()


def test_an_invitation_token_with_a_surrogate_is_invalid_text_not_gone(world):
    r = JsonClient().post("/api/portal/activate",
                          {"token": LONE, "username": "eli", "password": "a long passphrase"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "token"
    assert not Invitation.objects.exists()


def test_uploaded_file_names_and_form_fields_are_checked(rf):
    parser = TextParser()
    request = rf.post("/api/x")
    files = MultiValueDict({"file": [SimpleUploadedFile(f"a{LONE}.txt", b"hello")]})
    with pytest.raises(ApiError) as refused:
        parser.parse_querydict(files, [], request)
    assert refused.value.status == 422 and refused.value.extra["field"] == "file"
    form = MultiValueDict({"note": [f"a{LONE}"]})
    with pytest.raises(ApiError) as refused:
        parser.parse_querydict(form, [], request)
    assert refused.value.code == "invalid_text"
