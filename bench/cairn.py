"""Starting Cairn (contestant C3) under daphne with `python -m server serve`."""

from bench import databases, private_redis as redis
from bench.procs import PYTHON, Server, free_port

# The channel layers Cairn can run on: the one its settings choose for REDIS_URL (C3: pub/sub),
# channels-redis' list-based layer (C3b, through bench/list_layer_settings.py) and the in-memory
# default (C3m).
LAYERS = ("redis", "list", "memory")


def cairn_server(db: str, *, layer: str = "redis", port: int | None = None) -> Server:
    port = port or free_port()
    extra = {"CAIRN_SEND_LIMIT_PER_MINUTE": "100000000",
             "CAIRN_VAR_DIR": f"/tmp/bench-cairn-var-{port}"}
    if layer in ("redis", "list"):
        extra["REDIS_URL"] = redis.url()
    if layer == "list":
        extra["DJANGO_SETTINGS_MODULE"] = "bench.list_layer_settings"
    env = databases.django_env(db, **extra)
    return Server(f"cairn-{layer}", [PYTHON, "-m", "server", "serve", "--host", "127.0.0.1",
                                     "--port", str(port), "--no-worker"], port, env)
