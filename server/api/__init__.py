"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api import account, auth, messages, notifications, portal, practice, threads
from server.api import two_factor
from server.api.base import api

for _module in (auth, threads, messages, practice, portal, notifications, account, two_factor):
    api.add_router("", _module.router)
