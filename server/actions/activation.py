"""Activating a portal account from an invitation link, checked."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from server.access import require_portal
from server.actions.portal import do_activate, find_invitation
from server.errors import ApiError, invalid
from server.models import User


def check_activate(actor, token, username, password) -> User:
    """The new client account for a live invitation `token` (410 when used, replaced or
    expired); `actor` is whoever holds the link, not signed in."""
    with transaction.atomic():
        invitation = find_invitation(token)
        if invitation is None:
            raise ApiError(410, "token_invalid", "This invitation link was used, replaced or has expired.")
        require_portal(invitation.client.practice)
        username = username.strip()
        if not username or len(username) > 150 or not User.username_validator.regex.match(username):
            raise invalid("invalid_username", "Choose a username of letters, digits and @.+-_.",
                          field="username")
        if User.objects.filter(username__iexact=username).exists():
            raise invalid("username_taken", "That username is taken.", field="username")
        try:
            password_validation.validate_password(
                password, User(username=username, name=invitation.client.name))
        except ValidationError as e:
            raise invalid("weak_password", " ".join(e.messages), field="password")
        return do_activate(actor, invitation, username, password)
