"""Django settings, read from the environment (see README: Configuration)."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url

VAR_DIR = Path(os.environ.get("CAIRN_VAR_DIR", Path.cwd() / "var")).resolve()
STATIC_SOURCE = Path(__file__).resolve().parent.parent / "static"
DEMO = os.environ.get("CAIRN_DEMO") == "1"


def _kept_secret_key() -> str:
    """A secret generated once and kept under var/, for when SECRET_KEY is unset."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _kept_secret_key()
DEBUG = os.environ.get("CAIRN_DEBUG") == "1"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "server.apps.CairnConfig",
]

# Sign-ins are checked by Django's model backend; ours also reads the user's practice with the
# user (server/auth_backend.py). Sessions started under the plain model backend still resolve.
AUTHENTICATION_BACKENDS = ["server.auth_backend.PracticeUserBackend",
                           "django.contrib.auth.backends.ModelBackend"]
SIGN_IN_BACKEND = AUTHENTICATION_BACKENDS[0]

MIDDLEWARE = [
    "server.oplog.log_server_errors",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "server.middleware.refuse_cross_site_api",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "server.sessions.slide_session_expiry",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "server.middleware.content_security_policy",
    "server.middleware.json_method_not_allowed",
    "server.actions.sessions.mark_seen",
]

ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"
AUTH_USER_MODEL = "server.User"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

# No persistent connections: under ASGI each request runs in a thread of its own that ends with
# it, and a connection kept past the request would outlive its thread (and pile up on the server).
DATABASES = {
    "default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)
    if os.environ.get("DATABASE_URL")
    # IMMEDIATE: a transaction takes SQLite's write lock when it begins and waits for it (up to
    # `timeout`); a deferred one that reads first and then writes fails at once with "database is
    # locked" whenever another request is writing.
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "cairn.sqlite3"),
          "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"}},
}
# PostgreSQL: one bounded pool of connections per process (psycopg_pool, docs/PERFORMANCE.md
# F8). Each request's thread borrows a connection and gives it back when the request ends (as
# it closed it before), instead of opening one per request: ~15 ms per request on a busy machine,
# and a process never holds more than CAIRN_DB_POOL_MAX connections however many threads serve.
# Code that runs queries in a thread of its own must close its connection when done (Django's
# request_finished and channels' database_sync_to_async do), or the pool shrinks for good.
# With the database down, a request waits CAIRN_DB_POOL_TIMEOUT seconds before its 503 (it
# failed at once before). CAIRN_DB_POOL_MAX=0: no pool, a connection per request.
_pool_max = int(os.environ.get("CAIRN_DB_POOL_MAX", 20))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _pool_max > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(int(os.environ.get("CAIRN_DB_POOL_MIN", 2)), _pool_max),
        "max_size": _pool_max,
        "timeout": float(os.environ.get("CAIRN_DB_POOL_TIMEOUT", 3)),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
# Redis pub/sub rather than channels-redis' list-based layer: measured here (docs/PERFORMANCE.md,
# W2-W4) it sent 5 Redis commands per message instead of 30 and lost no socket, where the list
# layer's 5 s blocking pops met redis-py's 5 s read timeout and closed sockets with 1011.
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL]}}
    # One channel per process (consumers/hub.py) takes every event: room for a burst, where the
    # default of 100 would drop what arrives while the hub is busy.
    if REDIS_URL else {"BACKEND": "channels.layers.InMemoryChannelLayer",
                       "CONFIG": {"capacity": 10_000}},
}
# SPEC §3: a WebSocket frame over 64 KiB closes the socket (1009). The consumer's codec checks it,
# and `serve` has autobahn enforce it before buffering a frame whole.
WS_MAX_FRAME = 64 * 1024

_email_url = os.environ.get("EMAIL_URL")
if _email_url:
    _parsed = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _parsed.hostname or "localhost"
    EMAIL_PORT = _parsed.port or 25
    EMAIL_HOST_USER = _parsed.username or ""
    EMAIL_HOST_PASSWORD = _parsed.password or ""
    EMAIL_USE_TLS = _parsed.scheme == "smtp+tls"
    EMAIL_USE_SSL = _parsed.scheme == "smtps"
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("CAIRN_FROM_EMAIL", "Cairn <no-reply@cairn.invalid>")
# Where links in emails point (invitations, "sign in to read").
PUBLIC_URL = os.environ.get("CAIRN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# The origins a browser may call the server from besides the address it reached it at (HTTP's CSRF
# check and /ws/, `consumers.origins`): the public address and any listed, each exact, scheme,
# host and port (docs/DEPLOY.md). Not every host of ALLOWED_HOSTS with either scheme: that trusted
# https://localhost and http://127.0.0.1 on port 80 for a server at http://127.0.0.1:8000.
_public = urlparse(PUBLIC_URL)
CSRF_TRUSTED_ORIGINS = [f"{_public.scheme}://{_public.netloc}"] + [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()]

# Sessions: a signed-in user is signed out after 30 minutes idle (with up to a minute of slack:
# server.sessions slides the expiry at most once a minute, so most requests write nothing).
SESSION_ENGINE = "server.sessions"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEMO and os.environ.get("CAIRN_INSECURE_COOKIES") != "1"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [STATIC_SOURCE]
# Served straight from the source folders (no collectstatic step).
WHITENOISE_USE_FINDERS = True

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                "KEY_PREFIX": "cairn"}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

# Cairn's own knobs.
INVITATION_TTL_DAYS = 7
# How long an email about a new message waits in the outbox; a recipient who reviews the thread
# meanwhile (or has it on screen as the message arrives) gets none (SPEC §4 "Email timing").
CAIRN_EMAIL_DELAY_SECONDS = float(os.environ.get("CAIRN_EMAIL_DELAY_SECONDS", 120))
THREAD_PAGE_DEFAULT = 50
THREAD_PAGE_MAX = 200
LOGIN_WINDOW_SECONDS = int(os.environ.get("CAIRN_LOGIN_WINDOW_SECONDS", 15 * 60))
# Sign-in throttling (server/signin.py): a username from one address is refused after 5 failures
# in the window; a username over all addresses is slowed (not locked) past 20.
LOGIN_FAILURES_PER_USERNAME_ADDRESS = int(os.environ.get("CAIRN_LOGIN_FAILURES_PER_USERNAME_ADDRESS",
                                                         5))
LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("CAIRN_LOGIN_FAILURES_PER_USERNAME", 20))
LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("CAIRN_LOGIN_DELAY_MAX_SECONDS", 30))
PASSWORD_RESET_TTL_SECONDS = 60 * 60
# Forgot-password requests per login and per address per hour, beyond which they are dropped silently.
PASSWORD_FORGOT_PER_LOGIN = 3
PASSWORD_FORGOT_PER_IP = 20
# A forgot-password request answers no sooner than this, known login or not (no timing oracle).
PASSWORD_FORGOT_MIN_SECONDS = float(os.environ.get("CAIRN_PASSWORD_FORGOT_MIN_SECONDS", 0.25))
REMEMBER_BROWSER_DAYS = 30
LOGIN_FAILURES_PER_IP = int(os.environ.get("CAIRN_LOGIN_FAILURES_PER_IP", 30))
SEND_LIMIT_PER_MINUTE = int(os.environ.get("CAIRN_SEND_LIMIT_PER_MINUTE", 30))
# Sockets one user may hold at once in one process; more are refused at the handshake
# (docs/WEBSOCKET.md, "Sockets per user").
CAIRN_SOCKETS_PER_USER = int(os.environ.get("CAIRN_SOCKETS_PER_USER", 20))
# Attachments (SPEC §4): each file at most this many bytes; kept through Django's storage API
# under random names, by default on disk under var/attachments/ (docs/DEPLOY.md: several hosts).
ATTACHMENT_MAX_BYTES = int(os.environ.get("CAIRN_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(VAR_DIR / "attachments"),
                                "file_permissions_mode": 0o600,
                                "directory_permissions_mode": 0o700}},
}
# Several hosts: an S3-compatible bucket every host reaches (docs/DEPLOY.md), private, each
# object encrypted by the server side (SSE-S3 "AES256" by default, or "aws:kms" with a key id).
# Credentials come from boto3's usual chain (AWS_* variables, an instance role), never from here.
if os.environ.get("CAIRN_ATTACHMENTS_S3_BUCKET"):
    _sse = os.environ.get("CAIRN_ATTACHMENTS_S3_SSE", "AES256")
    STORAGES["attachments"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["CAIRN_ATTACHMENTS_S3_BUCKET"],
        "endpoint_url": os.environ.get("CAIRN_ATTACHMENTS_S3_ENDPOINT") or None,
        "region_name": os.environ.get("CAIRN_ATTACHMENTS_S3_REGION") or None,
        "location": "attachments",
        "default_acl": "private",
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": _sse, **(
            {"SSEKMSKeyId": os.environ["CAIRN_ATTACHMENTS_S3_KMS_KEY_ID"]}
            if _sse == "aws:kms" and os.environ.get("CAIRN_ATTACHMENTS_S3_KMS_KEY_ID") else {})},
    }}
# Uploads stream to a temporary file above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) and stop at the
# attachment limit; the capping handler comes first so it sees every chunk.
FILE_UPLOAD_HANDLERS = [
    "server.attachments.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An urgent thread still unacknowledged this long is emailed again (docs/SAFETY.md).
CAIRN_URGENT_ESCALATE_SECONDS = float(os.environ.get("CAIRN_URGENT_ESCALATE_SECONDS", 900))
# No inline script or style anywhere: every page loads its code from /static/.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                           "base-uri 'none'; form-action 'self'; object-src 'none'")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAIRN_LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "fontTools": {"level": "WARNING"}},
}
