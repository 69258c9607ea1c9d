import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.db import connections


@pytest.fixture(autouse=True)
def in_memory_layer(settings):
    """A fresh in-memory channel layer per test (its queues belong to one event loop)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
async def close_worker_thread_connections(request):
    """Database work of async tests runs in asgiref's worker thread, whose connections outlive
    the test: close them, so PostgreSQL can drop the test database at the end."""
    yield
    if request.node.get_closest_marker("django_db"):
        await database_sync_to_async(connections.close_all)()
