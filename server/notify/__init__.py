"""Email notifications through the durable outbox (SPEC §2 "Email notifications").

Called by the actions inside their transaction:
- `message_sent(thread, message, staff_viewers, client_person)` after a message is written;
- `invitation(client, link)` when a portal invitation is issued;
- `reviewed(user_id, thread_id)` when a user opens a thread or marks it read, or a new message
  of it reaches a socket showing that thread (`consumers.inbox`, the `viewing` frame).

They only write rows (`outbox`); the worker (`worker`) sends them. A notice's email waits
CAIRN_EMAIL_DELAY_SECONDS (`outbox.delay_of`) and a review meanwhile drops it (SPEC §4 "Email
timing"). The words are in `texts`.
"""

from server.models import Client, User
from server.notify import outbox, texts


def message_sent(thread, message, staff_viewers, client_person) -> None:
    """Queue the once-per-thread notices that `message` causes.

    A client's message emails each staff viewer who chose the thread's audience; a staff message
    emails the client, if they have a portal account. Nobody is emailed twice about one thread
    before they review it. `staff_viewers` are the rules.Persons who see the thread (author
    excluded); `client_person` is the client's Person, or None without a portal account.
    """
    if message.author_kind == User.CLIENT:
        _notify_staff(thread, staff_viewers)
    else:
        _notify_client(thread, client_person)


def _notify_staff(thread, staff_viewers) -> None:
    ids = [p.user_id for p in staff_viewers if p.is_staff]
    if not ids:
        return
    addresses = {}
    for user_id, email, audiences in (User.objects.filter(pk__in=ids, kind=User.STAFF,
                                                          is_active=True)
                                      .exclude(email="")
                                      .values_list("id", "email", "email_audiences")):
        if isinstance(audiences, list) and thread.audience in audiences:
            addresses[user_id] = email
    if addresses:
        subject, body = texts.staff_notice(thread.practice.name)
        outbox.queue_notices(thread.practice_id, thread.pk, texts.STAFF_NOTICE, addresses,
                             subject, body)


def _notify_client(thread, client_person) -> None:
    if client_person is None:
        return
    found = (Client.objects.filter(pk=thread.client_id, user_id=client_person.user_id,
                                   user__is_active=True, user__email_notices=True)
             .values_list("email", "user__email").first())
    address = found and (found[0] or found[1])
    if not address:
        return
    subject, body = texts.client_notice(thread.practice.name)
    outbox.queue_notices(thread.practice_id, thread.pk, texts.CLIENT_NOTICE,
                         {client_person.user_id: address}, subject, body)


def invitation(client, link: str) -> None:
    """Queue the portal invitation email carrying `link` (its only copy; scrubbed once sent).

    An unsent earlier invitation to the same address is dropped: its link has just been revoked.
    """
    if not client.email:
        return
    outbox.drop_unsent_invitations(client.practice_id, client.email)
    subject, body = texts.invitation(client.practice.name, link)
    outbox.queue(client.practice_id, texts.INVITATION, [client.email], subject, body)


def reviewed(user_id: int, thread_id: int) -> None:
    """`user_id` reviewed `thread_id`: a waiting email about it is dropped, and the next message
    may email them again."""
    outbox.drop_notice(user_id, thread_id)


def password_reset(practice, address: str, link: str) -> None:
    """Queue a password-reset email carrying `link` (its only copy; scrubbed once sent)."""
    subject, body = texts.password_reset(practice.name, link)
    outbox.queue(practice.pk, texts.PASSWORD_RESET, [address], subject, body)
