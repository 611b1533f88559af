"""Reads of the speedy-trial clock: one case's clock with its steps (one query), and the
clocks running out, set-wise in SQL for the nightly monitor.

The arithmetic is docket.speedy_trial's; `speedy_trial_at_risk` restates it in SQL
(PostgreSQL multiranges merge overlapping excludable periods, as the engine does) and
tests hold the two to the same answers (tests/docket/test_speedy_trial_services.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import OuterRef
from django.db.models.functions import JSONObject

from cases.models import Case, CaseCategory, CaseStatus, DocketEntry, court_local_date
from cases.policies import PUBLIC

from .models import ExcludableKind, ExcludablePeriod, SpeedyTrialClock, SpeedyTrialSettings
from .speedy_trial import KIND_CAP_DAYS, Limits, SpeedyTrialResult, speedy_trial_compute


def speedy_trial_applies(case: Case) -> bool:
    """The Act times prosecutions of criminal cases (not traffic infractions, which are
    petty offenses under 18 U.S.C. 3172, nor juvenile matters, 18 U.S.C. 5036)."""
    return case.case_type.category == CaseCategory.CRIMINAL


def limits_of(settings: SpeedyTrialSettings | None) -> Limits:
    """The court's limits, or the Act's when the court has recorded none."""
    if settings is None:
        return Limits()
    return Limits(
        indictment_days=settings.indictment_days,
        trial_days=settings.trial_days,
        earliest_trial_days=settings.earliest_trial_days,
        citation=settings.citation,
        alert_days_remaining=settings.alert_days_remaining,
    )


@dataclass
class SpeedyTrial:
    """A case's speedy-trial clock as a reader sees it."""

    case: Case
    clock: SpeedyTrialClock | None
    limits: Limits
    periods: list[ExcludablePeriod]
    result: SpeedyTrialResult
    describe: bool  # kinds, reasons and docket entries shown (not to the public)


def _period_from_json(case: Case, row: dict) -> ExcludablePeriod:
    """An excludable period read as JSON alongside the clock (one query for both)."""
    period = ExcludablePeriod(
        id=row["id"],
        case_id=case.pk,
        kind=row["kind"],
        starts_on=dt.date.fromisoformat(row["starts_on"]),
        ends_on=dt.date.fromisoformat(row["ends_on"]) if row["ends_on"] else None,
        reason=row["reason"],
        docket_entry_id=row["entry_id"],
    )
    if row["entry_id"] is not None:
        period.docket_entry = DocketEntry(id=row["entry_id"], case_id=case.pk, seq=row["entry_seq"])
    return period


def speedy_trial_get(
    case: Case, today: dt.date | None = None, *, level: str | None = None
) -> SpeedyTrial:
    """The clock of a criminal case the caller may see, computed to `today`.

    One query: the clock and the court's settings joined to the case, the excludable
    periods (with their docket entry's number) as a JSON array beside them — the case
    page shows this panel on every criminal case.

    Args:
        case: a case already found among the visible ones.
        today: court-local date to count to (default: today at the court).
        level: the reader's access level (cases.policies); at the public level the
            excluded periods are "excludable delay" without kinds or reasons, since a
            kind can say more than the public record does (a competency examination).
    """
    periods_json = ArraySubquery(
        ExcludablePeriod.objects.filter(case_id=OuterRef("pk"))
        .order_by("starts_on", "id")
        .values(
            json=JSONObject(
                id="id",
                kind="kind",
                starts_on="starts_on",
                ends_on="ends_on",
                reason="reason",
                entry_id="docket_entry_id",
                entry_seq="docket_entry__seq",
            )
        )
    )
    loaded = (
        Case.objects.filter(pk=case.pk)
        .select_related("speedy_trial", "court__speedy_trial")
        .only(
            "id",
            "court__id",
            *(f"speedy_trial__{f.name}" for f in SpeedyTrialClock._meta.concrete_fields),
            *(f"court__speedy_trial__{f.name}" for f in SpeedyTrialSettings._meta.concrete_fields),
        )
        .annotate(periods_json=periods_json)
        .get()
    )
    clock = getattr(loaded, "speedy_trial", None)
    settings = getattr(loaded.court, "speedy_trial", None)
    periods = [_period_from_json(case, row) for row in loaded.periods_json]
    today = today or court_local_date(case.court)
    limits = limits_of(settings)
    describe = level != PUBLIC
    result = speedy_trial_compute(
        dates=clock, limits=limits, periods=periods, today=today, describe_kinds=describe
    )
    return SpeedyTrial(
        case=case,
        clock=clock,
        limits=limits,
        periods=periods,
        result=result,
        describe=describe,
    )


# --- set-wise, for the nightly monitor ----------------------------------------------------------


@dataclass(frozen=True)
class SpeedyTrialRisk:
    """A running (or expired) clock under the alert threshold."""

    case_id: int
    court_id: int
    days_remaining: int  # negative: days past the limit
    trial_by: dt.date
    paused: bool  # today is excluded (an excludable period covers it)


def _capped_end(cap_kinds: dict[str, int]) -> str:
    # LEAST ignores NULLs: kinds without a cap keep their own end.
    cases = " ".join(
        f"WHEN '{kind}' THEN p.starts_on + {days - 1}" for kind, days in sorted(cap_kinds.items())
    )
    return f"LEAST(COALESCE(p.ends_on, %(today)s), CASE p.kind {cases} END)"


def speedy_trial_at_risk_sql(
    *, today: dt.date, court_ids=None, threshold_days: int | None = None, ordered: bool = True
) -> tuple[str, dict]:
    """The SQL of `speedy_trial_at_risk`, for a caller that builds on it set-wise (the
    nightly monitor's statement joins it to the people to alert; `ordered=False` leaves
    the order to it). Columns: case_id, court_id, days_remaining, trial_by, paused.
    Every parameter's name is one of today, threshold, closed, criminal, trial_days,
    alert_days, court_ids."""
    assert set(KIND_CAP_DAYS) <= set(ExcludableKind.values)
    clock = SpeedyTrialClock._meta.db_table
    settings = SpeedyTrialSettings._meta.db_table
    period = ExcludablePeriod._meta.db_table
    case = Case._meta.db_table
    params: dict = {
        "today": today,
        "threshold": threshold_days,
        "closed": [CaseStatus.DISPOSED.value, CaseStatus.CLOSED.value],
        "criminal": CaseCategory.CRIMINAL.value,
        "trial_days": Limits.trial_days,
        "alert_days": Limits.alert_days_remaining,
    }
    court_filter = ""
    if court_ids is not None:
        params["court_ids"] = list(court_ids)
        court_filter = "AND c.court_id = ANY(%(court_ids)s)"
    case_type = Case._meta.get_field("case_type").related_model._meta.db_table
    # Only table names (from the models) and the caps (constants) are formatted in;
    # every value is a parameter.
    sql = f"""
WITH slack AS (
    -- The fewest days any court's clock can run before it is under its threshold (the
    -- Act's limits where a court has no settings): trial_days - threshold.
    SELECT LEAST(
               %(trial_days)s - COALESCE(%(threshold)s::int, %(alert_days)s),
               (SELECT min(s.trial_days - COALESCE(%(threshold)s::int, s.alert_days_remaining))
                  FROM {settings} s)
           ) AS days
),
candidates AS MATERIALIZED (
    -- Only a clock that could be under its threshold today. Excluded days only add to
    -- the days remaining, so remaining >= trial_days - days elapsed: a clock that has
    -- run no more than trial_days - threshold days is not at risk, whatever its
    -- periods. First for every court at once, on the clock's own row, so that only
    -- these clocks' cases are read (by primary key), then exactly, with each court's
    -- limits (in `clocks`).
    SELECT k.case_id, GREATEST(k.indictment_on, k.first_appearance_on) AS started
    FROM {clock} k
    WHERE k.trial_started_on IS NULL
      AND k.indictment_on IS NOT NULL
      AND k.first_appearance_on IS NOT NULL
      AND ((SELECT days FROM slack) < 0
           OR GREATEST(k.indictment_on, k.first_appearance_on)
              < %(today)s - (SELECT days FROM slack))
),
clocks AS (
    SELECT k.case_id, c.court_id, k.started + 1 AS starts_on,
           COALESCE(s.trial_days, %(trial_days)s) AS trial_days,
           COALESCE(%(threshold)s::int, s.alert_days_remaining, %(alert_days)s) AS threshold
    FROM candidates k
    -- Each candidate's case by its primary key (OFFSET 0 keeps the planner from reading
    -- every criminal case instead): criminal, not disposed or closed.
    CROSS JOIN LATERAL (
        SELECT c.court_id
        FROM {case} c
        JOIN {case_type} t ON t.id = c.case_type_id
        WHERE c.id = k.case_id
          AND t.category = %(criminal)s
          AND NOT (c.status = ANY(%(closed)s))
          {court_filter}
        OFFSET 0
    ) c
    LEFT JOIN {settings} s ON s.court_id = c.court_id
    WHERE COALESCE(s.trial_days, %(trial_days)s) - GREATEST(0, %(today)s - k.started)
          < COALESCE(%(threshold)s::int, s.alert_days_remaining, %(alert_days)s)
),
excluded AS (
    -- Each case's excludable days as one multirange: range_agg merges overlapping and
    -- adjacent periods, so a day excluded for two reasons counts once. An ongoing period
    -- counts through today; one not begun counts nothing; capped kinds (3161(h)(1)(H))
    -- count at most their cap.
    SELECT p.case_id, cl.starts_on, cl.trial_days,
           range_agg(daterange(p.starts_on, {_capped_end(KIND_CAP_DAYS)}, '[]')) AS days
    FROM {period} p
    JOIN clocks cl USING (case_id)
    WHERE p.ends_on IS NOT NULL OR p.starts_on <= %(today)s
    GROUP BY p.case_id, cl.starts_on, cl.trial_days
),
spans AS (
    -- The excluded days from the clock's start on, as disjoint spans in date order,
    -- each with the number of excluded days before it (only clocks with periods).
    SELECT e.case_id, e.starts_on, e.trial_days,
           lower(r) AS lo, upper(r) AS hi, upper(r) - lower(r) AS len,
           COALESCE(SUM(upper(r) - lower(r)) OVER (
               PARTITION BY e.case_id ORDER BY lower(r)
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ), 0) AS before
    FROM excluded e
    CROSS JOIN LATERAL unnest(e.days * datemultirange(daterange(e.starts_on, NULL))) AS r
),
with_periods AS (
    SELECT case_id,
           -- excluded days from the clock's start through today
           SUM(GREATEST(0, LEAST(hi, %(today)s + 1) - lo))::int AS used,
           -- excluded days that push the last day out: every span that begins before
           -- the trial_days-th countable day (fewer countable days than that before it)
           COALESCE(SUM(len) FILTER (WHERE lo - starts_on - before < trial_days), 0)::int
               AS extension,
           -- today is excluded (spans begin on the clock's start at the earliest)
           bool_or(lo <= %(today)s AND %(today)s < hi) AS paused
    FROM spans
    GROUP BY case_id
),
counted AS (
    SELECT cl.case_id, cl.court_id, cl.threshold,
           cl.trial_days
             - (GREATEST(0, %(today)s - cl.starts_on + 1) - COALESCE(w.used, 0))
             AS days_remaining,
           cl.starts_on + (cl.trial_days - 1) + COALESCE(w.extension, 0) AS trial_by,
           COALESCE(w.paused, false) AS paused
    FROM clocks cl
    LEFT JOIN with_periods w USING (case_id)
)
SELECT case_id, court_id, days_remaining, trial_by, paused
FROM counted
WHERE days_remaining < threshold
{"ORDER BY days_remaining, trial_by, case_id" if ordered else ""}
"""  # noqa: S608
    return sql, params


def speedy_trial_at_risk(
    *, today: dt.date, court_ids=None, threshold_days: int | None = None
) -> list[SpeedyTrialRisk]:
    """Running clocks with fewer than the threshold's days remaining, and expired ones,
    in one query (no loop over cases).

    Args:
        today: the court-local date of the run.
        court_ids: only these courts (default: every court).
        threshold_days: alert under this many days remaining (default: each court's
            SpeedyTrialSettings.alert_days_remaining, 14 where it has none).

    Returns:
        SpeedyTrialRisk rows, fewest days remaining first. Criminal cases only, not
        disposed or closed, whose clock has started (indictment and first appearance
        recorded) and whose trial has not begun.
    """
    sql, params = speedy_trial_at_risk_sql(
        today=today, court_ids=court_ids, threshold_days=threshold_days
    )
    with transaction.atomic(), connection.cursor() as cursor:
        jit_off(cursor)
        cursor.execute(sql, params)
        return [SpeedyTrialRisk(*row) for row in cursor.fetchall()]


def jit_off(cursor) -> None:
    """No JIT compilation for the rest of the transaction (call inside one).

    The set-wise reads of the nightly monitor are estimated well above
    jit_above_cost at a million deadlines (a join of CTEs is guessed at far more rows
    than it yields), so PostgreSQL would spend 1-2 s compiling them before a run of
    well under a second (measured by bench/deadline_monitor.py)."""
    cursor.execute("SET LOCAL jit = off")
