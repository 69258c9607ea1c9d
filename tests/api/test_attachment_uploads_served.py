"""Uploads through a real daphne process (`python -m server serve`): Django, not Twisted,
parses the multipart body, so a large file streams to disk and a broken body gets the API's
own error."""

import json
import urllib.request
import uuid

import pytest

from tests.consumers.live import Http, prepare
from tests.servers import LIVE, server_env, start_server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("uploads")
    env = server_env(tmp, **LIVE)
    prepare(env, tmp)
    with start_server(env, log_path=tmp / "server.log") as server:
        yield server


def post(session, body: bytes, content_type: str):
    request = urllib.request.Request(session.base + "/api/attachments", data=body, method="POST")
    request.add_header("Content-Type", content_type)
    request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in session.cookies.items()))
    request.add_header("X-CSRFToken", session.cookies["csrftoken"])
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as error:
        response = error
    return response.status, json.loads(response.read())


def multipart(name: str, data: bytes):
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_large_upload_and_a_broken_one_through_daphne(served):
    sam = Http(served).login("sam")
    status, body = post(sam, *multipart("notes.txt", b"line of notes\n" * 300_000))
    assert status == 201 and body["size"] == 4_200_000 and body["name"] == "notes.txt"
    # No boundary: Twisted's own parse would answer a bare 400 and hang up.
    status, body = post(sam, b"--x\r\nnot multipart at all", "multipart/form-data")
    assert status == 400 and body["error"]["code"] == "malformed"
