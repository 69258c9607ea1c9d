"""Starting Cairn (contestant C3) under daphne with `python -m server serve`."""

from bench import databases, private_redis as redis
from bench.procs import PYTHON, Server, free_port

# The channel layers Cairn can run on: the one its settings choose for REDIS_URL (C3), the
# pub/sub layer (C3b, through bench/pubsub_settings.py) and the in-memory default (C3m).
LAYERS = ("redis", "pubsub", "memory")


def cairn_server(db: str, *, layer: str = "redis", port: int | None = None) -> Server:
    port = port or free_port()
    extra = {"CAIRN_SEND_LIMIT_PER_MINUTE": "100000000",
             "CAIRN_VAR_DIR": f"/tmp/bench-cairn-var-{port}"}
    if layer in ("redis", "pubsub"):
        extra["REDIS_URL"] = redis.url()
    if layer == "pubsub":
        extra["DJANGO_SETTINGS_MODULE"] = "bench.pubsub_settings"
    env = databases.django_env(db, **extra)
    return Server(f"cairn-{layer}", [PYTHON, "-m", "server", "serve", "--host", "127.0.0.1",
                                     "--port", str(port), "--no-worker"], port, env)
