# ruff: noqa: S608 -- the SQL is built from constant fragments; every value is a parameter.
"""Nightly rollups of CourTools measures 2, 3, 4 and 7, so the dashboard stays fast at a
million cases, with the same figures as the live measures (`cases.measures`,
`payments.measures`).

What is rolled up (see `casemgmt.dashboard.models`):

- `CaseFlowDay`: measure 2's five counts per court, case type and day (the change's
  effective date), with `cases.measures.clearance_rate`'s definitions: in = filed,
  reopened, reactivated (inactive -> active); out = disposed (not from inactive: that case
  left when it went inactive) and placed inactive.
- `DispositionTime`: one row per disposition (per episode: filing or reopening to
  disposition) with its days less inactive time, as `time_to_disposition` counts them.
- `PendingSnapshot` / `PendingAgeCount`: measure 4 as of a court-local date, per case type
  and age band, as `case_age_pending` counts it; taken each night for every court's
  yesterday and today, and kept for month ends (and the last `KEEP_DAILY_DAYS` days).
- `CollectionDay`: measure 7's sums of receivable ledger entries per court, case type, order
  day and kind of obligation (ordered, waived, paid net of voids), as
  `payments.measures.collection_rate` sums them.

How a refresh knows what is new: status changes (and ledger entries, for measure 7, with
their own watermark and gaps) are append-only, and each refresh records
the highest change id it saw (`RollupRefresh.watermark`) and the ids under it that were not
committed yet (`gaps`: a transaction still open, or rolled back). The rollups hold exactly
the changes `id <= watermark` not in `gaps`; a change outside that set is "fresh". A change
can be backdated (its effective date before the day it is recorded), so the next refresh
derives again every day, case and snapshot the fresh changes touch, whatever their dates.

How a reader gets the live figure: it reads the latest refresh, then in ONE statement (one
snapshot of the database; run again if that snapshot shows a newer refresh) it takes the
rollups for everything but the fresh changes, and computes the fresh part live: the
fresh changes' own counts (measure 2), the dispositions of the cases with a fresh change
(measure 3), and for measure 4 the snapshot less those cases' ages as the snapshot saw them
plus their ages now. So `clearance_rate_rolled(scope) == clearance_rate(scope)` at any time,
with or without a refresh since the last change; and a backdated change shows at once.

Why the measures stay equal: `case_transition` refuses a date before the case's last status
change (DATE_BEFORE_LAST_CHANGE), so a case's changes in the order recorded are in date
order; the changes effective on or before a date are a prefix of its history, and a
disposed episode's days do not depend on the as-of date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from casemgmt.core.models import Court
from cases.measures import (
    DEFAULT_AGE_BANDS,
    DEFAULT_STANDARDS,
    AgeBand,
    Clearance,
    Disposition,
    MeasureScope,
    PendingAge,
    age_bands,
    case_age_pending,
    clearance_rate,
    time_to_disposition,
)
from payments.measures import Collected, Collections, collection_rate
from payments.models import ObligationKind

from .models import PendingSnapshot, RollupRefresh

logger = logging.getLogger(__name__)

# Age bands of the snapshots (the dashboard's); other bands are computed live.
AGE_BANDS = DEFAULT_AGE_BANDS
# Days before the courts' today derived again by every refresh, fresh changes or not.
RECENT_DAYS = 7
# Daily snapshots are kept this long; month ends for good.
KEEP_DAILY_DAYS = 62
# A full rebuild takes the month ends of this many months back (and yesterday and today).
FULL_MONTH_ENDS = 24
# Ids missing under the watermark are looked for (and kept as gaps) this far back: a
# transaction holding an id is not open for 100,000 status changes.
GAP_WINDOW = 100_000
# pg_advisory_lock key: one refresh at a time ("dashroll").
_LOCK_KEY = 0x6461736872
_PENDING = "('filed', 'active', 'reopened')"


# --- SQL ------------------------------------------------------------------------------------

_FLOW_COUNTS = """
    count(*) FILTER (WHERE sc.to_status = 'filed') AS filed,
    count(*) FILTER (WHERE sc.to_status = 'reopened') AS reopened,
    count(*) FILTER (WHERE sc.from_status = 'inactive' AND sc.to_status = 'active')
        AS reactivated,
    count(*) FILTER (WHERE sc.to_status = 'disposed' AND sc.from_status <> 'inactive')
        AS disposed,
    count(*) FILTER (WHERE sc.to_status = 'inactive') AS inactivated
"""
# The statuses a counted change moves to (lets the (to_status, effective_on) index serve).
_FLOW_TO = "sc.to_status IN ('filed', 'reopened', 'active', 'disposed', 'inactive')"

# A change the latest refresh has not folded in (in a reader's statement; the refresh's
# watermark and gaps are parameters, so the planner reads them off the primary key).
_FRESH = "({alias}.id > %(wm)s OR {alias}.id = ANY(%(gaps)s::bigint[]))"
# The latest refresh as the reader's statement sees it: if it is not the one whose watermark
# the statement was given (a refresh committed in between), the reader asks again.
_REFRESH_NOW = "(SELECT MAX(id) FROM dashboard_rolluprefresh)"


def _changes_cte(where: str) -> str:
    """The status changes matching `where` (over `sc` and its case `c`), each with the next
    change's date and its episode number (filings and reopenings so far), in the order
    recorded: the SQL behind cases.measures' episodes."""
    return f"""
    scoped AS (
        SELECT sc.case_id, c.court_id, c.case_type_id, sc.from_status, sc.to_status,
               sc.effective_on, sc.recorded_at, sc.id
        FROM cases_casestatuschange sc
        JOIN cases_case c ON c.id = sc.case_id
        WHERE {where}
    ), changes AS (
        SELECT s.*,
               LEAD(s.effective_on) OVER w AS next_on,
               SUM(CASE WHEN s.to_status IN ('filed', 'reopened') THEN 1 ELSE 0 END) OVER w
                   AS episode
        FROM scoped s
        WINDOW w AS (PARTITION BY s.case_id ORDER BY s.recorded_at, s.id)
    )"""


def _dispositions_cte(where: str, as_of: str = "NULL::date") -> str:
    """Disposed episodes of the changes matching `where`: (case, episode, court, type,
    started_on, disposed_on, days less inactive time)."""
    return (
        _changes_cte(where)
        + f""",
    episodes AS (
        SELECT case_id, episode, MAX(court_id) AS court_id, MAX(case_type_id) AS case_type_id,
               MIN(effective_on) FILTER (WHERE to_status IN ('filed', 'reopened'))
                   AS started_on,
               MAX(effective_on) FILTER (WHERE to_status = 'disposed') AS disposed_on,
               COALESCE(SUM(COALESCE(next_on, {as_of}) - effective_on)
                        FILTER (WHERE to_status = 'inactive'), 0) AS inactive_days
        FROM changes
        GROUP BY case_id, episode
    ), disposed AS (
        SELECT case_id, episode, court_id, case_type_id, started_on, disposed_on,
               disposed_on - started_on - inactive_days AS days
        FROM episodes WHERE disposed_on IS NOT NULL
    )"""
    )


def _band_sql(days: str, bands: tuple[int, ...]) -> str:
    """The low end of the band `days` falls in (NULL when negative)."""
    whens = [f"WHEN {days} < 0 THEN NULL"]
    for _label, low, high in age_bands(bands):
        if high is not None:
            whens.append(f"WHEN {days} <= {int(high)} THEN {int(low)}")
        else:
            whens.append(f"ELSE {int(low)}")
    return "CASE " + " ".join(whens) + " END"


def _ages_cte(name: str, where: str, targets: str, bands: tuple[int, ...]) -> str:
    """`name`: the active pending cases' ages on each (court_id, as_of) of `targets`, from
    the changes matching `where`: (court_id, as_of, case_type_id, case_id, band).

    The change in force on a date is the last one effective on or before it; a pending
    case's age is the date less its episode's start, less the inactive spells before."""
    return f"""
    {name}_scoped AS (
        SELECT sc.case_id, c.court_id, c.case_type_id, sc.to_status, sc.effective_on,
               sc.recorded_at, sc.id
        FROM cases_casestatuschange sc
        JOIN cases_case c ON c.id = sc.case_id
        WHERE {where}
    ), {name}_changes AS (
        SELECT s.*,
               LEAD(s.effective_on) OVER w AS next_on,
               SUM(CASE WHEN s.to_status IN ('filed', 'reopened') THEN 1 ELSE 0 END) OVER w
                   AS episode
        FROM {name}_scoped s
        WINDOW w AS (PARTITION BY s.case_id ORDER BY s.recorded_at, s.id)
    ), {name}_spells AS (
        SELECT x.*,
               MIN(x.effective_on) FILTER (WHERE x.to_status IN ('filed', 'reopened'))
                   OVER (PARTITION BY x.case_id, x.episode) AS started_on,
               COALESCE(SUM(x.next_on - x.effective_on) FILTER (WHERE x.to_status = 'inactive')
                   OVER (PARTITION BY x.case_id, x.episode ORDER BY x.recorded_at, x.id
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS inactive_before
        FROM {name}_changes x
    ), {name} AS (
        SELECT t.court_id, t.as_of, s.case_type_id, s.case_id,
               {_band_sql("(t.as_of - s.started_on - s.inactive_before)", bands)} AS band
        FROM {name}_spells s
        JOIN {targets} t
          ON t.court_id = s.court_id
         AND s.effective_on <= t.as_of
         AND (s.next_on IS NULL OR s.next_on > t.as_of)
        WHERE s.to_status IN {_PENDING}
    )"""


# --- refresh --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fresh:
    """What the previous refresh had not folded in: its watermark and gaps (of the status
    changes, or of the ledger entries: `name` keeps their parameters apart)."""

    watermark: int
    gaps: list[int]
    name: str = "fresh"

    def where(self, alias: str = "sc") -> str:
        n = self.name
        return f"({alias}.id > %({n}_wm)s OR {alias}.id = ANY(%({n}_gaps)s::bigint[]))"

    @property
    def params(self) -> dict:
        return {f"{self.name}_wm": self.watermark, f"{self.name}_gaps": list(self.gaps)}


def _month_ends_back(today: dt.date, months: int) -> list[dt.date]:
    ends, year, month = [], today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return ends


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def rollups_refresh(*, full: bool = False, snapshot_dates: Iterable[dt.date] = ()) -> RollupRefresh:
    """Bring the rollups up to date with the lifecycle history; idempotent.

    Incremental (the default, nightly): derives again the case-flow days of the last
    RECENT_DAYS days and every day a fresh status change is effective on, the dispositions
    of every case with a fresh change, the pending-age snapshots those cases fall in (their
    old ages out, the new ones in), and takes each court's snapshots of yesterday and today.
    `full` (also the first refresh): derives everything from scratch, with snapshots of the
    last FULL_MONTH_ENDS month ends, yesterday and today. `snapshot_dates`: snapshots of
    these dates too, for every court (a backfill; kept if month ends, else KEEP_DAILY_DAYS).

    One transaction, REPEATABLE READ (one snapshot of the history for every statement),
    set-wise SQL (delete and insert of what is derived again, INSERT ... ON CONFLICT for
    the snapshots' counts); refreshes run one at a time (an advisory lock). Readers see the
    rollups before or after it, never half of it.

    Returns the RollupRefresh recorded.
    """
    started = timezone.now()
    t0 = time.perf_counter()
    # A caller's (or a test's) transaction around ours has begun already: its isolation
    # level can no longer be set, and it sees one history anyway unless others commit.
    outermost = not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
    try:
        with transaction.atomic():
            if outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            refresh = _refresh(full=full, started=started, extra=sorted(set(snapshot_dates)))
        if refresh.full and outermost:
            # A rebuild replaced every row: reclaim the old ones and mark the pages all
            # visible, so the readers' index-only scans skip the heap (not in a transaction).
            with connection.cursor() as cursor:
                cursor.execute(
                    "VACUUM (ANALYZE) dashboard_caseflowday, dashboard_dispositiontime, "
                    "dashboard_pendingsnapshot, dashboard_pendingagecount, "
                    "dashboard_collectionday"
                )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    logger.info(
        "dashboard rollups %s: %s changes, %s days, %s cases, %s snapshots in %.1f s",
        "rebuilt" if refresh.full else "refreshed",
        refresh.changes,
        refresh.days,
        refresh.cases,
        refresh.snapshots,
        time.perf_counter() - t0,
    )
    return refresh


def _visible_upto(table: str, *, previous: tuple[int, list[int]] | None) -> tuple[int, list[int]]:
    """The highest id of `table` this transaction sees and the ids under it it does not
    (in flight or rolled back), looked for since the previous refresh (or GAP_WINDOW back)
    and among its gaps still missing."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        watermark = cursor.fetchone()[0]
        low = max(watermark - GAP_WINDOW, 0 if previous is None else min(previous[0], watermark))
        cursor.execute(
            "SELECT g FROM generate_series(%s::bigint + 1, %s::bigint) g "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE id = g)",
            [low, watermark],
        )
        gaps = {row[0] for row in cursor.fetchall()}
        if previous is not None:
            cursor.execute(
                "SELECT g FROM unnest(%s::bigint[]) g WHERE g > %s AND NOT EXISTS "
                f"(SELECT 1 FROM {table} WHERE id = g)",
                [list(previous[1]), watermark - GAP_WINDOW],
            )
            gaps |= {row[0] for row in cursor.fetchall()}
    return watermark, sorted(gaps)


def _refresh(*, full: bool, started: dt.datetime, extra: list[dt.date]) -> RollupRefresh:
    previous = RollupRefresh.objects.order_by("-id").first()
    full = full or previous is None
    watermark, gaps = _visible_upto(
        "cases_casestatuschange",
        previous=None if full else (previous.watermark, previous.gaps),
    )
    ledger_watermark, ledger_gaps = _visible_upto(
        "payments_ledgerentry",
        previous=None if full else (previous.ledger_watermark, previous.ledger_gaps),
    )
    courts = list(Court.objects.order_by("pk"))
    todays = {court.pk: court.local_today() for court in courts}
    if full:
        counts = _rebuild(todays)
    else:
        counts = _fold_in(_Fresh(previous.watermark, list(previous.gaps)), todays)
        _collections_fold_in(
            _Fresh(previous.ledger_watermark, list(previous.ledger_gaps), name="ledger")
        )
    counts["snapshots"] += _snapshots_take(
        [
            (court_id, day)
            for court_id, today in todays.items()
            for day in (today - dt.timedelta(days=1), today, *extra)
        ]
    )
    _snapshots_prune(todays)
    return RollupRefresh.objects.create(
        full=full,
        started_at=started,
        finished_at=timezone.now(),
        watermark=watermark,
        gaps=gaps,
        ledger_watermark=ledger_watermark,
        ledger_gaps=ledger_gaps,
        **counts,
    )


# Measure 7 (payments.measures.collection_rate): the receivable entries of the obligations,
# by what the obligation was ordered (court, its case's type, day, kind): assessments and
# adjustments ordered, waivers, and the transactions of payments (voids negate them).
_COLLECTED = """
    COALESCE(SUM(e.amount) FILTER (WHERE t.kind IN ('assessment', 'adjustment')), 0) AS ordered,
    COALESCE(SUM(e.amount) FILTER (WHERE t.kind = 'waiver'), 0) AS waived,
    COALESCE(SUM(e.amount) FILTER (WHERE t.payment_id IS NOT NULL), 0) AS paid,
    count(*) AS entries
"""
_RECEIVABLE = """
    FROM payments_ledgerentry e
    JOIN payments_ledgertransaction t ON t.id = e.transaction_id
    JOIN payments_obligation o ON o.id = e.obligation_id
    JOIN cases_case c ON c.id = o.case_id
    WHERE e.account = 'receivable'
"""


def _collections_derive(where: str = "", params: dict | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dashboard_collectionday (court_id, case_type_id, ordered_on, kind, "
            f"ordered, waived, paid, entries) SELECT o.court_id, c.case_type_id, o.ordered_on, "
            f"o.kind, {_COLLECTED} {_RECEIVABLE} {where} GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2, 4",
            params or {},
        )
        return cursor.rowcount


def _collections_fold_in(fresh: _Fresh) -> None:
    """Measure 7: the order days of the obligations with a fresh ledger entry, derived again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT o.ordered_on FROM payments_ledgerentry e "
            "JOIN payments_obligation o ON o.id = e.obligation_id "
            f"WHERE e.account = 'receivable' AND {fresh.where('e')}",
            fresh.params,
        )
        days = [row[0] for row in cursor.fetchall()]
        if not days:
            return
        cursor.execute(
            "DELETE FROM dashboard_collectionday WHERE ordered_on = ANY(%s::date[])", [days]
        )
    _collections_derive("AND o.ordered_on = ANY(%(days)s::date[])", {"days": days})


def _rebuild(todays: dict[int, dt.date]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DELETE FROM dashboard_collectionday")
    _collections_derive()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dashboard_caseflowday")
        cursor.execute(
            "INSERT INTO dashboard_caseflowday (court_id, case_type_id, day, filed, reopened, "
            "reactivated, disposed, inactivated) "
            f"SELECT c.court_id, c.case_type_id, sc.effective_on, {_FLOW_COUNTS} "
            "FROM cases_casestatuschange sc JOIN cases_case c ON c.id = sc.case_id "
            f"WHERE {_FLOW_TO} GROUP BY 1, 2, 3 ORDER BY 1, 3, 2"
        )
        days = cursor.rowcount
        cursor.execute("DELETE FROM dashboard_dispositiontime")
        cursor.execute(
            "WITH "
            + _dispositions_cte("TRUE")
            + " INSERT INTO dashboard_dispositiontime (case_id, episode, court_id, case_type_id, "
            "started_on, disposed_on, days) "
            "SELECT case_id, episode, court_id, case_type_id, started_on, disposed_on, days "
            # In the readers' order: a court's month is a few pages, not one row a page.
            "FROM disposed ORDER BY court_id, disposed_on"
        )
        cases = cursor.rowcount
        cursor.execute("DELETE FROM dashboard_pendingagecount")
        cursor.execute("DELETE FROM dashboard_pendingsnapshot")
    targets = [
        (court_id, day)
        for court_id, today in todays.items()
        for day in _month_ends_back(today, FULL_MONTH_ENDS)
    ]
    snapshots = _snapshots_take(targets)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_casestatuschange")
        changes = cursor.fetchone()[0]
        # Fresh statistics for the readers' plans (ANALYZE runs inside a transaction).
        cursor.execute(
            "ANALYZE dashboard_caseflowday, dashboard_dispositiontime, "
            "dashboard_pendingsnapshot, dashboard_pendingagecount, dashboard_collectionday"
        )
    return {"changes": changes, "days": days, "cases": cases, "snapshots": snapshots}


def _fold_in(fresh: _Fresh, todays: dict[int, dt.date]) -> dict[str, int]:
    """Derive again what the fresh changes touch (see rollups_refresh)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sc.case_id, c.court_id, MIN(sc.effective_on), count(*) "
            "FROM cases_casestatuschange sc JOIN cases_case c ON c.id = sc.case_id "
            f"WHERE {fresh.where()} GROUP BY sc.case_id, c.court_id",
            fresh.params,
        )
        touched = cursor.fetchall()
        cursor.execute(
            f"SELECT DISTINCT sc.effective_on FROM cases_casestatuschange sc WHERE {fresh.where()}",
            fresh.params,
        )
        fresh_days = {row[0] for row in cursor.fetchall()}
    recent_from = min(todays.values(), default=timezone.localdate()) - dt.timedelta(
        days=RECENT_DAYS
    )
    recent = {recent_from + dt.timedelta(days=n) for n in range(RECENT_DAYS + 2)}
    days = sorted(fresh_days | recent)
    case_ids = [row[0] for row in touched]
    with connection.cursor() as cursor:
        # Measure 2: the days touched, derived again from every change of those days.
        cursor.execute("DELETE FROM dashboard_caseflowday WHERE day = ANY(%s::date[])", [days])
        cursor.execute(
            "INSERT INTO dashboard_caseflowday (court_id, case_type_id, day, filed, reopened, "
            "reactivated, disposed, inactivated) "
            f"SELECT c.court_id, c.case_type_id, sc.effective_on, {_FLOW_COUNTS} "
            "FROM cases_casestatuschange sc JOIN cases_case c ON c.id = sc.case_id "
            f"WHERE {_FLOW_TO} AND sc.effective_on = ANY(%(days)s::date[]) GROUP BY 1, 2, 3",
            {"days": days},
        )
        # Measure 3: the dispositions of the cases with a fresh change, derived again.
        cursor.execute(
            "DELETE FROM dashboard_dispositiontime WHERE case_id = ANY(%s::bigint[])", [case_ids]
        )
        if case_ids:
            cursor.execute(
                "WITH "
                + _dispositions_cte("sc.case_id = ANY(%(cases)s::bigint[])")
                + " INSERT INTO dashboard_dispositiontime (case_id, episode, court_id, "
                "case_type_id, started_on, disposed_on, days) "
                "SELECT case_id, episode, court_id, case_type_id, started_on, disposed_on, "
                "days FROM disposed",
                {"cases": case_ids},
            )
    # Measure 4: the snapshots on or after a fresh change's date lose those cases' ages as
    # they saw them and gain their ages now.
    earliest: dict[int, dt.date] = {}
    for _case, court_id, first_on, _n in touched:
        earliest[court_id] = min(first_on, earliest.get(court_id, first_on))
    if earliest:
        _snapshots_adjust(fresh, case_ids, earliest)
    return {
        "changes": sum(row[3] for row in touched),
        "days": len(days),
        "cases": len(case_ids),
        "snapshots": 0,
    }


def _snapshots_adjust(fresh: _Fresh, case_ids: list[int], earliest: dict[int, dt.date]) -> None:
    targets = (
        "(SELECT p.court_id, p.as_of FROM dashboard_pendingsnapshot p "
        "JOIN unnest(%(e_courts)s::int[], %(e_days)s::date[]) AS e(court_id, first_on) "
        "ON e.court_id = p.court_id AND p.as_of >= e.first_on)"
    )
    cases = "sc.case_id = ANY(%(cases)s::bigint[])"
    sql = (
        "WITH "
        + _ages_cte("before", f"{cases} AND NOT {fresh.where()}", targets, AGE_BANDS)
        + ", "
        + _ages_cte("after", cases, targets, AGE_BANDS)
        + """,
    delta AS (
        SELECT court_id, as_of, case_type_id, band, SUM(n) AS n FROM (
            SELECT court_id, as_of, case_type_id, band, 1 AS n FROM after
            UNION ALL
            SELECT court_id, as_of, case_type_id, band, -1 AS n FROM before
        ) both_sides
        WHERE band IS NOT NULL
        GROUP BY 1, 2, 3, 4
        HAVING SUM(n) <> 0
    )
    INSERT INTO dashboard_pendingagecount (snapshot_id, case_type_id, band_low, cases)
    SELECT p.id, d.case_type_id, d.band, d.n
    FROM delta d
    JOIN dashboard_pendingsnapshot p ON p.court_id = d.court_id AND p.as_of = d.as_of
    ON CONFLICT (snapshot_id, case_type_id, band_low)
    DO UPDATE SET cases = dashboard_pendingagecount.cases + EXCLUDED.cases
    """
    )
    courts = list(earliest)
    params = {
        **fresh.params,
        "cases": case_ids,
        "e_courts": courts,
        "e_days": [earliest[c] for c in courts],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _snapshots_take(targets: list[tuple[int, dt.date]]) -> int:
    """Take (again) the snapshots of measure 4 on each (court id, date) of `targets`."""
    if not targets:
        return 0
    courts = [court_id for court_id, _day in targets]
    days = [day for _court, day in targets]
    pairs = "unnest(%(t_courts)s::int[], %(t_days)s::date[]) AS q(court_id, as_of)"
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM dashboard_pendingagecount WHERE snapshot_id IN ("
            "SELECT p.id FROM dashboard_pendingsnapshot p "
            f"JOIN {pairs} USING (court_id, as_of))",
            {"t_courts": courts, "t_days": days},
        )
        cursor.execute(
            "INSERT INTO dashboard_pendingsnapshot (court_id, as_of, taken_at, bands) "
            f"SELECT court_id, as_of, now(), %(bands)s FROM {pairs} "
            "ON CONFLICT (court_id, as_of) DO UPDATE SET taken_at = EXCLUDED.taken_at, "
            "bands = EXCLUDED.bands",
            {"t_courts": courts, "t_days": days, "bands": list(AGE_BANDS)},
        )
        targets_sql = f"(SELECT * FROM {pairs})"
        cursor.execute(
            "WITH "
            + _ages_cte("ages", "c.court_id = ANY(%(t_courts)s::int[])", targets_sql, AGE_BANDS)
            + """
            INSERT INTO dashboard_pendingagecount (snapshot_id, case_type_id, band_low, cases)
            SELECT p.id, a.case_type_id, a.band, count(*)
            FROM ages a
            JOIN dashboard_pendingsnapshot p ON p.court_id = a.court_id AND p.as_of = a.as_of
            WHERE a.band IS NOT NULL
            GROUP BY p.id, a.case_type_id, a.band
            """,
            {"t_courts": courts, "t_days": days},
        )
    return len(set(targets))


def _snapshots_prune(todays: dict[int, dt.date]) -> None:
    """Drop daily snapshots of dates, and taken, more than KEEP_DAILY_DAYS ago (month ends
    stay; a backfill of older dates stays KEEP_DAILY_DAYS)."""
    taken_before = timezone.now() - dt.timedelta(days=KEEP_DAILY_DAYS)
    for court_id, today in todays.items():
        old = [
            s.pk
            for s in PendingSnapshot.objects.filter(
                court_id=court_id,
                as_of__lt=today - dt.timedelta(days=KEEP_DAILY_DAYS),
                taken_at__lt=taken_before,
            ).only("pk", "as_of")
            if not _is_month_end(s.as_of)
        ]
        if old:
            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM dashboard_pendingagecount WHERE snapshot_id = ANY(%s)", [old]
                )
            PendingSnapshot.objects.filter(pk__in=old).delete()


def _money(value) -> Decimal:
    return (value or Decimal("0")).quantize(Decimal("0.01"))


# --- readers: the live measures' figures from the rollups -------------------------------------


@dataclass(frozen=True)
class _Latest:
    """The latest refresh: what the rollups hold."""

    id: int
    watermark: int
    gaps: list[int]
    ledger_watermark: int = 0
    ledger_gaps: list[int] = field(default_factory=list)


def _latest() -> _Latest | None:
    row = (
        RollupRefresh.objects.order_by("-id")
        .values_list("id", "watermark", "gaps", "ledger_watermark", "ledger_gaps")
        .first()
    )
    return _Latest(row[0], row[1], list(row[2]), row[3], list(row[4])) if row else None


# A reader reads the latest refresh, then runs its one statement with that watermark; a
# refresh committed between the two is seen by the statement (its own snapshot), which says
# so, and the reader runs again with the new watermark (then live, if refreshes keep coming).
_ATTEMPTS = 3


def _scope_params(scope: MeasureScope, latest: _Latest) -> dict:
    return {
        "courts": list(scope.court_ids),
        "types": list(scope.case_type_ids),
        "start": scope.start,
        "end": scope.end,
        "wm": latest.watermark,
        "gaps": latest.gaps,
        "lwm": latest.ledger_watermark,
        "lgaps": latest.ledger_gaps,
    }


_SCOPE_CASES = (
    "c.court_id = ANY(%(courts)s::int[]) "
    "AND (cardinality(%(types)s::int[]) = 0 OR c.case_type_id = ANY(%(types)s::int[]))"
)


def clearance_rate_rolled(scope: MeasureScope) -> Clearance:
    """`cases.measures.clearance_rate(scope)`, from the case-flow rollup plus the changes
    not yet rolled up (one statement, after the latest refresh is read)."""
    names = ("filed", "reopened", "reactivated", "disposed", "inactivated")
    sums = ", ".join(f"COALESCE(SUM({n}), 0)::int AS {n}" for n in names)
    both = ", ".join(f"r.{n} + f.{n}" for n in names)
    sql = f"""
    WITH rolled AS (
        SELECT {sums} FROM dashboard_caseflowday c
        WHERE {_SCOPE_CASES} AND c.day BETWEEN %(start)s AND %(end)s
    ), fresh AS (
        SELECT {_FLOW_COUNTS}
        FROM cases_casestatuschange sc JOIN cases_case c ON c.id = sc.case_id
        WHERE {_FRESH.format(alias="sc")} AND {_SCOPE_CASES}
          AND sc.effective_on BETWEEN %(start)s AND %(end)s
    )
    SELECT {_REFRESH_NOW}, {both} FROM rolled r, fresh f
    """
    for _attempt in range(_ATTEMPTS):
        latest = _latest()
        if latest is None:
            break
        with connection.cursor() as cursor:
            cursor.execute(sql, _scope_params(scope, latest))
            refresh_id, *counts = cursor.fetchone()
        if refresh_id == latest.id:
            return Clearance(**dict(zip(names, (int(v) for v in counts), strict=True)))
    return clearance_rate(scope)


def _counted_dispositions_sql(select: str) -> str:
    """The dispositions of the scope: the rollup's, but for the cases with a fresh change,
    computed live (as `counted`: case_id, episode, days), then `select`."""
    dirty = (
        f"SELECT DISTINCT f.case_id FROM cases_casestatuschange f WHERE {_FRESH.format(alias='f')}"
    )
    return (
        f"WITH dirty AS MATERIALIZED ({dirty}), "
        + _dispositions_cte(
            f"{_SCOPE_CASES} AND sc.effective_on <= %(end)s "
            "AND sc.case_id IN (SELECT case_id FROM dirty)",
            as_of="%(end)s::date",
        )
        + f""", counted AS (
        SELECT case_id, episode, days FROM disposed
        WHERE disposed_on BETWEEN %(start)s AND %(end)s
        UNION ALL
        SELECT c.case_id, c.episode, c.days FROM dashboard_dispositiontime c
        WHERE {_SCOPE_CASES} AND c.disposed_on BETWEEN %(start)s AND %(end)s
          AND NOT EXISTS (SELECT 1 FROM dirty d WHERE d.case_id = c.case_id)
    )
    {select}"""
    )


def _rolled_dispositions(scope: MeasureScope) -> tuple[tuple[int, int], ...] | None:
    """(case id, days) of every disposition of the scope, as time_to_disposition orders them
    (None: no refresh yet, or refreshes kept coming)."""
    sql = _counted_dispositions_sql(
        f"SELECT -1, -1, {_REFRESH_NOW} UNION ALL "
        "SELECT case_id, episode, days FROM counted ORDER BY 1, 2"
    )
    for _attempt in range(_ATTEMPTS):
        latest = _latest()
        if latest is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(sql, _scope_params(scope, latest))
            (_sentinel, _episode, refresh_id), *rows = cursor.fetchall()
        if refresh_id == latest.id:
            return tuple((case_id, int(days)) for case_id, _episode, days in rows)
    return None


class _LazyDispositions(Sequence):
    """Each disposition of the scope, read on first use: the page needs only the counts
    (`RolledDisposition`), a drill-down the cases."""

    def __init__(self, scope: MeasureScope):
        self._scope, self._rows = scope, None

    def _load(self) -> tuple[tuple[int, int], ...]:
        if self._rows is None:
            rows = _rolled_dispositions(self._scope)
            self._rows = rows if rows is not None else time_to_disposition(self._scope).dispositions
        return self._rows

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other)

    __hash__ = None


@dataclass(frozen=True)
class RolledDisposition(Disposition):
    """A Disposition whose counts and median were computed in SQL (no row per case sent to
    Python: a year of a big court is tens of thousands); `dispositions` is read when asked
    for."""

    counts: tuple[int, dict[int, int], int | None] = (0, {}, None)

    @property
    def disposed(self) -> int:
        return self.counts[0]

    @property
    def within(self) -> dict[int, int]:
        return dict(self.counts[1])

    @property
    def median_days(self) -> int | None:
        return self.counts[2]


def time_to_disposition_rolled(
    scope: MeasureScope, standards: tuple[int, ...] = DEFAULT_STANDARDS
) -> Disposition:
    """`cases.measures.time_to_disposition(scope, standards)`: the disposition rollup of the
    cases without a fresh change, and the cases with one computed live, counted in SQL (one
    statement, after the latest refresh is read); the dispositions themselves are read on
    first use."""
    standards = tuple(int(limit) for limit in standards)
    within = "".join(f", count(*) FILTER (WHERE days <= {limit})" for limit in standards)
    sql = _counted_dispositions_sql(
        f"SELECT {_REFRESH_NOW}, count(*){within}, "
        "percentile_disc(0.5) WITHIN GROUP (ORDER BY days) FROM counted"
    )
    for _attempt in range(_ATTEMPTS):
        latest = _latest()
        if latest is None:
            break
        with connection.cursor() as cursor:
            cursor.execute(sql, _scope_params(scope, latest))
            refresh_id, disposed, *counts, median = cursor.fetchone()
        if refresh_id == latest.id:
            # percentile_disc(0.5): the lower middle value, as statistics.median_low.
            return RolledDisposition(
                standards=standards,
                dispositions=_LazyDispositions(scope),
                counts=(
                    disposed,
                    dict(zip(standards, counts, strict=True)),
                    None if median is None else int(median),
                ),
            )
    return time_to_disposition(scope, standards=standards)


class _LiveDaysByCase(Mapping):
    """Each pending case's age, computed live on first use: the snapshot counts bands, not
    cases, and only a drill-down needs the cases."""

    def __init__(self, scope: MeasureScope, bands: tuple[int, ...]):
        self._scope, self._bands, self._days = scope, bands, None

    def _load(self) -> dict[int, int]:
        if self._days is None:
            self._days = case_age_pending(self._scope, bands=self._bands).days_by_case
        return self._days

    def __getitem__(self, key):
        return self._load()[key]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


@dataclass(frozen=True)
class RolledPendingAge(PendingAge):
    """A PendingAge whose `pending` is the bands' sum (no per-case query); `days_by_case`
    is read live when asked for."""

    days_by_case: Mapping[int, int] = field(repr=False)

    @property
    def pending(self) -> int:
        return sum(band.count for band in self.bands)


def case_age_pending_rolled(
    scope: MeasureScope, bands: tuple[int, ...] = DEFAULT_AGE_BANDS
) -> PendingAge:
    """`cases.measures.case_age_pending(scope, bands)`, from the snapshot of `scope.end`
    corrected by the cases with a fresh change effective by then (one statement, after
    the latest refresh is read); live when there is no snapshot of that date for every
    court of the scope, or for other bands."""
    bands = tuple(bands)
    courts = len(set(scope.court_ids))
    if tuple(AGE_BANDS) != bands:
        return case_age_pending(scope, bands=bands)
    targets = "(SELECT unnest(%(courts)s::int[]) AS court_id, %(end)s::date AS as_of)"
    dirty = (
        "sc.case_id IN (SELECT f.case_id FROM cases_casestatuschange f "
        f"WHERE {_FRESH.format(alias='f')} AND f.effective_on <= %(end)s)"
    )
    in_scope = f"{_SCOPE_CASES} AND {dirty}"
    sql = (
        "WITH "
        + _ages_cte("before", f"{in_scope} AND NOT {_FRESH.format(alias='sc')}", targets, bands)
        + ", "
        + _ages_cte("after", in_scope, targets, bands)
        + f""",
    snapshot AS (
        SELECT pc.band_low AS band, SUM(pc.cases) AS n
        FROM dashboard_pendingagecount pc
        JOIN dashboard_pendingsnapshot p ON p.id = pc.snapshot_id
        WHERE p.court_id = ANY(%(courts)s::int[]) AND p.as_of = %(end)s
          AND (cardinality(%(types)s::int[]) = 0 OR pc.case_type_id = ANY(%(types)s::int[]))
        GROUP BY pc.band_low
    )
    SELECT band, SUM(n)::int FROM (
        SELECT band, n FROM snapshot
        UNION ALL SELECT band, 1 FROM after WHERE band IS NOT NULL
        UNION ALL SELECT band, -1 FROM before WHERE band IS NOT NULL
    ) parts
    GROUP BY band
    UNION ALL
    SELECT -1, count(*)::int FROM dashboard_pendingsnapshot
    WHERE court_id = ANY(%(courts)s::int[]) AND as_of = %(end)s AND bands = %(bands)s::int[]
    UNION ALL
    SELECT -2, {_REFRESH_NOW}::int
    """
    )
    for _attempt in range(_ATTEMPTS):
        latest = _latest()
        if latest is None:
            break
        with connection.cursor() as cursor:
            cursor.execute(sql, {**_scope_params(scope, latest), "bands": list(bands)})
            rows = cursor.fetchall()
        counts = {band: n for band, n in rows if band >= 0}
        taken = next((n for band, n in rows if band == -1), 0)
        refresh_id = next((n for band, n in rows if band == -2), None)
        if taken != courts:  # no snapshot of that date (for every court)
            break
        if refresh_id == latest.id:
            return RolledPendingAge(
                days_by_case=_LiveDaysByCase(scope, bands),
                bands=[
                    AgeBand(label, low, high, counts.get(low, 0))
                    for label, low, high in age_bands(bands)
                ],
            )
    return case_age_pending(scope, bands=bands)


def collection_rate_rolled(scope: MeasureScope) -> Collections:
    """`payments.measures.collection_rate(scope)`: the collections rollup of the obligations
    ordered in the period plus their ledger entries not yet rolled up (one statement, after
    the latest refresh is read)."""
    sums = "SUM(ordered) AS ordered, SUM(waived) AS waived, SUM(paid) AS paid, SUM(entries)"
    sql = f"""
    WITH rolled AS (
        SELECT c.kind, {sums} AS entries FROM dashboard_collectionday c
        WHERE {_SCOPE_CASES} AND c.ordered_on BETWEEN %(start)s AND %(end)s
        GROUP BY c.kind
    ), fresh AS (
        SELECT o.kind, {_COLLECTED} {_RECEIVABLE}
          AND (e.id > %(lwm)s OR e.id = ANY(%(lgaps)s::bigint[]))
          AND o.court_id = ANY(%(courts)s::int[])
          AND (cardinality(%(types)s::int[]) = 0 OR c.case_type_id = ANY(%(types)s::int[]))
          AND o.ordered_on BETWEEN %(start)s AND %(end)s
        GROUP BY o.kind
    )
    SELECT '', 0, 0, 0, {_REFRESH_NOW}
    UNION ALL
    SELECT kind, SUM(ordered), SUM(waived), SUM(paid), SUM(entries) FROM (
        SELECT * FROM rolled UNION ALL SELECT * FROM fresh
    ) both_parts
    GROUP BY kind
    """
    for _attempt in range(_ATTEMPTS):
        latest = _latest()
        if latest is None:
            break
        with connection.cursor() as cursor:
            cursor.execute(sql, _scope_params(scope, latest))
            (_sentinel, _o, _w, _p, refresh_id), *rows = cursor.fetchall()
        if refresh_id != latest.id:
            continue
        found = {
            kind: Collected(
                kind=kind,
                ordered=_money(ordered),
                waived=-_money(waived),
                collected=-_money(paid),
            )
            for kind, ordered, waived, paid, entries in rows
            if entries
        }
        return Collections(by_kind=[found[kind] for kind in ObligationKind.values if kind in found])
    return collection_rate(scope)
