"""Demo speedy-trial clocks: one in each state on the demo courts' criminal cases,
idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from casemgmt.core.demo import seed_courts_and_users
from casemgmt.core.models import Court, User
from cases.demo import seed_case_types
from cases.models import CaseType
from docket.models import ExcludablePeriod, SpeedyTrialClock, SpeedyTrialSettings
from docket.speedy_trial_demo import DEMO_CLOCKS, seed_speedy_trial
from docket.speedy_trial_selectors import speedy_trial_at_risk, speedy_trial_get
from tests.docket.factories import case_with_people

pytestmark = pytest.mark.django_db


def _quiet(line: str) -> None:
    return None


@pytest.fixture
def demo_cases():
    seed_courts_and_users(log=_quiet)
    seed_case_types(log=_quiet)
    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        clerk = User.objects.get(username="clerk" if court.code == "sarasota" else "clerk.denver")
        for i in range(10):
            case_with_people(
                CaseType.objects.get(court=court, code="CR"),
                opened_by=clerk,
                last_name=f"Demo{i}",
                filed_on=court.local_today() - dt.timedelta(days=100 - i),
            )


def test_the_demo_shows_every_state_and_a_second_run_adds_nothing(demo_cases):
    seed_speedy_trial(log=_quiet)
    counts = (SpeedyTrialClock.objects.count(), ExcludablePeriod.objects.count())
    seed_speedy_trial(log=_quiet)

    assert (SpeedyTrialClock.objects.count(), ExcludablePeriod.objects.count()) == counts
    assert counts[0] == 2 * len(DEMO_CLOCKS)
    assert SpeedyTrialSettings.objects.count() == 2
    court = Court.objects.get(code="sarasota")
    results = [
        speedy_trial_get(clock.case, court.local_today()).result
        for clock in SpeedyTrialClock.objects.filter(case__court=court).select_related(
            "case__court"
        )
    ]
    assert {r.status for r in results} == {"running", "expired", "stopped", "not_started"}
    assert {r.indictment_status for r in results} >= {"pending", "overdue", "filed"}
    assert any(r.paused for r in results) and any(s.merged for r in results for s in r.excluded)
    # The nightly monitor finds the one under the threshold and the expired one.
    at_risk = speedy_trial_at_risk(today=court.local_today(), court_ids=[court.pk])
    assert sorted(r.days_remaining for r in at_risk) == [-10, 10]
