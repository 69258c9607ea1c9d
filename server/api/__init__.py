"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import account, attachments, auth, messages, notifications, office, portal
from server.api import practice, threads, two_factor, urgent
from server.api.base import api

for _module in (auth, threads, urgent, messages, practice, office, portal, notifications,
                attachments, account, two_factor):
    api.add_router("", _module.router)
