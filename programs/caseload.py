"""The coordinator's caseload: enrollments with their compliance state, in one query.

One annotated queryset over `Enrollment.objects.visible_to(user)` (the one visibility rule):
the phase, days in the program, open compliance flags, the last drug test's result and
date, and community-service hours done (voided events and the voiding entries left out).
Filters and sort keys come from the page's URL (`CaseloadFilters.from_query`), so a
filtered list can be bookmarked and shared; anything unknown falls back to the default.

Whose participants: the programs the user coordinates (`Program.coordinators`) when there
are any, else their courts' programs (`caseload_programs`); the filter can widen to all the
programs the user's courts run, or narrow to one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from .models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatus,
    FlagStatus,
    Program,
    ProgramPhase,
    RequirementKind,
    ServiceEvent,
)

PER_PAGE = 50
MINE, ALL = "mine", "all"
FLAGGED, COMPLIANT = "flagged", "compliant"

STATUS_CHOICES = [
    (EnrollmentStatus.ACTIVE, "Active"),
    (EnrollmentStatus.WAITLISTED, "Waitlisted"),
    (EnrollmentStatus.COMPLETED, "Completed"),
    (EnrollmentStatus.TERMINATED, "Terminated"),
    (EnrollmentStatus.WITHDRAWN, "Withdrawn from the waitlist"),
    (ALL, "Any status"),
]
COMPLIANCE_CHOICES = [
    ("", "Anyone"),
    (FLAGGED, "With open flags"),
    (COMPLIANT, "No open flags"),
]
# Sort key in the URL -> the ORDER BY that gives it (the participant's name breaks ties).
SORTS = {
    "name": ("Name", ["participant__person__last_name", "participant__person__first_name"]),
    "days": ("Days in program", [F("days_in_program").desc(nulls_last=True)]),
    "flags": ("Open flags", ["-open_flags"]),
    "phase": ("Phase", [F("phase__number").asc(nulls_last=True)]),
}
SORT_CHOICES = [(key, label) for key, (label, _) in SORTS.items()]
TIE_BREAK = ["participant__person__last_name", "participant__person__first_name", "pk"]
MAX_SEARCH = 100
MAX_PHASE = 99


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload shows: every field is a URL parameter of the page."""

    program: str = ""  # MINE, ALL or a program's id ("" = the default scope)
    status: str = EnrollmentStatus.ACTIVE
    phase: int | None = None
    compliance: str = ""
    q: str = ""
    sort: str = "name"

    @classmethod
    def from_query(cls, query) -> CaseloadFilters:
        """Read the filters from a QueryDict; a bad value means "not filtered", never an
        error (the page answers 200 with the default)."""
        program = (query.get("program") or "").strip()
        if program not in (MINE, ALL) and not program.isdigit():
            program = ""
        status = query.get("status") or EnrollmentStatus.ACTIVE
        if status not in dict(STATUS_CHOICES):
            status = EnrollmentStatus.ACTIVE
        phase_text = (query.get("phase") or "").strip()
        phase = (
            int(phase_text) if phase_text.isdigit() and 0 < int(phase_text) <= MAX_PHASE else None
        )
        compliance = query.get("compliance") or ""
        if compliance not in dict(COMPLIANCE_CHOICES):
            compliance = ""
        sort = query.get("sort") or "name"
        if sort.removeprefix("-") not in SORTS:
            sort = "name"
        text = "".join(ch for ch in (query.get("q") or "") if ch.isprintable())
        q = " ".join(text.split())[:MAX_SEARCH]
        return cls(
            program=program, status=status, phase=phase, compliance=compliance, q=q, sort=sort
        )

    def as_query(self) -> dict[str, str]:
        """The non-default filters, for links (pagination, sort headers)."""
        query = {}
        if self.program:
            query["program"] = self.program
        if self.status != EnrollmentStatus.ACTIVE:
            query["status"] = self.status
        if self.phase:
            query["phase"] = str(self.phase)
        if self.compliance:
            query["compliance"] = self.compliance
        if self.q:
            query["q"] = self.q
        if self.sort != "name":
            query["sort"] = self.sort
        return query


def caseload_programs(user) -> QuerySet[Program]:
    """The programs whose participants the caseload may list: those of the user's courts
    (every program for superusers); the rows themselves are still filtered by visibility."""
    from cases.querysets import user_court_ids

    programs = Program.objects.select_related("court").order_by("court__name", "name")
    if user.is_superuser:
        return programs
    return programs.filter(court_id__in=user_court_ids(user))


def default_scope(user, programs: list[Program]) -> str:
    """MINE when the user coordinates one of `programs`, else ALL."""
    return MINE if any(p.is_coordinated for p in programs) else ALL


def programs_with_coordination(user) -> list[Program]:
    """`caseload_programs(user)` with `is_coordinated` and `phase_count` set (one query)."""
    through = Program.coordinators.through
    phases = (
        ProgramPhase.objects.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(n=Max("number"))
        .values("n")
    )
    return list(
        caseload_programs(user).annotate(
            is_coordinated=Exists(through.objects.filter(program_id=OuterRef("pk"), user=user)),
            phase_count=Coalesce(Subquery(phases, output_field=IntegerField()), 0),
        )
    )


class DaysBetween(Func):
    """end - start, in days (PostgreSQL: date - date is an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def _open_flags() -> Subquery:
    counts = (
        ComplianceFlag.objects.filter(enrollment=OuterRef("pk"), status=FlagStatus.OPEN)
        .order_by()
        .values("enrollment")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _standing_events(kind: str) -> QuerySet[ServiceEvent]:
    """The enrollment's events of `kind` that stand: not a voiding entry, not voided."""
    return ServiceEvent.objects.filter(
        enrollment=OuterRef("pk"), kind=kind, voids__isnull=True, voided_by__isnull=True
    )


def _service_hours() -> Subquery:
    sums = (
        _standing_events(RequirementKind.COMMUNITY_SERVICE)
        .order_by()
        .values("enrollment")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    money = DecimalField(max_digits=8, decimal_places=2)
    return Coalesce(Subquery(sums, output_field=money), Value(0, output_field=money))


def caseload(user, filters: CaseloadFilters, *, programs: list[Program], today: dt.date):
    """The enrollments the caseload lists, annotated and ordered; paginate it.

    Args:
        programs: `programs_with_coordination(user)` (the scope and the program filter).
        today: the court-local date days in the program count to (ended ones: to the end).
    """
    rows = Enrollment.objects.visible_to(user)
    scope = filters.program or default_scope(user, programs)
    if scope == MINE:
        ids = [p.pk for p in programs if p.is_coordinated]
    elif scope == ALL:
        ids = [p.pk for p in programs]
    else:
        ids = [p.pk for p in programs if str(p.pk) == scope]
    rows = rows.filter(program_id__in=ids)
    if filters.status != ALL:
        rows = rows.filter(status=filters.status)
    if filters.phase:
        rows = rows.filter(phase__number=filters.phase)
    if filters.q:
        words = filters.q.lower().split()
        match = Q()
        for word in words:
            match &= Q(participant__person__search_name__contains=word)
        rows = rows.filter(match | Q(case__number__iexact=filters.q))
    last_test = _standing_events(RequirementKind.DRUG_TEST).order_by("-occurred_on", "-id")
    rows = rows.annotate(
        days_in_program=DaysBetween(Coalesce(F("ended_on"), Value(today)), F("enrolled_on")),
        open_flags=_open_flags(),
        last_test_result=Subquery(last_test.values("drug_test_result")[:1]),
        last_test_on=Subquery(last_test.values("occurred_on")[:1]),
        service_hours=_service_hours(),
    )
    if filters.compliance == FLAGGED:
        rows = rows.filter(open_flags__gt=0)
    elif filters.compliance == COMPLIANT:
        rows = rows.filter(open_flags=0)
    key = filters.sort.removeprefix("-")
    order = list(SORTS[key][1])
    if filters.sort.startswith("-"):
        order = [_reverse(o) for o in order]
    return rows.select_related("program", "phase", "case__court", "participant__person").order_by(
        *order, *TIE_BREAK
    )


def _reverse(term):
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    # An OrderBy: flip the direction, keep nulls last.
    expression = term.expression
    return expression.asc(nulls_last=True) if term.descending else expression.desc(nulls_last=True)
