"""A new message shown on a screen that has its thread open (the socket's `viewing` frame)."""

from django.db import transaction

from server import notify


def do_seen_on_screen(user_id: int, thread_id: int) -> None:
    """`user_id` had `thread_id` on screen as a new message of it arrived: for email that counts
    as reviewing it (SPEC §4 "Email timing"), so a waiting email about it is dropped. Their read
    marks do not change. The caller has delivered the message, so the user may see the thread."""
    with transaction.atomic():
        notify.reviewed(user_id, thread_id)
