"""Response headers Django 5.2 does not set itself."""

from django.conf import settings


def content_security_policy(get_response):
    """Adds the Content-Security-Policy header, except on Django's admin (it needs inline code)."""

    def middleware(request):
        response = get_response(request)
        if not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response

    return middleware
