"""CourTools measure 5, trial date certainty, against hearings built by hand.

CourTools measure 5 counts, for trials held, how many times each was set for trial; a
continuance or a move to another date is another setting (setting_number)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.measures import MeasureScope
from docket.measures import hearings_continued_often, trial_date_certainty, trials_held
from docket.models import HearingStatus, HearingType
from tests.cases.factories import CaseTypeFactory, open_case

from .factories import hearing

D = dt.date


def test_trial_date_certainty_counts_the_settings_of_trials_held(court_a, court_b, clerk):
    cr = CaseTypeFactory(court=court_a, code="CR")
    cases = [open_case(case_type=cr, opened_by=clerk) for _ in range(3)]

    def trial(case, day, settings, status=HearingStatus.HELD, kind=HearingType.TRIAL):
        return hearing(
            case,
            scheduled_by=clerk,
            day=day,
            hearing_type=kind,
            status=status,
            setting_number=settings,
        )

    trial(cases[0], D(2026, 2, 3), 1)
    trial(cases[1], D(2026, 2, 4), 1)
    trial(cases[2], D(2026, 2, 5), 2)
    trial(cases[0], D(2026, 3, 3), 5)
    # Not counted: a trial still scheduled, a vacated setting, a held motion hearing,
    # a trial held outside the period.
    trial(cases[1], D(2026, 3, 10), 3, status=HearingStatus.SCHEDULED)
    trial(cases[2], D(2026, 1, 20), 1, status=HearingStatus.VACATED)
    trial(cases[2], D(2026, 2, 10), 1, kind=HearingType.MOTION)
    trial(cases[1], D(2025, 12, 1), 1)
    scope = MeasureScope(court_ids=(court_a.pk,), start=D(2026, 1, 1), end=D(2026, 3, 31))

    result = trial_date_certainty(scope)

    assert result.held == 4
    assert result.by_settings == {1: 2, 2: 1, 3: 0, 4: 1}
    # (1 + 1 + 2 + 5) / 4 settings per trial; 2 of 4 held on the first date set.
    assert result.average_settings == Decimal("2.25")
    assert result.percent_first_setting == Decimal("50.0")
    assert trials_held(scope).count() == result.held
    assert [h.setting_number for h in hearings_continued_often(scope, more_than=2)] == [3]
    other = MeasureScope(court_ids=(court_b.pk,), start=D(2026, 1, 1), end=D(2026, 3, 31))
    assert trial_date_certainty(other).held == 0
    assert trial_date_certainty(other).average_settings is None


def test_deadline_compliance_by_owner(court_a, clerk, make_user):
    from docket.measures import deadline_compliance, deadlines_at_risk, deadlines_missed
    from docket.models import Deadline

    cr = CaseTypeFactory(court=court_a, code="CR")
    case = open_case(case_type=cr, opened_by=clerk)
    lawyer = make_user(
        "attorney", [court_a], username="lawyer_m", first_name="Lee", last_name="Ames"
    )

    def deadline(due, status="open", owner=None):
        return Deadline.objects.create(
            case=case,
            court=court_a,
            name="Answer due",
            due_on=due,
            status=status,
            status_date=due if status == "missed" else None,
            owner=owner,
            status_reason="Met by hand." if status == "met" else "",
        )

    deadline(D(2026, 2, 2), "missed", lawyer)
    deadline(D(2026, 3, 2), "missed", lawyer)
    deadline(D(2026, 3, 30), "open", lawyer)  # at risk: due within 7 days of 2026-03-27
    deadline(D(2026, 3, 27), "open")  # at risk, nobody named
    deadline(D(2026, 3, 15), "missed")
    deadline(D(2026, 4, 10), "open", lawyer)  # beyond the horizon
    deadline(D(2025, 12, 1), "missed", lawyer)  # before the period
    deadline(D(2026, 3, 1), "met", lawyer)
    scope = MeasureScope(court_ids=(court_a.pk,), start=D(2026, 1, 1), end=D(2026, 3, 31))

    rows = deadline_compliance(scope, as_of=D(2026, 3, 27), horizon_days=7)

    assert [(r.owner_name, r.missed, r.at_risk) for r in rows] == [
        ("Lee Ames", 2, 1),
        ("Nobody named", 1, 1),
    ]
    assert deadlines_missed(scope).count() == 3
    assert deadlines_at_risk(scope, as_of=D(2026, 3, 27), horizon_days=7).count() == 2
