"""Staff and portal accounts in the admin: roles, supervision, deactivation and passwords,
each through its action (server.actions), audited and live."""

import copy
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from rules.roles import ROLES
from server.actions.people import (do_add_staff, do_edit_user, do_set_active, do_set_password,
                                   do_set_supervision)
from server.actions.practice import do_set_roles
from server.admin.scoping import PracticeScoped, changed_fields, take_back
from server.admin.site import site
from server.actor import Actor
from server.models import StaffRole, User

PLAIN_FIELDS = ["username", "name", "email", "is_superuser"]


class StaffCreationForm(UserCreationForm):
    """New accounts made here are staff; a client's account comes from their invitation."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "name", "email"]


class AccountChangeForm(UserChangeForm):
    """A staff or portal account; roles and supervision appear for staff only."""

    roles = forms.MultipleChoiceField(choices=[(r, r.replace("_", " ")) for r in ROLES],
                                      required=False, widget=forms.CheckboxSelectMultiple)

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != User.STAFF:
            del self.fields["roles"]  # declared, so on the form whatever the fieldsets say
        elif self.instance.pk:
            self.initial["roles"] = sorted(StaffRole.objects.filter(user=self.instance)
                                           .values_list("role", flat=True))


class SetPasswordForm(AdminPasswordChangeForm):
    """Sets the password through `do_set_password`: the user's other sessions end, their
    sockets close, and the audit row says a password was set (never which)."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def save(self, commit=True):
        own = self.user.pk == self.request.user.pk
        usable = self.cleaned_data["set_usable_password"]
        do_set_password(Actor.from_request(self.request), self.user,
                        self.cleaned_data["password1"] if usable else None,
                        keep_session=self.request.session.session_key if own else None)
        return self.user


@admin.register(User, site=site)
class CairnUserAdmin(PracticeScoped, UserAdmin):
    form = AccountChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "name", "kind", "practice", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["username", "name", "email"]
    filter_horizontal = ["supervises"]
    actions = ["deactivate"]
    add_fieldsets = [(None, {"classes": ["wide"],
                             "fields": ["username", "name", "email", "practice",
                                        "password1", "password2"]})]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        account = ("Account", {"fields": ["username", "password", "is_active", "last_login"]})
        staff_only = ["roles", "supervises"] if obj.kind == User.STAFF else []
        cairn = ("Cairn", {"fields": ["practice", "kind", "name", "email", *staff_only]})
        if request.user.is_superuser:
            return [account, cairn, ("Django", {"fields": ["is_superuser"]})]
        return [account, cairn]

    def get_readonly_fields(self, request, obj=None):
        # A staff account never becomes a client's, nor the other way round.
        return [*super().get_readonly_fields(request, obj), "last_login",
                *(["kind"] if obj is not None else [])]

    def get_queryset(self, request):
        # A superuser's account is out of a practice admin's reach (its password, above all).
        rows = super().get_queryset(request)
        return rows if request.user.is_superuser else rows.filter(is_superuser=False)

    def get_list_filter(self, request):
        return ["kind", "is_active", "practice"] if request.user.is_superuser else self.list_filter

    def save_model(self, request, obj, form, change):
        self.in_practice(request, obj)
        by = Actor.from_request(request)
        if not change:
            do_add_staff(by, obj)
            return
        active = take_back(obj, form, "is_active")
        do_edit_user(by, obj, changed_fields(form, PLAIN_FIELDS))
        if "is_active" in form.changed_data:
            do_set_active(by, obj, active)

    def save_related(self, request, form, formsets, change):
        roles = form.cleaned_data.pop("roles", None)
        supervises = form.cleaned_data.pop("supervises", None)
        super().save_related(request, form, formsets, change)
        user = form.instance
        by = Actor.from_request(request)
        if "roles" in form.changed_data:
            do_set_roles(by, user, sorted(set(roles)))
        if "supervises" in form.changed_data:
            do_set_supervision(by, user, [u.pk for u in supervises])

    def user_change_password(self, request, id, form_url=""):
        # Django's view builds `change_password_form(user, data)`; ours needs the request too.
        # A copy of this (shared) ModelAdmin carries it for this one request.
        bound = copy.copy(self)
        bound.change_password_form = partial(SetPasswordForm, request=request)
        return UserAdmin.user_change_password(bound, request, id, form_url)

    @admin.action(description="Deactivate the selected accounts (their sessions end)")
    def deactivate(self, request, queryset):
        by = Actor.from_request(request)
        for user in queryset.exclude(pk=request.user.pk):
            do_set_active(by, user, False)
        if queryset.filter(pk=request.user.pk).exists():
            messages.warning(request, "You cannot deactivate your own account here.")
