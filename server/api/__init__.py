"""The HTTP API (SPEC §3), one module per subject, mounted at /api/."""

from server.api.base import api  # noqa: F401
