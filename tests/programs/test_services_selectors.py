"""Reads over what the services wrote: the participant's timeline (programs.selectors) and
a program's outcomes (programs.measures; issue 8: "Outcomes are kept for reports:
completion rate, average time in program, reasons for termination")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases.measures import MeasureScope
from programs.measures import program_figures
from programs.models import Enrollment
from programs.selectors import enrollment_timeline
from programs.services import (
    enrollment_complete,
    enrollment_terminate,
    event_record,
    event_void,
    response_record,
)

from .factories import pretrial_diversion
from .steps import enrolled

pytestmark = pytest.mark.django_db


def test_the_timeline_holds_everything_newest_first(program, case, coordinator):
    enrollment = enrolled(program, case, by=coordinator)
    test = event_record(
        enrollment=enrollment,
        kind="drug_test",
        occurred_on=enrollment.enrolled_on,
        drug_test_result="positive",
        substances="THC",
        by=coordinator,
    )
    event_void(event=test, reason="Lab mix-up", by=coordinator)
    response_record(
        enrollment=enrollment,
        kind="incentive",
        action="Praise from the bench",
        reason="Thirty clean days",
        by=coordinator,
    )

    timeline = enrollment_timeline(enrollment)

    assert [i.kind for i in timeline] == ["response", "void", "event", "phase", "status"]
    assert timeline[0].title == "Incentive: Praise from the bench"
    assert timeline[1].detail == "Lab mix-up"
    assert timeline[2].voided is True and timeline[2].detail == "Positive (THC)"
    assert timeline[3].title == "Started phase 1: Stabilization"
    assert timeline[4].title == "Active"
    assert all(i.on == enrollment.enrolled_on and i.by for i in timeline)


def test_the_timeline_reads_in_a_fixed_number_of_queries(
    program, case, coordinator, django_assert_max_num_queries
):
    enrollment = enrolled(program, case, by=coordinator)
    for _ in range(5):
        event_record(
            enrollment=enrollment,
            kind="counseling",
            occurred_on=enrollment.enrolled_on,
            attendance="attended",
            by=coordinator,
        )
    with django_assert_max_num_queries(6):
        assert len(enrollment_timeline(enrollment)) == 7


def test_outcomes_count_completions_terminations_and_time_in_program(
    court_a, make_case, coordinator
):
    # Given four participants of a diversion program: two complete, two are terminated
    program = pretrial_diversion(court_a, code="OUT")
    today = dt.date.today()
    people = [enrolled(program, make_case(), by=coordinator) for _ in range(4)]
    Enrollment.objects.filter(pk__in=[p.pk for p in people]).update(
        enrolled_on=today - dt.timedelta(days=100)
    )
    for p in people[:2]:
        p.refresh_from_db()
        enrollment_complete(enrollment=p, by=coordinator, override=True, note="Judge's order")
    for p, reason in zip(people[2:], ["new_offense", "absconded"], strict=True):
        enrollment_terminate(enrollment=p, reason=reason, note="", by=coordinator)
    Enrollment.objects.filter(pk=people[3].pk).update(ended_on=today - dt.timedelta(days=50))

    year = MeasureScope(court_ids=(court_a.pk,), start=today - dt.timedelta(days=365), end=today)
    (outcomes,) = [f for f in program_figures(year).programs if f.program_id == program.pk]

    assert (outcomes.completed, outcomes.terminated) == (2, 2)
    assert outcomes.completion_rate == Decimal("50.0")
    assert outcomes.average_days == Decimal("87.5")  # (100 + 100 + 100 + 50) / 4
    assert outcomes.terminated_by_reason == {"new_offense": 1, "absconded": 1}
    # ...and a window before anyone ended holds nothing
    before = MeasureScope(
        court_ids=(court_a.pk,),
        start=today - dt.timedelta(days=365),
        end=today - dt.timedelta(days=51),
    )
    (empty,) = [f for f in program_figures(before).programs if f.program_id == program.pk]
    assert (empty.completed, empty.terminated, empty.completion_rate) == (0, 0, None)
    assert empty.terminated_by_reason == {}
