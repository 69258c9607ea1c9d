"""Sessions that slide their 30-minute idle timeout without writing on every request.

`SESSION_SAVE_EVERY_REQUEST` made every request — a badge poll, an inbox page — end with an
`UPDATE django_session` (docs/PERFORMANCE.md, F4). Instead the store remembers the expiry its row
had when it was loaded, and `slide_session_expiry` saves the session only when that expiry lags a
fresh one by more than `SLACK`: at most one write a minute per session, and a session idle for 30
minutes (29 if its last request came just under a minute after its last write) is signed out.
"""

from datetime import timedelta

from django.contrib.sessions.backends import db

# How far the stored expiry may lag a fresh one before a request writes the session again.
SLACK = timedelta(seconds=60)


class SessionStore(db.SessionStore):
    """Django's database sessions (same table, same rows), remembering the loaded row's expiry."""

    stored_expiry = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row

    async def _aget_session_from_db(self):
        row = await super()._aget_session_from_db()
        self.stored_expiry = row.expire_date if row is not None else None
        return row


def slide_session_expiry(get_response):
    """Marks a live session modified when its stored expiry is more than `SLACK` older than a
    fresh one would be, so Django's SessionMiddleware (listed before this) saves it and renews
    the cookie. Requests within a minute of the last save write nothing.

    Only requests that used the session slide it (every API call does; a page does not, and its
    script's API calls do), and not when answering 5xx: Django does not save then, and with the
    database down a second attempt to read the session would only wait for it again.
    """

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if (session is not None and session.accessed and session.session_key
                and not session.modified and response.status_code < 500):
            # A missing or expired row left `stored_expiry` None and the session empty: there
            # is nothing to slide.
            fresh = session.get_expiry_date()
            stored = getattr(session, "stored_expiry", None)
            if stored is not None and fresh - stored > SLACK:
                session.modified = True
        return response

    return middleware
