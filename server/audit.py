"""Writes the append-only audit log. Never pass message bodies or subjects here.

Actions write their rows with `audit_by` (the actor and address come from their `Actor`); the
sign-in doors, which run before there is an actor, use `audit` with the request."""

from server.models import AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_by(actor, action: str, *, practice_id=None, thread_id=None, message_id=None,
             client_id=None, **detail) -> AuditEntry:
    """Append one entry for what `actor` (a server.actor.Actor) did."""
    return _write(actor.user, actor.ip, action, practice_id=practice_id, thread_id=thread_id,
                  message_id=message_id, client_id=client_id, **detail)


def audit(request, action: str, *, actor=None, practice_id=None, thread_id=None,
          message_id=None, client_id=None, **detail) -> AuditEntry:
    """Append one entry; `actor` (a user) defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return _write(actor, client_ip(request), action, practice_id=practice_id,
                  thread_id=thread_id, message_id=message_id, client_id=client_id, **detail)


def _write(user, ip, action, *, practice_id, thread_id, message_id, client_id, **detail):
    return AuditEntry.objects.create(
        practice_id=practice_id if practice_id is not None else getattr(user, "practice_id", None),
        actor=user if user is not None and user.pk else None,
        actor_username=getattr(user, "username", "") or detail.pop("username", ""),
        action=action,
        thread_id=thread_id,
        message_id=message_id,
        client_id=client_id,
        ip=ip,
        detail=detail,
    )
