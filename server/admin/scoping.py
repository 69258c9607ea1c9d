"""What every model page of the admin shares: it holds the admin's own practice only, and it
deletes nothing (a page that may delete something says so itself)."""

from server.live import log
from server.admin.site import may_administer
from server.models import Client, Practice, Topic, User


class PracticeScoped:
    """Limits a ModelAdmin to the signed-in practice admin's practice (superusers: everything).

    `practice_path` is the lookup from the model to its practice. Saving goes through the
    actions: subclasses implement `save_model`/`save_related` with them.
    """

    practice_path = "practice"

    def _allowed(self, request) -> bool:
        return may_administer(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        # Clients, staff, threads and messages hold history: deactivate instead.
        return False

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{self.practice_path: request.user.practice_id})

    def get_readonly_fields(self, request, obj=None):
        # Nothing moves between practices; a practice admin's additions land in their own.
        return ["practice"] if obj is not None or not request.user.is_superuser else []

    def _limit(self, request, field):
        """Choices of a relation field, cut to the admin's practice."""
        if request.user.is_superuser:
            return None
        practice_id = request.user.practice_id
        model = field.related_model
        if model is Practice:
            return Practice.objects.filter(pk=practice_id)
        if model is User:
            users = User.objects.filter(practice_id=practice_id)
            return users.filter(kind=field.remote_field.limit_choices_to.get("kind")) \
                if field.remote_field.limit_choices_to else users
        if model in (Client, Topic):
            return model.objects.filter(practice_id=practice_id)
        return None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limited = self._limit(request, db_field)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limited = self._limit(request, db_field)
        if limited is not None:
            kwargs["queryset"] = limited
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def in_practice(self, request, obj) -> None:
        """A practice admin's addition belongs to their practice, whatever the form said; the
        practice's event log is held before any change, as the API's writes do."""
        if obj.pk is None and not request.user.is_superuser:
            obj.practice_id = request.user.practice_id
        if obj.practice_id is not None:
            log.hold_log(obj.practice_id)


def take_back(obj, form, field: str):
    """The value the form put on `obj.field`, with `obj` set back to what it held, so that
    an action (which compares) applies the change itself."""
    wanted = getattr(obj, field)
    setattr(obj, field, form.initial.get(field, wanted))
    return wanted


def changed_fields(form, names) -> list:
    return [name for name in names if name in form.changed_data]
