from django.contrib import admin
from guardian.admin import GuardedModelAdminMixin

from .models import Case, CaseType, EventCode, Person


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "court", "category", "default_confidentiality", "is_active"]
    list_filter = ["court", "category", "is_active"]
    search_fields = ["code", "name"]


@admin.register(EventCode)
class EventCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "court", "default_confidentiality", "is_active"]
    list_filter = ["court", "is_active", "default_confidentiality"]
    search_fields = ["code", "description"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "date_of_birth", "city", "created_at"]
    list_filter = ["kind", "is_government_agency", "interpreter_needed"]
    search_fields = ["search_name"]
    readonly_fields = ["search_name", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # people are parties to case records


@admin.register(Case)
class CaseAdmin(GuardedModelAdminMixin, admin.ModelAdmin):
    """Read-only view for administrators; per-case grants (view_sealed_case) are managed here.

    Cases change only through the services (intake, transitions, sealing), which
    keep the register of actions and the audit trail.
    """

    list_display = [
        "number",
        "caption",
        "court",
        "case_type",
        "status",
        "confidentiality",
        "filed_on",
    ]
    list_filter = ["court", "status", "confidentiality", "case_type__category"]
    search_fields = ["number", "caption"]
    list_select_related = ["court", "case_type"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
