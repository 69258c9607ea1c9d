"""Portal invitations and account activation."""

import hashlib
import secrets
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from server import notify, unread
from server.audit import audit_by
from server.errors import ApiError
from server.models import Client, Invitation, Message, User
from server.serialize import iso

GONE = "This invitation link was used, replaced or has expired."  # as server.api.portal says


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live_invitations(client):
    return Invitation.objects.filter(client=client, used_at__isnull=True, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now())


def do_invite(actor, client) -> dict:
    """Issue a new single-use link (older links stop working) and queue its email."""
    if not client.email:
        return {"status": "no_email"}
    now = timezone.now()
    _live_invitations(client).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(client=client, token_hash=token_hash(token), created_by=actor.user,
                              created_at=now,
                              expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS))
    notify.invitation(client, f"{settings.PUBLIC_URL}/activate#{token}")
    audit_by(actor, "invitation.sent", practice_id=client.practice_id, client_id=client.pk)
    return {"status": "sent", "sent_at": iso(now)}


def invite_if_needed(actor, client) -> dict | None:
    """After staff write to `client`: invite them unless they have an account or a live link.
    `sent_at` tells when the live link was emailed (now, or earlier)."""
    if client.user_id is not None:
        return None
    if not client.email:
        return {"status": "no_email"}
    # A live link was emailed earlier: say when, so nobody reads it as a new email.
    live = _live_invitations(client).order_by("-created_at").first()
    if live is not None:
        return {"status": "sent", "sent_at": iso(live.created_at)}
    return do_invite(actor, client)


def void_invitations(client, now=None) -> None:
    """Revoke every outstanding link of `client`: call it wherever an account gets linked."""
    Invitation.objects.filter(client=client, used_at__isnull=True, revoked_at__isnull=True
                              ).update(revoked_at=now or timezone.now())


def find_invitation(token: str):
    """The live invitation for `token`, locked; None when unknown, used, revoked or expired, or
    when its client has a portal account already, however it got one (activation,
    load_practice, the admin site): a link only ever creates a client's first account."""
    if not isinstance(token, str) or not token:
        return None
    return (Invitation.objects.select_for_update().select_related("client", "client__practice")
            .filter(token_hash=token_hash(token), used_at__isnull=True, revoked_at__isnull=True,
                    expires_at__gt=timezone.now(), client__user__isnull=True).first())


def do_activate(actor, invitation, username, password) -> User:
    """Create the client's portal account; their unseen staff messages arrive unread. `actor`
    is the person at the link, not signed in yet: the audit row names the new account. Never
    replaces an account: a client linked meanwhile makes the link gone (410), and the caller's
    transaction rolls the new user back."""
    client = invitation.client
    now = timezone.now()
    user = User.objects.create_user(username=username, password=password, kind=User.CLIENT,
                                    practice_id=client.practice_id, name=client.name,
                                    email=client.email or "")
    if not Client.objects.filter(pk=client.pk, user__isnull=True).update(user=user):
        raise ApiError(410, "token_invalid", GONE)
    client.user = user
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    void_invitations(client, now)
    waiting = Message.objects.filter(thread__client=client, thread__deleted_at__isnull=True,
                                     author_kind="staff", deleted_at__isnull=True)
    unread.add((user.pk, m_id, t_id) for m_id, t_id in waiting.values_list("id", "thread_id"))
    audit_by(replace(actor, user=user), "portal.activated", client_id=client.pk)
    return user
