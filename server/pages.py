"""The browser UI's pages: plain HTML files from static/, with a strict Content-Security-Policy.

The pages hold no data and no inline script; everything they show comes from the HTTP API and
/ws/ (static/js/). `/` signs in, `/inbox` is the staff inbox, `/portal` the client portal and
`/activate#TOKEN` creates a portal account from an invitation link; `/forgot` asks for a
password-reset link, `/reset#TOKEN` uses it, `/account` holds password, two-step sign-in and sessions.
"""

from django.conf import settings
from django.http import FileResponse
from django.views.decorators.http import require_safe

# No inline script or style, nothing from other origins; the socket is same-origin too.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _page(filename):
    @require_safe
    def view(request):
        response = FileResponse(open(settings.STATIC_SOURCE / filename, "rb"),
                                content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        # The pages are tiny and change with the code: never serve a stale one.
        response["Cache-Control"] = "no-cache"
        return response

    view.__name__ = view.__qualname__ = filename.replace(".", "_")
    view.__doc__ = f"Serve static/{filename}."
    return view


sign_in = _page("index.html")
inbox = _page("inbox.html")
portal = _page("portal.html")
activate = _page("activate.html")
forgot = _page("forgot.html")
reset = _page("reset.html")
account = _page("account.html")
