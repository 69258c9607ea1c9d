from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from server import pages
from server.admin import site as admin_site
from server.api import api
from server.api.base import error_response


@csrf_exempt  # nothing to protect: it only answers 404
def api_not_found(request, rest=""):
    """Any other /api/ path (say /api/threads/abc) is a JSON 404 like every other API error."""
    return error_response(request, 404, "not_found", "Not found.")


urlpatterns = [
    path("", pages.sign_in, name="sign-in"),
    path("inbox", pages.inbox, name="inbox"),
    path("portal", pages.portal, name="portal"),
    path("activate", pages.activate, name="activate"),
    path("forgot", pages.forgot, name="forgot"),
    path("reset", pages.reset, name="reset"),
    path("account", pages.account, name="account"),
    path("admin/", admin_site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>(?s:.*))$", api_not_found),
]

handler500 = "server.failsafe.server_error"
