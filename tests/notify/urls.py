"""The site's URLs, plus /api/me/notifications if `server.api` does not mount that router yet.

Once `server/api/__init__.py` adds `notifications.router`, this is just `server.urls`.
"""

from django.urls import path
from ninja import NinjaAPI

from server import urls as site
from server.api import api, notifications

urlpatterns = list(site.urlpatterns)
handler500 = site.handler500

if not any(router is notifications.router for _, router in api._routers):
    _api = NinjaAPI(title="Cairn notifications (tests)", urls_namespace="notify-tests",
                    docs_url=None, openapi_url=None)
    _api._exception_handlers = api._exception_handlers  # the same error shape as the site's
    _api.add_router("", notifications.router)
    urlpatterns.insert(0, path("api/", _api.urls))
