"""A client's contact details: practice admins correct or add the email address that
invitations go to (then send one with POST /api/clients/{id}/invite)."""

from ninja import Router

from server.actions.client_contact import check_edit_client_email
from server.api.schemas import ERRORS, ClientContactIn, ClientOut, ErrorOut
from server.api.session import actor, signed_in

router = Router(tags=["practice"], auth=signed_in)


@router.patch("/clients/{int:client_id}", response={200: ClientOut, ERRORS: ErrorOut})
def edit_client(request, client_id: int, payload: ClientContactIn):
    """Set a client's email address (practice admins); audited by field name, not value."""
    client = check_edit_client_email(actor(request), client_id, payload.email)
    return {"id": client.pk, "name": client.name, "has_portal_account": client.user_id is not None,
            "has_email": bool(client.email)}
