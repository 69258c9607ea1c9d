"""The client portal switch: what it opens and closes. Staff are never affected by it."""

CLIENT = "client"


def portal_applies(kind: str) -> bool:
    """Whether the portal switch governs a user of `kind` ("staff" or "client") at all."""
    # A client uses Cairn only through the portal; staff work whatever the switch says.
    return kind == CLIENT


def can_sign_in(kind: str, portal_enabled: bool) -> bool:
    """Whether a user of `kind` may sign in and use Cairn now."""
    return portal_enabled or not portal_applies(kind)


def can_message_clients(portal_enabled: bool) -> bool:
    """Whether messages between a practice and its clients, and invitations, may flow now."""
    # The switch stops the whole exchange, staff side included.
    return portal_enabled
