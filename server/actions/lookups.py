"""Reads of the practice's records that hold no message text: its clients, its audit log."""

from rules import can_manage_clients, can_read_audit
from server.errors import forbidden, invalid
from server.models import AuditEntry, Client
from server.visibility import visible_clients

TYPEAHEAD_LIMIT = 50
AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX = 100, 500


def check_list_clients(actor, q: str = "") -> list:
    """The clients `actor` (staff) can message, by name; with `q`, at most TYPEAHEAD_LIMIT
    whose name holds it."""
    person = actor.person
    if not can_manage_clients(person):
        raise forbidden("not_allowed", "Only staff can do that.")
    clients = Client.objects.filter(visible_clients(person)).order_by("name", "id")
    q = q.replace("\x00", "").strip()  # no name holds NUL, and PostgreSQL refuses it in a query
    if q:
        clients = clients.filter(name__icontains=q)[:TYPEAHEAD_LIMIT]
    return list(clients)


def check_read_audit(actor, *, thread=None, by=None, limit=None, before=None) -> tuple:
    """(entries, whether more follow): the practice's audit log newest first, optionally of one
    thread or one actor (`by`), older than the entry id `before` (practice and clinical admins)."""
    person = actor.person
    if not can_read_audit(person):
        raise forbidden("not_allowed", "Only practice and clinical admins read the audit log.")
    if limit is not None and not 1 <= limit <= AUDIT_PAGE_MAX:
        raise invalid("invalid", f"limit must be 1 to {AUDIT_PAGE_MAX}.", field="limit")
    size = limit or AUDIT_PAGE_DEFAULT
    entries = AuditEntry.objects.filter(practice_id=person.practice_id).select_related("actor")
    for field, value, lookup in (("thread", thread, "thread_id"), ("actor", by, "actor_id"),
                                 ("before", before, "pk__lt")):
        if value is None:
            continue
        # Ids are 64-bit: a longer number would overflow the database driver.
        if not -2**63 <= value < 2**63:
            raise invalid("invalid", f"{field}: not an id.", field=field)
        entries = entries.filter(**{lookup: value})
    page = list(entries.order_by("-id")[:size + 1])
    return page[:size], len(page) > size
