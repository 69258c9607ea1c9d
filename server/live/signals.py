"""Changes made outside the actions — a shell, a data fix — reach live sockets too.

Role rows, assignments, supervision, the portal switch, the two-step sign-in requirement and
deactivation are watched with model signals; each tells the affected users' sockets (after
commit) to reload what they may see, or closes them. These pushes are live only (no event
rows): the actions log their own `access.changed` events, and a socket that was away simply
reads its facts anew on connect.
They are the net under the actions, not a second way in: every change the API or the admin
site makes goes through an action.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from server.live import publish
from server.models import Client, Practice, StaffRole, User

_UID = "cairn-live-"


def connect() -> None:
    """Connect the receivers (idempotent). They run no query: who else is affected (supervisors)
    is looked up after commit, by the push itself."""
    post_save.connect(_role_changed, sender=StaffRole, dispatch_uid=_UID + "role-save")
    post_delete.connect(_role_changed, sender=StaffRole, dispatch_uid=_UID + "role-delete")
    m2m_changed.connect(_clinicians_changed, sender=Client.clinicians.through,
                        dispatch_uid=_UID + "clinicians")
    m2m_changed.connect(_supervision_changed, sender=User.supervises.through,
                        dispatch_uid=_UID + "supervision")
    post_save.connect(_practice_saved, sender=Practice, dispatch_uid=_UID + "practice")
    post_save.connect(_user_saved, sender=User, dispatch_uid=_UID + "user")


def _role_changed(sender, instance, **kwargs):
    # A clinician's role also decides what their supervisors see.
    publish.recheck_sockets([instance.user_id], with_supervisors=True)


def _clinicians_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        # Remember who is about to be cleared; post_clear no longer knows.
        related = instance.assigned_clients if reverse else instance.clinicians
        instance._cairn_cleared = set(related.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # `instance` is the clinician
        clinicians = {instance.pk}
    else:
        clinicians = set(pk_set or ()) or getattr(instance, "_cairn_cleared", set())
    publish.recheck_sockets(clinicians, with_supervisors=True)


def _supervision_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        instance._cairn_cleared = (set(instance.supervisors.values_list("pk", flat=True))
                                   if reverse else {instance.pk})
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # The supervisor's view changes: forward, that is `instance`; reverse, the `pk_set`.
    if action == "post_clear":
        publish.recheck_sockets(getattr(instance, "_cairn_cleared", set()))
    else:
        publish.recheck_sockets(set(pk_set or ()) if reverse else {instance.pk})


def _practice_saved(sender, instance, created, update_fields=None, **kwargs):
    # Client sockets recheck the portal switch on any save that may have touched it.
    if not created and (update_fields is None or "portal_enabled" in update_fields):
        publish.portal_switched(instance.pk)
    # Staff sockets recheck when two-step sign-in may have become required.
    if (not created and instance.require_two_factor
            and (update_fields is None or "require_two_factor" in update_fields)):
        publish.two_factor_required(instance.pk)


def _user_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or instance.is_active:
        return
    if update_fields is None or "is_active" in update_fields:
        publish.close_user_sockets(instance.pk)
