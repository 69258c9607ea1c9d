"""Response headers Django 5.2 does not set itself, and the API's refusal of cross-site requests."""

from django.conf import settings
from django.http import JsonResponse


def content_security_policy(get_response):
    """Adds the Content-Security-Policy header, except on Django's admin (it needs inline code)."""

    def middleware(request):
        response = get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

    return middleware


def json_method_not_allowed(get_response):
    """A wrong method on an /api/ path answers 405 in the API's error shape, with its Allow."""

    def middleware(request):
        response = get_response(request)
        if (response.status_code == 405 and request.path.startswith("/api/")
                and not response.get("Content-Type", "").startswith("application/json")):
            allowed = response.get("Allow", "")
            response = JsonResponse({"error": {"code": "method_not_allowed",
                                               "message": f"{request.method} is not allowed here."}},
                                    status=405)
            if allowed:
                response["Allow"] = allowed
        return response

    return middleware


def refuse_cross_site_api(get_response):
    """Fetch Metadata resource isolation (SPEC §4): a browser marks a request another site made
    `Sec-Fetch-Site: cross-site`, and /api/ refuses it before the session is read or slid, so no
    link, form or script elsewhere can change anything, not even by a GET (a client's GET of a
    thread marks it seen). `same-origin`, `same-site`, `none` (typed or bookmarked) and no header
    at all (older browsers, other programs) pass."""

    def middleware(request):
        if (request.path.startswith("/api/")
                and request.headers.get("Sec-Fetch-Site", "").strip().lower() == "cross-site"):
            return JsonResponse({"error": {"code": "cross_site",
                                           "message": "Requests from other sites are refused."}},
                                status=403)
        return get_response(request)

    return middleware
