from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    ApiToken,
    AttorneyProfile,
    AuditEvent,
    Court,
    CourtClosure,
    CourtMembership,
    User,
)
from .services import api_token_revoke


class CourtClosureInline(admin.TabularInline):
    model = CourtClosure
    extra = 0
    fields = ["date", "reason", "declared_by"]
    readonly_fields = ["declared_by"]


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "time_zone",
        "case_number_format",
        "holiday_subdivision",
        "is_active",
    ]
    search_fields = ["code", "name"]
    inlines = [CourtClosureInline]

    def save_formset(self, request, form, formset, change):
        for closure in formset.save(commit=False):
            if closure.declared_by_id is None:
                closure.declared_by = request.user
            closure.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()


class CourtMembershipInline(admin.TabularInline):
    model = CourtMembership
    extra = 0
    fields = ["court", "is_default"]


class AttorneyProfileInline(admin.StackedInline):
    model = AttorneyProfile
    extra = 0
    max_num = 1


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_superuser", "memberships__court"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Court role", {"fields": ["role", "phone", "preferred_language"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Court role", {"fields": ["role", "first_name", "last_name", "email"]}),
    ]
    inlines = [CourtMembershipInline, AttorneyProfileInline]

    def has_delete_permission(self, request, obj=None):
        return False  # users are deactivated, never deleted: the audit trail points at them


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "occurred_at",
        "actor_username",
        "action",
        "outcome",
        "object_repr",
        "case_number",
        "ip_address",
    ]
    list_filter = ["outcome", "court", "action"]
    search_fields = ["actor_username", "action", "case_number", "object_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, actor=request.user)
