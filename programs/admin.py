"""Back-office configuration of diversion programs: each court's programs with their phases
and eligibility criteria (criteria as data, checked by programs.eligibility before they are
saved), each phase's requirements, and the service sites where participants serve.

The participant's records (referrals, screenings, enrollments, events, flags, responses)
change only through programs.services and the program pages, which keep the docket, the
audit trail and the history; they are not edited here.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .eligibility import PARAMS_EXAMPLES
from .models import (
    CriterionKind,
    EligibilityCriterion,
    PhaseRequirement,
    Program,
    ProgramPhase,
    ServiceSite,
)


def params_help() -> str:
    """One example of the params of each kind, for the params field."""
    return format_html_join(
        "",
        "<br>{}: <code>{}</code>",
        (
            (CriterionKind(kind).label, json.dumps(example))
            for kind, example in PARAMS_EXAMPLES.items()
        ),
    )


class EligibilityCriterionForm(forms.ModelForm):
    """The params are checked by EligibilityCriterion.clean (programs.eligibility
    .criterion_params_errors) when the form validates: a wrong one is an error on the params
    field, and nothing is saved."""

    class Meta:
        model = EligibilityCriterion
        fields = ["position", "kind", "params", "on_fail", "description", "is_active"]
        widgets = {"params": forms.Textarea(attrs={"rows": 3, "cols": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["params"].help_text = format_html(
            "Parameters as JSON, for example:{}", params_help()
        )


class EligibilityCriterionInline(admin.StackedInline):
    model = EligibilityCriterion
    form = EligibilityCriterionForm
    extra = 0
    ordering = ["position", "id"]


class ProgramPhaseInline(admin.TabularInline):
    model = ProgramPhase
    extra = 0
    fields = ["number", "name", "min_days", "clean_days_required", "description"]
    show_change_link = True  # the phase's page holds its requirements
    ordering = ["number"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "court", "kind", "capacity", "fee_amount", "is_active"]
    list_filter = ["court", "kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["court"]
    filter_horizontal = ["coordinators"]
    readonly_fields = ["created_at"]
    inlines = [ProgramPhaseInline, EligibilityCriterionInline]


class PhaseRequirementInline(admin.TabularInline):
    model = PhaseRequirement
    extra = 0
    fields = ["position", "kind", "name", "quantity", "period_days"]
    ordering = ["position", "id"]


@admin.register(ProgramPhase)
class ProgramPhaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "min_days", "clean_days_required"]
    list_filter = ["program__court", "program"]
    search_fields = ["name", "program__name"]
    list_select_related = ["program"]
    inlines = [PhaseRequirementInline]


@admin.register(ServiceSite)
class ServiceSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "address", "contact", "is_active"]
    list_filter = ["court", "is_active"]
    search_fields = ["name", "address"]

    def has_delete_permission(self, request, obj=None):
        return False  # service events name their site; end a site with `is active`
