"""Back-office configuration of the calendar: courtrooms, judge assignments, session
templates (with an action that generates their sessions), sessions, continuance reasons.

Hearings are set, moved and continued through the hearing pages (the services keep the
register, the notices and the history); admin shows them read-only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages

from casemgmt.core.errors import DomainError
from cases.models import court_local_date

from .models import (
    ContinuanceReason,
    Courtroom,
    DeadlineRule,
    DeadlineRuleSet,
    Hearing,
    HearingChange,
    JudgeAssignment,
    Session,
    SessionTemplate,
    SpeedyTrialSettings,
)
from .services import session_generate
from .tasks import weeks_ahead


@admin.register(Courtroom)
class CourtroomAdmin(admin.ModelAdmin):
    list_display = ["name", "court", "location", "is_active"]
    list_filter = ["court", "is_active"]
    search_fields = ["name", "location"]


@admin.register(JudgeAssignment)
class JudgeAssignmentAdmin(admin.ModelAdmin):
    list_display = ["courtroom", "judge", "starts_on", "ends_on"]
    list_filter = ["courtroom__court"]
    autocomplete_fields = ["courtroom"]
    raw_id_fields = ["judge"]


@admin.register(SessionTemplate)
class SessionTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "court",
        "courtroom",
        "hearing_type",
        "weekdays",
        "start_time",
        "end_time",
        "capacity_cases",
        "capacity_minutes",
        "is_active",
    ]
    list_filter = ["court", "is_active", "hearing_type"]
    search_fields = ["name"]
    raw_id_fields = ["judge"]
    actions = ["generate_sessions"]

    @admin.action(description="Generate sessions from today to the configured weeks ahead")
    def generate_sessions(self, request, queryset):
        made = 0
        for template in queryset.select_related("court", "courtroom"):
            today = court_local_date(template.court)
            try:
                made += len(
                    session_generate(
                        template=template,
                        start=today,
                        end=today + dt.timedelta(weeks=weeks_ahead()),
                        by=request.user,
                    )
                )
            except DomainError as exc:
                self.message_user(request, f"{template}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{made} sessions created.", messages.SUCCESS)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "courtroom", "judge", "status", "capacity_cases"]
    list_filter = ["court", "status", "courtroom"]
    date_hierarchy = "date"
    raw_id_fields = ["judge", "template"]


@admin.register(ContinuanceReason)
class ContinuanceReasonAdmin(admin.ModelAdmin):
    list_display = ["label", "code", "court", "requires_note", "is_active"]
    list_filter = ["court", "is_active"]
    search_fields = ["label", "code"]


class HearingChangeInline(admin.TabularInline):
    model = HearingChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "kind", "changed_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Hearing)
class HearingAdmin(admin.ModelAdmin):
    list_display = ["case", "hearing_type", "starts_at", "courtroom", "judge", "status"]
    list_filter = ["court", "status", "hearing_type"]
    date_hierarchy = "date"
    search_fields = ["case__number"]
    inlines = [HearingChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The speedy-trial limits a court applies (18 U.S.C. 3161 by default, or a state's rule):
# data per court. Clocks and excludable periods are recorded through the case's
# speedy-trial page and API (audited), not here.


@admin.register(SpeedyTrialSettings)
class SpeedyTrialSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "court",
        "citation",
        "indictment_days",
        "trial_days",
        "earliest_trial_days",
        "alert_days_remaining",
    ]


# How each court counts time and which docket events open which deadlines: data per court
# (docket.deadline_services installs the defaults). Deadlines themselves are set, met,
# waived and vacated on the case's deadline page and API (audited), not here.


@admin.register(DeadlineRuleSet)
class DeadlineRuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "court", "is_default", "count_court_days_only"]
    list_filter = ["court", "is_default"]
    search_fields = ["name", "code"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = [
        "event_code",
        "name",
        "court",
        "case_category",
        "case_type",
        "period_days",
        "period_hours",
        "direction",
        "trigger",
        "responsible_role",
        "is_active",
    ]
    list_filter = ["court", "event_code", "case_category", "is_active", "is_statutory"]
    search_fields = ["name", "event_code", "citation"]
