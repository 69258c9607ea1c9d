"""A client's contact details: practice admins correct or add the email address that
invitations go to (then send one with POST /api/clients/{id}/invite)."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from ninja import Router

from rules import can_edit_client_contact, can_see_client
from server.actions.clients import do_edit_client
from server.api.schemas import ERRORS, ClientContactIn, ClientOut, ErrorOut
from server.api.session import person, signed_in
from server.errors import forbidden, invalid, not_found
from server.models import Client

router = Router(tags=["practice"], auth=signed_in)
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


@router.patch("/clients/{int:client_id}", response={200: ClientOut, ERRORS: ErrorOut})
def edit_client(request, client_id: int, payload: ClientContactIn):
    """Set a client's email address (practice admins); audited by field name, not value."""
    who = person(request, staff_only=True)
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None or not can_see_client(who, client.practice_id, client.pk):
            raise not_found("client")
        if not can_edit_client_contact(who):
            raise forbidden("not_allowed", "Only a practice admin can change a client's email address.")
        email = clean_email(payload.email)
        if email != client.email:
            client.email = email
            do_edit_client(client, ["email"], request=request)
    return {"id": client.pk, "name": client.name, "has_portal_account": client.user_id is not None,
            "has_email": bool(client.email)}
