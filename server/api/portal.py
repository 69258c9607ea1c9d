"""Portal account activation from an invitation link."""

from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Router, Status

from server.actions import sessions
from server.actions.portal import do_activate, find_invitation
from server.api.auth import me_dict, require_csrf
from server.api.schemas import ERRORS, ActivateIn, ErrorOut, MeOut
from server.api.session import person, require_portal
from server.errors import ApiError, invalid
from server.models import User

router = Router(tags=["portal"])


@router.post("/portal/activate", response={201: MeOut, ERRORS: ErrorOut})
def activate(request, payload: ActivateIn):
    """Create a portal account from an invitation token; signs the client in."""
    require_csrf(request)
    with transaction.atomic():
        invitation = find_invitation(payload.token)
        if invitation is None:
            raise ApiError(410, "token_invalid", "This invitation link was used, replaced or has expired.")
        require_portal(invitation.client.practice)
        username = payload.username.strip()
        if not username or len(username) > 150 or not User.username_validator.regex.match(username):
            raise invalid("invalid_username", "Choose a username of letters, digits and @.+-_.",
                          field="username")
        if User.objects.filter(username__iexact=username).exists():
            raise invalid("username_taken", "That username is taken.", field="username")
        try:
            password_validation.validate_password(
                payload.password, User(username=username, name=invitation.client.name))
        except ValidationError as e:
            raise invalid("weak_password", " ".join(e.messages), field="password")
        user = do_activate(invitation, username, payload.password, request=request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        sessions.record(request, user)
        return Status(201, me_dict(request, person(request)))
