"""The NinjaAPI object and its error handlers: every error is {"error": {"code", "message"}}."""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from django.http import Http404

from server.errors import ApiError

api = NinjaAPI(title="Cairn", version="1", urls_namespace="api", openapi_url="/openapi.json",
               docs_url="/docs")


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
    if exc.status_code == 400:
        return error_response(request, 400, "malformed", "The request body is not valid JSON.")
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = exc.errors
    # A body that is not a JSON object at all is malformed, not merely invalid.
    if any(e.get("loc", ())[-1:] in (("payload",), ("body",)) and "type" in e.get("type", "")
           for e in errors):
        return error_response(request, 400, "malformed", "The request body must be a JSON object.")
    first = errors[0] if errors else {}
    field = ".".join(str(part) for part in first.get("loc", ())[2:]) or "request"
    return error_response(request, 422, "invalid", f"{field}: {first.get('msg', 'invalid value')}",
                          field=field)
