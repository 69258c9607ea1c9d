"""Writes the append-only audit log. Never pass message bodies or subjects here."""

from server.models import AuditEntry


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit(request, action: str, *, actor=None, practice_id=None, thread_id=None,
          message_id=None, client_id=None, **detail) -> AuditEntry:
    """Append one entry; `actor` defaults to the request's user."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEntry.objects.create(
        practice_id=practice_id if practice_id is not None else getattr(actor, "practice_id", None),
        actor=actor if actor is not None and actor.pk else None,
        actor_username=getattr(actor, "username", "") or detail.pop("username", ""),
        action=action,
        thread_id=thread_id,
        message_id=message_id,
        client_id=client_id,
        ip=client_ip(request),
        detail=detail,
    )
