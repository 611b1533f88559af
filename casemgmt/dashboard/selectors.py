"""The supervisor's figures, composed from each app's measures.

Every figure comes through one function per measure (`FIGURES`), and the page gets them
all from `dashboard_figures(scope)`: a measure that later reads a nightly rollup instead of
the live tables changes its one function, nothing else.

What each measure means is said once, in `MEASURES`, and shown beside the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casemgmt.core.models import Court
from cases.measures import (
    DEFAULT_AGE_BANDS,
    DEFAULT_STANDARDS,
    Clearance,
    Disposition,
    MeasureScope,
    PendingAge,
)
from cases.models import Case, CaseType
from docket.measures import (
    OwnerDeadlines,
    TrialCertainty,
    deadline_compliance,
    hearings_continued_often,
    trial_date_certainty,
)
from docket.speedy_trial_selectors import SpeedyTrialRisk, speedy_trial_at_risk
from filings.measures import QueueAge, review_queue_age
from payments.measures import Collections, drawers_not_closed
from programs.measures import ProgramsFigure, program_figures

from .rollups import (
    case_age_pending_rolled,
    clearance_rate_rolled,
    collection_rate_rolled,
    time_to_disposition_rolled,
)

# Deadlines due within this many days of today are "at risk".
AT_RISK_HORIZON_DAYS = 7


@dataclass(frozen=True)
class DashboardScope:
    """What the supervisor chose: one court, a case type or all, the period (court-local
    dates, inclusive), and N for "hearings set more than N times". `today` (court-local)
    and `now` date the figures that are a state rather than a period: deadlines at risk,
    speedy-trial clocks, the review queue, open drawers."""

    court: Court
    case_type: CaseType | None
    start: dt.date
    end: dt.date
    today: dt.date
    now: dt.datetime
    continued_more_than: int = 2
    period: str = "custom"

    @property
    def measure(self) -> MeasureScope:
        return MeasureScope(
            court_ids=(self.court.pk,),
            start=self.start,
            end=self.end,
            case_type_ids=(self.case_type.pk,) if self.case_type else (),
        )

    @property
    def court_ids(self) -> tuple[int, ...]:
        return (self.court.pk,)


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    definition: str
    courtools: int | None = None


# Definitions in plain words, after NCSC CourTools (Trial Court Performance Measures) and
# the NCSC State Court Guide to Statistical Reporting; shown beside each figure.
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "clearance-rate",
            "Clearance rate",
            "Cases closed as a percentage of cases coming in during the period (CourTools "
            "measure 2). Coming in: new filings, reopened and reactivated cases; closed: "
            "dispositions and cases placed in inactive status. Over 100% means the "
            "pending caseload shrank.",
            2,
        ),
        Measure(
            "time-to-disposition",
            "Time to disposition",
            "Of the cases disposed in the period, the share disposed within each time "
            "standard (CourTools measure 3). Days run from filing, or from reopening, to "
            "disposition, less the days the case was inactive.",
            3,
        ),
        Measure(
            "pending-age",
            "Age of active pending caseload",
            "The cases pending and not inactive on the last day of the period, by age in "
            "days from filing or reopening, less time inactive (CourTools measure 4).",
            4,
        ),
        Measure(
            "trial-date-certainty",
            "Trial date certainty",
            "How many times the trials held in the period had been set for trial "
            "(CourTools measure 5): each continuance or move is another setting. The "
            "more trials held on the first date set, the more certain trial dates are.",
            5,
        ),
        Measure(
            "collection-rate",
            "Collection of monetary penalties",
            "For the fines, fees, costs and restitution ordered in the period: what has "
            "been collected to date as a percentage of what was ordered less what the "
            "court waived (CourTools measure 7), net of voided payments.",
            7,
        ),
        Measure(
            "deadline-compliance",
            "Deadlines missed and at risk",
            "By the person responsible: deadlines due in the period that were missed, and "
            f"open deadlines due within {AT_RISK_HORIZON_DAYS} days from today.",
        ),
        Measure(
            "speedy-trial",
            "Speedy-trial clocks running out",
            "Criminal cases whose speedy-trial clock has fewer days left than the court's "
            "alert threshold (18 U.S.C. 3161, excludable delay counted), or has run out.",
        ),
        Measure(
            "continued-hearings",
            "Hearings continued again and again",
            "Hearings still scheduled on or after the start of the period that have been "
            "set more than the chosen number of times.",
        ),
        Measure(
            "review-queue-age",
            "Filings waiting for review",
            "E-filings received and not yet accepted or rejected, by how long they have "
            "waited; the court's whole queue, whatever the case type.",
        ),
        Measure(
            "open-drawers",
            "Cash drawers not closed",
            "Cash drawers still open from an earlier business day: each should be counted "
            "and closed the day it was opened. The court's whole counter, whatever the "
            "case type.",
        ),
        Measure(
            "program-outcomes",
            "Diversion program outcomes",
            "The completion rate is the share of participants leaving a program in the "
            "period who completed it; the others were terminated. Someone who withdrew "
            "from the waitlist never started and is not counted. Days in program run from "
            "enrollment to leaving. Active and waitlisted participants are counted as of "
            "today.",
        ),
        Measure(
            "program-terminations",
            "Why participants were terminated",
            "The participants terminated from a program in the period, by the reason the "
            "coordinator recorded when ending their enrollment.",
        ),
        Measure(
            "program-noncompliance",
            "Program non-compliance flags",
            "Non-compliance the nightly compliance run found in a participant's record "
            "(a missed, positive or diluted drug test, a missed session, community service "
            "behind schedule, a program fee unpaid), for the coordinator to review: the "
            "flags raised in the period, by kind, and those still open today, whenever "
            "raised.",
        ),
    )
}


# --- one function per measure -----------------------------------------------------------------


# Measures 2, 3, 4 and 7 read the nightly rollups (casemgmt.dashboard.rollups) plus what
# changed since the last refresh: the same figures as cases.measures and payments.measures,
# without reading every case's history or the whole ledger on each view.
def clearance_figure(scope: DashboardScope) -> Clearance:
    return clearance_rate_rolled(scope.measure)


def disposition_figure(scope: DashboardScope) -> Disposition:
    return time_to_disposition_rolled(scope.measure, standards=DEFAULT_STANDARDS)


def pending_age_figure(scope: DashboardScope) -> PendingAge:
    return case_age_pending_rolled(scope.measure, bands=DEFAULT_AGE_BANDS)


def trial_certainty_figure(scope: DashboardScope) -> TrialCertainty:
    return trial_date_certainty(scope.measure)


def collections_figure(scope: DashboardScope) -> Collections:
    return collection_rate_rolled(scope.measure)


def deadlines_figure(scope: DashboardScope) -> list[OwnerDeadlines]:
    return deadline_compliance(scope.measure, as_of=scope.today, horizon_days=AT_RISK_HORIZON_DAYS)


@dataclass(frozen=True)
class SpeedyTrialFigure:
    clocks: list[SpeedyTrialRisk] = field(repr=False)

    @property
    def under_threshold(self) -> int:
        return len(self.clocks)

    @property
    def expired(self) -> int:
        return sum(1 for c in self.clocks if c.days_remaining < 0)

    @property
    def running(self) -> int:
        return self.under_threshold - self.expired


def speedy_trial_clocks(scope: DashboardScope) -> list[SpeedyTrialRisk]:
    """The court's clocks under its threshold today, of the chosen case type (the clocks'
    selector knows courts, not case types: one more query narrows them)."""
    clocks = speedy_trial_at_risk(today=scope.today, court_ids=scope.court_ids)
    if scope.case_type is not None and clocks:
        of_type = set(
            Case.objects.filter(
                pk__in=[c.case_id for c in clocks], case_type=scope.case_type
            ).values_list("pk", flat=True)
        )
        clocks = [c for c in clocks if c.case_id in of_type]
    return clocks


def speedy_trial_figure(scope: DashboardScope) -> SpeedyTrialFigure:
    return SpeedyTrialFigure(clocks=speedy_trial_clocks(scope))


def continued_hearings_figure(scope: DashboardScope) -> int:
    return hearings_continued_often(scope.measure, more_than=scope.continued_more_than).count()


def review_queue_figure(scope: DashboardScope) -> QueueAge:
    return review_queue_age(scope.court_ids, now=scope.now)


def open_drawers_figure(scope: DashboardScope) -> int:
    return drawers_not_closed(scope.court_ids, today=scope.today).count()


def programs_figure(scope: DashboardScope) -> ProgramsFigure:
    return program_figures(scope.measure)


FIGURES: dict[str, Callable[[DashboardScope], Any]] = {
    "clearance": clearance_figure,
    "disposition": disposition_figure,
    "pending_age": pending_age_figure,
    "trial_certainty": trial_certainty_figure,
    "collections": collections_figure,
    "deadlines": deadlines_figure,
    "speedy_trial": speedy_trial_figure,
    "continued_hearings": continued_hearings_figure,
    "review_queue": review_queue_figure,
    "open_drawers": open_drawers_figure,
    "programs": programs_figure,
}


@dataclass(frozen=True)
class DashboardFigures:
    clearance: Clearance
    disposition: Disposition
    pending_age: PendingAge
    trial_certainty: TrialCertainty
    collections: Collections
    deadlines: list[OwnerDeadlines]
    speedy_trial: SpeedyTrialFigure
    continued_hearings: int
    review_queue: QueueAge
    open_drawers: int
    programs: ProgramsFigure


def dashboard_figures(scope: DashboardScope) -> DashboardFigures:
    """Every figure of the dashboard for `scope`: one function (and a query or two) per
    measure, whatever the size of the caseload."""
    return DashboardFigures(**{name: figure(scope) for name, figure in FIGURES.items()})
