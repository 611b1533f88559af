"""Benchmark: the nightly deadline monitor over 1M open deadlines, beside one raw SQL count.

    .venv/bin/python bench/deadline_monitor.py --cases 1000000        # ~10 min on 2 cores
    .venv/bin/python bench/deadline_monitor.py --reuse --keep          # measure again

Builds its own scratch database (`casemgmt_bench_deadlines` by default, so it never drops
another benchmark's) with bench/scale.py, then, set-wise in SQL (INSERT ... SELECT over
generate_series):

* `--deadlines` (1,000,000) open deadlines on the pending cases, due from yesterday to
  240 days ahead (about 4,200 a day), 10% statutory, 2% periods in hours (due_at), owned
  by the attorney of record where the case has one, else by one of the court's clerks
  (half of them) or nobody; plus 200,000 closed ones (met, waived, missed) from the past;
* a speedy-trial clock on every pending criminal case (felony and misdemeanor), its
  clock started 0-90 days ago, a tenth of them with a pretrial motion excluded.

Then, for three nights in a row (tonight, tomorrow, the day after, each at 01:05 in the
westernmost court's zone, when beat's hourly tick runs it), it times:

1. the raw count: one `SELECT count(*)` of the open deadlines due by the night's largest
   horizon (the ones the monitor marks missed plus the ones it lists as due soon), on
   the same database state, median of 5;
2. the monitor: `docket.monitor.deadline_monitor_run` — wall time, with its parts: the
   one set-wise statement (mark missed, due soon, the speedy-trial clocks at risk,
   recipients, digests inserted) and publishing the send tasks (one per
   DOCKET_DIGEST_BATCH_SIZE digests) to the broker on commit — peak Python memory
   (tracemalloc) and the process's peak RSS; targets: under 60 s, within 3x of the raw
   count;
3. the next hourly tick of the same night, once the workers have sent its digests
   (no marking, nothing to re-queue).

On the first night it also sends `--sends` (200) of the digests, plus every supervisor's,
through `docket.digests.digest_send` as one batch (Django's locmem mail backend: building
the list with visibility applied and rendering it is what is timed), p50/p95 by role.
The send tasks go to the broker of `--broker` (Redis db 13 by default), purged after each
run so that no worker ever takes them. Then `--parts` (5) times, for one more night, in
transactions rolled back, the statement's parts alone beside the raw count: the
speedy-trial clocks at risk (`speedy_trial_at_risk`), the marking UPDATE, reading the
due-soon rows, finding the attorneys of record of the night's cases, and the whole
statement; and the floor of the ratio: the sum of the three parts any monitor must do
(marking, the due-soon read, the attorneys), whatever else is kept ahead of time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import time
import tracemalloc

import _setup

DB_NAME = "casemgmt_bench_deadlines"
CLOSED_DEADLINES = 200_000
DAYS_AHEAD = 240
NAMES = [
    ("Answer due", "defendant", "FRCP 12(a)(1)(A)(i)"),
    ("Reply to counterclaim due", "plaintiff", "FRCP 12(a)(1)(B)"),
    ("Response to motion due", "respondent", "Local rule 3.01(b)"),
    ("Discovery responses due", "defendant", "FRCP 33(b)(2)"),
    ("Witness list due", "prosecution", "Pretrial order"),
    ("Notice of appeal due", "defendant", "Fed. R. App. P. 4(b)(1)(A)"),
    ("Objections to report due", "plaintiff", "28 U.S.C. 636(b)(1)"),
    ("Pretrial motions due", "defendant", "Fed. R. Crim. P. 12(c)"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--deadlines", type=int, default=1_000_000)
    parser.add_argument("--nights", type=int, default=3)
    parser.add_argument("--sends", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default=DB_NAME, help="scratch database name")
    parser.add_argument(
        "--broker",
        default=None,
        help="a Redis database no worker listens on (default: REDIS_URL's server, db 13)",
    )
    parser.add_argument(
        "--parts",
        type=int,
        default=5,
        metavar="N",
        help="time the statement's parts alone N times each, rolled back (0: skip)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    args = parser.parse_args()
    # The send tasks go to a broker database no worker listens on (purged after each run).
    os.environ["CELERY_BROKER_URL"] = args.broker or (
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0] + "/13"
    )
    _setup.BENCH_DB = args.db
    cleanup = _setup.attach(args.keep) if args.reuse else _setup.configure(args.keep)
    try:
        if not args.reuse:
            from scale import generate

            generate(cases=args.cases, seed=args.seed)
        indexes_as_migrated()
        reset_deadlines(args.deadlines)
        measure(nights=args.nights, sends=args.sends)
        if args.parts:
            parts(bench_today() + dt.timedelta(days=args.nights + 1), runs=args.parts)
    finally:
        purge_broker()
        cleanup()


# --- data (set-wise SQL) ---------------------------------------------------------------------


def reset_deadlines(count: int) -> None:
    """Drop what an earlier run left (deadlines, clocks, digests, runs) and fill afresh."""
    from django.db import connection, transaction

    started = time.perf_counter()
    today = bench_today()
    names = ", ".join(f"'{n}'" for n, _r, _c in NAMES)
    roles = ", ".join(f"'{r}'" for _n, r, _c in NAMES)
    steps = [
        (
            "clear",
            """
            TRUNCATE docket_deadlinedigest, docket_deadlinemonitorrun, docket_excludableperiod,
                     docket_speedytrialclock, docket_deadline
            """,
        ),
        (
            "pending cases",
            """
            CREATE TEMP TABLE bench_pending ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY c.id) AS rn, c.id, c.court_id, c.opened_by_id,
                   (SELECT a.attorney_id FROM cases_appearance a
                     WHERE a.case_id = c.id AND a.withdrawn_on IS NULL
                     ORDER BY a.id LIMIT 1) AS attorney_id
              FROM cases_case c
             WHERE c.status IN ('filed', 'active', 'reopened')
            """,
        ),
        (
            "clerks",
            """
            CREATE TEMP TABLE bench_clerks ON COMMIT DROP AS
            SELECT m.court_id,
                   row_number() OVER (PARTITION BY m.court_id ORDER BY u.id) - 1 AS idx,
                   count(*) OVER (PARTITION BY m.court_id) AS n,
                   u.id AS user_id
              FROM core_courtmembership m JOIN core_user u ON u.id = m.user_id
             WHERE u.role = 'clerk'
            """,
        ),
        (
            "open deadlines",
            f"""
            INSERT INTO docket_deadline (case_id, court_id, name, trigger_on, due_on, due_at,
                service_method, steps, responsible_role, owner_id, is_statutory, status,
                status_reason, created_by_id, created_at)
            SELECT p.id, p.court_id, (ARRAY[{names}])[1 + g % {len(NAMES)}], due - 21, due,
                   CASE WHEN g % 50 = 0
                        THEN (due + time '17:00') AT TIME ZONE ct.time_zone END,
                   CASE WHEN g % 4 = 0 THEN 'mail' ELSE 'electronic' END,
                   jsonb_build_array('21 days after ' || (due - 21) || ' is ' || due),
                   (ARRAY[{roles}])[1 + g % {len(NAMES)}],
                   COALESCE(p.attorney_id, CASE WHEN g % 2 = 0 THEN k.user_id END),
                   g % 10 = 0, 'open', '', p.opened_by_id, now()
              FROM generate_series(1::bigint, %(count)s) AS g
             CROSS JOIN (SELECT count(*) AS n FROM bench_pending) pc
              JOIN bench_pending p ON p.rn = 1 + (g * 7919) % pc.n
              JOIN core_court ct ON ct.id = p.court_id
              LEFT JOIN bench_clerks k ON k.court_id = p.court_id AND k.idx = g % k.n
             CROSS JOIN LATERAL (SELECT %(today)s::date - 1 + (g % {DAYS_AHEAD + 1})::int AS due) d
             ORDER BY g
            """,
        ),
        (
            "closed deadlines",
            f"""
            INSERT INTO docket_deadline (case_id, court_id, name, trigger_on, due_on,
                service_method, steps, responsible_role, owner_id, is_statutory, status,
                status_date, status_reason, created_by_id, created_at)
            SELECT p.id, p.court_id, 'Answer due', due - 21, due, 'electronic', '[]',
                   'defendant', p.attorney_id, g % 10 = 0,
                   (ARRAY['met', 'met', 'met', 'waived', 'missed'])[1 + g % 5],
                   due + 1, 'Closed before the benchmark', p.opened_by_id, now()
              FROM generate_series(1::bigint, {CLOSED_DEADLINES}) AS g
             CROSS JOIN (SELECT count(*) AS n FROM bench_pending) pc
              JOIN bench_pending p ON p.rn = 1 + (g * 104729) % pc.n
             CROSS JOIN LATERAL (SELECT %(today)s::date - 30 - (g % 1500)::int AS due) d
            """,
        ),
        (
            "speedy-trial clocks",
            """
            INSERT INTO docket_speedytrialclock (case_id, arrest_or_summons_on, indictment_on,
                first_appearance_on, counsel_appearance_on, earlier_trial_consented, updated_at)
            SELECT c.id, start - 20, start, start + (c.id % 3)::int, start + (c.id % 3)::int,
                   false, now()
              FROM cases_case c
              JOIN cases_casetype t ON t.id = c.case_type_id AND t.code IN ('CR', 'MM')
             CROSS JOIN LATERAL (SELECT %(today)s::date - (c.id % 90)::int - 1 AS start) s
             WHERE c.status IN ('filed', 'active', 'reopened')
            """,
        ),
        (
            "excludable periods",
            """
            INSERT INTO docket_excludableperiod (case_id, kind, starts_on, ends_on, reason,
                recorded_by_id, recorded_at)
            SELECT k.case_id, 'pretrial_motion', k.indictment_on + 5, k.indictment_on + 19,
                   '', c.opened_by_id, now()
              FROM docket_speedytrialclock k JOIN cases_case c ON c.id = k.case_id
             WHERE k.case_id % 10 = 0
            """,
        ),
    ]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL synchronous_commit = off")
        cur.execute("SET LOCAL work_mem = '256MB'")
        for label, sql in steps:
            t = time.perf_counter()
            # Modulo signs doubled for the driver; the two parameters stay parameters.
            sql = sql.replace("%", "%%").replace("%%(", "%(")
            cur.execute(sql, {"count": count, "today": today})
            print(
                f"  {label:<22} {max(cur.rowcount, 0):>10,} rows  {time.perf_counter() - t:6.1f} s"
            )
    with connection.cursor() as cur:
        for table in ("docket_deadline", "docket_speedytrialclock", "docket_excludableperiod"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("SELECT status, count(*) FROM docket_deadline GROUP BY 1 ORDER BY 1")
        mix = ", ".join(f"{s} {n:,}" for s, n in cur.fetchall())
    print(f"deadlines: {mix} ({time.perf_counter() - started:.1f} s)")


def bench_today() -> dt.date:
    from casemgmt.core.models import Court

    return Court.objects.get(code="sarasota").local_today()


# --- measuring -------------------------------------------------------------------------------

RAW_COUNT = """
SELECT count(*)
  FROM docket_deadline d
  JOIN core_court c ON c.id = d.court_id AND c.is_active
 WHERE d.status = 'open' AND d.due_on <= %s
"""


SOON_READ = """
SELECT count(*) FROM (
    SELECT d.id, d.case_id, d.court_id, d.owner_id, d.is_statutory
      FROM docket_deadline d
      JOIN core_court c ON c.id = d.court_id AND c.is_active
     WHERE d.status = 'open' AND d.due_on >= %s AND d.due_on <= %s
       AND (d.due_at IS NULL OR d.due_at >= %s)
) soon WHERE owner_id IS NOT NULL OR case_id > 0
"""

NIGHT_CASES = """
CREATE TEMP TABLE bench_night_cases ON COMMIT DROP AS
SELECT DISTINCT d.case_id FROM docket_deadline d
 WHERE d.status = 'open' AND d.due_on <= %s
"""

ATTORNEYS_OF_RECORD = """
SELECT count(DISTINCT a.attorney_id)
  FROM bench_night_cases n
  JOIN cases_appearance a ON a.case_id = n.case_id AND a.withdrawn_on IS NULL
"""


def raw_count(last_day: dt.date, runs: int = 5) -> tuple[int, float]:
    """The count and its median time (ms) over `runs`, after one warm-up."""
    from django.db import connection

    samples = []
    count = 0
    for i in range(runs + 1):
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(RAW_COUNT, [last_day])
            count = cur.fetchone()[0]
        if i:
            samples.append((time.perf_counter() - t) * 1000)
    return count, statistics.median(samples)


def night_instant(night: dt.date) -> dt.datetime:
    """01:05 on `night` in the westernmost court's zone (when beat's tick would run it)."""
    import zoneinfo

    from casemgmt.core.models import Court

    zones = Court.objects.filter(is_active=True).values_list("time_zone", flat=True)
    return max(
        dt.datetime.combine(night, dt.time(1, 5), tzinfo=zoneinfo.ZoneInfo(z)) for z in zones
    )


def monitored(night: dt.date, *, trace: bool = False):
    """Run the night; with `trace`, under tracemalloc (which slows Python several times
    over, so traced runs are not timed)."""
    from docket.monitor import deadline_monitor_run

    if trace:
        tracemalloc.start()
    t = time.perf_counter()
    result = deadline_monitor_run(run_date=night, now=night_instant(night))
    elapsed = time.perf_counter() - t
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result, elapsed, peak, rss


# Foreign-key indexes Django made on docket_deadline before migration docket 0008 dropped
# them (no read uses them; each cost a write per marked row). A database kept by an
# earlier run of this script may still have them.
OLD_INDEXES = (
    "docket_deadline_case_id_426e8a84",
    "docket_deadline_court_id_03bae6ae",
    "docket_deadline_created_by_id_9a61a12d",
    "docket_deadline_met_by_id_50505e6c",
    "docket_deadline_rule_id_d65a052c",
    "docket_deadline_trigger_entry_id_6381d7db",
)


def indexes_as_migrated() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for name in OLD_INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        cur.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'docket_deadline' ORDER BY 1"
        )
        names = [n for (n,) in cur.fetchall()]
    print(f"docket_deadline has {len(names)} indexes (as migrated): {', '.join(names)}")


def measure(*, nights: int, sends: int) -> None:
    from django.db import connection

    from docket.monitor import alert_horizons

    first = bench_today()
    horizon = alert_horizons()[0]
    print(
        f"\nnights from {first} (largest horizon {horizon} days); load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    header = (
        f"{'night':<11} {'raw count':>10} {'count ms':>9} {'SQL ms':>7} {'x count':>8} "
        f"{'publish ms':>10} {'tasks':>6} {'total ms':>9} {'x count':>8} {'missed':>7} "
        f"{'due soon':>9} {'at risk':>8} {'digests':>8} {'rss MB':>7} {'rerun ms':>9}"
    )
    print(header)
    for i in range(nights + 1):
        night = first + dt.timedelta(days=i)
        traced = i == nights  # one more night, under tracemalloc, for Python's peak memory
        count, count_ms = raw_count(night + dt.timedelta(days=horizon))
        result, elapsed, peak, rss = monitored(night, trace=traced)
        assert result.created, f"night {night} had already run"
        purge_broker()
        if i == 0:
            send_timings(night, sends)
        # The workers send the night's digests (not timed here) before beat's next tick.
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE docket_deadlinedigest SET status = 'sent', sent_at = now() "
                "WHERE status = 'pending'"
            )
        t = time.perf_counter()
        again, *_ = monitored(night)
        rerun_ms = (time.perf_counter() - t) * 1000
        assert not again.created and not again.queued
        run = result.run
        assert run.marked_missed + run.due_soon == count, (run.marked_missed, run.due_soon, count)
        if traced:
            print(
                f"{night!s:<11} traced with tracemalloc: Python peak {peak / 2**20:.1f} MB over "
                f"{run.marked_missed:,} missed, {run.due_soon:,} due soon, {run.digests:,} "
                f"digests; process peak RSS {rss / 1024:.0f} MB"
            )
            continue
        sql_ms = result.sql_seconds * 1000
        print(
            f"{night!s:<11} {count:>10,} {count_ms:>9.1f} {sql_ms:>7.0f} "
            f"{sql_ms / count_ms:>8.1f} {result.enqueue_seconds * 1000:>10.1f} "
            f"{result.tasks:>6} {elapsed * 1000:>9.0f} {elapsed * 1000 / count_ms:>8.1f} "
            f"{run.marked_missed:>7,} {run.due_soon:>9,} {run.speedy_trial_alerts:>8,} "
            f"{run.digests:>8,} {rss / 1024:>7.0f} {rerun_ms:>9.0f}"
        )


def send_timings(night: dt.date, sends: int) -> None:
    """digest_send on a sample of the night's digests (locmem mail), p50/p95 by role."""
    from django.conf import settings

    from docket.digests import at_risk_shared, digest_send
    from docket.models import DeadlineDigest, DigestStatus

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    pending = DeadlineDigest.objects.filter(digest_date=night, status=DigestStatus.PENDING)
    sample = list(pending.order_by("?").values_list("pk", "recipient__role")[:sends])
    # the supervisors' digests (the largest) always, whatever the sample drew
    sample += list(
        pending.filter(recipient__role="supervisor")
        .exclude(pk__in=[pk for pk, _ in sample])
        .values_list("pk", "recipient__role")
    )
    timings: dict[str, list[float]] = {}
    items: dict[str, list[int]] = {}
    # as one batch task sends them: each court's clocks at risk read once, by the first
    with at_risk_shared():
        for digest_id, role in sample:
            t = time.perf_counter()
            digest = digest_send(digest_id=digest_id)
            timings.setdefault(role, []).append((time.perf_counter() - t) * 1000)
            items.setdefault(role, []).append(digest.items)
    print(f"  digest_send, night {night} (list built at send time, visibility applied):")
    for role, values in sorted(timings.items()):
        values.sort()
        p95 = values[min(len(values) - 1, round(0.95 * len(values)) - 1)]
        print(
            f"    {role:<11} {len(values):>4} digests, "
            f"{statistics.median(items[role]):>5.0f} items (median)  "
            f"p50 {statistics.median(values):7.1f} ms  p95 {p95:7.1f} ms"
        )


def parts(night: dt.date, *, runs: int) -> None:
    """For one more night, in transactions rolled back, alternating, median of `runs`:
    the raw count, the speedy-trial clocks at risk alone, the marking UPDATE alone (the
    same rows the statement marks), reading the due-soon rows alone, finding the
    attorneys of record of the night's cases alone, and the monitor's whole statement.

    The marking, the due-soon read and the attorneys' lookup are what any monitor must
    do, however its data is laid out (the clocks could be kept ahead of time); their sum
    beside the raw count is the floor of the ratio."""
    from django.db import connection, transaction

    from docket.monitor import _run, alert_horizons
    from docket.speedy_trial_selectors import speedy_trial_at_risk

    last_day = night + dt.timedelta(days=alert_horizons()[0])
    now = night_instant(night)
    keys = ("count", "clocks", "update", "soon", "attorneys", "statement")
    timings: dict[str, list[float]] = {key: [] for key in keys}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        sizes["count"], count_ms = raw_count(last_day, runs=1)
        timings["count"].append(count_ms)
        t = time.perf_counter()
        sizes["clocks"] = len(speedy_trial_at_risk(today=night))
        timings["clocks"].append((time.perf_counter() - t) * 1000)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")  # as the monitor runs it
                t = time.perf_counter()
                cur.execute(
                    "UPDATE docket_deadline d SET status = 'missed', status_date = %s "
                    "FROM core_court c WHERE c.id = d.court_id AND c.is_active "
                    "AND d.status = 'open' AND d.due_on <= %s AND CASE WHEN d.due_at IS NULL "
                    "THEN d.due_on < %s ELSE d.due_at < %s END",
                    [night, night, night, now],
                )
                timings["update"].append((time.perf_counter() - t) * 1000)
                sizes["update"] = cur.rowcount
            transaction.set_rollback(True)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off")
                # The columns the monitor takes from each due-soon row (read from the
                # table, not only the index).
                t = time.perf_counter()
                cur.execute(SOON_READ, [night, last_day, now])
                sizes["soon"] = cur.fetchone()[0]
                timings["soon"].append((time.perf_counter() - t) * 1000)
                # The night's cases (due by the last day, or with a clock at risk) set
                # aside untimed, then their active attorneys of record, distinct.
                cur.execute(NIGHT_CASES, [last_day])
                cur.execute("ALTER TABLE bench_night_cases ADD PRIMARY KEY (case_id)")
                cur.executemany(
                    "INSERT INTO bench_night_cases VALUES (%s) ON CONFLICT DO NOTHING",
                    [(r.case_id,) for r in speedy_trial_at_risk(today=night)],
                )
                cur.execute("ANALYZE bench_night_cases")
                t = time.perf_counter()
                cur.execute(ATTORNEYS_OF_RECORD)
                sizes["attorneys"] = cur.fetchone()[0]
                timings["attorneys"].append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
        with transaction.atomic():
            result = _run(run_date=night, now=now)
            timings["statement"].append(result.sql_seconds * 1000)
            sizes["statement"] = result.run.digests
            transaction.set_rollback(True)
    count_ms = statistics.median(timings["count"])
    labels = {
        "count": f"raw count ({sizes['count']:,} due deadlines)",
        "clocks": f"speedy-trial clocks at risk alone ({sizes['clocks']:,})",
        "update": f"marking UPDATE alone ({sizes['update']:,} rows)",
        "soon": f"due-soon rows read alone ({sizes['soon']:,})",
        "attorneys": f"attorneys of record of the night's cases ({sizes['attorneys']:,})",
        "statement": f"whole statement ({sizes['statement']:,} digests)",
    }
    print(f"\nthe statement's parts for {night}, rolled back, {runs} runs each (median):")
    for key, label in labels.items():
        ms = statistics.median(timings[key])
        print(f"  {label:<52} {ms:8.1f} ms  {ms / count_ms:6.1f}x the raw count")
    floor = sum(statistics.median(timings[key]) for key in ("update", "soon", "attorneys"))
    label = "floor: marking + due-soon read + attorneys"
    print(f"  {label:<52} {floor:8.1f} ms  {floor / count_ms:6.1f}x the raw count")


def purge_broker() -> None:
    """Drop the send tasks the runs published: no worker is to take them."""
    try:
        from casemgmt.celery import app

        app.control.purge()
    except Exception as exc:  # the database clean-up must still run
        print(f"(broker not purged: {exc})")


if __name__ == "__main__":
    main()
