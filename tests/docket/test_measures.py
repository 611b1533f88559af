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
