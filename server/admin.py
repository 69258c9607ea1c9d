"""Django's admin for practice admins: staff and their roles, clients and their clinicians,
supervision and topics. Changes apply at once: every request reads roles and assignments anew."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from server.models import Client, Practice, StaffRole, Topic, User


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "portal_enabled"]
    inlines = [TopicInline]


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(User)
class CairnUserAdmin(UserAdmin):
    list_display = ["username", "name", "kind", "practice", "is_active"]
    list_filter = ["kind", "practice", "is_active"]
    search_fields = ["username", "name", "email"]
    fieldsets = UserAdmin.fieldsets + (
        ("Cairn", {"fields": ["practice", "kind", "name", "supervises", "email_audiences"]}),
    )
    filter_horizontal = ["supervises", "groups", "user_permissions"]
    inlines = [StaffRoleInline]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "email", "user"]
    list_filter = ["practice"]
    search_fields = ["name", "email"]
    filter_horizontal = ["clinicians"]
    raw_id_fields = ["user"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "practice"]
    list_filter = ["practice"]
