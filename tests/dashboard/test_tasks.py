"""The dashboard's worker tasks: the nightly rollup refresh (beat), safe to run twice."""

from __future__ import annotations

import pytest
from django.conf import settings

from casemgmt.dashboard import tasks
from casemgmt.dashboard.models import RollupRefresh
from cases.measures import MeasureScope, clearance_rate
from cases.services import case_transition
from tests.cases.test_measures import Q1, caseload, cr  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_beat_refreshes_the_rollups_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-rollups-nightly"]
    assert entry["task"] == "casemgmt.dashboard.tasks.dashboard_rollups_refresh"
    assert entry["schedule"].hour == {2}
    assert tasks.dashboard_rollups_refresh.name == entry["task"]


def test_the_nightly_task_rebuilds_first_then_folds_in_what_is_new(
    court_a,
    clerk,
    caseload,  # noqa: F811 (the fixture)
):
    first = tasks.dashboard_rollups_refresh.delay().get()
    assert first["full"] is True and first["changes"] > 0

    case_transition(case=caseload["E"], to="disposed", actor=clerk)
    second = tasks.dashboard_rollups_refresh.delay().get()
    third = tasks.dashboard_rollups_refresh.delay().get()

    assert (second["full"], second["changes"], second["cases"]) == (False, 1, 1)
    assert (third["changes"], third["cases"]) == (0, 0)  # run twice: nothing twice
    assert RollupRefresh.objects.count() == 3
    from casemgmt.dashboard.rollups import clearance_rate_rolled

    scope = MeasureScope((court_a.pk,), *Q1)
    assert clearance_rate_rolled(scope) == clearance_rate(scope)


def test_the_task_can_be_asked_for_a_full_rebuild(caseload):  # noqa: F811
    tasks.dashboard_rollups_refresh.delay().get()
    assert tasks.dashboard_rollups_refresh.delay(full=True).get()["full"] is True
