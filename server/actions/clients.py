"""Clients as records: creating and editing them, and linking or unlinking their portal
account. Audited; a link or unlink takes effect at once, live sockets included."""

from django.utils import timezone

from server import unread
from server.live import log, publish
from server.actions.people import end_sessions
from server.audit import audit_by
from server.models import Client, Invitation, Message


def do_add_client(actor, client) -> Client:
    client.save()
    audit_by(actor, "client.created", practice_id=client.practice_id, client_id=client.pk)
    return client


def do_edit_client(actor, client, changed) -> None:
    """Save the plain fields `changed` (name, email); the audit names the fields, not values."""
    changed = sorted(changed)
    if not changed:
        return
    client.save(update_fields=changed)
    audit_by(actor, "client.edited", practice_id=client.practice_id, client_id=client.pk,
          fields=changed)


def do_link_portal_account(actor, client, user) -> None:
    """Make `user` (a client account of the practice, linked to no one) `client`'s portal
    account. Outstanding invitations stop working; staff messages the client has not seen
    arrive unread, as after activating an invitation."""
    now = timezone.now()
    client.user = user
    client.save(update_fields=["user"])
    Invitation.objects.filter(client=client, used_at__isnull=True,
                              revoked_at__isnull=True).update(revoked_at=now)
    waiting = Message.objects.filter(thread__client=client, thread__deleted_at__isnull=True,
                                     author_kind="staff", deleted_at__isnull=True,
                                     seen_by_client_at__isnull=True)
    unread.add((user.pk, m_id, t_id) for m_id, t_id in waiting.values_list("id", "thread_id"))
    log.access_changed(client.practice_id, [user.pk])
    audit_by(actor, "client.portal_linked", practice_id=client.practice_id, client_id=client.pk,
          target_user=user.pk)


def do_unlink_portal_account(actor, client) -> None:
    """Take `client`'s portal account away from them: its sessions end and its sockets close,
    so nothing of the client reaches it any more."""
    user_id = client.user_id
    if user_id is None:
        return
    client.user = None
    client.save(update_fields=["user"])
    unread.remove_user(user_id, client.threads.all())
    end_sessions(user_id)
    publish.close_user_sockets(user_id)
    log.access_changed(client.practice_id, [user_id])
    audit_by(actor, "client.portal_unlinked", practice_id=client.practice_id, client_id=client.pk,
          target_user=user_id)
