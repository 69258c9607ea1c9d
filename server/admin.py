"""Django's admin at /admin/, for practice admins: staff and their roles, clients and their
clinicians, supervision and topics — of their own practice only.

A practice admin (the `practice_admin` role) signs in here with their usual account; a superuser
sees every practice. Changes apply at once: requests read roles and assignments anew, and model
signals tell live sockets to reload (consumers.signals).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserCreationForm

from rules.roles import PRACTICE_ADMIN
from server.actions.practice_settings import do_update_practice_settings
from server.models import Client, Practice, StaffRole, Topic, User
from server.practice_settings import SETTINGS, setting_problems


def is_practice_admin(user) -> bool:
    return (user.is_active and user.kind == User.STAFF and user.practice_id is not None
            and StaffRole.objects.filter(user_id=user.pk, role=PRACTICE_ADMIN).exists())


class CairnAdminSite(admin.AdminSite):
    site_header = "Cairn administration"
    site_title = "Cairn"
    index_title = "Your practice"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or is_practice_admin(user))


site = CairnAdminSite(name="admin")


class PracticeScoped:
    """Limits a ModelAdmin to the signed-in practice admin's practice (superusers: everything).

    `practice_path` is the lookup from the model to its practice.
    """

    practice_path = "practice"

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or is_practice_admin(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        return rows.filter(**{self.practice_path: request.user.practice_id})

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

    def save_model(self, request, obj, form, change):
        # A practice admin's additions belong to their practice, whatever the form said.
        if not request.user.is_superuser and hasattr(obj, "practice_id"):
            obj.practice_id = request.user.practice_id
        super().save_model(request, obj, form, change)


class TopicInline(PracticeScoped, admin.TabularInline):
    model = Topic
    extra = 0


class PracticeForm(forms.ModelForm):
    """The practice, its safety settings checked as PUT /api/practice checks them."""

    class Meta:
        model = Practice
        fields = ["name", "portal_enabled", *SETTINGS]

    def clean(self):
        data = super().clean()
        given = {key: data[key] for key in SETTINGS if key in data}
        cleaned, problems = setting_problems(given)
        for problem in problems:
            field = problem.field.split(".")[0].split("[")[0]
            if field in self.fields and field not in self.errors:
                self.add_error(field, problem.message)
        data.update(cleaned)
        return data


@admin.register(Practice, site=site)
class PracticeAdmin(PracticeScoped, admin.ModelAdmin):
    practice_path = "pk"
    list_display = ["name", "portal_enabled"]
    inlines = [TopicInline]
    form = PracticeForm
    fieldsets = [
        (None, {"fields": ["name", "portal_enabled"]}),
        ("Safety", {"fields": ["guidelines", "timezone", "hours", "after_hours_reply",
                               "crisis_resources"]}),
        ("Sign-in", {"fields": ["require_two_factor"]}),
    ]

    def save_model(self, request, obj, form, change):
        if change:  # the settings change through their action, audited like the API's
            stored = Practice.objects.get(pk=obj.pk)
            do_update_practice_settings(stored, {key: getattr(obj, key) for key in SETTINGS},
                                        request=request)
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class StaffRoleInline(PracticeScoped, admin.TabularInline):
    model = StaffRole
    practice_path = "user__practice"
    extra = 0


class CairnUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "name", "kind"]


@admin.register(User, site=site)
class CairnUserAdmin(PracticeScoped, UserAdmin):
    add_form = CairnUserCreationForm
    list_display = ["username", "name", "kind", "practice", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "name", "email"]
    filter_horizontal = ["supervises"]
    inlines = [StaffRoleInline]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["username", "name", "kind", "practice",
                                        "password1", "password2"]})]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        cairn = ("Cairn", {"fields": ["practice", "kind", "name", "email", "supervises",
                                      "email_audiences"]})
        account = ("Account", {"fields": ["username", "password", "is_active", "last_login"]})
        if request.user.is_superuser:
            powers = ("Django", {"fields": ["is_staff", "is_superuser", "groups",
                                            "user_permissions"]})
            return [account, cairn, powers]
        return [account, cairn]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser moves people between practices or grants Django powers.
        return ["last_login"] if request.user.is_superuser else ["last_login", "practice"]

    def get_list_filter(self, request):
        return ["kind", "is_active", "practice"] if request.user.is_superuser else self.list_filter


@admin.register(Client, site=site)
class ClientAdmin(PracticeScoped, admin.ModelAdmin):
    list_display = ["name", "email", "user"]
    search_fields = ["name", "email"]
    filter_horizontal = ["clinicians"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["practice"]

    def get_raw_id_fields(self, request):
        # A raw id would let any account be typed in; a practice admin picks from their own.
        return self.raw_id_fields if request.user.is_superuser else []


@admin.register(Topic, site=site)
class TopicAdmin(PracticeScoped, admin.ModelAdmin):
    list_display = ["name", "subject"]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["practice"]
