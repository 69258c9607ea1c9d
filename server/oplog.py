"""What a running server tells its operator, at INFO and with no PHI.

- each sign-in: the user's id and kind, and the address it came from;
- each failed sign-in: the user's id when the username is one, else "unknown username" (never
  what was typed: people type passwords into the username box), and the address;
- each answer of 500 or more: the method and the path, with every segment that is not a plain
  word or number masked and the query string left out (it may hold search words);
- each email sent or failed: `server.notify.worker` logs its outbox id and kind.

Sign-ins are heard through Django's auth signals, so every door (the API, the admin site) is
covered without each logging on its own.
"""

import logging
import re

from django.contrib.auth.signals import user_logged_in, user_login_failed

from server.audit import client_ip

log = logging.getLogger(__name__)

_PLAIN = re.compile(r"^(?:[a-z][a-z0-9_.-]{0,39}|\d{1,20})$")


def connect() -> None:
    """Listen for sign-ins (called once, from the app's `ready`)."""
    user_logged_in.connect(_signed_in, dispatch_uid="cairn-oplog-signed-in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="cairn-oplog-sign-in-failed")


def _signed_in(sender, request=None, user=None, **kwargs):
    log.info("sign-in: user %s (%s) from %s", user.pk, getattr(user, "kind", "?"),
             client_ip(request) or "-")


def _sign_in_failed(sender, credentials=None, request=None, **kwargs):
    from server.models import User

    username = (credentials or {}).get("username")
    user_id = None
    if isinstance(username, str):
        user_id = User.objects.filter(username=username[:150]).values_list("pk", flat=True).first()
    who = f"user {user_id}" if user_id is not None else "unknown username"
    log.info("failed sign-in: %s from %s", who, client_ip(request) or "-")


def safe_path(path: str) -> str:
    """`path` with ids kept and anything else a person might have typed masked."""
    return "/".join(part if not part or _PLAIN.match(part) else "*" for part in path.split("/"))


def log_server_errors(get_response):
    """Middleware (outermost): one INFO line for every answer of 500 or more."""

    def middleware(request):
        response = get_response(request)
        if response.status_code >= 500:
            log.info("%s %s %s", response.status_code, request.method, safe_path(request.path))
        return response

    return middleware
