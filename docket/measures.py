"""Calendar measures: CourTools measure 5 (trial date certainty) and hearings continued
again and again, for the supervisor's dashboard.

CourTools measure 5: "the number of times cases disposed by trial are scheduled for trial".
A trial held in the period was set `setting_number` times (every continuance or move to
another date is another setting, docket.services); certainty is the share held on the first
date set, and the average number of settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from cases.measures import MeasureScope, percent

from .models import Deadline, DeadlineStatus, Hearing, HearingStatus, HearingType

SETTING_BANDS = (1, 2, 3)  # then "4 or more"


def _in_scope(scope: MeasureScope) -> QuerySet[Hearing]:
    hearings = Hearing.objects.filter(court_id__in=scope.court_ids)
    if scope.case_type_ids:
        hearings = hearings.filter(case__case_type_id__in=scope.case_type_ids)
    return hearings


def trials_held(scope: MeasureScope) -> QuerySet[Hearing]:
    """Trials held in the period (the drill-down of measure 5), oldest first."""
    return (
        _in_scope(scope)
        .filter(
            hearing_type=HearingType.TRIAL,
            status=HearingStatus.HELD,
            date__range=(scope.start, scope.end),
        )
        .select_related("case")
        .order_by("date", "starts_at", "id")
    )


@dataclass(frozen=True)
class TrialCertainty:
    held: int
    # settings -> trials: {1: n, 2: n, 3: n, 4: n} where 4 means "4 or more".
    by_settings: dict[int, int]
    total_settings: int

    @property
    def average_settings(self) -> Decimal | None:
        if not self.held:
            return None
        return (Decimal(self.total_settings) / self.held).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def percent_first_setting(self) -> Decimal | None:
        return percent(self.by_settings[1], self.held)


def trial_date_certainty(scope: MeasureScope) -> TrialCertainty:
    """CourTools measure 5 for the trials held in `scope` (one query)."""
    last = SETTING_BANDS[-1] + 1
    counts = trials_held(scope).aggregate(
        held=Count("pk"),
        **{f"s{n}": Count("pk", filter=Q(setting_number=n)) for n in SETTING_BANDS},
        more=Count("pk", filter=Q(setting_number__gte=last)),
        total=Sum("setting_number"),
    )
    by_settings = {n: counts[f"s{n}"] for n in SETTING_BANDS}
    by_settings[last] = counts["more"]
    return TrialCertainty(
        held=counts["held"], by_settings=by_settings, total_settings=counts["total"] or 0
    )


def hearings_continued_often(scope: MeasureScope, *, more_than: int = 2) -> QuerySet[Hearing]:
    """Hearings still scheduled in or after the period that have been set more than
    `more_than` times (a case that keeps being continued), oldest setting first."""
    return (
        _in_scope(scope)
        .filter(
            status=HearingStatus.SCHEDULED,
            setting_number__gt=more_than,
            date__gte=scope.start,
        )
        .select_related("case")
        .order_by("-setting_number", "date", "id")
    )


# --- deadline compliance --------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerDeadlines:
    """Missed and at-risk deadlines of one owner (None: nobody is named)."""

    owner_id: int | None
    owner_name: str
    missed: int
    at_risk: int


def _deadlines(scope: MeasureScope) -> QuerySet[Deadline]:
    deadlines = Deadline.objects.filter(court_id__in=scope.court_ids)
    if scope.case_type_ids:
        deadlines = deadlines.filter(case__case_type_id__in=scope.case_type_ids)
    return deadlines


def deadlines_missed(scope: MeasureScope) -> QuerySet[Deadline]:
    """Deadlines due in the period that were missed, oldest first."""
    return (
        _deadlines(scope)
        .filter(status=DeadlineStatus.MISSED, due_on__range=(scope.start, scope.end))
        .select_related("case", "owner")
        .order_by("due_on", "id")
    )


def deadlines_at_risk(
    scope: MeasureScope, *, as_of: dt.date, horizon_days: int = 7
) -> QuerySet[Deadline]:
    """Open deadlines due from `as_of` to `horizon_days` later, soonest first."""
    return (
        _deadlines(scope)
        .filter(
            status=DeadlineStatus.OPEN,
            due_on__range=(as_of, as_of + dt.timedelta(days=horizon_days)),
        )
        .select_related("case", "owner")
        .order_by("due_on", "id")
    )


def deadline_compliance(
    scope: MeasureScope, *, as_of: dt.date, horizon_days: int = 7
) -> list[OwnerDeadlines]:
    """Missed (due in the period) and at-risk (open, due within the horizon from `as_of`)
    deadlines per owner, most missed first (one query)."""
    soon = (as_of, as_of + dt.timedelta(days=horizon_days))
    missed = Q(status=DeadlineStatus.MISSED, due_on__range=(scope.start, scope.end))
    at_risk = Q(status=DeadlineStatus.OPEN, due_on__range=soon)
    rows = (
        _deadlines(scope)
        .filter(missed | at_risk)
        .values("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(missed=Count("pk", filter=missed), at_risk=Count("pk", filter=at_risk))
        .order_by("-missed", "-at_risk", "owner__last_name", "owner_id")
    )
    return [
        OwnerDeadlines(
            owner_id=row["owner_id"],
            owner_name=(
                " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p)
                or row["owner__username"]
                or "Nobody named"
            ),
            missed=row["missed"],
            at_risk=row["at_risk"],
        )
        for row in rows
    ]
