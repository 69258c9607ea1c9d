import importlib

import pytest
from django.db import connection

from tests.factory import JsonClient, make_world


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last, after pytest-django's own ordering: Playwright's sync API keeps an
    event loop running in the main thread until it stops, and asyncio tests cannot start theirs
    inside it."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Each test counts its own rate limits.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}
    # Each test keeps its attachment files apart.
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "attachments")}}}


@pytest.fixture(autouse=True)
def audit_rows_out_of_the_flush(request):
    """Transactional tests end with a flush, which SQLite's append-only audit triggers refuse
    (PostgreSQL truncates, which they do not see): remove this test's audit rows with the
    triggers briefly dropped, and put the triggers back before the flush runs."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction") or connection.vendor != "sqlite":
        return
    migration = importlib.import_module("server.migrations.0002_audit_append_only")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_UNDO:
            cursor.execute(sql)
        cursor.execute("DELETE FROM server_auditentry")
        for sql in migration.SQLITE:
            cursor.execute(sql)


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def as_user():
    """as_user(user) -> a JSON client signed in as that user (None: anonymous)."""
    return JsonClient
