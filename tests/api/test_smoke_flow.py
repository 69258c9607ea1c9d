"""The main path end to end: a client writes, staff see it unread, reply, the client reads."""


def test_client_writes_staff_replies_client_reads(world, as_user):
    dana = as_user(world.dana.user)
    topic = world.topics["Scheduling"]
    r = dana.post("/api/threads", {"audience": "administrative", "topic_id": topic.pk,
                                   "body": "Can I move Tuesday?"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["thread"]["subject"] == "Scheduling question"
    assert created["invitation"] is None
    thread_id = created["thread"]["id"]

    sam = as_user(world.sam)
    assert sam.get("/api/badge").json() == {"unread": 1}
    listed = sam.get("/api/threads").json()["threads"]
    assert [t["id"] for t in listed] == [thread_id]
    assert listed[0]["unread_count"] == 1

    # Opening as staff does not mark read.
    view = sam.get(f"/api/threads/{thread_id}").json()
    assert [m["unread"] for m in view["messages"]] == [True]
    r = sam.post(f"/api/threads/{thread_id}/messages", {"body": "Yes, Wednesday works."})
    assert r.status_code == 201, r.content
    assert sam.get("/api/badge").json() == {"unread": 0}

    assert dana.get("/api/badge").json() == {"unread": 1}
    opened = dana.get(f"/api/threads/{thread_id}").json()
    staff_msg = opened["messages"][1]
    assert staff_msg["author"]["kind"] == "staff" and staff_msg["seen_by_client_at"]
    assert dana.get("/api/badge").json() == {"unread": 0}
