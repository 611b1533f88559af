"""Benchmark: the supervisor's dashboard at 1M cases, its nightly rollups and a big export.

Target (issue 9): the dashboard at 1M cases renders in under 500 ms.

Builds its own scratch database (`casemgmt_bench_dashboard` by default) with bench/scale.py
(1M cases over ten years with their lifecycle histories: filings, activations, inactive
spells, dispositions, reopenings), then adds, set-wise as the other benchmarks do:

* ~1.5M hearings (bench/calendar_day.py's background calendar), a tenth of those held
  turned into trials set 1-4 times (CourTools measure 5);
* obligations, assessments and old payments (bench/payments.py's money: fees or costs on
  every case, fines, restitution; 30% paid), several million ledger entries (measure 7).

Then it times:

1. the rollups (casemgmt.dashboard.rollups): a full rebuild; an incremental refresh with
   nothing new; one after `--changes` status changes made through `case_transition` on
   pending cases of court 1 (a third of them backdated up to 60 days); then `--changes`
   more that no refresh folds in (a day's work), which the rolled-up figures below read
   live;
2. each figure of `dashboard_figures` alone, live and rolled up, for the default period
   (last month) of court 1;
3. `GET /dashboard/` as a supervisor of court 1 through Django's test client, for last
   month, this quarter and the year to date: with measures 2, 3, 4 and 7 computed live
   (`--live-runs`, 3: they take seconds) and read through the rollups (their functions
   set in `selectors.FIGURES` either way, whatever the page is wired to), p50/p95;
4. the CSV export of big drill-down lists (`/dashboard/pending.csv` of last month: every
   active pending case of court 1; `/dashboard/clearance.csv` of the year to date): streamed
   within the request (DASHBOARD_EXPORT_INLINE_MAX_ROWS raised above the list's length),
   whole response consumed, with the row count; then as the worker writes them (the
   request that asks for the job, and `export_job_build` run in this process).

    .venv/bin/python bench/dashboard.py --cases 1000000 --keep      # ~20 min on 2 cores
    .venv/bin/python bench/dashboard.py --reuse --keep              # measure again
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import random
import time

import _setup
from _setup import timed

DB_NAME = "casemgmt_bench_dashboard"
TARGET_MS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30, help="runs per page scenario")
    parser.add_argument("--live-runs", type=int, default=3, help="runs of the live page")
    parser.add_argument("--changes", type=int, default=300, help="changes before a refresh")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=DB_NAME, help="scratch database name")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    _setup.BENCH_DB = args.db
    import logging

    logging.getLogger("casemgmt.dashboard.rollups").setLevel(logging.WARNING)
    cleanup = _setup.attach(args.keep) if args.reuse else _setup.configure(args.keep)
    try:
        if not args.reuse:
            from scale import generate

            generate(cases=args.cases, seed=args.seed)
        prepare(seed=args.seed)
        print(f"load average: {_load()}")
        refreshes(changes=args.changes, seed=args.seed)
        figures()
        pages(runs=args.runs, live_runs=args.live_runs)
        exports()
        print(f"load average: {_load()}")
    finally:
        cleanup()


# --- data -------------------------------------------------------------------------------------


def _bench_module(name: str):
    """A sibling benchmark as a module (bench/payments.py would be shadowed by the app)."""
    path = os.path.join(os.path.dirname(__file__), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def prepare(*, seed: int) -> None:
    """Hearings (trials among them), money, and a supervisor of court 1 (each made once)."""
    from django.db import connection

    from casemgmt.core.models import Court, CourtMembership, User
    from docket.models import Hearing
    from payments.models import Obligation

    if not Hearing.objects.exists():
        t = time.perf_counter()
        _bench_module("calendar_day").prepare(seed=seed)
        with connection.cursor() as cur:
            # Held hearings become trials, set 1 to 4 times (measure 5): at most one a day
            # per courtroom and per judge, so the rooms' and judges' exclusion constraints
            # (trials occupy them) have nothing to refuse.
            cur.execute(
                """
                UPDATE docket_hearing h SET hearing_type = 'trial',
                       setting_number = 1 + (h.id / 10) % 4
                 WHERE h.id IN (
                       SELECT DISTINCT ON (judge_id, date) id FROM (
                           SELECT DISTINCT ON (courtroom_id, date) id, judge_id, date
                             FROM docket_hearing
                            WHERE status = 'held' AND id % 3 = 0
                            ORDER BY courtroom_id, date, id) one_a_room
                        ORDER BY judge_id, date, id)
                """
            )
            cur.execute("VACUUM (ANALYZE) docket_hearing")
        print(f"hearings and trials: {time.perf_counter() - t:.1f} s")
    if not Obligation.objects.exists():
        _bench_module("payments").money_fill()
    court = Court.objects.order_by("pk").first()
    supervisor, made = User.objects.get_or_create(
        username="bench_supervisor", defaults={"role": "supervisor", "first_name": "Bench"}
    )
    if made:
        CourtMembership.objects.create(user=supervisor, court=court, is_default=True)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        cases = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cases_casestatuschange")
        changes = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM docket_hearing")
        hearings = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM payments_ledgerentry")
        entries = cur.fetchone()[0]
    print(
        f"data: {cases:,} cases, {changes:,} status changes, {hearings:,} hearings, "
        f"{entries:,} ledger entries"
    )


def _court():
    from casemgmt.core.models import Court

    return Court.objects.order_by("pk").first()


def _supervisor():
    from casemgmt.core.models import User

    return User.objects.get(username="bench_supervisor")


# --- 1. the rollups ---------------------------------------------------------------------------


def refreshes(*, changes: int, seed: int) -> None:
    from casemgmt.dashboard.models import CaseFlowDay, DispositionTime, PendingAgeCount
    from casemgmt.dashboard.rollups import rollups_refresh

    def once(label: str, **kwargs) -> None:
        t = time.perf_counter()
        refresh = rollups_refresh(**kwargs)
        print(
            f"{label:<48} {time.perf_counter() - t:8.2f} s   ({refresh.changes:,} changes, "
            f"{refresh.days:,} days, {refresh.cases:,} cases, {refresh.snapshots:,} snapshots)"
        )

    once("rollups: full rebuild", full=True)
    once("rollups: full rebuild again", full=True)
    print(
        f"  rows: {CaseFlowDay.objects.count():,} case-flow days, "
        f"{DispositionTime.objects.count():,} dispositions, "
        f"{PendingAgeCount.objects.count():,} pending-age counts"
    )
    once("rollups: incremental, nothing new")
    made = _transitions(changes, random.Random(seed))
    once(f"rollups: incremental after {made} changes")
    once("rollups: incremental, nothing new again")
    # The day goes on: what the figures below read live beside the rollups.
    made = _transitions(changes, random.Random(seed + 1))
    paid = _payments(changes, random.Random(seed + 2))
    print(f"  {made} changes and {paid} payments since the last refresh, read live beside it")


def _transitions(count: int, rng: random.Random) -> int:
    """`count` status changes through the service on pending cases of court 1, a third of
    them backdated (up to 60 days, never before the case's last change)."""
    from cases.models import Case, CaseStatus
    from cases.services import case_transition

    court = _court()
    clerk = _supervisor()
    today = court.local_today()
    ids = list(
        Case.objects.filter(
            court=court, status__in=[CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.INACTIVE]
        ).values_list("pk", flat=True)[: count * 5]
    )
    rng.shuffle(ids)
    made = 0
    t = time.perf_counter()
    for pk in ids:
        if made >= count:
            break
        case = Case.objects.get(pk=pk)
        if case.status == CaseStatus.INACTIVE:
            to, extra = CaseStatus.ACTIVE, {}
        elif rng.random() < 0.5:
            to, extra = CaseStatus.DISPOSED, {}
        else:
            to, extra = CaseStatus.INACTIVE, {"inactive_reason": "stayed"}
        on = today
        if rng.random() < 1 / 3:
            on = max(case.status_date, today - dt.timedelta(days=rng.randint(1, 60)))
        case_transition(case=case, to=to, actor=clerk, effective_on=on, **extra)
        made += 1
    print(f"  {made} changes through case_transition in {time.perf_counter() - t:.1f} s")
    return made


def _payments(count: int, rng: random.Random) -> int:
    """`count` payments through `payment_post` on cases of court 1 that owe money."""
    from decimal import Decimal

    from casemgmt.core.models import User
    from payments.models import CashDrawer, Obligation
    from payments.services import drawer_open, payment_post

    court = _court()
    clerk = User.objects.filter(role="clerk", memberships__court=court).order_by("pk").first()
    drawer = CashDrawer.objects.filter(court=court, clerk=clerk, status="open").first()
    drawer = drawer or drawer_open(court=court, clerk=clerk, opening_float=Decimal("100.00"))
    case_ids = list(
        Obligation.objects.filter(court=court).values_list("case_id", flat=True)[: count * 3]
    )
    rng.shuffle(case_ids)
    from cases.models import Case

    made = 0
    for case in Case.objects.filter(pk__in=case_ids[:count]):
        payment_post(
            case=case,
            amount=Decimal("10.00"),
            method="cash",
            payer_name="Bench payer",
            reference="",
            drawer=drawer,
            posted_by=clerk,
        )
        made += 1
    return made


# --- 2. each figure ---------------------------------------------------------------------------


def _scope(period: str):
    from casemgmt.dashboard.forms import period_dates
    from casemgmt.dashboard.selectors import DashboardScope

    court = _court()
    today = court.local_today()
    start, end = period_dates(period, today)
    from django.utils import timezone

    return DashboardScope(
        court=court,
        case_type=None,
        start=start,
        end=end,
        today=today,
        now=timezone.now(),
        period=period,
    )


def _live_figures() -> dict:
    """Measures 2, 3, 4 and 7 computed from the live tables (cases.measures,
    payments.measures), whatever the page is wired to."""
    from cases.measures import (
        DEFAULT_AGE_BANDS,
        DEFAULT_STANDARDS,
        case_age_pending,
        clearance_rate,
        time_to_disposition,
    )
    from payments.measures import collection_rate

    return {
        "clearance": lambda s: clearance_rate(s.measure),
        "disposition": lambda s: time_to_disposition(s.measure, standards=DEFAULT_STANDARDS),
        "pending_age": lambda s: case_age_pending(s.measure, bands=DEFAULT_AGE_BANDS),
        "collections": lambda s: collection_rate(s.measure),
    }


def _rolled_figures() -> dict:
    from casemgmt.dashboard import rollups
    from cases.measures import DEFAULT_AGE_BANDS, DEFAULT_STANDARDS

    return {
        "clearance": lambda s: rollups.clearance_rate_rolled(s.measure),
        "disposition": lambda s: rollups.time_to_disposition_rolled(
            s.measure, standards=DEFAULT_STANDARDS
        ),
        "pending_age": lambda s: rollups.case_age_pending_rolled(
            s.measure, bands=DEFAULT_AGE_BANDS
        ),
        "collections": lambda s: rollups.collection_rate_rolled(s.measure),
    }


def figures() -> None:
    from casemgmt.dashboard.selectors import FIGURES

    scope = _scope("last_month")
    print(f"figures of court 1, {scope.start} .. {scope.end}:")
    for name, figure in {**FIGURES, **_live_figures()}.items():
        live = " (live)" if name in _live_figures() else ""
        timed(f"  {name}{live}", lambda f=figure: f(scope), 3)
    for name, figure in _rolled_figures().items():
        timed(f"  {name} (rolled up)", lambda f=figure: f(scope), 5)
    ytd = _scope("year_to_date")
    for name, figure in _rolled_figures().items():
        timed(f"  {name} (rolled up, year to date)", lambda f=figure: f(ytd), 5)


# --- 3. the page ------------------------------------------------------------------------------


def pages(*, runs: int, live_runs: int) -> None:
    from django.test import Client

    from casemgmt.dashboard import selectors

    client = Client()
    client.force_login(_supervisor())
    court = _court()

    def get(period: str):
        response = client.get("/dashboard/", {"court": court.pk, "period": period})
        assert response.status_code == 200, response.status_code
        return response

    wired = dict(selectors.FIGURES)
    results = []
    # Live, measures 3 and 4 take seconds each at 1M cases: a few runs tell enough.
    for label, swap, n in (
        ("live", _live_figures(), min(runs, live_runs)),
        ("rolled up", _rolled_figures(), runs),
    ):
        selectors.FIGURES.update(swap)
        try:
            for period in ("last_month", "this_quarter", "year_to_date"):
                results.append(
                    timed(f"GET /dashboard/ {period} ({label})", lambda p=period: get(p), n)
                )
        finally:
            selectors.FIGURES.clear()
            selectors.FIGURES.update(wired)
    worst = max(r["p95_ms"] for r in results[3:])
    verdict = "within" if worst < TARGET_MS else "NOT within"
    print(f"rolled-up page p95 at most {worst:.0f} ms: {verdict} the {TARGET_MS} ms target")


# --- 4. exports -------------------------------------------------------------------------------


def exports() -> None:
    from urllib.parse import urlencode

    from django.test import Client, override_settings

    from casemgmt.dashboard.export_jobs import export_job_build
    from casemgmt.dashboard.models import ExportJob

    client = Client()
    client.force_login(_supervisor())
    court = _court()
    for slug, period in (("pending", "last_month"), ("clearance", "year_to_date")):
        query = {"court": court.pk, "period": period}
        samples, rows, size = [], 0, 0
        with override_settings(DASHBOARD_EXPORT_INLINE_MAX_ROWS=10**9):
            for _ in range(3):
                t = time.perf_counter()
                response = client.get(f"/dashboard/{slug}.csv", query)
                assert response.status_code == 200, response.status_code
                size = 0
                rows = 0
                for chunk in response.streaming_content:
                    size += len(chunk)
                    rows += chunk.count(b"\n")
                samples.append(time.perf_counter() - t)
        samples.sort()
        print(
            f"export /dashboard/{slug}.csv {period:<13} {rows - 1:>9,} rows "
            f"{size / 1e6:6.1f} MB   streamed: best {samples[0]:6.2f} s   "
            f"median {samples[1]:6.2f} s"
        )
        # In the worker: the request that asks for the job (it counts the list), then the
        # build (each run a new job: only a job still in flight is reused).
        asked, built = [], []
        for _ in range(3):
            with override_settings(DASHBOARD_EXPORT_INLINE_MAX_ROWS=0):
                t = time.perf_counter()
                response = client.post(f"/dashboard/{slug}.csv?{urlencode(query)}")
                asked.append(time.perf_counter() - t)
                assert response.status_code == 302, response.status_code
                job = ExportJob.objects.filter(export=slug).latest("pk")
                t = time.perf_counter()
                job = export_job_build(job_id=job.pk)
                built.append(time.perf_counter() - t)
            assert job.status == "done", (job.status, job.error)
        asked.sort()
        built.sort()
        print(
            f"export /dashboard/{slug}.csv {period:<13} {job.row_count:>9,} rows "
            f"in the worker: request median {asked[1]:6.2f} s, build median {built[1]:6.2f} s"
        )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
