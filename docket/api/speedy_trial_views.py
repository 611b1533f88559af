"""`cases/{number}/speedy-trial/` (API.md): a criminal case's speedy-trial clock
(18 U.S.C. 3161) — indictment due, trial due, excluded periods, days used and
remaining, and the steps that computed them — and the clerk's office's writes to it.

* GET: anyone who may see the case. At the public level the excluded periods are
  "excludable delay" without their kinds, reasons or docket entries.
* PATCH: the dates the clock runs from (only the fields sent change; null clears one).
* POST `excludable-periods/`: record a period; POST `excludable-periods/{id}/end/`: its
  last day. Writes are the clerk's office's (403 NOT_A_RECORD_KEEPER otherwise).

A case the caller may not see is 404; a case that is not criminal answers 422
SPEEDY_TRIAL_NOT_CRIMINAL.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from casemgmt.core.api.base import error_responses
from casemgmt.core.errors import DomainError
from cases.api.views import CASE_PARAMS, CaseScopedView
from cases.models import DocketEntry

from ..models import ExcludableKind, ExcludablePeriod
from ..speedy_trial import KIND_TEXT, UNDESCRIBED_KIND, full_citation
from ..speedy_trial_selectors import SpeedyTrial, speedy_trial_applies, speedy_trial_get
from ..speedy_trial_services import (
    excludable_period_add,
    excludable_period_end,
    speedy_trial_clock_set,
)

# --- representation --------------------------------------------------------------------------


class ClockDatesSerializer(serializers.Serializer):
    arrest_or_summons_on = serializers.DateField(allow_null=True, required=False)
    indictment_on = serializers.DateField(allow_null=True, required=False)
    first_appearance_on = serializers.DateField(allow_null=True, required=False)
    counsel_appearance_on = serializers.DateField(
        allow_null=True, required=False, help_text="First appearance through counsel."
    )
    trial_started_on = serializers.DateField(allow_null=True, required=False)
    earlier_trial_consented = serializers.BooleanField(
        required=False,
        help_text="The defendant consented in writing to a trial sooner than the minimum "
        "(3161(c)(2)).",
    )


class ExcludedPeriodOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="An ExcludableKind; `excludable_delay` for the public.")
    kind_label = serializers.CharField()
    citation = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="null while it lasts.")
    ongoing = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    docket_entry = serializers.IntegerField(
        allow_null=True, help_text="The number (seq) of the entry that records it."
    )


class ExcludedSpanSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    through = serializers.DateField(help_text="Last day counted (inclusive).")
    days = serializers.IntegerField()
    ongoing = serializers.BooleanField()
    merged = serializers.BooleanField(help_text="Overlapping periods, counted once.")
    period_ids = serializers.ListField(child=serializers.IntegerField())


class IndictmentClockSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["unknown", "not_applicable", "pending", "overdue", "filed", "late"]
    )
    due = serializers.DateField(allow_null=True)
    days_used = serializers.IntegerField(allow_null=True)
    days_remaining = serializers.IntegerField(allow_null=True)
    steps = serializers.ListField(child=serializers.CharField())


class TrialClockSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["not_started", "running", "stopped", "expired"])
    paused = serializers.BooleanField(help_text="Today is excluded time.")
    starts_on = serializers.DateField(allow_null=True, help_text="Day 1 of the clock.")
    due = serializers.DateField(allow_null=True, help_text="Trial must begin by this day.")
    days = serializers.IntegerField(help_text="The limit (70 under the Act).")
    days_used = serializers.IntegerField()
    days_excluded = serializers.IntegerField()
    days_remaining = serializers.IntegerField(
        allow_null=True, help_text="Negative: days past the limit."
    )
    alert = serializers.BooleanField(help_text="Under the court's alert threshold.")
    steps = serializers.ListField(child=serializers.CharField())


class EarliestTrialSerializer(serializers.Serializer):
    date = serializers.DateField(allow_null=True)
    consented = serializers.BooleanField()


class SpeedyTrialSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    citation = serializers.CharField()
    today = serializers.DateField(help_text="Court-local date counted to.")
    dates = ClockDatesSerializer()
    indictment_due = serializers.DateField(allow_null=True)
    trial_due = serializers.DateField(allow_null=True)
    days_used = serializers.IntegerField()
    days_remaining = serializers.IntegerField(allow_null=True)
    indictment = IndictmentClockSerializer()
    trial = TrialClockSerializer()
    earliest_trial = EarliestTrialSerializer()
    excluded_periods = ExcludedPeriodOutSerializer(many=True)
    excluded_spans = ExcludedSpanSerializer(many=True)
    alert_days_remaining = serializers.IntegerField()
    steps = serializers.ListField(child=serializers.CharField())


def period_data(period: ExcludablePeriod, *, describe: bool, citation: str) -> dict:
    """One recorded period, as far as the reader may learn it."""
    if describe:
        words, sub = KIND_TEXT.get(period.kind, (period.get_kind_display(), "(h)"))
        kind, label = period.kind, period.get_kind_display()
    else:
        words, sub = UNDESCRIBED_KIND
        kind, label = "excludable_delay", words.capitalize()
    return {
        "id": period.pk,
        "kind": kind,
        "kind_label": label,
        "citation": full_citation(citation, sub),
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "ongoing": period.ends_on is None,
        "reason": period.reason if describe else "",
        "docket_entry": period.docket_entry.seq if describe and period.docket_entry_id else None,
    }


def speedy_trial_data(st: SpeedyTrial) -> dict:
    """The representation of `cases/{number}/speedy-trial/`."""
    r = st.result
    clock = st.clock
    dates = {
        name: getattr(clock, name) if clock else None
        for name in (
            "arrest_or_summons_on",
            "indictment_on",
            "first_appearance_on",
            "counsel_appearance_on",
            "trial_started_on",
        )
    }
    dates["earlier_trial_consented"] = bool(clock and clock.earlier_trial_consented)
    data = {
        "case_number": st.case.number,
        "citation": r.citation,
        "today": r.today,
        "dates": dates,
        "indictment_due": r.indictment_due,
        "trial_due": r.trial_due,
        "days_used": r.days_used,
        "days_remaining": r.days_remaining,
        "indictment": {
            "status": r.indictment_status,
            "due": r.indictment_due,
            "days_used": r.indictment_days_used,
            "days_remaining": r.indictment_days_remaining,
            "steps": list(r.indictment_steps),
        },
        "trial": {
            "status": r.status,
            "paused": r.paused,
            "starts_on": r.clock_starts_on,
            "due": r.trial_due,
            "days": r.trial_days,
            "days_used": r.days_used,
            "days_excluded": r.days_excluded,
            "days_remaining": r.days_remaining,
            "alert": r.alert,
            "steps": list(r.trial_steps),
        },
        "earliest_trial": {"date": r.earliest_trial_on, "consented": r.earlier_trial_consented},
        "excluded_periods": [
            period_data(p, describe=st.describe, citation=r.citation) for p in st.periods
        ],
        "excluded_spans": [
            {
                "starts_on": s.starts_on,
                "through": s.through,
                "days": s.days,
                "ongoing": s.ongoing,
                "merged": s.merged,
                "period_ids": list(s.period_ids),
            }
            for s in r.excluded
        ],
        "alert_days_remaining": r.alert_days_remaining,
        "steps": list(r.steps),
    }
    return SpeedyTrialSerializer(data).data


# --- requests ----------------------------------------------------------------------------


class ExcludablePeriodCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExcludableKind.choices)
    starts_on = serializers.DateField(help_text="First day excluded.")
    ends_on = serializers.DateField(
        allow_null=True, required=False, help_text="Last day excluded; omit while it lasts."
    )
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        help_text="The court's reasons; required for an ends-of-justice continuance.",
    )
    docket_entry = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The number (seq) of the case's entry that records it.",
    )


class ExcludablePeriodEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(help_text="Last day excluded (inclusive).")


EXAMPLE = OpenApiExample(
    "A running clock with a pending motion decided",
    response_only=True,
    value={
        "case_number": "2026-CR-000123",
        "citation": "18 U.S.C. 3161",
        "today": "2026-02-15",
        "indictment_due": None,
        "trial_due": "2026-03-30",
        "days_used": 27,
        "days_remaining": 43,
        "trial": {
            "status": "running",
            "starts_on": "2026-01-10",
            "due": "2026-03-30",
            "days_excluded": 10,
        },
        "steps": [
            "Clock starts the day after the later of indictment (2026-01-05) and first "
            "appearance (2026-01-09): 2026-01-10 (3161(c)(1); Fed. R. Crim. P. 45(a)(1)(A)).",
            "Excluded 2026-02-01..2026-02-10 (pretrial motion, 3161(h)(1)(D)): 10 days",
            "70 non-excludable days from 2026-01-10, plus 10 days excluded, end on "
            "Mon 2026-03-30: trial must begin by then.",
        ],
    },
)


class _SpeedyTrialBase(CaseScopedView):
    model = ExcludablePeriod

    def get_visible_queryset(self) -> QuerySet[ExcludablePeriod]:
        return ExcludablePeriod.objects.filter(case=self.case)

    def require_criminal(self) -> None:
        if not speedy_trial_applies(self.case):
            raise DomainError(
                "SPEEDY_TRIAL_NOT_CRIMINAL",
                "The speedy-trial clock applies to criminal cases only.",
            )

    def clock_response(self, *, status_code: int = status.HTTP_200_OK) -> Response:
        st = speedy_trial_get(self.case, level=self.access_level)
        return Response(speedy_trial_data(st), status=status_code)


class SpeedyTrialView(_SpeedyTrialBase):
    """The case's speedy-trial clock; PATCH records its dates."""

    serializer_class = ClockDatesSerializer

    @extend_schema(
        summary="Speedy-trial clock of a criminal case",
        description="Indictment due (3161(b)), trial due (3161(c)(1)), the excluded periods "
        "(each day counted once), days used and remaining, the earliest trial date without "
        "consent (3161(c)(2)), and the steps in words.",
        parameters=CASE_PARAMS,
        responses={200: SpeedyTrialSerializer, **error_responses(401, 404, 409, 422)},
        examples=[EXAMPLE],
    )
    def get(self, request: Request, number: str) -> Response:
        self.require_criminal()
        self.audit_read("api.speedy_trial")
        return self.clock_response()

    @extend_schema(
        summary="Record the dates the clock runs from",
        description="Only the fields sent change; null clears a date recorded in error. "
        "Dates after today at the court answer 422 DATE_IN_FUTURE.",
        parameters=CASE_PARAMS,
        request=ClockDatesSerializer,
        responses={200: SpeedyTrialSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def patch(self, request: Request, number: str) -> Response:
        serializer = ClockDatesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        speedy_trial_clock_set(case=self.case, by=request.user, **serializer.validated_data)
        return self.clock_response()


class ExcludablePeriodListView(_SpeedyTrialBase):
    """Record a period excluded from the clock."""

    serializer_class = ExcludablePeriodCreateSerializer

    @extend_schema(
        summary="Record an excludable period (3161(h))",
        description="Dates are inclusive; omit `ends_on` while the period lasts. Periods may "
        "overlap: each day is counted once. Answers the clock.",
        parameters=CASE_PARAMS,
        request=ExcludablePeriodCreateSerializer,
        responses={201: SpeedyTrialSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = ExcludablePeriodCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        seq = data.pop("docket_entry", None)
        entry = None
        if seq is not None:
            entry = DocketEntry.objects.filter(case=self.case, seq=seq).first()
            if entry is None:
                raise DomainError(
                    "DOCKET_ENTRY_UNKNOWN",
                    f"The case has no docket entry {seq}.",
                    field="docket_entry",
                )
        excludable_period_add(case=self.case, docket_entry=entry, by=request.user, **data)
        return self.clock_response(status_code=status.HTTP_201_CREATED)


class ExcludablePeriodEndView(_SpeedyTrialBase):
    """Record the last day of an ongoing excludable period."""

    serializer_class = ExcludablePeriodEndSerializer

    @extend_schema(
        summary="End an excludable period",
        description="The last day excluded (inclusive, not after today). A period that has "
        "ended answers 409 EXCLUDABLE_ALREADY_ENDED. Answers the clock.",
        parameters=CASE_PARAMS,
        request=ExcludablePeriodEndSerializer,
        responses={200: SpeedyTrialSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
    )
    def post(self, request: Request, number: str, pk: int) -> Response:
        period = get_object_or_404(self.get_queryset().select_related("case__court"), pk=pk)
        serializer = ExcludablePeriodEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        excludable_period_end(
            period=period, ends_on=serializer.validated_data["ends_on"], by=request.user
        )
        return self.clock_response()
