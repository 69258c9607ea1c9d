"""Settings of the persisted peer: PostgreSQL from DATABASE_URL with persistent connections (a
new connection per message would not be what a competent user runs), the channel layer of
`bench.contestants.layers`."""

import os
from urllib.parse import urlparse

from bench.contestants.layers import channel_layers

_db = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_c2p"))

DEBUG = False
SECRET_KEY = "bench-persisted-peer"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels", "bench.contestants.persisted"]
ROOT_URLCONF = "bench.contestants.persisted.asgi"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql", "NAME": _db.path.lstrip("/"),
    "USER": _db.username or "postgres", "PASSWORD": _db.password or "",
    "HOST": _db.hostname or "127.0.0.1", "PORT": _db.port or 5432,
    "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True,
}}
CHANNEL_LAYERS = channel_layers(os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
                                os.environ.get("BENCH_LAYER", "list"))
