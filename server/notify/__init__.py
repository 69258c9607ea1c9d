"""Email notifications through the durable outbox (SPEC §2 "Email notifications").

Called by the actions inside their transaction:
- `message_sent(thread, message, staff_viewers, client_person)` after a message is written;
- `invitation(client, link)` when a portal invitation is issued;
- `reviewed(user_id, thread_id)` when a user opens a thread or marks it read.
"""


def message_sent(thread, message, staff_viewers, client_person) -> None:
    """Queue the once-per-thread notices that `message` causes."""


def invitation(client, link: str) -> None:
    """Queue the portal invitation email carrying `link`."""


def reviewed(user_id: int, thread_id: int) -> None:
    """`user_id` reviewed `thread_id`: the next message may email them again."""
