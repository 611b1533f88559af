"""Back office for notices: the court's notice wording (versioned), issued notices (read only).

Registered when imported: filings/admin.py does ``from . import notice_admin  # noqa: F401``.
"""

from __future__ import annotations

from django.contrib import admin, messages

from .models.notices import COMMON_FIELDS, KIND_FIELDS, Notice, NoticeBatch, NoticeTemplate
from .notices import notice_template_revise


def _names_help() -> str:
    common = ", ".join(f.name for f in COMMON_FIELDS)
    per_kind = "; ".join(
        f"{kind}: {', '.join(f.name for f in fields)}" for kind, fields in KIND_FIELDS.items()
    )
    return f"Every notice: {common}. Per kind — {per_kind}."


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    """Saving never changes a version in place: every save is a new, active version."""

    list_display = ("court", "kind", "language", "version", "is_active", "created_at")
    list_filter = ("court", "kind", "language", "is_active")
    search_fields = ("subject", "body")
    fields = ("court", "kind", "language", "subject", "body", "version", "is_active")
    readonly_fields = ("version", "is_active")

    def get_readonly_fields(self, request, obj=None):
        # An existing version's court, kind and language stay; only its wording is revised.
        fixed = ("court", "kind", "language") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "body" in form.base_fields:
            form.base_fields["body"].help_text = (
                "Plain text; a blank line starts a paragraph. " + _names_help()
            )
        return form

    def save_model(self, request, obj, form, change):
        revised = notice_template_revise(
            court=obj.court,
            kind=obj.kind,
            language=obj.language,
            subject=obj.subject,
            body=obj.body,
            revised_by=request.user,
        )
        obj.pk, obj.version, obj.is_active = revised.pk, revised.version, True
        obj._state.adding = False
        messages.info(request, f"Saved as version {revised.version}; earlier versions are kept.")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case", "status", "issued_at", "rendered_at")
    list_filter = ("kind", "status")
    search_fields = ("case__number",)
    list_select_related = ("case",)
    raw_id_fields = ("case", "template", "document", "docket_entry", "batch")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeBatch)
class NoticeBatchAdmin(NoticeAdmin):
    list_display = ("__str__", "court", "status", "done", "failed", "total", "created_at")
    list_filter = ("kind", "status", "court")
    search_fields = ()
    list_select_related = ("court",)
    raw_id_fields = ()
