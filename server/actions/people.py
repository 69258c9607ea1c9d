"""Staff and portal accounts: creating staff, editing, deactivating, setting a password, and
supervision. Each is audited and takes effect at once, live sockets included.

Passwords never reach the audit log; neither do names or addresses (only which fields changed).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from server.live import log, publish
from server.audit import audit_by
from server.models import User


def do_add_staff(actor, user) -> User:
    """Save `user` (built with its password already hashed) as a staff member."""
    user.kind = User.STAFF
    user.save()
    audit_by(actor, "staff.created", practice_id=user.practice_id, target_user=user.pk)
    return user


def do_edit_user(actor, user, changed) -> None:
    """Save the plain fields `changed` (username, name, email) of a staff or portal account."""
    changed = sorted(changed)
    if not changed:
        return
    user.save(update_fields=changed)
    audit_by(actor, "user.edited", practice_id=user.practice_id, target_user=user.pk, fields=changed)


def do_set_active(actor, user, active: bool) -> None:
    """Deactivate (or reactivate) an account. Deactivating ends its sessions and closes its
    sockets; either way, its supervisors' view changes (they see a clinician's clients only
    while that clinician is active)."""
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        end_sessions(user.pk)
        publish.close_user_sockets(user.pk)
    if user.practice_id is not None:
        supervisors = user.supervisors.values_list("pk", flat=True)
        log.access_changed(user.practice_id, [user.pk, *supervisors])
    audit_by(actor, "user.reactivated" if active else "user.deactivated",
          practice_id=user.practice_id, target_user=user.pk)


def do_set_password(actor, user, password: str | None, *, keep_session=None) -> None:
    """Set `user`'s password (None: no password sign-in at all). Every session of theirs but
    `keep_session` ends and their sockets close."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user.pk, keep=keep_session)
    publish.close_user_sockets(user.pk)
    audit_by(actor, "user.password_set", practice_id=user.practice_id, target_user=user.pk,
          usable=password is not None)


def do_set_supervision(actor, supervisor, clinician_ids) -> None:
    """Replace whom `supervisor` supervises. It changes what the supervisor sees (the
    clinicians' own view does not change): their live sockets reload."""
    before = set(supervisor.supervises.values_list("id", flat=True))
    wanted = set(clinician_ids)
    if wanted == before:
        return
    supervisor.supervises.set(wanted)
    log.access_changed(supervisor.practice_id, [supervisor.pk])
    audit_by(actor, "staff.supervision_changed", practice_id=supervisor.practice_id,
          target_user=supervisor.pk, before=sorted(before), after=sorted(wanted))


def end_sessions(user_id: int, *, keep: str | None = None) -> int:
    """Delete every unexpired session of `user_id` but `keep`; returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    if keep:
        rows = rows.exclude(session_key=keep)
    theirs = [key for key, data in rows.values_list("session_key", "session_data").iterator()
              if str(store().decode(data).get(SESSION_KEY)) == str(user_id)]
    return store.get_model_class().objects.filter(session_key__in=theirs).delete()[0]
