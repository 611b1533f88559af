"""Program outcomes and non-compliance for the supervisor's dashboard (issue 9: "program
non-compliance flags and completion rates"), against enrollments and flags built by hand.

The rules measured (issue 8, item 5; programs.measures):
- completion rate: of the participants whose enrollment ended in the period (completed or
  terminated), the share that completed; withdrawals from the waitlist never started the
  program and do not count;
- average days in program: enrollment to end, over those that ended in the period;
- active and waitlisted: now; open flags: open now, whenever raised; flags raised: those
  the nightly run raised in the period, by kind.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.measures import MeasureScope
from cases.models import CaseCategory
from programs.measures import (
    enrollments_current,
    enrollments_ended,
    flags_open,
    flags_raised,
    program_figures,
)
from programs.models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
    Program,
    ProgramKind,
    Referral,
    ReferralStatus,
    TerminationReason,
)
from tests.cases.factories import CaseTypeFactory, open_case

from .factories import drug_court, pretrial_diversion, referral

pytestmark = pytest.mark.django_db

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))

_REFERRAL_STATUS = {
    EnrollmentStatus.WAITLISTED: ReferralStatus.WAITLISTED,
    EnrollmentStatus.WITHDRAWN: ReferralStatus.WITHDRAWN,
}


def enrollment(program, case, status, *, by, enrolled_on=None, ended_on=None, reason=""):
    """An enrollment in `status`, written directly (the services have their own tests)."""
    made = referral(program, case, by=by, on=enrolled_on or D(2025, 5, 1))
    Referral.objects.filter(pk=made.pk).update(
        status=_REFERRAL_STATUS.get(status, ReferralStatus.ENROLLED)
    )
    started = enrolled_on is not None
    return Enrollment.objects.create(
        program=program,
        referral=made,
        case=case,
        participant=made.participant,
        status=status,
        waitlisted_at=None if started else timezone.now(),
        enrolled_on=enrolled_on,
        phase=program.phases.order_by("number").first() if started else None,
        phase_started_on=enrolled_on,
        ended_on=ended_on,
        termination_reason=reason,
    )


def flag(enrollment, kind, raised_on, *, resolved_on=None, by=None):
    return ComplianceFlag.objects.create(
        enrollment=enrollment,
        kind=kind,
        key=f"{kind}:{raised_on.isoformat()}",
        detail=f"{FlagKind(kind).label} found by the nightly run",
        raised_on=raised_on,
        status="resolved" if resolved_on else "open",
        resolved_on=resolved_on,
        resolved_by=by if resolved_on else None,
        resolution_note="Answered" if resolved_on else "",
    )


@pytest.fixture
def world(court_a, court_b, cr_type, clerk, make_user, coordinator):
    tr_type = CaseTypeFactory(
        court=court_a, code="TR", name="Traffic", category=CaseCategory.TRAFFIC
    )

    def case(case_type=cr_type):
        return open_case(case_type=case_type, opened_by=clerk)

    drug = drug_court(court_a)
    ptd = pretrial_diversion(court_a)
    vet = Program.objects.create(
        court=court_a,
        code="VET",
        name="Veterans Treatment Court",
        kind=ProgramKind.VETERANS_COURT,
        capacity=5,
        duration_days=365,
    )
    # An inactive program with nothing to count is not listed.
    Program.objects.create(
        court=court_a,
        code="OLD",
        name="Old Traffic School",
        kind=ProgramKind.TRAFFIC_SCHOOL,
        capacity=5,
        duration_days=30,
        is_active=False,
    )
    e = {}
    # Drug court.
    e["d1"] = enrollment(drug, case(), "active", by=coordinator, enrolled_on=D(2025, 11, 1))
    flag(e["d1"], "positive_test", D(2026, 2, 10))  # raised in Q1, open
    flag(e["d1"], "missed_test", D(2025, 12, 20))  # open now, raised before Q1
    e["d2"] = enrollment(drug, case(), "active", by=coordinator, enrolled_on=D(2026, 1, 15))
    flag(e["d2"], "missed_session", D(2026, 3, 5), resolved_on=D(2026, 3, 10), by=coordinator)
    e["d3"] = enrollment(drug, case(), "waitlisted", by=coordinator)
    # Withdrawn from the waitlist in Q1: neither waitlisted nor an outcome.
    e["d4"] = enrollment(drug, case(), "withdrawn", by=coordinator, ended_on=D(2026, 2, 1))
    # Ended in Q1: completed after 259 days, terminated after 170.
    e["d5"] = enrollment(
        drug,
        case(),
        "completed",
        by=coordinator,
        enrolled_on=D(2025, 6, 1),
        ended_on=D(2026, 2, 15),
    )
    e["d6"] = enrollment(
        drug,
        case(),
        "terminated",
        by=coordinator,
        enrolled_on=D(2025, 10, 1),
        ended_on=D(2026, 3, 20),
        reason="noncompliance",
    )
    flag(e["d6"], "positive_test", D(2026, 1, 5), resolved_on=D(2026, 3, 20), by=coordinator)
    # Ended outside Q1.
    e["d7"] = enrollment(
        drug,
        case(),
        "completed",
        by=coordinator,
        enrolled_on=D(2025, 1, 2),
        ended_on=D(2025, 12, 31),
    )
    e["d8"] = enrollment(
        drug,
        case(),
        "completed",
        by=coordinator,
        enrolled_on=D(2025, 4, 1),
        ended_on=D(2026, 4, 1),
    )
    # A traffic case: counted for all case types, not for criminal ones. Completed after
    # 90 days; a flag open since 2026-02-01.
    e["d9"] = enrollment(
        drug,
        case(tr_type),
        "completed",
        by=coordinator,
        enrolled_on=D(2025, 12, 1),
        ended_on=D(2026, 3, 1),
    )
    flag(e["d9"], "hours_behind", D(2026, 2, 1))
    # Pretrial diversion: one terminated after 60 days (a fee flag open), one active.
    e["p1"] = enrollment(
        ptd,
        case(),
        "terminated",
        by=coordinator,
        enrolled_on=D(2026, 1, 10),
        ended_on=D(2026, 3, 11),
        reason="new_offense",
    )
    flag(e["p1"], "fee_unpaid", D(2026, 2, 20))
    e["p2"] = enrollment(ptd, case(), "active", by=coordinator, enrolled_on=D(2026, 2, 1))
    # Court B's drug court: never in court A's figures.
    clerk_b = make_user("clerk", [court_b], username="clerk_b")
    coordinator_b = make_user("program_coordinator", [court_b], username="coord_b")
    cr_b = CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)
    drug_b = drug_court(court_b)
    e["b1"] = enrollment(
        drug_b,
        open_case(case_type=cr_b, opened_by=clerk_b),
        "completed",
        by=coordinator_b,
        enrolled_on=D(2025, 12, 1),
        ended_on=D(2026, 2, 1),
    )
    flag(e["b1"], "positive_test", D(2026, 2, 1))
    return {
        "drug": drug,
        "ptd": ptd,
        "vet": vet,
        "drug_b": drug_b,
        "cr": cr_type,
        "tr": tr_type,
        "e": e,
    }


def scope_of(court, case_types=()):
    return MeasureScope(
        court_ids=(court.pk,), start=Q1[0], end=Q1[1], case_type_ids=tuple(t.pk for t in case_types)
    )


def test_the_figures_of_each_program_of_the_court(world, court_a):
    result = program_figures(scope_of(court_a))

    # By name; the inactive program with nothing to count is left out, court B's never in.
    assert [p.name for p in result.programs] == [
        "Adult Drug Court",
        "Pretrial Diversion",
        "Veterans Treatment Court",
    ]
    drug, ptd, vet = result.programs
    # Drug court: d1, d2 active; d3 waitlisted (d4 withdrew); d5 and d9 completed, d6
    # terminated in Q1 (d7 and d8 ended outside it): 2 of 3 completed.
    assert (drug.active, drug.waitlisted, drug.completed, drug.terminated) == (2, 1, 2, 1)
    assert drug.completion_rate == Decimal("66.7")
    assert drug.average_days == Decimal("173.0")  # (259 + 170 + 90) / 3
    # Open now: d1's two, d9's (d2's and d6's resolved). Raised in Q1: d1's and d6's
    # positive tests, d2's missed session, d9's hours (d1's missed test is of 2025).
    assert drug.open_flags == 3
    assert drug.raised_by_kind == {"positive_test": 2, "missed_session": 1, "hours_behind": 1}
    assert drug.flags_raised == 4
    # Pretrial diversion: p2 active, p1 terminated after 60 days: none completed.
    assert (ptd.active, ptd.waitlisted, ptd.completed, ptd.terminated) == (1, 0, 0, 1)
    assert ptd.completion_rate == Decimal("0.0")
    assert ptd.average_days == Decimal("60.0")
    assert (ptd.open_flags, ptd.raised_by_kind) == (1, {"fee_unpaid": 1})
    # Veterans court: nobody; no rate when nobody ended.
    assert (vet.active, vet.completed, vet.terminated, vet.open_flags, vet.flags_raised) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert vet.completion_rate is None and vet.average_days is None
    # All programs: 2 of 4 completed; (259 + 170 + 90 + 60) / 4 = 144.75 days.
    total = result.total
    assert (total.active, total.waitlisted, total.completed, total.terminated) == (3, 1, 2, 2)
    assert total.completion_rate == Decimal("50.0")
    assert total.average_days == Decimal("144.8")
    assert total.open_flags == 4 and total.flags_raised == 5
    assert total.raised_by_kind == {
        "positive_test": 2,
        "missed_session": 1,
        "hours_behind": 1,
        "fee_unpaid": 1,
    }


def test_a_case_type_narrows_through_the_enrollments_case(world, court_a):
    drug, ptd, _vet = program_figures(scope_of(court_a, [world["cr"]])).programs

    # d9 (traffic) leaves: 1 of 2 completed, (259 + 170) / 2 days, its flag gone.
    assert (drug.completed, drug.terminated, drug.completion_rate) == (1, 1, Decimal("50.0"))
    assert drug.average_days == Decimal("214.5")
    assert drug.open_flags == 2
    assert drug.raised_by_kind == {"positive_test": 2, "missed_session": 1}
    assert (ptd.active, ptd.terminated) == (1, 1)
    traffic = program_figures(scope_of(court_a, [world["tr"]])).total
    assert (traffic.active, traffic.completed, traffic.open_flags) == (0, 1, 1)


def test_the_terminated_by_their_reason(world, court_a):
    drug, ptd, vet = program_figures(scope_of(court_a)).programs
    total = program_figures(scope_of(court_a)).total

    # d6 (drug court) for non-compliance, p1 (pretrial diversion) for a new offense; in
    # TerminationReason's order, only the reasons seen.
    assert drug.terminated_by_reason == {"noncompliance": 1}
    assert ptd.terminated_by_reason == {"new_offense": 1}
    assert vet.terminated_by_reason == {}
    assert list(total.terminated_by_reason.items()) == [("noncompliance", 1), ("new_offense", 1)]
    assert sum(total.terminated_by_reason.values()) == total.terminated


def test_court_b_is_counted_for_court_b_only(world, court_b):
    result = program_figures(scope_of(court_b))

    assert [p.program_id for p in result.programs] == [world["drug_b"].pk]
    assert (result.total.completed, result.total.open_flags, result.total.flags_raised) == (
        1,
        1,
        1,
    )


def test_the_drill_downs_list_what_was_counted(world, court_a):
    scope = scope_of(court_a)
    e = world["e"]
    drug = world["drug"]

    def ids(queryset):
        return [obj.pk for obj in queryset]

    raised = list(flags_raised(scope))
    assert [f.raised_on for f in raised] == sorted(f.raised_on for f in raised)  # oldest first
    assert len(raised) == 5
    assert {f.enrollment_id for f in flags_raised(scope, program_id=drug.pk)} == {
        e["d1"].pk,
        e["d2"].pk,
        e["d6"].pk,
        e["d9"].pk,
    }
    assert [f.enrollment_id for f in flags_raised(scope, kind="positive_test")] == [
        e["d6"].pk,
        e["d1"].pk,
    ]
    assert flags_raised(scope, program_id=drug.pk, kind="fee_unpaid").count() == 0
    assert {f.enrollment_id for f in flags_open(scope)} == {e["d1"].pk, e["d9"].pk, e["p1"].pk}
    assert flags_open(scope, program_id=drug.pk).count() == 3
    assert ids(enrollments_ended(scope)) == [e["d5"].pk, e["d9"].pk, e["p1"].pk, e["d6"].pk]
    assert ids(enrollments_ended(scope, outcome="completed")) == [e["d5"].pk, e["d9"].pk]
    assert ids(enrollments_ended(scope, outcome="terminated", program_id=drug.pk)) == [e["d6"].pk]
    assert set(ids(enrollments_current(scope, status="active"))) == {
        e["d1"].pk,
        e["d2"].pk,
        e["p2"].pk,
    }
    assert ids(enrollments_current(scope, status="waitlisted", program_id=drug.pk)) == [e["d3"].pk]
    typed = scope_of(court_a, [world["cr"]])
    assert e["d9"].pk not in ids(enrollments_ended(typed))
    assert flags_open(typed).count() == 3


def test_drill_down_totals_equal_the_figures(world, court_a):
    scope = scope_of(court_a)
    for p in program_figures(scope).programs:
        assert flags_raised(scope, program_id=p.program_id).count() == p.flags_raised
        for kind, n in p.raised_by_kind.items():
            assert flags_raised(scope, program_id=p.program_id, kind=kind).count() == n
        assert flags_open(scope, program_id=p.program_id).count() == p.open_flags
        for outcome in ("completed", "terminated"):
            found = enrollments_ended(scope, outcome=outcome, program_id=p.program_id).count()
            assert found == getattr(p, outcome)
        for reason in TerminationReason.values:
            found = enrollments_ended(scope, reason=reason, program_id=p.program_id).count()
            assert found == p.terminated_by_reason.get(reason, 0)
        for status in ("active", "waitlisted"):
            found = enrollments_current(scope, status=status, program_id=p.program_id).count()
            assert found == getattr(p, status)


def test_a_constant_number_of_queries_whatever_the_number_of_programs(
    world, court_a, clerk, coordinator
):
    scope = scope_of(court_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            program_figures(scope)
        return len(ctx.captured_queries)

    before = queries()
    for n in range(4):
        more = pretrial_diversion(court_a, code=f"PTD{n}")
        made = enrollment(
            more,
            open_case(case_type=world["cr"], opened_by=clerk),
            "terminated",
            by=coordinator,
            enrolled_on=D(2026, 1, 2),
            ended_on=D(2026, 2, 2),
            reason="absconded",
        )
        flag(made, "missed_session", D(2026, 1, 20))

    assert queries() == before <= 3
    assert len(program_figures(scope).programs) == 7
