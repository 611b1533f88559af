"""Court performance measures of the caseload, after NCSC CourTools and the NCSC State Court
Guide to Statistical Reporting; computed in SQL from the lifecycle history
(CaseStatusChange), so inactive time and reopened cases are measured as the Guide says.

- Measure 2, clearance rate: outgoing / incoming cases in a period, as a percentage.
  Incoming: new filings, reopened cases, reactivated cases (inactive -> active).
  Outgoing: dispositions (of reopened cases too) and cases placed in inactive status. A
  case disposed while inactive already left the pending caseload when it went inactive,
  so that disposition is not counted again.
- Measure 3, time to disposition: of the cases disposed in the period, the share disposed
  within each time standard. Time runs from filing (for a reopened case: from reopening)
  to disposition, less the days the case was inactive.
- Measure 4, age of active pending caseload: on a date, the cases pending and not inactive,
  aged from filing (or reopening) less the days inactive, counted in age bands.

Each figure has a drill-down that lists exactly what was counted.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet

from .models import CaseStatus, CaseStatusChange

DEFAULT_STANDARDS = (90, 180, 365)
DEFAULT_AGE_BANDS = (90, 180, 365)
PENDING = (CaseStatus.FILED, CaseStatus.ACTIVE, CaseStatus.REOPENED)


@dataclass(frozen=True)
class MeasureScope:
    """Which cases and which period: courts, optionally case types, `start`..`end` inclusive
    (court-local dates). Measure 4 is taken as of `end`."""

    court_ids: tuple[int, ...]
    start: dt.date
    end: dt.date
    case_type_ids: tuple[int, ...] = ()


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole as a percentage with one decimal (None when whole is 0)."""
    return percent_of(Decimal(part), Decimal(whole))


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as a percentage with one decimal, rounded half up (None when whole is 0)."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- measure 2 ------------------------------------------------------------------------------

_INCOMING = {
    "filed": Q(to_status=CaseStatus.FILED),
    "reopened": Q(to_status=CaseStatus.REOPENED),
    "reactivated": Q(from_status=CaseStatus.INACTIVE, to_status=CaseStatus.ACTIVE),
}
_OUTGOING = {
    "disposed": Q(to_status=CaseStatus.DISPOSED) & ~Q(from_status=CaseStatus.INACTIVE),
    "inactivated": Q(to_status=CaseStatus.INACTIVE),
}


@dataclass(frozen=True)
class Clearance:
    filed: int
    reopened: int
    reactivated: int
    disposed: int
    inactivated: int

    @property
    def incoming(self) -> int:
        return self.filed + self.reopened + self.reactivated

    @property
    def outgoing(self) -> int:
        return self.disposed + self.inactivated

    @property
    def rate(self) -> Decimal | None:
        return percent(self.outgoing, self.incoming)


def _changes_in(scope: MeasureScope) -> QuerySet[CaseStatusChange]:
    changes = CaseStatusChange.objects.filter(
        case__court_id__in=scope.court_ids, effective_on__range=(scope.start, scope.end)
    )
    if scope.case_type_ids:
        changes = changes.filter(case__case_type_id__in=scope.case_type_ids)
    return changes


def clearance_rate(scope: MeasureScope) -> Clearance:
    """CourTools measure 2 for `scope` (one query)."""
    parts = {**_INCOMING, **_OUTGOING}
    counts = _changes_in(scope).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in parts.items()}
    )
    return Clearance(**counts)


def clearance_changes(scope: MeasureScope, side: str) -> QuerySet[CaseStatusChange]:
    """The status changes counted as `side` ("incoming" or "outgoing"), oldest first."""
    parts = {"incoming": _INCOMING, "outgoing": _OUTGOING}[side]
    condition = Q()
    for part in parts.values():
        condition |= part
    return (
        _changes_in(scope)
        .filter(condition)
        .select_related("case")
        .order_by("effective_on", "case_id", "id")
    )


# --- episodes: the SQL behind measures 3 and 4 ----------------------------------------------

# One row per (case, episode): an episode starts at filing or reopening. `inactive_days` sums
# the days between going inactive and the next change (or the as-of date). Only changes
# effective on or before the as-of date count.
_EPISODES = """
WITH scoped AS (
    SELECT sc.case_id, sc.from_status, sc.to_status, sc.effective_on, sc.recorded_at, sc.id
    FROM cases_casestatuschange sc
    JOIN cases_case c ON c.id = sc.case_id
    WHERE c.court_id = ANY(%(courts)s)
      AND (cardinality(%(types)s::int[]) = 0 OR c.case_type_id = ANY(%(types)s::int[]))
      AND sc.effective_on <= %(as_of)s
      {case_filter}
), changes AS (
    SELECT s.*,
           LEAD(s.effective_on) OVER w AS next_on,
           SUM(CASE WHEN s.to_status IN ('filed', 'reopened') THEN 1 ELSE 0 END) OVER w
               AS episode,
           ROW_NUMBER() OVER (PARTITION BY s.case_id ORDER BY s.recorded_at DESC, s.id DESC)
               AS from_last
    FROM scoped s
    WINDOW w AS (PARTITION BY s.case_id ORDER BY s.recorded_at, s.id)
), episodes AS (
    SELECT case_id, episode,
           MIN(effective_on) FILTER (WHERE to_status IN ('filed', 'reopened')) AS started_on,
           MAX(effective_on) FILTER (WHERE to_status = 'disposed') AS disposed_on,
           COALESCE(SUM(COALESCE(next_on, %(as_of)s) - effective_on)
                    FILTER (WHERE to_status = 'inactive'), 0) AS inactive_days,
           MAX(to_status) FILTER (WHERE from_last = 1) AS status_now
    FROM changes
    GROUP BY case_id, episode
)
"""


def _episode_rows(scope: MeasureScope, select: str, *, case_ids=None) -> list[tuple]:
    case_filter = "AND sc.case_id = ANY(%(case_ids)s)" if case_ids is not None else ""
    sql = _EPISODES.format(case_filter=case_filter) + select
    params = {
        "courts": list(scope.court_ids),
        "types": list(scope.case_type_ids),
        "as_of": scope.end,
        "start": scope.start,
        "case_ids": list(case_ids or []),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- measure 3 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disposition:
    standards: tuple[int, ...]
    # (case id, days) per disposition: a case disposed, reopened and disposed again in the
    # period counts twice (the Guide counts reopened dispositions).
    dispositions: tuple[tuple[int, int], ...] = field(repr=False)

    @property
    def disposed(self) -> int:
        return len(self.dispositions)

    @property
    def days_by_case(self) -> dict[int, int]:
        return dict(self.dispositions)

    @property
    def within(self) -> dict[int, int]:
        return {
            limit: sum(1 for _case, days in self.dispositions if days <= limit)
            for limit in self.standards
        }

    @property
    def percent_within(self) -> dict[int, Decimal | None]:
        return {days: percent(n, self.disposed) for days, n in self.within.items()}

    @property
    def median_days(self) -> int | None:
        if not self.dispositions:
            return None
        return int(statistics.median_low(days for _case, days in self.dispositions))


def time_to_disposition(
    scope: MeasureScope, standards: tuple[int, ...] = DEFAULT_STANDARDS
) -> Disposition:
    """CourTools measure 3: the dispositions in the period and the days each took."""
    rows = _episode_rows(
        scope,
        "SELECT case_id, disposed_on - started_on - inactive_days FROM episodes "
        "WHERE disposed_on BETWEEN %(start)s AND %(as_of)s ORDER BY case_id, episode",
    )
    return Disposition(
        standards=tuple(standards), dispositions=tuple((case, int(d)) for case, d in rows)
    )


# --- measure 4 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    label: str
    low: int
    high: int | None  # inclusive; None: no upper bound
    count: int


@dataclass(frozen=True)
class PendingAge:
    days_by_case: dict[int, int] = field(repr=False)
    bands: list[AgeBand]

    @property
    def pending(self) -> int:
        return len(self.days_by_case)


def age_bands(limits: tuple[int, ...]) -> list[tuple[str, int, int | None]]:
    """(label, low, high) for limits (90, 180, 365): 0-90, 91-180, 181-365, over 365."""
    bands, low = [], 0
    for high in limits:
        bands.append((f"{low}-{high} days", low, high))
        low = high + 1
    bands.append((f"over {limits[-1]} days", low, None))
    return bands


def case_age_pending(scope: MeasureScope, bands: tuple[int, ...] = DEFAULT_AGE_BANDS) -> PendingAge:
    """CourTools measure 4 as of `scope.end`: each active pending case's age in days."""
    rows = _episode_rows(
        scope,
        "SELECT e.case_id, %(as_of)s - e.started_on - e.inactive_days FROM episodes e "
        "JOIN (SELECT case_id, MAX(episode) AS episode FROM episodes GROUP BY case_id) last "
        "USING (case_id, episode) "
        "WHERE e.status_now IN ('filed', 'active', 'reopened')",
    )
    days = {case_id: int(d) for case_id, d in rows}
    counted = [
        AgeBand(
            label,
            low,
            high,
            sum(1 for d in days.values() if d >= low and (high is None or d <= high)),
        )
        for label, low, high in age_bands(tuple(bands))
    ]
    return PendingAge(days_by_case=days, bands=counted)
