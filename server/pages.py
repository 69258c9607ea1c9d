"""The browser UI's pages: plain HTML files from static/, with a strict Content-Security-Policy.

The pages hold no data and no inline script; everything they show comes from the HTTP API and
/ws/ (static/js/). `/` signs in, `/inbox` is the staff inbox, `/portal` the client portal and
`/activate#TOKEN` creates a portal account from an invitation link; `/forgot` asks for a
password-reset link, `/reset#TOKEN` uses it, `/account` holds password, two-step sign-in and sessions.
"""

from django.conf import settings
from django.http import FileResponse, HttpResponseRedirect
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


_sign_in_page = _page("index.html")
# The sign-in page's notices (static/js/signin.js): with one of them it always shows.
SIGN_IN_NOTICES = ("expired", "signed_out", "portal_off", "password_reset")


@require_safe
def sign_in(request):
    """Serve static/index.html, or send someone already signed in on to their page, so the
    page never has to ask /api/me (and log a 401) to find out."""
    user = request.user
    if user.is_authenticated and not any(key in request.GET for key in SIGN_IN_NOTICES):
        response = HttpResponseRedirect("/inbox" if user.kind == "staff" else "/portal")
        response["Cache-Control"] = "no-cache"
        return response
    return _sign_in_page(request)


inbox = _page("inbox.html")
portal = _page("portal.html")
activate = _page("activate.html")
forgot = _page("forgot.html")
reset = _page("reset.html")
account = _page("account.html")
