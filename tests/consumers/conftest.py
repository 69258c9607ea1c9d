import importlib

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.db import connection, connections


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """A fresh in-memory channel layer per test (its queues belong to one event loop)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


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


@pytest.fixture(autouse=True)
async def close_worker_thread_connections(request):
    """Database work of async tests runs in asgiref's worker thread, whose connections outlive
    the test: close them, so PostgreSQL can drop the test database at the end."""
    yield
    if request.node.get_closest_marker("django_db"):
        await database_sync_to_async(connections.close_all)()
