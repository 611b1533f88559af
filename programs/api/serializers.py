"""Shapes of the programs API, in and out. Rules live in programs.services, not here.

Dates are court-local `YYYY-MM-DD`; datetimes ISO 8601 in the court's time zone (context
`tz`); money and quantities are strings with two decimals. Input serializers check only
the shape (types, choices, lengths); every rule of the program is the services' and
answers its own stable code.
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from cases.api.serializers import CourtLocalDateTimeField

from ..models import (
    Attendance,
    ConsentKind,
    CriterionKind,
    DrugTestResult,
    EligibilityOutcome,
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    OnFail,
    ProgramKind,
    ReferralSource,
    ReferralStatus,
    RequirementKind,
    ResponseKind,
    ScreeningDecision,
    TerminationReason,
)


def choice(choices, *, help_text: str = "", **kwargs) -> serializers.CharField:
    """A string that is one of `choices`, refused with the code `invalid_choice`.

    A plain string in the schema (its values in the description) rather than an enum:
    `kind` and `status` name a different set of values on every resource here.
    """
    values = [value for value, _label in choices]

    def one_of(value: str) -> None:
        if value not in values:
            raise serializers.ValidationError(
                f'"{value}" is not one of: {", ".join(values)}.', code="invalid_choice"
            )

    described = f"{help_text} One of: {', '.join(values)}.".strip()
    return serializers.CharField(max_length=40, validators=[one_of], help_text=described, **kwargs)


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter that is absent when not given (DRF reads a missing
    boolean of form or query data as false)."""

    default_empty_html = empty


def decimal_out(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


# --- programs ------------------------------------------------------------------------------


class ProgramRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = choice(RequirementKind.choices)
    name = serializers.CharField()
    quantity = decimal_out()
    period_days = serializers.IntegerField(
        allow_null=True,
        help_text="When set, `quantity` is due in every period of this many days; "
        "otherwise in total over the phase.",
    )


class PhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()
    min_days = serializers.IntegerField(help_text="Shortest time in the phase.")
    clean_days_required = serializers.IntegerField(
        help_text="Days since the last positive or diluted test needed to advance."
    )
    description = serializers.CharField()
    requirements = RequirementSerializer(many=True, source="requirements.all")


class CriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = choice(CriterionKind.choices)
    params = serializers.JSONField(help_text="What the criterion looks at (see its kind).")
    on_fail = choice(OnFail.choices)
    description = serializers.CharField()


class ProgramSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    court = serializers.CharField(source="court.code")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = choice(ProgramKind.choices)
    description = serializers.CharField()
    capacity = serializers.IntegerField(help_text="Participants active at once.")
    duration_days = serializers.IntegerField()
    fee_amount = decimal_out(help_text="Assessed on the case at enrollment (0.00: none).")
    fee_due_days = serializers.IntegerField()
    is_active = serializers.BooleanField()


class ProgramDetailSerializer(ProgramSerializer):
    phases = PhaseSerializer(many=True, source="phases.all")
    criteria = CriterionSerializer(many=True, source="active_criteria")


class ProgramListQuerySerializer(serializers.Serializer):
    court = serializers.SlugField(required=False, max_length=20, help_text="A court's code.")
    kind = choice(ProgramKind.choices, required=False)


class RequirementInputSerializer(serializers.Serializer):
    kind = choice(RequirementKind.choices)
    name = serializers.CharField(max_length=200)
    quantity = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0.01"))
    period_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=3650
    )


class PhaseInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    min_days = serializers.IntegerField(required=False, default=0, min_value=0, max_value=3650)
    clean_days_required = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=3650
    )
    description = serializers.CharField(required=False, default="", allow_blank=True)
    requirements = RequirementInputSerializer(many=True, required=False, default=list)


class CriterionInputSerializer(serializers.Serializer):
    kind = choice(CriterionKind.choices)
    params = serializers.JSONField(required=False, default=dict)
    on_fail = serializers.ChoiceField(
        choices=OnFail.choices, required=False, default=OnFail.INELIGIBLE
    )
    description = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True
    )


class ProgramCreateSerializer(serializers.Serializer):
    court = serializers.SlugField(max_length=20, help_text="The court's code.")
    code = serializers.SlugField(max_length=20, help_text="Short name, unique in the court.")
    name = serializers.CharField(max_length=200)
    kind = choice(ProgramKind.choices)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=100000)
    duration_days = serializers.IntegerField(min_value=1, max_value=3650)
    fee_amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, default=Decimal("0.00")
    )
    fee_due_days = serializers.IntegerField(required=False, default=90, min_value=0)
    phases = PhaseInputSerializer(many=True, help_text="In order: phase 1 first.")
    criteria = CriterionInputSerializer(many=True, required=False, default=list)

    def validate_phases(self, value):
        if not value:
            raise serializers.ValidationError(
                "A program has at least one phase.", code="PHASE_REQUIRED"
            )
        return value


# --- referrals -----------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="person.display_name")
    role = serializers.CharField()


class ReferralSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = ProgramRefSerializer()
    court = serializers.CharField(source="program.court.code")
    case = serializers.CharField(source="case.number", help_text="The case number.")
    participant = ParticipantSerializer()
    source = choice(ReferralSource.choices)
    referred_by = serializers.CharField(source="referred_by.username")
    referred_on = serializers.DateField()
    reason = serializers.CharField()
    status = choice(ReferralStatus.choices)
    status_date = serializers.DateField()
    enrollment = serializers.SerializerMethodField(help_text="The enrollment's id, if any.")

    def get_enrollment(self, referral) -> int | None:
        # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError).
        enrollment = getattr(referral, "enrollment", None)
        return None if enrollment is None else enrollment.pk


class CriterionResultSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField()
    description = serializers.CharField()
    on_fail = serializers.CharField()
    outcome = serializers.CharField(help_text="met, not_met or needs_review.")
    reason = serializers.CharField(help_text="Why, in a sentence.")


class ScreeningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    outcome = serializers.ChoiceField(
        choices=EligibilityOutcome.choices, help_text="The engine's outcome."
    )
    decision = serializers.ChoiceField(
        choices=ScreeningDecision.choices, help_text="The coordinator's decision."
    )
    decision_reason = serializers.CharField()
    notes = serializers.CharField()
    results = serializers.SerializerMethodField(help_text="Each criterion, in order.")
    screened_by = serializers.CharField(source="screened_by.username")
    screened_at = CourtLocalDateTimeField()

    @extend_schema_field(CriterionResultSerializer(many=True))
    def get_results(self, screening) -> list[dict]:
        return [
            {
                "criterion": r.get("criterion"),
                "kind": r.get("kind", ""),
                "description": r.get("description", ""),
                "on_fail": r.get("on_fail", ""),
                "outcome": r.get("outcome", ""),
                "reason": r.get("reason", ""),
            }
            for r in (screening.results or [])
            if isinstance(r, dict)
        ]


class ScreeningResultSerializer(ScreeningSerializer):
    referral_status = serializers.CharField(
        source="referral.status", help_text="The referral's status after the screening."
    )


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice(ConsentKind.choices)
    given_on = serializers.DateField()
    note = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username")
    recorded_at = CourtLocalDateTimeField()


class ReferralDetailSerializer(ReferralSerializer):
    screenings = ScreeningSerializer(many=True, source="screenings.all")
    consents = ConsentSerializer(many=True, source="consents.all")


class ReferralListQuerySerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False, min_value=1, help_text="A program's id.")
    status = choice(ReferralStatus.choices, required=False)
    case = serializers.CharField(required=False, max_length=40, help_text="A case number.")


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=40, help_text="The case number.")
    court = serializers.SlugField(
        required=False, max_length=20, help_text="The court's code, when two share the number."
    )
    participant = serializers.IntegerField(
        min_value=1, help_text="The id of the case party referred (a defendant, respondent, child)."
    )
    program = serializers.IntegerField(min_value=1, help_text="The program's id.")
    source = choice(ReferralSource.choices)
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)


class ScreenSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ScreeningDecision.choices,
        required=False,
        allow_null=True,
        help_text="Default: the engine's outcome. Required when the engine needs review.",
    )
    decision_reason = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=4000,
        help_text="Required when the decision overrides the engine or settles a review.",
    )
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)


class ConsentCreateSerializer(serializers.Serializer):
    kind = choice(ConsentKind.choices)
    given_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=300)


class ReferralReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class EnrollSerializer(serializers.Serializer):
    enrolled_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today."
    )


# --- enrollments ---------------------------------------------------------------------------


class PhaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    name = serializers.CharField()


class EnrollmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    program = ProgramRefSerializer()
    court = serializers.CharField(source="program.court.code")
    case = serializers.CharField(source="case.number", help_text="The case number.")
    participant = ParticipantSerializer()
    referral = serializers.IntegerField(source="referral_id")
    status = choice(EnrollmentStatus.choices)
    waitlisted_at = CourtLocalDateTimeField(allow_null=True)
    enrolled_on = serializers.DateField(allow_null=True)
    phase = PhaseRefSerializer(allow_null=True)
    phase_started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    termination_reason = serializers.CharField(help_text="Terminated: why (else empty).")
    outcome_note = serializers.CharField()
    open_flags = serializers.IntegerField(source="open_flag_count", help_text="Open flags.")


class RequirementProgressSerializer(serializers.Serializer):
    requirement = serializers.IntegerField(source="requirement.pk")
    kind = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    required = decimal_out()
    done = decimal_out()
    expected_by_now = decimal_out()
    percent = serializers.IntegerField()
    behind = serializers.BooleanField()
    period_start = serializers.DateField(
        allow_null=True, help_text="Per-period requirements: the current period's first day."
    )


class ProgressSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    days_in_phase = serializers.IntegerField()
    min_days = serializers.IntegerField()
    clean_days = serializers.IntegerField(
        allow_null=True, help_text="Days since the last positive or diluted test."
    )
    ready_to_advance = serializers.BooleanField()
    blockers = serializers.ListField(child=serializers.CharField())
    requirements = RequirementProgressSerializer(many=True)


class ComplianceFlagSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice(FlagKind.choices)
    detail = serializers.CharField()
    raised_on = serializers.DateField()
    event = serializers.IntegerField(source="event_id", allow_null=True)
    notice = serializers.IntegerField(source="notice_id", allow_null=True)
    status = choice(FlagStatus.choices)
    resolved_on = serializers.DateField(allow_null=True)
    resolution_note = serializers.CharField()


class EnrollmentDetailSerializer(EnrollmentSerializer):
    fee_obligation = serializers.IntegerField(source="fee_obligation_id", allow_null=True)
    progress = serializers.SerializerMethodField(
        help_text="Active enrollments: the current phase's requirements (else null)."
    )
    flags = ComplianceFlagSerializer(many=True, source="open_flags", help_text="The open flags.")

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_progress(self, enrollment) -> dict | None:
        progress = self.context.get("progress")
        return None if progress is None else ProgressSerializer(progress).data


class EnrollmentListQuerySerializer(serializers.Serializer):
    program = serializers.IntegerField(required=False, min_value=1, help_text="A program's id.")
    status = choice(EnrollmentStatus.choices, required=False)
    phase = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="The phase's number."
    )
    has_open_flags = QueryBooleanField(
        required=False, help_text="true: only those with open flags; false: only those without."
    )
    case = serializers.CharField(required=False, max_length=40, help_text="A case number.")


class SiteRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice(RequirementKind.choices)
    requirement = serializers.IntegerField(source="requirement_id", allow_null=True)
    occurred_on = serializers.DateField()
    drug_test_result = serializers.CharField()
    substances = serializers.CharField()
    attendance = serializers.CharField()
    hours = decimal_out(allow_null=True)
    site = SiteRefSerializer(allow_null=True)
    supervisor_name = serializers.CharField()
    completed = serializers.BooleanField()
    notes = serializers.CharField()
    voids = serializers.IntegerField(
        source="voids_id", allow_null=True, help_text="The event this one voids."
    )
    voided_by = serializers.SerializerMethodField(help_text="The event voiding this one.")
    recorded_by = serializers.CharField(source="recorded_by.username")
    recorded_at = CourtLocalDateTimeField()

    def get_voided_by(self, event) -> int | None:
        # The reverse one-to-one raises RelatedObjectDoesNotExist (an AttributeError).
        voiding = getattr(event, "voided_by", None)
        return None if voiding is None else voiding.pk


class ServiceEventCreateSerializer(serializers.Serializer):
    kind = choice(RequirementKind.choices)
    occurred_on = serializers.DateField(help_text="Court-local date.")
    requirement = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A requirement of the program."
    )
    drug_test_result = serializers.ChoiceField(
        choices=DrugTestResult.choices, required=False, default="", allow_blank=True
    )
    substances = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    attendance = serializers.ChoiceField(
        choices=Attendance.choices, required=False, default="", allow_blank=True
    )
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True
    )
    site = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="A service site of the court."
    )
    supervisor_name = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=200
    )
    completed = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)


class EventListQuerySerializer(serializers.Serializer):
    kind = choice(RequirementKind.choices, required=False)


class AdvanceSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)
    override = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Advance though requirements are not met (a reason is then required).",
    )


class CompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today."
    )
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=4000)


class TerminateSerializer(serializers.Serializer):
    reason = choice(TerminationReason.choices)
    note = serializers.CharField(max_length=4000)
    terminated_on = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today."
    )


class ProgramResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = choice(ResponseKind.choices)
    action = serializers.CharField()
    reason = serializers.CharField()
    flag = serializers.IntegerField(source="flag_id", allow_null=True)
    ordered_on = serializers.DateField()
    recorded_by = serializers.CharField(source="recorded_by.username")
    recorded_at = CourtLocalDateTimeField()


class ProgramResponseCreateSerializer(serializers.Serializer):
    kind = choice(ResponseKind.choices)
    action = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=4000)
    flag = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The flag it answers."
    )
    ordered_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    demote_to_phase = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=100,
        help_text="A sanction: move the participant back to this phase number.",
    )


class FlagListQuerySerializer(serializers.Serializer):
    status = choice(FlagStatus.choices, required=False)
