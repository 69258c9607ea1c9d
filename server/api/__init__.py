"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import (auth, messages, notifications, office, portal, practice, threads,
                        urgent)
from server.api.base import api

for _module in (auth, threads, urgent, messages, practice, office, portal, notifications):
    api.add_router("", _module.router)
