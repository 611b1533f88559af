"""The nightly task of the programs (programs.tasks.programs_nightly): hourly ticks of beat,
each court's drug-test selection of its new day and the compliance run of the night, each
made once, at the court-local hour, whatever daylight-saving time does."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from programs import tasks
from programs.models import (
    ComplianceFlag,
    ComplianceRun,
    DrugTestCall,
    DrugTestSelection,
    Program,
    RequirementKind,
)
from tests.cases.factories import CaseTypeFactory, open_case

from .factories import drug_court, pretrial_diversion
from .nightly_support import enroll

UTC = dt.UTC


def _ticks(start: dt.datetime, hours: int) -> list[dt.datetime]:
    return [start + dt.timedelta(hours=h) for h in range(hours)]


def tick(when: dt.datetime, **kwargs):
    with time_machine.travel(when, tick=False):
        return tasks.programs_nightly(**kwargs)


def test_the_beat_schedule_runs_the_nightly_task_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["programs-nightly"]
    assert entry["task"] == "programs.tasks.programs_nightly"
    assert entry["schedule"].minute == {20} and len(entry["schedule"].hour) == 24


@pytest.mark.parametrize(
    ("zone", "night", "first_tick_local", "hour"),
    [
        # Spring forward (2:00 -> 3:00): 01:20 still exists
        ("America/Denver", dt.date(2025, 3, 9), dt.datetime(2025, 3, 9, 1, 20), 1),
        # ... and with the night set for 02:00, the missing hour runs it at 03:20
        ("America/Denver", dt.date(2025, 3, 9), dt.datetime(2025, 3, 9, 3, 20), 2),
        # Fall back (2:00 -> 1:00): 01:20 happens twice, the night runs once
        ("America/New_York", dt.date(2025, 11, 2), dt.datetime(2025, 11, 2, 1, 20), 1),
    ],
)
def test_hourly_ticks_select_and_run_each_night_once_at_the_court_local_hour_across_dst(
    settings, court_a, program, zone, night, first_tick_local, hour
):
    settings.PROGRAMS_NIGHTLY_HOUR = hour
    court_a.time_zone = zone
    court_a.save()
    tz = zoneinfo.ZoneInfo(zone)
    # Beat's ticks at minute 20 of every hour, from noon the day before for 36 hours
    start = dt.datetime.combine(night - dt.timedelta(days=1), dt.time(12, 20), tzinfo=tz)
    ran, selected = [], []
    for when in _ticks(start.astimezone(UTC), 36):
        summary = tick(when)
        if summary["ran"]:
            ran.append((summary["run_date"], when.astimezone(tz)))
        if summary["selections"]:
            selected.append((list(summary["selections"]), when.astimezone(tz)))

    # Then each night ran once, the night of the change at its first tick past the hour
    nights = [r[0] for r in ran]
    assert nights == [(night - dt.timedelta(days=1)).isoformat(), night.isoformat()]
    when = ran[1][1]
    assert when.replace(tzinfo=None) == first_tick_local and when.fold == 0
    assert ComplianceRun.objects.filter(run_date=night).count() == 1
    # and the program's drug tests were drawn once a day, at the same tick
    assert [s[1] for s in selected] == [r[1] for r in ran]
    days = list(DrugTestSelection.objects.order_by("selection_date"))
    assert [s.selection_date for s in days] == [night - dt.timedelta(days=1), night]
    assert AuditEvent.objects.filter(action="drug_test.select").count() == 2


@pytest.fixture
def program_b(court_b):
    return drug_court(court_b)


def test_each_court_draws_at_its_own_hour_and_the_night_waits_for_the_westernmost(
    court_a, court_b, program, program_b
):
    night = dt.date(2025, 3, 11)
    # 05:20 UTC: 01:20 in New York, 23:20 the day before in Denver
    early = tick(dt.datetime(2025, 3, 11, 5, 20, tzinfo=UTC))
    assert early["run_date"] == "2025-03-10"  # Denver's night of the 10th is the latest
    # New York draws its new day; Denver is still on the 10th (drawn at its 01:20 then)
    assert set(DrugTestSelection.objects.values_list("program_id", "selection_date")) == {
        (program.pk, night),
        (program_b.pk, night - dt.timedelta(days=1)),
    }
    # 07:20 UTC: 03:20 in New York, 01:20 in Denver
    late = tick(dt.datetime(2025, 3, 11, 7, 20, tzinfo=UTC))
    assert late["selections"] == {str(program_b.pk): 0}
    assert (late["run_date"], late["ran"]) == ("2025-03-11", True)
    assert DrugTestSelection.objects.filter(selection_date=night).count() == 2


def test_programs_without_drug_tests_or_inactive_draw_nothing(court_a, program, diversion):
    Program.objects.filter(pk=program.pk).update(is_active=False)
    summary = tick(dt.datetime(2025, 3, 11, 12, 20, tzinfo=UTC))
    assert summary["selections"] == {} and not DrugTestSelection.objects.exists()
    assert diversion.phases.filter(requirements__kind=RequirementKind.DRUG_TEST).count() == 0


def test_a_night_given_by_hand_runs_that_nights_compliance_and_draws_no_past_day(court_a, program):
    summary = tick(dt.datetime(2025, 3, 11, 12, 20, tzinfo=UTC), run_date="2025-03-01")
    assert (summary["run_date"], summary["ran"]) == ("2025-03-01", True)
    assert list(DrugTestSelection.objects.values_list("selection_date", flat=True)) == [
        dt.date(2025, 3, 11)
    ]


def test_a_program_whose_draw_fails_does_not_stop_the_others_nor_the_night(
    court_a, program, monkeypatch
):
    other = pretrial_diversion(court_a, code="PTD2")
    phase = other.phases.get()
    phase.requirements.create(
        kind=RequirementKind.DRUG_TEST, name="Tests", quantity="1", period_days=7
    )
    from programs import drug_tests

    real = drug_tests.drug_test_select

    def failing(*, program, on):
        if program.pk == other.pk:
            raise RuntimeError("broken")
        return real(program=program, on=on)

    monkeypatch.setattr(drug_tests, "drug_test_select", failing)

    summary = tick(dt.datetime(2025, 3, 11, 12, 20, tzinfo=UTC))

    assert summary["selections_failed"] == [other.pk]
    assert list(summary["selections"]) == [str(program.pk)]
    assert summary["ran"] is True


def test_a_participant_drawn_by_the_night_who_does_not_test_is_flagged_the_next_night(
    court_a, program, make_user
):
    # Given a participant called to test every day
    program.phases.get(number=1).requirements.filter(kind=RequirementKind.DRUG_TEST).update(
        quantity="7"
    )
    clerk = make_user(Role.CLERK, [court_a], username="clerk_tasks")
    coordinator = make_user(Role.PROGRAM_COORDINATOR, [court_a], username="coord_tasks")
    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    member = enroll(
        program, open_case(case_type=cr, opened_by=clerk), by=coordinator, on=dt.date(2025, 3, 1)
    )

    # When the night of March 11 draws the day, and nobody records a test that day
    first = tick(dt.datetime(2025, 3, 11, 6, 20, tzinfo=UTC))  # 02:20 in New York
    call = DrugTestCall.objects.get(enrollment=member)
    assert call.test_date == dt.date(2025, 3, 11) and first["flags_raised"] == 0

    # Then the next night flags the missed call, once, with its notice
    second = tick(dt.datetime(2025, 3, 12, 6, 20, tzinfo=UTC))
    tick(dt.datetime(2025, 3, 12, 7, 20, tzinfo=UTC))
    assert (second["flags_raised"], second["notices_issued"]) == (1, 1)
    flag = ComplianceFlag.objects.get()
    assert (flag.kind, flag.key) == ("missed_test", f"call:{call.pk}")
    assert flag.notice is not None
