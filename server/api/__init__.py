"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import account, attachments, auth, messages, notifications, portal, practice
from server.api import threads, two_factor
from server.api.base import api

for _module in (auth, threads, messages, practice, portal, notifications, attachments, account,
                two_factor):
    api.add_router("", _module.router)
