"""The nightly rollups of CourTools measures 2, 3 and 4 (issue 9, speed at scale): the
rollup-backed functions give the SAME figures as the live measures of cases.measures, on
the hand-built caseload of tests/cases/test_measures.py (figures worked out by hand there),
after a full rebuild, after incremental refreshes, and between refreshes: a change recorded
since the last refresh (backdated or of today) counts at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casemgmt.dashboard.models import (
    CaseFlowDay,
    DispositionTime,
    PendingAgeCount,
    PendingSnapshot,
    RollupRefresh,
)
from casemgmt.dashboard.rollups import (
    RolledPendingAge,
    case_age_pending_rolled,
    clearance_rate_rolled,
    rollups_refresh,
    time_to_disposition_rolled,
)
from cases.measures import MeasureScope, case_age_pending, clearance_rate, time_to_disposition
from cases.models import CaseStatus, CaseStatusChange
from cases.services import case_transition
from tests.cases.factories import open_case
from tests.cases.test_measures import Q1, caseload, cr  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

D = dt.date
# Dates the snapshots are taken on besides month ends (as of 2026-02-20 the hand-built
# figures are known too: B 16, D 5, E 406, H 172, I 112).
BACKFILL = (D(2026, 2, 20), D(2026, 3, 15))


def scopes(court_a, court_b, cr):  # noqa: F811
    """Periods and as-of dates to compare: Q1, each month, an empty year, a case type,
    court B alone and both courts, the as-of dates with and without a snapshot."""
    both = (court_a.pk, court_b.pk)
    made = [
        MeasureScope((court_a.pk,), *Q1),
        MeasureScope((court_a.pk,), D(2026, 1, 1), D(2026, 1, 31)),
        MeasureScope((court_a.pk,), D(2026, 2, 1), D(2026, 2, 28)),
        MeasureScope((court_a.pk,), D(2026, 3, 1), D(2026, 3, 31)),
        MeasureScope((court_a.pk,), D(2026, 1, 1), D(2026, 2, 20)),
        MeasureScope((court_a.pk,), D(2026, 1, 1), D(2026, 3, 15)),
        MeasureScope((court_a.pk,), D(2024, 1, 1), D(2024, 12, 31)),
        MeasureScope((court_a.pk,), *Q1, case_type_ids=(cr.pk,)),
        MeasureScope((court_b.pk,), *Q1),
        MeasureScope(both, *Q1),
        MeasureScope(both, D(2025, 1, 1), D(2026, 10, 31)),
        MeasureScope((court_a.pk,), D(2026, 1, 1), court_a.local_today()),
        MeasureScope((court_a.pk,), D(2026, 1, 1), D(2026, 2, 17)),  # no snapshot: live
    ]
    return made


def disposition_figures(result) -> dict:
    """Everything a Disposition says (a rolled one counts in SQL and reads its rows later)."""
    return {
        "dispositions": tuple(result.dispositions),
        "days_by_case": result.days_by_case,
        "standards": result.standards,
        "disposed": result.disposed,
        "within": result.within,
        "percent_within": result.percent_within,
        "median_days": result.median_days,
    }


def assert_rolled_equals_live(scope_list):
    for scope in scope_list:
        assert clearance_rate_rolled(scope) == clearance_rate(scope), scope
        rolled_disposition = time_to_disposition_rolled(scope)
        assert disposition_figures(rolled_disposition) == disposition_figures(
            time_to_disposition(scope)
        ), scope
        for standards in ((30, 60), (365,)):
            assert disposition_figures(
                time_to_disposition_rolled(scope, standards)
            ) == disposition_figures(time_to_disposition(scope, standards)), scope
        rolled, live = case_age_pending_rolled(scope), case_age_pending(scope)
        assert rolled.bands == live.bands, scope
        assert rolled.pending == live.pending, scope
        assert dict(rolled.days_by_case) == live.days_by_case, scope


def rollup_rows() -> dict:
    """Every rolled-up row, comparable across refreshes."""
    return {
        "flow": sorted(
            CaseFlowDay.objects.values_list(
                "court_id",
                "case_type_id",
                "day",
                "filed",
                "reopened",
                "reactivated",
                "disposed",
                "inactivated",
            )
        ),
        "dispositions": sorted(
            DispositionTime.objects.values_list(
                "case_id",
                "episode",
                "court_id",
                "case_type_id",
                "started_on",
                "disposed_on",
                "days",
            )
        ),
        "pending": sorted(
            (c.snapshot.court_id, c.snapshot.as_of, c.case_type_id, c.band_low, c.cases)
            for c in PendingAgeCount.objects.select_related("snapshot")
            if c.cases
        ),
    }


@pytest.fixture
def world(court_a, court_b, caseload, cr):  # noqa: F811
    return {"cases": caseload, "scopes": scopes(court_a, court_b, cr)}


def test_before_any_refresh_the_rolled_functions_are_the_live_ones(world):
    assert not RollupRefresh.objects.exists()
    assert_rolled_equals_live(world["scopes"])


def test_a_full_rebuild_gives_the_hand_computed_figures(court_a, world):
    rollups_refresh(full=True, snapshot_dates=BACKFILL)
    q1 = MeasureScope((court_a.pk,), *Q1)
    cases = world["cases"]

    # Figures from tests/cases/test_measures.py, worked out by hand there.
    clearance = clearance_rate_rolled(q1)
    assert (clearance.filed, clearance.reopened, clearance.reactivated) == (4, 1, 1)
    assert (clearance.disposed, clearance.inactivated) == (4, 3)
    disposition = time_to_disposition_rolled(q1)
    assert sorted(disposition.days_by_case[cases[k].pk] for k in "ABCDH") == [9, 25, 33, 50, 180]
    pending = case_age_pending_rolled(q1)
    assert isinstance(pending, RolledPendingAge)  # from the snapshot of 2026-03-31
    assert [band.count for band in pending.bands] == [1, 1, 0, 1]
    assert pending.pending == 3
    earlier = case_age_pending_rolled(MeasureScope((court_a.pk,), Q1[0], D(2026, 2, 20)))
    assert isinstance(earlier, RolledPendingAge)  # the backfilled snapshot
    assert [band.count for band in earlier.bands] == [2, 2, 0, 1]

    assert_rolled_equals_live(world["scopes"])


def test_the_rolled_figures_come_from_the_rollups(court_a, world):
    """They are not the live query in disguise: a rollup row changed by hand shows."""
    rollups_refresh(full=True)
    q1 = MeasureScope((court_a.pk,), *Q1)
    row = CaseFlowDay.objects.filter(court=court_a, filed__gt=0, day__range=Q1).first()
    CaseFlowDay.objects.filter(pk=row.pk).update(filed=row.filed + 10)
    DispositionTime.objects.filter(case=world["cases"]["A"]).update(days=999)
    count = PendingAgeCount.objects.filter(
        snapshot__court=court_a, snapshot__as_of=Q1[1], cases__gt=0
    ).first()
    PendingAgeCount.objects.filter(pk=count.pk).update(cases=count.cases + 5)

    assert clearance_rate_rolled(q1).filed == clearance_rate(q1).filed + 10
    rolled = time_to_disposition_rolled(q1)
    assert rolled.within[365] == time_to_disposition(q1).within[365] - 1
    assert rolled.days_by_case[world["cases"]["A"].pk] == 999
    assert case_age_pending_rolled(q1).pending == case_age_pending(q1).pending + 5


def test_backdated_changes_count_before_and_after_the_next_refresh(
    court_a,
    clerk,
    cr,  # noqa: F811 (the fixture)
    world,
):
    rollups_refresh(full=True, snapshot_dates=BACKFILL)
    cases = world["cases"]

    # Recorded today, effective in Q1: E (pending since 2025) disposed on 2026-03-10,
    # J (inactive since 2026-01-15) reactivated on 2026-02-10, then placed inactive again
    # on 2026-03-05; a case filed on 2026-02-01 and entered only now.
    case_transition(case=cases["E"], to="disposed", actor=clerk, effective_on=D(2026, 3, 10))
    case_transition(case=cases["J"], to="active", actor=clerk, effective_on=D(2026, 2, 10))
    cases["J"].refresh_from_db()
    case_transition(
        case=cases["J"],
        to="inactive",
        actor=clerk,
        effective_on=D(2026, 3, 5),
        inactive_reason="warrant",
    )
    late = open_case(case_type=cr, opened_by=clerk, filed_on=D(2026, 2, 1))
    q1 = MeasureScope((court_a.pk,), *Q1)

    # Not rolled up yet, counted already: in 4 + 1 new filing, reactivations 1 + 1; out:
    # dispositions 4 + E, inactive 3 + J again.
    clearance = clearance_rate_rolled(q1)
    assert (clearance.filed, clearance.reactivated) == (5, 2)
    assert (clearance.disposed, clearance.inactivated) == (5, 4)
    # E: 2026-03-10 - 2025-01-10 = 424 days.
    assert time_to_disposition_rolled(q1).days_by_case[cases["E"].pk] == 424
    # On 2026-03-31: E gone; the late filing pending for 58 days; F 0; I 151.
    pending = case_age_pending_rolled(q1)
    assert isinstance(pending, RolledPendingAge)
    assert dict(pending.days_by_case) == {late.pk: 58, cases["F"].pk: 0, cases["I"].pk: 151}
    assert [band.count for band in pending.bands] == [2, 1, 0, 0]
    # On 2026-02-20 (a snapshot): J active again (filed 2026-01-01: 50 days less 26
    # inactive = 24), the late filing 19 days.
    feb = case_age_pending_rolled(MeasureScope((court_a.pk,), Q1[0], D(2026, 2, 20)))
    assert isinstance(feb, RolledPendingAge)
    assert feb.pending == 7
    assert_rolled_equals_live(world["scopes"])

    refresh = rollups_refresh()
    assert not refresh.full
    assert refresh.changes == 4  # three transitions and one filing
    assert refresh.cases == 3
    assert_rolled_equals_live(world["scopes"])

    # The incremental refresh left the rollups as a rebuild from scratch would.
    incremental = rollup_rows()
    rollups_refresh(full=True, snapshot_dates=BACKFILL)
    assert rollup_rows() == incremental


def test_a_change_of_today_counts_before_the_night(court_a, clerk, world):
    rollups_refresh(full=True)
    today = court_a.local_today()
    this_month = MeasureScope((court_a.pk,), today.replace(day=1), today)
    before = clearance_rate_rolled(this_month)
    pending_before = case_age_pending_rolled(this_month)
    assert isinstance(pending_before, RolledPendingAge)  # the snapshot of today

    case_transition(case=world["cases"]["F"], to="disposed", actor=clerk)
    open_case(case_type=world["cases"]["F"].case_type, opened_by=clerk, filed_on=today)

    after = clearance_rate_rolled(this_month)
    assert (after.filed, after.disposed) == (before.filed + 1, before.disposed + 1)
    pending_after = case_age_pending_rolled(this_month)
    assert pending_after.pending == pending_before.pending  # F out, the new case in
    assert pending_after.bands[0].count == pending_before.bands[0].count + 1
    assert_rolled_equals_live([this_month, *world["scopes"]])


def test_a_refresh_is_idempotent_and_folds_nothing_twice(world):
    rollups_refresh(full=True, snapshot_dates=BACKFILL)
    rows = rollup_rows()
    first = rollups_refresh()
    second = rollups_refresh()
    assert (first.changes, second.changes) == (0, 0)
    assert rollup_rows() == rows
    assert_rolled_equals_live(world["scopes"])


def test_a_disposed_case_reopened_after_the_refresh(court_a, clerk, world):
    rollups_refresh(full=True)
    cases = world["cases"]
    # A (disposed 2026-01-20) reopened on 2026-03-01 and disposed again on 2026-03-25.
    case_transition(
        case=cases["A"], to="reopened", actor=clerk, effective_on=D(2026, 3, 1), reason="Vacated"
    )
    cases["A"].refresh_from_db()
    case_transition(case=cases["A"], to="disposed", actor=clerk, effective_on=D(2026, 3, 25))
    q1 = MeasureScope((court_a.pk,), *Q1)

    rolled = time_to_disposition_rolled(q1)
    assert [d for case, d in rolled.dispositions if case == cases["A"].pk] == [50, 24]
    assert_rolled_equals_live(world["scopes"])
    rollups_refresh()
    assert_rolled_equals_live(world["scopes"])


def test_an_id_not_committed_at_the_refresh_is_read_live_until_the_next(court_a, clerk, world):
    """A status change whose id was taken before the refresh but committed after it (a
    transaction still open) is neither lost nor counted twice."""
    case_f = world["cases"]["F"]
    # An id taken and given back (the transaction rolled back) under a committed one.
    with pytest.raises(RuntimeError), transaction.atomic():
        case_transition(case=case_f, to="active", actor=clerk, effective_on=D(2026, 4, 1))
        raise RuntimeError("rolled back")
    case_f.refresh_from_db()
    case_transition(case=world["cases"]["E"], to="active", actor=clerk, effective_on=D(2026, 1, 5))
    refresh = rollups_refresh(full=True)
    missing = refresh.gaps[-1]
    assert missing < refresh.watermark

    # The late transaction commits now, with its id under the watermark.
    CaseStatusChange.objects.create(
        id=missing,
        case=case_f,
        from_status=CaseStatus.FILED,
        to_status=CaseStatus.INACTIVE,
        inactive_reason="stayed",
        effective_on=D(2026, 3, 31),
        changed_by=clerk,
    )
    march = MeasureScope((court_a.pk,), D(2026, 3, 1), D(2026, 3, 31))
    assert clearance_rate_rolled(march).inactivated == clearance_rate(march).inactivated
    # Pending on 2026-03-31: E and I; F went inactive that day.
    assert case_age_pending_rolled(march).pending == case_age_pending(march).pending == 2
    assert_rolled_equals_live(world["scopes"])

    after = rollups_refresh()
    assert missing not in after.gaps and after.changes == 1
    assert_rolled_equals_live(world["scopes"])


def test_the_management_command_rebuilds_and_refreshes(court_a, world, capsys):
    call_command("dashboard_rollups", "--full")
    assert RollupRefresh.objects.get().full
    call_command("dashboard_rollups")
    latest = RollupRefresh.objects.order_by("-id").first()
    assert not latest.full
    assert "rollups" in capsys.readouterr().out
    assert PendingSnapshot.objects.filter(court=court_a, as_of=court_a.local_today()).exists()


@pytest.mark.django_db(transaction=True)
def test_the_refresh_runs_in_one_repeatable_read_transaction(world):
    """Outside a caller's transaction the refresh reads at REPEATABLE READ: every statement
    sees the same history, so the watermark it records is the history it rolled up."""
    seen = []

    def record(execute, sql, params, many, context):
        if "COALESCE(MAX(id), 0) FROM cases_casestatuschange" in sql:
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        rollups_refresh(full=True)
    assert seen == ["repeatable read"]


def test_a_reader_that_sees_a_newer_refresh_reads_again(court_a, clerk, world, monkeypatch):
    """A refresh that commits between the reader's two reads (the latest refresh, then the
    figures) would count its changes twice (rolled up, and as fresh by the older watermark):
    the statement sees the newer refresh and the reader reads again."""
    from casemgmt.dashboard import rollups

    rollups_refresh(full=True, snapshot_dates=BACKFILL)
    before = rollups._latest()
    case_transition(case=world["cases"]["E"], to="disposed", actor=clerk, effective_on=Q1[1])
    rollups_refresh()
    calls = []

    def latest_then_newer():
        calls.append(1)
        return before if len(calls) == 1 else rollups._latest.__wrapped__()

    latest_then_newer.__wrapped__ = rollups._latest
    monkeypatch.setattr(rollups, "_latest", latest_then_newer)
    q1 = MeasureScope((court_a.pk,), *Q1)
    calls.clear()
    assert clearance_rate_rolled(q1) == clearance_rate(q1)
    assert len(calls) == 2
    calls.clear()
    rolled = time_to_disposition_rolled(q1)
    assert len(calls) == 2
    assert (rolled.disposed, rolled.within) == (
        time_to_disposition(q1).disposed,
        time_to_disposition(q1).within,
    )
    calls.clear()
    assert case_age_pending_rolled(q1).bands == case_age_pending(q1).bands
    assert len(calls) == 2
