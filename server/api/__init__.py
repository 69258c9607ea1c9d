"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import (access_preview, account, attachments, auth, client_records, messages,
                        notifications, office, portal, practice, threads, two_factor, urgent)
from server.api.base import api

for _module in (auth, threads, urgent, access_preview, messages, practice, client_records, office,
                portal, notifications, attachments, account, two_factor):
    api.add_router("", _module.router)
