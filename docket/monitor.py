"""The nightly deadline monitor: marks missed deadlines, finds what is due soon, and queues
one alert digest per recipient per night — set-wise in SQL, never a loop over deadlines.

When a night is processed (DST-safe)
    Beat fires `docket.tasks.deadline_monitor` every hour at minute 5 (an hourly tick
    exists on every day, whatever the clocks do). Each tick asks which night is ready:
    night D is ready once every active court's local wall clock has passed
    DOCKET_DEADLINE_MONITOR_HOUR (01:00) on D (`monitor_night`). Courts in one time zone
    are processed at 01:05 their time; with courts in several zones the night is
    processed when the westernmost reaches 01:05 (04:05 in Florida for a court in
    California), so that every court is past midnight and one digest per recipient can
    list all of their courts as of the same night. A spring-forward night has no 02:00
    but has 01:05 and 03:05; a fall-back night has 01:05 twice, and the second finds the
    night's run row (DeadlineMonitorRun, unique run_date) and only re-queues.

Who is alerted (the project has no per-case assigned clerk; a deadline's `owner` is
whoever the rule or the order made responsible — an attorney of record, a clerk)
    * the deadline's owner, for each of their deadlines;
    * every attorney of record on the case (active appearance), for all its deadlines
      and its speedy-trial clock;
    * the court's supervisors, for statutory items only: statutory deadlines missed or
      due soon, and speedy-trial clocks under the court's alert threshold.
    Judges are not alerted. A user with no e-mail address (nor attorney service address)
    or an inactive account gets no digest.

What a digest lists (docket.digests builds it when it is sent, with visibility applied):
deadlines marked missed that night, open deadlines due within the largest horizon of
DOCKET_DEADLINE_ALERT_HORIZONS (grouped by horizon: due within 1 day, within 7 days),
and speedy-trial clocks at risk.

Exactly once: the run row makes a second run of the night a no-op for marking and for
digest creation; digests are keyed (recipient, digest_date) and inserted with ON
CONFLICT DO NOTHING; every run (and every hourly tick after it) queues again the
digests of the night still pending, so one whose worker died is sent by the next tick.
They are queued in batches (DOCKET_DIGEST_BATCH_SIZE digests per send task, published
over one broker connection); the task sends each digest of its batch through
`docket.digests.digest_send`, which locks the digest in its own transaction and returns
when it is no longer pending, so a batch run twice, or two batches sharing a digest,
still send it once.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.models import Court

from .models import DeadlineDigest, DeadlineMonitorRun, DeadlineStatus, DigestStatus
from .speedy_trial_selectors import jit_off, speedy_trial_at_risk_sql

logger = logging.getLogger(__name__)

DEFAULT_ALERT_HORIZONS = (7, 1)
DEFAULT_MONITOR_HOUR = 1
# Pending digests of this many nights before the run's are queued again too (a worker
# killed just before the next night's run); older ones are left to the failed list.
REQUEUE_NIGHTS = 1
# Digests per send task: a night's ~2,000 digests go out as ~8 tasks, not ~2,000.
DEFAULT_DIGEST_BATCH_SIZE = 250
MISSED_REASON = "Not met by the due date (nightly deadline monitor)."


def alert_horizons() -> tuple[int, ...]:
    """The configured horizons in days, largest first, e.g. (7, 1)."""
    raw = getattr(settings, "DOCKET_DEADLINE_ALERT_HORIZONS", DEFAULT_ALERT_HORIZONS)
    horizons = sorted({int(h) for h in raw if int(h) >= 0}, reverse=True)
    return tuple(horizons) or DEFAULT_ALERT_HORIZONS


def monitor_hour() -> int:
    """Court-local hour after which a night is processed (0-23)."""
    return int(getattr(settings, "DOCKET_DEADLINE_MONITOR_HOUR", DEFAULT_MONITOR_HOUR)) % 24


def monitor_night(*, now: dt.datetime | None = None) -> dt.date | None:
    """The latest night ready to process at `now`: the court-local date D such that every
    active court's wall clock has passed DOCKET_DEADLINE_MONITOR_HOUR on D.

    Wall-clock arithmetic on each zone's local time, so a day of 23 or 25 hours changes
    nothing. None when there is no active court.
    """
    now = now or timezone.now()
    zones = set(Court.objects.filter(is_active=True).values_list("time_zone", flat=True))
    if not zones:
        return None
    shift = dt.timedelta(hours=monitor_hour())
    return min((now.astimezone(zoneinfo.ZoneInfo(z)) - shift).date() for z in zones)


# --- the run ---------------------------------------------------------------------------------


@dataclass
class MonitorResult:
    run: DeadlineMonitorRun
    created: bool  # False: the night had run already (nothing marked, nothing created)
    queued: list[int] = field(default_factory=list)  # digest ids queued on commit
    by_court: dict[int, dict[str, int]] = field(default_factory=dict)
    sql_seconds: float = 0.0  # the set-wise statement (mark, find, clocks, create digests)
    enqueue_seconds: float = 0.0  # publishing the send tasks, after the commit
    tasks: int = 0  # send tasks published (one per batch of digests)


# One statement: mark missed, find the due-soon deadlines and the speedy-trial clocks at
# risk (docket.speedy_trial_selectors' SQL, inlined: {at_risk}), turn them into
# (recipient, item) pairs, and insert one digest per recipient.
# A court's local date is computed in SQL from its own time zone, so a deadline is never
# marked missed before its court-local due date (or due_at, for periods in hours) has
# passed, whatever `run_date` says.
MONITOR_SQL = """
WITH marked AS (
    UPDATE docket_deadline d
       SET status = %(missed)s,
           status_date = %(run_date)s,
           status_reason = CASE WHEN d.status_reason = '' THEN %(reason)s
                                ELSE d.status_reason END
      FROM core_court c
     WHERE c.id = d.court_id
       AND c.is_active
       AND d.status = %(open)s
       AND d.due_on <= %(run_date)s
       AND CASE WHEN d.due_at IS NULL
                THEN d.due_on < LEAST(%(run_date)s::date,
                                      (%(now)s::timestamptz AT TIME ZONE c.time_zone)::date)
                ELSE d.due_at < %(now)s END
    RETURNING d.id, d.case_id, d.court_id, d.owner_id, d.is_statutory
),
soon AS (
    SELECT d.id, d.case_id, d.court_id, d.owner_id, d.is_statutory
      FROM docket_deadline d
      JOIN core_court c ON c.id = d.court_id AND c.is_active
     WHERE d.status = %(open)s
       AND d.due_on >= %(run_date)s
       AND d.due_on <= %(last_day)s
       AND (d.due_at IS NULL OR d.due_at >= %(now)s)
),
at_risk AS (
    SELECT r.case_id, r.court_id FROM ({at_risk}) r
),
items AS (
    SELECT id AS item, case_id, court_id, owner_id, is_statutory FROM marked
    UNION ALL
    SELECT id, case_id, court_id, owner_id, is_statutory FROM soon
    UNION ALL
    -- a clock is one item per case; negative so it never meets a deadline id
    SELECT -case_id, case_id, court_id, NULL::bigint, true FROM at_risk
),
supervisors AS (
    SELECT m.court_id, m.user_id
      FROM core_courtmembership m
      JOIN core_user s ON s.id = m.user_id AND s.role = %(supervisor)s
),
-- (recipient, item), each pair once: an owner who is also of record counts the item once
pairs AS (
    SELECT owner_id AS user_id, item FROM items WHERE owner_id IS NOT NULL
    UNION
    SELECT a.attorney_id, i.item
      FROM items i
      JOIN cases_appearance a ON a.case_id = i.case_id AND a.withdrawn_on IS NULL
    UNION
    SELECT v.user_id, i.item FROM items i JOIN supervisors v USING (court_id)
     WHERE i.is_statutory
),
recipients AS (
    SELECT p.user_id, count(*) AS n
      FROM pairs p
      JOIN core_user u ON u.id = p.user_id AND u.is_active
      LEFT JOIN core_attorneyprofile ap ON ap.user_id = u.id
     WHERE COALESCE(NULLIF(ap.email, ''), u.email) <> ''
     GROUP BY p.user_id
),
created AS (
    INSERT INTO docket_deadlinedigest
           (recipient_id, digest_date, status, items, attempts, error, created_at)
    SELECT user_id, %(run_date)s, %(pending)s, n, 0, '', %(now)s FROM recipients
        ON CONFLICT (recipient_id, digest_date) DO NOTHING
    RETURNING id
),
per_court AS (
    SELECT court_id, sum(m) AS missed, sum(s) AS soon, sum(r) AS risk FROM (
        SELECT court_id, 1 AS m, 0 AS s, 0 AS r FROM marked
        UNION ALL SELECT court_id, 0, 1, 0 FROM soon
        UNION ALL SELECT court_id, 0, 0, 1 FROM at_risk
    ) x GROUP BY court_id
)
SELECT (SELECT count(*) FROM created),
       (SELECT coalesce(json_agg(json_build_array(court_id, missed, soon, risk)), '[]')
          FROM per_court)
"""


def deadline_monitor_run(
    *, run_date: dt.date | None = None, now: dt.datetime | None = None
) -> MonitorResult | None:
    """Run the monitor for a night: mark missed deadlines, create the night's digests,
    and queue every pending digest of the night on commit.

    Args:
        run_date: the night (court-local date) to process; default: `monitor_night()`,
            the latest night every active court has reached.
        now: the current instant (tests); default: now.

    Returns:
        What was done: `created` is False when the night had run already (then nothing
        is marked or created, and only the night's pending digests are queued again).
        None when there is no active court.
    """
    now = now or timezone.now()
    run_date = run_date or monitor_night(now=now)
    if run_date is None:
        return None
    with transaction.atomic():
        result = _run(run_date=run_date, now=now)
        result.queued = pending_digest_ids(run_date=run_date)
        if result.queued:
            transaction.on_commit(partial(_enqueue, list(result.queued), result))
    return result


def _run(*, run_date: dt.date, now: dt.datetime) -> MonitorResult:
    with connection.cursor() as cur:
        # A second run of the night waits here for the first to commit, then finds it.
        cur.execute(
            "INSERT INTO docket_deadlinemonitorrun (run_date, started_at, marked_missed, "
            "due_soon, speedy_trial_alerts, digests) VALUES (%s, %s, 0, 0, 0, 0) "
            "ON CONFLICT (run_date) DO NOTHING RETURNING id",
            [run_date, now],
        )
        row = cur.fetchone()
    if row is None:
        run = DeadlineMonitorRun.objects.get(run_date=run_date)
        logger.info("deadline monitor: night %s already run; re-queueing pending", run_date)
        return MonitorResult(run=run, created=False)

    horizons = alert_horizons()
    at_risk, at_risk_params = speedy_trial_at_risk_sql(today=run_date, ordered=False)
    params = {
        "run_date": run_date,
        "last_day": run_date + dt.timedelta(days=horizons[0]),
        "now": now,
        "open": DeadlineStatus.OPEN,
        "missed": DeadlineStatus.MISSED,
        "reason": MISSED_REASON,
        "pending": DigestStatus.PENDING,
        "supervisor": "supervisor",
    }
    assert not set(params) & set(at_risk_params)
    started = time.perf_counter()
    with connection.cursor() as cur:
        jit_off(cur)  # for the rest of the night's transaction
        cur.execute(MONITOR_SQL.replace("{at_risk}", at_risk), params | at_risk_params)
        digests, per_court = cur.fetchone()
    sql_seconds = time.perf_counter() - started
    by_court = {
        int(court_id): {"marked_missed": int(m), "due_soon": int(s), "speedy_trial": int(r)}
        for court_id, m, s, r in per_court
    }
    run = DeadlineMonitorRun.objects.get(pk=row[0])
    run.marked_missed = sum(c["marked_missed"] for c in by_court.values())
    run.due_soon = sum(c["due_soon"] for c in by_court.values())
    run.speedy_trial_alerts = sum(c["speedy_trial"] for c in by_court.values())
    run.digests = digests
    run.finished_at = timezone.now()
    run.save(
        update_fields=["marked_missed", "due_soon", "speedy_trial_alerts", "digests", "finished_at"]
    )
    # One audit event per court (each court's trail shows its night), one for the run.
    for court in Court.objects.filter(pk__in=list(by_court)).order_by("pk"):
        audit_record(
            action="deadline.monitor",
            actor_username="system",
            obj=run,
            court=court,
            details={"run_date": run_date.isoformat(), **by_court[court.pk]},
        )
    audit_record(
        action="deadline.monitor_run",
        actor_username="system",
        obj=run,
        details={
            "run_date": run_date.isoformat(),
            "horizons": list(horizons),
            "marked_missed": run.marked_missed,
            "due_soon": run.due_soon,
            "speedy_trial_alerts": run.speedy_trial_alerts,
            "digests": digests,
        },
    )
    logger.info(
        "deadline monitor %s: %s missed, %s due soon, %s speedy-trial, %s digests",
        run_date,
        run.marked_missed,
        run.due_soon,
        run.speedy_trial_alerts,
        digests,
    )
    return MonitorResult(
        run=run,
        created=True,
        by_court=by_court,
        sql_seconds=sql_seconds,
    )


def pending_digest_ids(*, run_date: dt.date) -> list[int]:
    """Digests of the night (and the night before) not sent yet: to be queued (again)."""
    return list(
        DeadlineDigest.objects.filter(
            status=DigestStatus.PENDING,
            digest_date__gte=run_date - dt.timedelta(days=REQUEUE_NIGHTS),
            digest_date__lte=run_date,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def digest_batch_size() -> int:
    """Digests per send task (DOCKET_DIGEST_BATCH_SIZE, at least 1)."""
    return max(1, int(getattr(settings, "DOCKET_DIGEST_BATCH_SIZE", DEFAULT_DIGEST_BATCH_SIZE)))


def digest_batches(digest_ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    """The digest ids cut into batches of `size` (default: digest_batch_size()), in order."""
    size = size or digest_batch_size()
    return [list(digest_ids[i : i + size]) for i in range(0, len(digest_ids), size)]


def _enqueue(digest_ids: Sequence[int], result: MonitorResult | None = None) -> None:
    """One send task per batch of digests, published over one broker connection."""
    from . import tasks

    started = time.perf_counter()
    task = tasks.deadline_digests_send
    batches = digest_batches(digest_ids)
    with task.app.producer_or_acquire() as producer:
        for batch in batches:
            task.apply_async((batch,), producer=producer)
    elapsed = time.perf_counter() - started
    if result is not None:
        result.enqueue_seconds = elapsed
        result.tasks = len(batches)
    logger.info(
        "deadline monitor: %s digests queued in %s tasks in %.3f s",
        len(digest_ids),
        len(batches),
        elapsed,
    )


__all__ = [
    "MonitorResult",
    "alert_horizons",
    "deadline_monitor_run",
    "digest_batch_size",
    "digest_batches",
    "monitor_hour",
    "monitor_night",
    "pending_digest_ids",
]
