"""The NinjaAPI object and its error handlers: every error is {"error": {"code", "message"}}."""

import json
import logging

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404

from server.api.parser import TextParser
from server.errors import ApiError
from server.failsafe import database_unavailable

log = logging.getLogger(__name__)

api = NinjaAPI(title="Cairn", version="1", urls_namespace="api", openapi_url="/openapi.json",
               docs_url="/docs", parser=TextParser())


def error_response(request, status: int, code: str, message: str, **extra):
    return api.create_response(request, {"error": {"code": code, "message": message, **extra}},
                               status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    response = error_response(request, exc.status, exc.code, exc.message, **exc.extra)
    if exc.status == 429 and "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(AuthenticationError)
def _not_signed_in(request, exc):
    return error_response(request, 401, "not_signed_in", "Sign in first.")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ApiError):
        # ninja wraps whatever the parser raises in a 400; invalid text keeps its own answer.
        return _api_error(request, exc.__cause__)
    if exc.status_code == 400:
        return error_response(request, 400, "malformed", "The request body is not valid JSON.")
    if exc.status_code == 403:
        # The only HttpError(403) ninja raises itself: SessionAuth's CSRF check.
        return error_response(request, 403, "csrf_failed",
                              "Missing or wrong CSRF token: GET /api/auth/csrf first.")
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_down(request, exc):
    log.error("database error on %s: %s", request.path, exc)
    return database_unavailable()


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return error_response(request, 413, "too_large", "The request is too large.")


def _not_an_object(request) -> bool:
    """Whether the request body is empty or JSON other than an object (ninja then reports
    missing fields, not a wrong body)."""
    try:
        return not isinstance(json.loads(request.body or b"null"), dict)
    except Exception:
        return True


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = exc.errors
    # A body that is not a JSON object at all is malformed, not merely invalid.
    if any(e.get("loc", ())[:1] == ("body",) for e in errors) and _not_an_object(request):
        return error_response(request, 400, "malformed", "The request body must be a JSON object.")
    first = errors[0] if errors else {}
    # loc is ("body", "payload", field, ...) for bodies and ("query", name) for query strings.
    loc = list(first.get("loc", ()))[1:]
    if loc[:1] == ["payload"]:
        loc = loc[1:]
    field = ".".join(str(part) for part in loc) or "request"
    return error_response(request, 422, "invalid", f"{field}: {first.get('msg', 'invalid value')}",
                          field=field)
