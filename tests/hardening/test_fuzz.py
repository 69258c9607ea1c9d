"""Schemathesis against /api/openapi.json, in-process through Django's WSGI application, signed in
as staff and as a client (session cookie + X-CSRFToken): every check (no 5xx, responses conform to
the schema, status codes and content types documented, negative data rejected, …), per operation
and as a stateful run that follows the links schemathesis infers between operations.

The examples per operation are bounded so the file runs in about two minutes on a two-core machine;
`CAIRN_FUZZ_EXAMPLES` and `CAIRN_FUZZ_STEPS` raise them for a longer run (docs/RELIABILITY.md).
"""

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client as HttpClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from server.models import Message, StaffRole, Thread
from tests.api.helpers import reply, start

EXAMPLES = int(os.environ.get("CAIRN_FUZZ_EXAMPLES", 6))
STEPS = int(os.environ.get("CAIRN_FUZZ_STEPS", 60))
FUZZ_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), database=None)

class InTestTransaction(WSGIHandler):
    """Django's WSGI application as its test client runs it. Called as a server would call it,
    Django's request signals would run `close_old_connections`, which closes the connection
    holding the test's transaction (on PostgreSQL; SQLite's in-memory one survives)."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            body = b"".join(response)
            response.close()  # sends request_finished, here rather than in werkzeug
            return [body]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


get_wsgi_application()  # sets Django up
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", InTestTransaction())
schema.config.generation.update(max_examples=EXAMPLES)
# What the run saw, per status code: printed at the end (-s) and asserted to include successes.
SEEN = Counter()


@pytest.fixture
def practice(world, as_user):
    """The test world with threads in every audience, messages written by both sides, and the
    ids a fuzzer should hit: real ids often, random ones sometimes."""
    StaffRole.objects.create(user=world.admin, role="clinical_admin")  # sees and manages all
    dana = as_user(world.dana.user)
    admin = as_user(world.admin)
    for audience in ("administrative", "billing", "clinical"):
        thread = start(dana, audience=audience, body=f"About {audience}")["thread"]
        reply(admin, thread["id"], body="Noted")
        start(admin, audience=audience, client=world.eli, body="For Eli")
    return {"thread_id": list(Thread.objects.values_list("pk", flat=True)),
            "message_id": list(Message.objects.values_list("pk", flat=True)),
            "staff_id": [u.pk for u in world.staff()],
            "client_id": [world.dana.pk, world.eli.pk, world.fay.pk, world.oscar.pk],
            "staff": world.admin, "client": world.dana.user}


# Whom the auth provider below signs in: set by each test before it calls.
SIGNED_IN = {}


@schema.auth(refresh_interval=None)
class SessionAuth:
    """A fresh session per call (the fuzzer signs out and changes roles as it goes): the
    `sessionid` cookie, the schema's security scheme, so the auth checks can strip or spoil it,
    and the CSRF token beside it."""

    def get(self, case, ctx):
        if "user" not in SIGNED_IN:  # collecting: no database yet
            return None
        http = HttpClient()
        http.force_login(SIGNED_IN["user"])
        http.get("/api/auth/csrf")
        return http.cookies["sessionid"].value, http.cookies["csrftoken"].value

    def set(self, case, data, ctx):
        session, token = data
        case.cookies = {**(case.cookies or {}), "sessionid": session, "csrftoken": token}
        case.headers = {**(case.headers or {}), "X-CSRFToken": token}


def aim(case, known: dict) -> None:
    """Point three of four integer ids at rows that exist (the rest stay random)."""
    for name, value in (case.path_parameters or {}).items():
        if name in known and isinstance(value, int) and not isinstance(value, bool) and value % 4:
            case.path_parameters[name] = known[name][value % len(known[name])]


# Every check schemathesis has, but one: `positive_data_acceptance` expects every request the
# schema allows to succeed, and our schema is looser than the validation (an empty `audience`,
# `limit=0`, a body of spaces are schema-valid and 422): see docs/RELIABILITY.md, "Findings".
EXCLUDED = [positive_data_acceptance]


def call(case, practice, who):
    aim(case, practice)
    SIGNED_IN["user"] = practice[who]
    response = case.call_and_validate(excluded_checks=EXCLUDED)
    SEEN[(who, response.status_code)] += 1


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_staff(case, practice):
    call(case, practice, "staff")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_client(case, practice):
    call(case, practice, "client")


@pytest.mark.parametrize("who", ["staff", "client"])
def test_stateful(practice, who):
    """Sequences of calls along the links schemathesis infers (a created thread's id fed to the
    thread operations, and so on), every response checked."""
    known = practice
    SIGNED_IN["user"] = practice[who]

    class Machine(schema.as_state_machine()):
        def before_call(self, case):
            aim(case, known)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, additional_checks=additional_checks,
                                   excluded_checks=EXCLUDED, transport_kwargs=kwargs)

        def after_call(self, response, case):
            SEEN[(f"{who} stateful", response.status_code)] += 1

    Machine.run(settings=settings(FUZZ_SETTINGS, max_examples=max(2, EXAMPLES // 2),
                                  stateful_step_count=max(5, STEPS // max(2, EXAMPLES // 2))))


def test_zz_the_fuzzer_got_past_sign_in():
    """Not a fuzz target: proof that the runs above were signed in (some 2xx for each user), so a
    broken session set-up cannot pass as 'no failures'. Figures for docs/RELIABILITY.md with -s."""
    print("\nfuzz status codes:", dict(sorted(SEEN.items(), key=str)))
    if not SEEN:
        pytest.skip("run with the fuzz tests above")
    for who in ("staff", "client"):
        assert sum(n for (w, code), n in SEEN.items() if w == who and 200 <= code < 300) > 0, SEEN


@pytest.mark.parametrize("path", ["/api/threads/-%0A%C3%9B/export", "/api/%0A",
                                  "/api/threads/1%0D%0A"])
def test_paths_with_line_breaks_get_the_json_404(db, path):
    """Found by the fuzzer: the catch-all for unknown /api/ paths did not match a newline, so
    Django's HTML 404 answered (undocumented content type)."""
    r = HttpClient(HTTP_HOST="127.0.0.1").get(path)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
