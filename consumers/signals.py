"""Changes made outside the actions — Django's admin, a shell — reach live sockets too.

Role rows, assignments, supervision, the portal switch and deactivation are watched with model
signals; each tells the affected users' sockets (after commit) to reload what they may see, or
closes them. These pushes are live only (no event rows): the actions log their own
`access.changed` events, and a socket that was away simply reads its facts anew on connect.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from server import events
from server.models import Client, Practice, StaffRole, User

_UID = "cairn-live-"


def connect() -> None:
    """Connect the receivers (idempotent)."""
    post_save.connect(_role_changed, sender=StaffRole, dispatch_uid=_UID + "role-save")
    post_delete.connect(_role_changed, sender=StaffRole, dispatch_uid=_UID + "role-delete")
    m2m_changed.connect(_clinicians_changed, sender=Client.clinicians.through,
                        dispatch_uid=_UID + "clinicians")
    m2m_changed.connect(_supervision_changed, sender=User.supervises.through,
                        dispatch_uid=_UID + "supervision")
    pre_save.connect(_practice_saving, sender=Practice, dispatch_uid=_UID + "practice-pre")
    post_save.connect(_practice_saved, sender=Practice, dispatch_uid=_UID + "practice-post")
    post_save.connect(_user_saved, sender=User, dispatch_uid=_UID + "user")


def _with_supervisors(user_ids) -> set:
    ids = set(user_ids)
    return ids | set(User.supervises.through.objects.filter(to_user_id__in=ids)
                     .values_list("from_user_id", flat=True))


def _tell(user_ids) -> None:
    events.recheck_sockets(sorted(user_ids))


def _role_changed(sender, instance, **kwargs):
    # A clinician's role also decides what their supervisors see.
    _tell(_with_supervisors([instance.user_id]))


def _clinicians_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # Remember who is about to be cleared; post_clear no longer knows.
        instance._cairn_cleared = (set(instance.assigned_clients.values_list("pk", flat=True))
                                   if reverse else set(instance.clinicians.values_list("pk", flat=True)))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    ids = set(pk_set or ()) or getattr(instance, "_cairn_cleared", set())
    clinicians = {instance.pk} if reverse else ids
    _tell(_with_supervisors(clinicians))


def _supervision_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        instance._cairn_cleared = (set(instance.supervisors.values_list("pk", flat=True))
                                   if reverse else {instance.pk})
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # The supervisor's view changes; forward, that is `instance`; reverse, the `pk_set`.
    if action == "post_clear":
        _tell(getattr(instance, "_cairn_cleared", set()))
    else:
        _tell(set(pk_set or ()) if reverse else {instance.pk})


def _practice_saving(sender, instance, **kwargs):
    before = Practice.objects.filter(pk=instance.pk).values_list("portal_enabled", flat=True).first()
    instance._cairn_portal_before = before


def _practice_saved(sender, instance, created, **kwargs):
    if not created and getattr(instance, "_cairn_portal_before", None) != instance.portal_enabled:
        events.portal_switched(instance.pk)


def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or instance.is_active:
        return
    if update_fields is None or "is_active" in update_fields:
        events.close_user_sockets(instance.pk)
