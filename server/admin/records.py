"""Clients, topics and the practice itself in the admin, each change through its action."""

from django import forms
from django.contrib import admin
from django.db.models import Q

from rules.roles import CLINICIAN
from server.actions.clients import (do_add_client, do_edit_client, do_link_portal_account,
                                    do_unlink_portal_account)
from server.actions.practice import do_set_clinicians, do_switch_portal
from server.actions.practice_settings import do_update_practice_settings
from server.actions.topics import (do_add_topic, do_delete_topic, do_edit_topic,
                                   do_rename_practice, topic_in_use)
from server.admin.scoping import PracticeScoped, changed_fields, take_back
from server.admin.site import site
from server.actor import Actor
from server.audit import audit
from server.models import Client, Practice, Topic, User
from server.practice_settings import SETTINGS, setting_problems


class ClientForm(forms.ModelForm):
    """The portal account is one of the practice's client accounts that no other client holds;
    clinicians hold the clinician role (as `PUT /api/clients/{id}/clinicians` asks)."""

    class Meta:
        model = Client
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            free = Q(client_record__isnull=True)
            if self.instance.pk:
                free |= Q(client_record=self.instance.pk)
            self.fields["user"].queryset = self.fields["user"].queryset.filter(
                free, kind=User.CLIENT)
        if "clinicians" in self.fields:
            self.fields["clinicians"].queryset = self.fields["clinicians"].queryset.filter(
                role_rows__role=CLINICIAN).distinct()

    def clean(self):
        cleaned = super().clean()
        practice_id = cleaned["practice"].pk if cleaned.get("practice") else self.instance.practice_id
        user = cleaned.get("user")
        people = [*(cleaned.get("clinicians") or []), *([user] if user else [])]
        if practice_id and any(p.practice_id != practice_id for p in people):
            raise forms.ValidationError("Accounts of another practice cannot be chosen.")
        return cleaned


@admin.register(Client, site=site)
class ClientAdmin(PracticeScoped, admin.ModelAdmin):
    form = ClientForm
    fields = ["practice", "name", "email", "user", "clinicians"]
    list_display = ["name", "email", "user"]
    search_fields = ["name", "email"]
    filter_horizontal = ["clinicians"]

    def save_model(self, request, obj, form, change):
        self.in_practice(request, obj)
        # The portal account is the link and unlink actions' to change, not the plain save's.
        account = obj.user
        obj.user_id = form.initial.get("user")
        by = Actor.from_request(request)
        if change:
            do_edit_client(by, obj, changed_fields(form, ["name", "email"]))
        else:
            do_add_client(by, obj)
        if "user" in form.changed_data:
            do_unlink_portal_account(by, obj)
            if account is not None:
                do_link_portal_account(by, obj, account)

    def save_related(self, request, form, formsets, change):
        clinicians = form.cleaned_data.pop("clinicians", None)
        super().save_related(request, form, formsets, change)
        if "clinicians" in form.changed_data:
            do_set_clinicians(Actor.from_request(request), form.instance,
                              sorted(u.pk for u in clinicians))


class TopicForm(forms.ModelForm):
    """Topic names are unique in a practice. The practice is not a field of the form (it is the
    admin's own), so Django would leave that check to the database: made here instead."""

    practice_id = None  # set per request by TopicAdmin.get_form

    class Meta:
        model = Topic
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        practice = cleaned.get("practice")
        practice_id = practice.pk if practice else self.instance.practice_id or self.practice_id
        if Topic.objects.filter(practice_id=practice_id, name=cleaned.get("name")).exclude(
                pk=self.instance.pk).exists():
            self.add_error("name", "The practice has a topic of that name already.")
        return cleaned


@admin.register(Topic, site=site)
class TopicAdmin(PracticeScoped, admin.ModelAdmin):
    form = TopicForm
    fields = ["practice", "name", "subject"]
    list_display = ["name", "subject"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"practice_id": request.user.practice_id})

    def has_delete_permission(self, request, obj=None):
        # Only from the topic's own page, and only while no thread (deleted or not) uses it.
        return obj is not None and self._allowed(request) and not topic_in_use(obj)

    def save_model(self, request, obj, form, change):
        self.in_practice(request, obj)
        by = Actor.from_request(request)
        if change:
            do_edit_topic(by, obj, changed_fields(form, ["name", "subject"]))
        else:
            do_add_topic(by, obj)

    def delete_model(self, request, obj):
        do_delete_topic(Actor.from_request(request), obj)


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
    # Listed, not "all": a setting added to the model is not editable here until it has an
    # action behind it.
    form = PracticeForm
    fieldsets = [
        (None, {"fields": ["name", "portal_enabled"]}),
        ("Safety", {"fields": ["guidelines", "timezone", "hours", "after_hours_reply",
                               "crisis_resources"]}),
        ("Sign-in", {"fields": ["require_two_factor"]}),
    ]
    list_display = ["name", "portal_enabled"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()
            audit(request, "practice.created", practice_id=obj.pk)
            return
        enabled = take_back(obj, form, "portal_enabled")
        name = take_back(obj, form, "name")
        settings = {key: take_back(obj, form, key) for key in SETTINGS}
        by = Actor.from_request(request)
        do_rename_practice(by, obj, name)
        do_switch_portal(by, obj, enabled)
        do_update_practice_settings(by, obj, settings)
