"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import attachments, auth, messages, notifications, portal, practice, threads
from server.api.base import api

for _module in (auth, threads, messages, practice, portal, notifications, attachments):
    api.add_router("", _module.router)
