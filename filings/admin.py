"""Back office: filing types and rejection reasons are configuration (data per court);
documents and filings are records, shown read-only (they change only through services)."""

from django.contrib import admin

from . import notice_admin  # noqa: F401  (notice templates and notices: registered there)
from .models import Document, Filing, FilingType, RejectionReason


@admin.register(FilingType)
class FilingTypeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "court",
        "event_code",
        "needs_review",
        "efiling_allowed",
        "is_active",
    ]
    list_filter = ["court", "needs_review", "efiling_allowed", "is_active"]
    search_fields = ["code", "name", "event_code"]
    list_select_related = ["court"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: filings refer to their type


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "court", "requires_note", "is_active"]
    list_filter = ["court", "requires_note", "is_active"]
    search_fields = ["code", "text"]
    list_select_related = ["court"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: rejected filings refer to their reason


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "title",
        "case",
        "kind",
        "confidentiality",
        "page_count",
        "size_bytes",
        "created_at",
    ]
    list_filter = ["kind", "confidentiality", "case__court"]
    search_fields = ["title", "case__number", "sha256"]
    list_select_related = ["case"]
    raw_id_fields = ["case", "original", "uploaded_by"]


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "case",
        "filing_type",
        "status",
        "doc_number",
        "channel",
        "filed_by",
        "submitted_at",
    ]
    list_filter = ["status", "channel", "case__court", "filing_type__code"]
    search_fields = ["case__number", "document__title"]
    list_select_related = ["case", "filing_type", "filed_by", "document"]
    raw_id_fields = ["case", "document", "stamped_document", "docket_entry"]
