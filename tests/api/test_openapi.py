"""The OpenAPI schema lists every SPEC endpoint and describes what they return."""

import pytest

from tests.factory import JsonClient

SPEC_ENDPOINTS = [
    ("get", "/api/auth/csrf"), ("post", "/api/auth/login"), ("post", "/api/auth/logout"),
    ("get", "/api/me"), ("get", "/api/clients"), ("get", "/api/topics"),
    ("get", "/api/threads"), ("post", "/api/threads"), ("get", "/api/threads/{thread_id}"),
    ("patch", "/api/threads/{thread_id}"), ("delete", "/api/threads/{thread_id}"),
    ("post", "/api/threads/{thread_id}/messages"), ("post", "/api/threads/{thread_id}/read"),
    ("post", "/api/threads/{thread_id}/unread"), ("post", "/api/threads/{thread_id}/archive"),
    ("post", "/api/threads/{thread_id}/unarchive"), ("get", "/api/threads/{thread_id}/export"),
    ("post", "/api/messages/{message_id}/read"), ("post", "/api/messages/{message_id}/unread"),
    ("delete", "/api/messages/{message_id}"), ("get", "/api/badge"),
    ("put", "/api/practice"), ("post", "/api/portal/activate"),
    ("put", "/api/staff/{staff_id}/roles"), ("put", "/api/clients/{client_id}/clinicians"),
    ("post", "/api/clients/{client_id}/invite"), ("get", "/api/audit"),
]


@pytest.fixture(scope="module")
def schema():
    return JsonClient().get("/api/openapi.json").json()


@pytest.mark.parametrize("method,path", SPEC_ENDPOINTS)
def test_every_spec_endpoint_is_described(schema, method, path):
    assert method in schema["paths"][path]


def test_thread_summary_and_message_shapes(schema):
    parts = schema["components"]["schemas"]
    summary = {"id", "client", "audience", "topic", "subject", "created_at", "last_message_at",
               "unread_count", "archived", "deleted", "urgent", "last_message"}
    assert set(parts["ThreadOut"]["properties"]) == summary
    # `match` is given on the listed summaries of a search only (SPEC §4).
    assert set(parts["ThreadListed"]["properties"]) == summary | {"match"}
    assert "match" not in parts["ThreadListed"].get("required", [])
    assert set(parts["MatchOut"]["properties"]) == {"message_id", "snippet"}
    assert set(parts["MessageOut"]["properties"]) == {
        "id", "thread_id", "author", "body", "created_at", "unread", "seen_by_client_at",
        "deleted", "can_delete", "attachments"}


def test_errors_are_described_with_the_error_shape(schema):
    responses = schema["paths"]["/api/threads"]["post"]["responses"]
    assert "201" in responses and "422" in responses and "409" in responses
    ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorOut")
    patch = schema["paths"]["/api/threads/{thread_id}"]["patch"]["responses"]["409"]
    assert patch["content"]["application/json"]["schema"]["$ref"].endswith("/ConfirmOut")
