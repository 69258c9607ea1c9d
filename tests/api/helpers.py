"""Shortcuts for API tests: start a thread, reply, read state."""


def start(api, audience="administrative", body="Hello", client=None, **fields):
    """POST /api/threads and return the created JSON (asserting 201)."""
    data = {"audience": audience, "body": body, "subject": fields.pop("subject", "Subject"), **fields}
    if client is not None:
        data["client_id"] = client.pk
    r = api.post("/api/threads", data)
    assert r.status_code == 201, r.content
    return r.json()


def reply(api, thread_id, body="Reply", **fields):
    r = api.post(f"/api/threads/{thread_id}/messages", {"body": body, **fields})
    assert r.status_code == 201, r.content
    return r.json()["message"]


def badge(api) -> int:
    return api.get("/api/badge").json()["unread"]


def thread_ids(api, **params) -> list:
    r = api.get("/api/threads", **params)
    assert r.status_code == 200, r.content
    return [t["id"] for t in r.json()["threads"]]
