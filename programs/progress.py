"""A participant's progress in their current phase: what each requirement asks, what is
done, what is expected by now, and whether they may advance.

The rules (issue 8, requirements and phase advancement):

* An event counts from the day the phase started (`phase_started_on`) to `as_of`.
  Voided events (those with a `voided_by`) and the voiding events themselves never count.
* What counts, by kind: community service, the hours; counseling and review hearings,
  sessions attended; classes, classes completed; drug tests, negative tests.
* An event counts for the requirement it names; one naming none (or a requirement of
  another phase) counts for the phase's first requirement of its kind.
* Total requirements (no `period_days`) are due over the phase: `expected_by_now` is
  quantity x min(1, days in phase / min_days) (min_days of at least 1), `behind` when
  done < expected_by_now.
* Per-period requirements (`period_days`, e.g. 2 tests every 7 days): periods run from
  the phase start; `done` is the current period's count against the quantity, and
  `behind` is true when a completed period of the phase fell short.
* Clean days: days since the last positive, diluted or missed test (`None` when there is
  none; readiness then counts them from the phase start).
* Ready to advance: min_days elapsed, every total requirement done, and clean days of at
  least the phase's `clean_days_required`. Each unmet condition is a blocker sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .models import (
    Attendance,
    DrugTestResult,
    Enrollment,
    PhaseRequirement,
    ProgramPhase,
    RequirementKind,
    ServiceEvent,
)

CENT = Decimal("0.01")
ZERO = Decimal("0")
BAD_TESTS = (DrugTestResult.POSITIVE, DrugTestResult.DILUTED, DrugTestResult.MISSED)
UNITS = {
    RequirementKind.DRUG_TEST: ("negative test", "negative tests"),
    RequirementKind.COUNSELING: ("session", "sessions"),
    RequirementKind.COMMUNITY_SERVICE: ("hour", "hours"),
    RequirementKind.CLASS: ("class", "classes"),
    RequirementKind.REVIEW_HEARING: ("hearing", "hearings"),
}


@dataclass
class RequirementProgress:
    requirement: PhaseRequirement
    kind: str
    label: str
    required: Decimal
    done: Decimal
    expected_by_now: Decimal
    percent: int
    behind: bool
    unit: str
    period_start: dt.date | None = None  # per-period requirements: the current period


@dataclass
class Progress:
    enrollment: Enrollment
    phase: ProgramPhase | None
    as_of: dt.date
    days_in_phase: int
    min_days: int
    clean_days: int | None
    requirements: list[RequirementProgress] = field(default_factory=list)
    ready_to_advance: bool = False
    blockers: list[str] = field(default_factory=list)


def _number(value: Decimal) -> str:
    """40.00 -> "40", 12.50 -> "12.5"."""
    return format(value.quantize(CENT), "f").rstrip("0").rstrip(".")


def _unit(kind: str, amount: Decimal) -> str:
    one, many = UNITS.get(kind, ("time", "times"))
    return one if amount == 1 else many


def _value(event: ServiceEvent) -> Decimal:
    """What one event contributes to a requirement of its kind."""
    kind = event.kind
    if kind == RequirementKind.COMMUNITY_SERVICE:
        return event.hours or ZERO
    if kind == RequirementKind.DRUG_TEST:
        return Decimal(1) if event.drug_test_result == DrugTestResult.NEGATIVE else ZERO
    if kind == RequirementKind.CLASS:
        return Decimal(1) if event.completed else ZERO
    return Decimal(1) if event.attendance == Attendance.ATTENDED else ZERO


def _label(req: PhaseRequirement) -> str:
    amount = _number(req.quantity)
    unit = _unit(req.kind, req.quantity)
    if req.period_days:
        every = "every day" if req.period_days == 1 else f"every {req.period_days} days"
        return f"{req.name}: {amount} {unit} {every}"
    return f"{req.name}: {amount} {unit}"


def _percent(done: Decimal, required: Decimal) -> int:
    if required <= 0:
        return 100
    return min(100, int(done * 100 / required))


def _counting_events(events: list[ServiceEvent]) -> list[ServiceEvent]:
    voided = {e.voids_id for e in events if e.voids_id is not None}
    return [e for e in events if e.voids_id is None and e.pk not in voided]


def _assign(
    events: list[ServiceEvent], requirements: list[PhaseRequirement]
) -> dict[int, list[ServiceEvent]]:
    """Which events count for which requirement of the phase."""
    by_id = {req.pk: req for req in requirements}
    first_of_kind: dict[str, int] = {}
    for req in requirements:
        first_of_kind.setdefault(req.kind, req.pk)
    out: dict[int, list[ServiceEvent]] = {req.pk: [] for req in requirements}
    for event in events:
        named = by_id.get(event.requirement_id)
        if named is not None and named.kind == event.kind:
            target = named.pk
        else:
            target = first_of_kind.get(event.kind)
        if target is not None:
            out[target].append(event)
    return out


def _total(req: PhaseRequirement, events, *, days_in_phase: int, min_days: int):
    done = sum((_value(e) for e in events), ZERO)
    share = min(Decimal(1), Decimal(days_in_phase) / Decimal(max(min_days, 1)))
    expected = (req.quantity * share).quantize(CENT, rounding=ROUND_HALF_UP)
    return RequirementProgress(
        requirement=req,
        kind=req.kind,
        label=_label(req),
        required=req.quantity,
        done=done,
        expected_by_now=expected,
        percent=_percent(done, req.quantity),
        behind=done < expected,
        unit=_unit(req.kind, Decimal(2)),
    )


def _per_period(req: PhaseRequirement, events, *, start: dt.date, as_of: dt.date):
    period = req.period_days
    index = max(0, (as_of - start).days) // period
    period_start = start + dt.timedelta(days=index * period)
    per_period: dict[int, Decimal] = {}
    for event in events:
        n = (event.occurred_on - start).days // period
        per_period[n] = per_period.get(n, ZERO) + _value(event)
    done = per_period.get(index, ZERO)
    # Behind: a completed period of this phase fell short (brief of issue 8).
    behind = any(per_period.get(n, ZERO) < req.quantity for n in range(index))
    into = Decimal(max(0, (as_of - period_start).days))
    expected = (req.quantity * min(Decimal(1), into / Decimal(period))).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return RequirementProgress(
        requirement=req,
        kind=req.kind,
        label=_label(req),
        required=req.quantity,
        done=done,
        expected_by_now=expected,
        percent=_percent(done, req.quantity),
        behind=behind,
        unit=_unit(req.kind, Decimal(2)),
        period_start=period_start,
    )


def enrollment_progress(enrollment: Enrollment, *, as_of: dt.date) -> Progress:
    """The participant's progress in their current phase on `as_of` (at most 4 queries:
    the phase, its requirements, the enrollment's events).

    An enrollment with no phase (waitlisted) has no requirements and is not ready.
    """
    phase = enrollment.phase
    if phase is None or enrollment.phase_started_on is None:
        return Progress(
            enrollment=enrollment,
            phase=None,
            as_of=as_of,
            days_in_phase=0,
            min_days=0,
            clean_days=None,
            blockers=["The participant is not active in a phase."],
        )
    start = enrollment.phase_started_on
    days_in_phase = max(0, (as_of - start).days)
    requirements = list(
        PhaseRequirement.objects.filter(phase_id=phase.pk).order_by("position", "id")
    )
    events = _counting_events(
        list(
            ServiceEvent.objects.filter(enrollment_id=enrollment.pk).only(
                "id",
                "kind",
                "occurred_on",
                "requirement_id",
                "drug_test_result",
                "attendance",
                "hours",
                "completed",
                "voids_id",
            )
        )
    )
    events = [e for e in events if e.occurred_on <= as_of]
    bad = [
        e.occurred_on
        for e in events
        if e.kind == RequirementKind.DRUG_TEST and e.drug_test_result in BAD_TESTS
    ]
    clean_days = (as_of - max(bad)).days if bad else None
    in_phase = [e for e in events if e.occurred_on >= start]
    assigned = _assign(in_phase, requirements)
    rows: list[RequirementProgress] = []
    for req in requirements:
        if req.period_days:
            rows.append(_per_period(req, assigned[req.pk], start=start, as_of=as_of))
        else:
            rows.append(
                _total(req, assigned[req.pk], days_in_phase=days_in_phase, min_days=phase.min_days)
            )

    blockers: list[str] = []
    if days_in_phase < phase.min_days:
        blockers.append(
            f"{days_in_phase} of {phase.min_days} days in phase {phase.number} "
            f"({phase.min_days - days_in_phase} to go)."
        )
    for row in rows:
        if row.requirement.period_days is None and row.done < row.required:
            blockers.append(
                f"{row.requirement.name}: {_number(row.done)} of {_number(row.required)} "
                f"{_unit(row.kind, row.required)} done."
            )
    effective_clean = clean_days if clean_days is not None else days_in_phase
    if effective_clean < phase.clean_days_required:
        blockers.append(
            f"Clean for {effective_clean} {'day' if effective_clean == 1 else 'days'}; "
            f"{phase.clean_days_required} needed."
        )
    return Progress(
        enrollment=enrollment,
        phase=phase,
        as_of=as_of,
        days_in_phase=days_in_phase,
        min_days=phase.min_days,
        clean_days=clean_days,
        requirements=rows,
        ready_to_advance=not blockers,
        blockers=blockers,
    )
