"""Portal account activation from an invitation link."""

from django.conf import settings
from django.contrib.auth import login
from ninja import Router, Status

from server.actions import sessions
from server.actions.activation import check_activate
from server.actor import Actor
from server.api.auth import me_dict, require_csrf
from server.api.schemas import ERRORS, ActivateIn, ErrorOut, MeOut
from server.api.session import person

router = Router(tags=["portal"])


@router.post("/portal/activate", response={201: MeOut, ERRORS: ErrorOut})
def activate(request, payload: ActivateIn):
    """Create a portal account from an invitation token; signs the client in."""
    require_csrf(request)
    user = check_activate(Actor.from_request(request), payload.token, payload.username,
                          payload.password)
    login(request, user, backend=settings.SIGN_IN_BACKEND)
    sessions.record(request, user)
    return Status(201, me_dict(request, person(request)))
