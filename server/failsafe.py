"""The last line: an uncaught error becomes a JSON error, and a database outage a 503.

Django calls `server_error` for anything that escaped a view or a middleware (a session that
cannot be saved, say); the API's own handlers cover errors raised inside its views.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

log = logging.getLogger(__name__)


def database_unavailable() -> JsonResponse:
    response = JsonResponse({"error": {"code": "unavailable",
                                       "message": "Cairn cannot reach its database; try again shortly."}},
                            status=503)
    response["Retry-After"] = "5"
    return response


def server_error(request):
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable()
    return JsonResponse({"error": {"code": "internal", "message": "Something went wrong on our side."}},
                        status=500)
