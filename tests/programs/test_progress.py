"""Progress in a phase (programs.progress.enrollment_progress).

The rules, from the brief of issue 8 (cited in each test):
* events count from the phase start to as_of; voided events and voids never count;
* community service counts hours; counseling and review hearings sessions attended;
  classes completed; drug tests negative tests;
* totals: expected_by_now = quantity x min(1, days_in_phase / max(min_days, 1)),
  behind when done < expected_by_now;
* per period: the current period's count against the quantity; behind when a completed
  period fell short;
* clean days since the last positive / diluted / missed test (None when none: readiness
  counts from the phase start);
* ready to advance: min_days elapsed, every total requirement done, clean days >= the
  phase's clean_days_required; blockers are sentences.

The drug court of the factories: phase 1 (min 60 days, clean 30): 2 tests every 7 days,
1 counseling session every 7 days, 1 review hearing every 14 days; phase 2 (min 90,
clean 60): 1 test / 7 days, 1 counseling / 7 days, 40 community-service hours, 1 class;
phase 3 (min 90, clean 90): 1 test / 14 days, 20 community-service hours.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from programs.models import Enrollment, ProgramPhase, ServiceEvent
from programs.progress import enrollment_progress

from .steps import enrolled

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def participant(program, case, coordinator):
    return enrolled(program, case, by=coordinator)


def in_phase(enrollment, number: int) -> Enrollment:
    """Put the participant in phase `number`, started on their enrollment day (T)."""
    phase = ProgramPhase.objects.get(program=enrollment.program, number=number)
    Enrollment.objects.filter(pk=enrollment.pk).update(phase=phase)
    return Enrollment.objects.select_related("phase").get(pk=enrollment.pk)


def day(enrollment, n: int) -> dt.date:
    return enrollment.phase_started_on + dt.timedelta(days=n)


def event(enrollment, kind, n, *, by, **fields) -> ServiceEvent:
    return ServiceEvent.objects.create(
        enrollment=enrollment, kind=kind, occurred_on=day(enrollment, n), recorded_by=by, **fields
    )


def negative_test(enrollment, n, by):
    return event(enrollment, "drug_test", n, by=by, drug_test_result="negative")


def row(progress, name):
    return next(r for r in progress.requirements if r.requirement.name == name)


def void(target, by) -> ServiceEvent:
    return ServiceEvent.objects.create(
        enrollment=target.enrollment,
        kind=target.kind,
        occurred_on=target.occurred_on,
        voids=target,
        notes="Entered on the wrong participant",
        recorded_by=by,
    )


# --- totals -------------------------------------------------------------------------------


def test_community_service_counts_hours_of_this_phase_not_voided_ones(participant, coordinator):
    # Rule: "community service: sum of hours of non-voided events" since phase_started_on.
    enrollment = in_phase(participant, 2)
    event(enrollment, "community_service", 1, by=coordinator, hours=D("6.5"))
    event(enrollment, "community_service", 3, by=coordinator, hours=D("4"))
    wrong = event(enrollment, "community_service", 4, by=coordinator, hours=D("8"))
    void(wrong, coordinator)
    # ...an event before the phase started does not count
    event(enrollment, "community_service", -1, by=coordinator, hours=D("5"))
    # ...nor one after as_of
    event(enrollment, "community_service", 20, by=coordinator, hours=D("5"))

    progress = enrollment_progress(enrollment, as_of=day(enrollment, 10))

    service = row(progress, "Community service")
    assert (service.done, service.required, service.unit) == (D("10.5"), D("40"), "hours")
    assert service.percent == 26  # 10.5 / 40, floored
    assert service.label == "Community service: 40 hours"
    assert service.period_start is None


def test_expected_by_now_prorates_totals_over_min_days(participant, coordinator):
    # Rule: expected_by_now = quantity x min(1, days_in_phase / max(min_days, 1)); behind
    # when done < expected. Phase 2: 40 hours over min 90 days; day 45 expects 20.
    enrollment = in_phase(participant, 2)
    event(enrollment, "community_service", 2, by=coordinator, hours=D("10"))

    at_45 = row(enrollment_progress(enrollment, as_of=day(enrollment, 45)), "Community service")
    assert (at_45.expected_by_now, at_45.behind) == (D("20.00"), True)

    event(enrollment, "community_service", 40, by=coordinator, hours=D("12"))
    at_45 = row(enrollment_progress(enrollment, as_of=day(enrollment, 45)), "Community service")
    assert (at_45.done, at_45.behind) == (D("22"), False)
    # ...and past min_days the whole quantity is expected
    at_200 = row(enrollment_progress(enrollment, as_of=day(enrollment, 200)), "Community service")
    assert (at_200.expected_by_now, at_200.behind) == (D("40.00"), True)


def test_classes_count_when_completed_only(participant, coordinator):
    # Rule: "class: completed events".
    enrollment = in_phase(participant, 2)
    event(enrollment, "class", 1, by=coordinator, attendance="attended")
    progress = enrollment_progress(enrollment, as_of=day(enrollment, 5))
    assert row(progress, "Moral reconation therapy").done == 0

    event(enrollment, "class", 2, by=coordinator, attendance="attended", completed=True)
    progress = enrollment_progress(enrollment, as_of=day(enrollment, 5))
    assert row(progress, "Moral reconation therapy").done == 1
    assert row(progress, "Moral reconation therapy").percent == 100


# --- per period ----------------------------------------------------------------------------


def test_per_period_counts_the_current_period_and_is_behind_when_a_past_one_fell_short(
    participant, coordinator
):
    # Rule: the current period's count vs quantity; behind when a completed period fell
    # short. Phase 1: 2 negative tests every 7 days.
    enrollment = participant
    negative_test(enrollment, 0, coordinator)
    negative_test(enrollment, 3, coordinator)  # period 0 (days 0-6): 2, met
    negative_test(enrollment, 8, coordinator)  # period 1 (days 7-13): 1, short
    event(enrollment, "drug_test", 9, by=coordinator, drug_test_result="diluted")  # not negative
    negative_test(enrollment, 15, coordinator)  # period 2 (days 14-20): current

    in_period_1 = row(
        enrollment_progress(enrollment, as_of=day(enrollment, 10)), "Random drug tests"
    )
    assert (in_period_1.done, in_period_1.required) == (1, 2)
    assert in_period_1.period_start == day(enrollment, 7)
    assert in_period_1.behind is False  # period 0 was met; period 1 is not over
    assert in_period_1.label == "Random drug tests: 2 negative tests every 7 days"

    in_period_2 = row(
        enrollment_progress(enrollment, as_of=day(enrollment, 16)), "Random drug tests"
    )
    assert (in_period_2.done, in_period_2.period_start) == (1, day(enrollment, 14))
    assert in_period_2.behind is True  # period 1 fell short


def test_sessions_count_when_attended(participant, coordinator):
    # Rule: counseling and review hearings count attended events.
    enrollment = participant
    event(enrollment, "counseling", 1, by=coordinator, attendance="absent")
    event(enrollment, "counseling", 2, by=coordinator, attendance="excused")
    progress = enrollment_progress(enrollment, as_of=day(enrollment, 3))
    assert row(progress, "Outpatient counseling").done == 0

    event(enrollment, "counseling", 3, by=coordinator, attendance="attended")
    event(enrollment, "review_hearing", 3, by=coordinator, attendance="attended")
    progress = enrollment_progress(enrollment, as_of=day(enrollment, 3))
    assert row(progress, "Outpatient counseling").done == 1
    assert row(progress, "Review hearings").done == 1


def test_an_event_counts_for_the_requirement_it_names(program, participant, coordinator):
    # Given a phase with two requirements of one kind
    enrollment = in_phase(participant, 2)
    phase = enrollment.phase
    second = phase.requirements.create(kind="class", name="Parenting class", quantity=1, position=9)
    event(enrollment, "class", 1, by=coordinator, attendance="attended", completed=True)
    event(
        enrollment,
        "class",
        2,
        by=coordinator,
        attendance="attended",
        completed=True,
        requirement=second,
    )

    progress = enrollment_progress(enrollment, as_of=day(enrollment, 3))

    assert row(progress, "Moral reconation therapy").done == 1
    assert row(progress, "Parenting class").done == 1


# --- clean days and readiness --------------------------------------------------------------


def test_clean_days_since_the_last_bad_test_voided_ones_aside(participant, coordinator):
    # Rule: clean_days = days since the last positive/diluted/missed test; None if none.
    enrollment = participant
    assert enrollment_progress(enrollment, as_of=day(enrollment, 5)).clean_days is None

    event(enrollment, "drug_test", 2, by=coordinator, drug_test_result="missed")
    event(enrollment, "drug_test", 4, by=coordinator, drug_test_result="positive", substances="THC")
    wrong = event(
        enrollment, "drug_test", 6, by=coordinator, drug_test_result="positive", substances="COC"
    )
    void(wrong, coordinator)

    assert enrollment_progress(enrollment, as_of=day(enrollment, 10)).clean_days == 6


def test_ready_to_advance_when_days_totals_and_clean_days_are_met(participant, coordinator):
    # Rule: min_days elapsed, every total requirement done, clean_days >= required.
    # Phase 3: min 90 days, 20 hours, 90 clean days.
    enrollment = in_phase(participant, 3)
    event(enrollment, "community_service", 10, by=coordinator, hours=D("12"))

    early = enrollment_progress(enrollment, as_of=day(enrollment, 30))
    assert early.ready_to_advance is False
    assert early.blockers == [
        "30 of 90 days in phase 3 (60 to go).",
        "Community service: 12 of 20 hours done.",
        "Clean for 30 days; 90 needed.",  # none bad: counted from the phase start
    ]

    event(enrollment, "community_service", 50, by=coordinator, hours=D("8"))
    ready = enrollment_progress(enrollment, as_of=day(enrollment, 90))
    assert (ready.ready_to_advance, ready.blockers) == (True, [])
    assert (ready.days_in_phase, ready.min_days, ready.clean_days) == (90, 90, None)


def test_a_recent_positive_test_blocks_advancement(participant, coordinator):
    enrollment = in_phase(participant, 3)
    event(enrollment, "community_service", 10, by=coordinator, hours=D("20"))
    event(
        enrollment, "drug_test", 80, by=coordinator, drug_test_result="positive", substances="THC"
    )

    progress = enrollment_progress(enrollment, as_of=day(enrollment, 100))

    assert progress.ready_to_advance is False
    assert progress.blockers == ["Clean for 20 days; 90 needed."]
    # Per-period shortfalls do not block advancement (only totals do).
    assert row(progress, "Random drug tests").behind is True


def test_a_waitlisted_participant_has_no_progress(court_a, make_case, coordinator):
    from .factories import pretrial_diversion

    small = pretrial_diversion(court_a, code="ONE", capacity=1)
    enrolled(small, make_case(), by=coordinator)
    waiting = enrolled(small, make_case(), by=coordinator)

    progress = enrollment_progress(waiting, as_of=dt.date.today())

    assert (progress.phase, progress.requirements, progress.ready_to_advance) == (None, [], False)


def test_progress_takes_at_most_four_queries(
    participant, coordinator, django_assert_max_num_queries
):
    enrollment = in_phase(participant, 2)
    for n in range(10):
        event(enrollment, "community_service", n, by=coordinator, hours=D("1"))
        negative_test(enrollment, n, coordinator)
    fresh = Enrollment.objects.get(pk=enrollment.pk)

    with django_assert_max_num_queries(4):
        progress = enrollment_progress(fresh, as_of=day(enrollment, 12))

    assert row(progress, "Community service").done == 10
