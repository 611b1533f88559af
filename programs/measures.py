"""Program outcomes and non-compliance for the supervisor's dashboard, set-wise: three queries
whatever the number of programs (the programs, their enrollments, their flags).

For each program of the scope's courts, the case type (if any) taken from the enrollment's
case:

- active and waitlisted participants now;
- completed and terminated: enrollments that ended in the period (`ended_on`) after the
  participant started the program; a withdrawal from the waitlist is not an outcome;
- completion rate: completed / (completed + terminated), a percentage with one decimal
  (None when nobody ended);
- the terminated by their reason for termination (`TerminationReason`);
- average days in program: enrollment to end, over those that ended in the period;
- open non-compliance flags now (whenever raised), and the flags raised in the period, by
  kind (the nightly compliance run raises them, `programs.compliance`).

Each figure has a drill-down queryset listing exactly what it counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum

from cases.measures import MeasureScope, percent

from .models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    Program,
    TerminationReason,
)

ENDED_OUTCOMES = (EnrollmentStatus.COMPLETED, EnrollmentStatus.TERMINATED)
CURRENT_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.WAITLISTED)


@dataclass(frozen=True)
class ProgramFigures:
    """One program's figures (program_id None: all the programs together)."""

    program_id: int | None
    code: str
    name: str
    active: int = 0
    waitlisted: int = 0
    completed: int = 0
    terminated: int = 0
    days_in_program: int = 0  # summed over those that ended in the period
    open_flags: int = 0
    raised_by_kind: dict[str, int] = field(default_factory=dict)
    # The terminated by reason (TerminationReason values, in their order; only those seen).
    terminated_by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def ended(self) -> int:
        return self.completed + self.terminated

    @property
    def completion_rate(self) -> Decimal | None:
        return percent(self.completed, self.ended)

    @property
    def average_days(self) -> Decimal | None:
        if not self.ended:
            return None
        return (Decimal(self.days_in_program) / self.ended).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def flags_raised(self) -> int:
        return sum(self.raised_by_kind.values())

    @property
    def has_figures(self) -> bool:
        return bool(self.active or self.waitlisted or self.ended or self.open_flags) or bool(
            self.raised_by_kind
        )


@dataclass(frozen=True)
class ProgramsFigure:
    programs: list[ProgramFigures]

    @property
    def rows(self) -> list[ProgramFigures]:
        """Each program then the total, as tables list them (none without programs)."""
        return [*self.programs, self.total] if self.programs else []

    @property
    def total(self) -> ProgramFigures:
        by_kind: dict[str, int] = {}
        by_reason: dict[str, int] = {}
        for p in self.programs:
            for kind, n in p.raised_by_kind.items():
                by_kind[kind] = by_kind.get(kind, 0) + n
            for reason, n in p.terminated_by_reason.items():
                by_reason[reason] = by_reason.get(reason, 0) + n
        return ProgramFigures(
            program_id=None,
            code="",
            name="All programs",
            active=sum(p.active for p in self.programs),
            waitlisted=sum(p.waitlisted for p in self.programs),
            completed=sum(p.completed for p in self.programs),
            terminated=sum(p.terminated for p in self.programs),
            days_in_program=sum(p.days_in_program for p in self.programs),
            open_flags=sum(p.open_flags for p in self.programs),
            raised_by_kind=_in_order(by_kind, FlagKind.values),
            terminated_by_reason=_in_order(by_reason, TerminationReason.values),
        )


def _in_order(counts: dict[str, int], order: list[str]) -> dict[str, int]:
    return {k: counts[k] for k in order if k in counts}


# --- what is counted (the figures and their drill-downs share these) -------------------------


def _enrollments(scope: MeasureScope) -> QuerySet[Enrollment]:
    enrollments = Enrollment.objects.filter(program__court_id__in=scope.court_ids)
    if scope.case_type_ids:
        enrollments = enrollments.filter(case__case_type_id__in=scope.case_type_ids)
    return enrollments


def _flags(scope: MeasureScope) -> QuerySet[ComplianceFlag]:
    flags = ComplianceFlag.objects.filter(enrollment__program__court_id__in=scope.court_ids)
    if scope.case_type_ids:
        flags = flags.filter(enrollment__case__case_type_id__in=scope.case_type_ids)
    return flags


def _ended(scope: MeasureScope, outcomes=ENDED_OUTCOMES) -> Q:
    # An enrollment that never started (no enrolled_on) has no time in the program and no
    # outcome.
    return Q(
        status__in=list(outcomes),
        ended_on__range=(scope.start, scope.end),
        enrolled_on__isnull=False,
    )


def _raised(scope: MeasureScope) -> Q:
    return Q(raised_on__range=(scope.start, scope.end))


_OPEN = Q(status=FlagStatus.OPEN)


# --- the figures ----------------------------------------------------------------------------


def program_figures(scope: MeasureScope) -> ProgramsFigure:
    """Outcomes and non-compliance of every program of the scope's courts, by name (three
    queries). An inactive program is listed only when it has something to count."""
    programs = list(
        Program.objects.filter(court_id__in=scope.court_ids)
        .order_by("name", "id")
        .values_list("pk", "code", "name", "is_active")
    )
    days = ExpressionWrapper(F("ended_on") - F("enrolled_on"), output_field=DurationField())
    # One row per program and reason for termination ("" for all but the terminated),
    # added up per program below.
    enrollment_rows: dict[int, dict] = {}
    for row in (
        _enrollments(scope)
        .filter(Q(status__in=CURRENT_STATUSES) | _ended(scope))
        .values("program_id", "termination_reason")
        .annotate(
            active=Count("pk", filter=Q(status=EnrollmentStatus.ACTIVE)),
            waitlisted=Count("pk", filter=Q(status=EnrollmentStatus.WAITLISTED)),
            completed=Count("pk", filter=_ended(scope, [EnrollmentStatus.COMPLETED])),
            terminated=Count("pk", filter=_ended(scope, [EnrollmentStatus.TERMINATED])),
            days=Sum(days, filter=_ended(scope)),
        )
        .order_by()
    ):
        sums = enrollment_rows.setdefault(
            row["program_id"],
            {"active": 0, "waitlisted": 0, "completed": 0, "terminated": 0, "days": 0, "why": {}},
        )
        for key in ("active", "waitlisted", "completed", "terminated"):
            sums[key] += row[key]
        sums["days"] += row["days"].days if row["days"] else 0
        if row["terminated"]:
            sums["why"][row["termination_reason"]] = row["terminated"]
    open_flags: dict[int, int] = {}
    raised: dict[int, dict[str, int]] = {}
    for row in (
        _flags(scope)
        .filter(_OPEN | _raised(scope))
        .values("enrollment__program_id", "kind")
        .annotate(open=Count("pk", filter=_OPEN), raised=Count("pk", filter=_raised(scope)))
        .order_by()
    ):
        program_id = row["enrollment__program_id"]
        open_flags[program_id] = open_flags.get(program_id, 0) + row["open"]
        if row["raised"]:
            raised.setdefault(program_id, {})[row["kind"]] = row["raised"]
    figures = []
    for pk, code, name, is_active in programs:
        row = enrollment_rows.get(pk, {})
        by_kind = raised.get(pk, {})
        figure = ProgramFigures(
            program_id=pk,
            code=code,
            name=name,
            active=row.get("active", 0),
            waitlisted=row.get("waitlisted", 0),
            completed=row.get("completed", 0),
            terminated=row.get("terminated", 0),
            days_in_program=row.get("days", 0),
            open_flags=open_flags.get(pk, 0),
            raised_by_kind=_in_order(by_kind, FlagKind.values),
            terminated_by_reason=_in_order(row.get("why", {}), TerminationReason.values),
        )
        if is_active or figure.has_figures:
            figures.append(figure)
    return ProgramsFigure(programs=figures)


# --- the drill-downs ------------------------------------------------------------------------


def _flag_list(flags: QuerySet[ComplianceFlag], program_id, kind) -> QuerySet[ComplianceFlag]:
    if program_id is not None:
        flags = flags.filter(enrollment__program_id=program_id)
    if kind:
        flags = flags.filter(kind=kind)
    return flags.select_related(
        "enrollment__case", "enrollment__program", "enrollment__participant__person"
    ).order_by("raised_on", "id")


def flags_raised(
    scope: MeasureScope, *, program_id: int | None = None, kind: str = ""
) -> QuerySet[ComplianceFlag]:
    """Flags raised in the period (optionally of one program, of one kind), oldest first."""
    return _flag_list(_flags(scope).filter(_raised(scope)), program_id, kind)


def flags_open(
    scope: MeasureScope, *, program_id: int | None = None, kind: str = ""
) -> QuerySet[ComplianceFlag]:
    """Flags open now, whenever raised (optionally of one program, of one kind), oldest
    first."""
    return _flag_list(_flags(scope).filter(_OPEN), program_id, kind)


def _enrollment_list(enrollments: QuerySet[Enrollment], program_id) -> QuerySet[Enrollment]:
    if program_id is not None:
        enrollments = enrollments.filter(program_id=program_id)
    return enrollments.select_related("case", "program", "participant__person", "phase")


def enrollments_ended(
    scope: MeasureScope, *, outcome: str = "", program_id: int | None = None, reason: str = ""
) -> QuerySet[Enrollment]:
    """Enrollments that ended in the period, completed or terminated (or only `outcome`),
    optionally of one program, or only the terminated for one `reason`, by the date they
    ended."""
    outcomes = [outcome] if outcome else ENDED_OUTCOMES
    ended = _enrollments(scope).filter(_ended(scope, outcomes))
    if reason:
        ended = ended.filter(status=EnrollmentStatus.TERMINATED, termination_reason=reason)
    return _enrollment_list(ended, program_id).order_by("ended_on", "id")


def enrollments_current(
    scope: MeasureScope, *, status: str, program_id: int | None = None
) -> QuerySet[Enrollment]:
    """Participants active now (by enrollment date) or waitlisted now (in waitlist order),
    optionally of one program."""
    if status not in CURRENT_STATUSES:
        raise ValueError(f"not a current status: {status}")
    order = ("enrolled_on", "id") if status == EnrollmentStatus.ACTIVE else ("waitlisted_at", "id")
    return _enrollment_list(_enrollments(scope).filter(status=status), program_id).order_by(*order)


def days_in_program(enrollment: Enrollment, *, today: dt.date) -> int | None:
    """Days from enrollment to its end (or to `today` while it runs); None before it starts."""
    if enrollment.enrolled_on is None:
        return None
    return ((enrollment.ended_on or today) - enrollment.enrolled_on).days
