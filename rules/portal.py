"""The client portal switch: what it opens and closes. Staff are never affected by it."""

CLIENT = "client"


def can_sign_in(kind: str, portal_enabled: bool) -> bool:
    """Whether a user of `kind` ("staff" or "client") may sign in and use Cairn now."""
    # A client uses Cairn only through the portal.
    if kind == CLIENT:
        return portal_enabled
    return True


def can_message_clients(portal_enabled: bool) -> bool:
    """Whether messages between a practice and its clients, and invitations, may flow now."""
    # The switch stops the whole exchange, staff side included.
    return portal_enabled
