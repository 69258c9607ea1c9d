"""With the database unreachable the API answers 503 with the error shape, never a 500,
and nothing is pushed to sockets."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from server.live import publish
from server.models import Message
from tests.api.helpers import start


@pytest.mark.parametrize("method,path", [("get", "/api/me"), ("get", "/api/threads"),
                                         ("get", "/api/badge"), ("post", "/api/threads/{tid}/messages")])
def test_database_down_is_503_and_writes_and_pushes_nothing(world, as_user, database_down_later,
                                                            method, path):
    dana = as_user(world.dana.user, raise_request_exception=False)
    tid = start(dana)["thread"]["id"]
    before = Message.objects.count()
    with database_down_later(), mock.patch.object(publish, "publish_events") as pushed:
        call = getattr(dana, method)
        r = call(path.format(tid=tid), **({"data": {"body": "lost?"}} if method == "post" else {}))
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "unavailable" and r["Retry-After"]
    pushed.assert_not_called()
    assert Message.objects.count() == before


@pytest.fixture
def database_down_later():
    """A context manager that cuts the database while it is open."""
    def refuse(self):
        raise OperationalError("connection refused")

    return lambda: mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse)
