"""The practice's two-step sign-in requirement: whom it holds back until they set it up."""

STAFF = "staff"


def two_factor_setup_pending(kind: str, required: bool, set_up: bool) -> bool:
    """Whether a user of `kind` must set up two-step sign-in before using Cairn: staff of a
    practice that `required` it who have not (`set_up`). Clients choose for themselves."""
    return kind == STAFF and required and not set_up
