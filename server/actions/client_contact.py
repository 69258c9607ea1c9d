"""A client's email address, set by a practice admin from the inbox (then an invitation can go
out): checked here, saved and audited by server.actions.clients.do_edit_client."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from rules import can_edit_client_contact
from server.access import access_client
from server.actions.clients import do_edit_client
from server.errors import forbidden, invalid

EMAIL_MAX = 254


def clean_email(value: str) -> str:
    email = value.strip()
    try:
        if not email or len(email) > EMAIL_MAX:
            raise ValidationError("length")
        validate_email(email)
    except ValidationError:
        raise invalid("invalid_email", "Enter a valid email address.", field="email")
    return email


def check_edit_client_email(actor, client_id, email: str):
    """Set the email address of a client `actor` sees (practice admins); returns the client."""
    person = actor.person
    if not person.is_staff:
        raise forbidden("not_allowed", "Only staff can do that.")
    with transaction.atomic():
        client = access_client(person, client_id, lock=True)
        if not can_edit_client_contact(person):
            raise forbidden("not_allowed", "Only a practice admin can change a client's email address.")
        email = clean_email(email)
        if email != client.email:
            client.email = email
            do_edit_client(actor, client, ["email"])
        return client
