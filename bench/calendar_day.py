"""Benchmark: the day's calendar of one courtroom with 200 hearings, at 1M cases.

(Named calendar_day.py: a bench/calendar.py would shadow the standard library's
`calendar` module for every import made while bench/ is on sys.path.)

Target (issue): a calendar of 200 hearings renders in under a second as HTML; the PDF
docket sheet of the same day is measured too. p50/p95 per scenario.

Builds the case data with bench/scale.py (or, with --reuse, takes the database a
`--keep` run left: `bench/cases.py --cases 1000000 --keep` leaves one), then adds the
calendar set-wise:

* 12 courtrooms per court besides the demo ones, and ~1.5 hearings per case over its
  life (held before today, scheduled after; stacked kinds, so the exclusion constraints
  have nothing to refuse), one INSERT ... SELECT over `cases_case`: ~1.5M hearings at
  1M cases, the size of ten years of calendars;
* the measured day: the next Wednesday that is a court day of court 1, in its
  "Courtroom 2A", 200 hearings of 200 cases of the court drawn at random (public,
  confidential, juvenile and sealed alike, as they come), 08:30-16:30 in waves every
  half hour, ~10% with an interpreter.

Then it times, through Django's test client (as a clerk of court 1 unless said):
the selector, the HTML page of the room, the same page for the public, the HTML page
of the whole court that day (every room), and the PDF docket sheet of the room.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random

import _setup
from _setup import timed

ROOMS_PER_COURT = 12
BENCH_ROOM = "Courtroom 2A"
HEARINGS = 200
TARGET_HTML_MS = 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40, help="runs per HTML scenario")
    parser.add_argument("--pdf-runs", type=int, default=10, help="runs of the PDF")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left")
    parser.add_argument(
        "--db",
        default=_setup.BENCH_DB,
        help=f"benchmark database name (default {_setup.BENCH_DB}, as the other scripts)",
    )
    args = parser.parse_args()
    _setup.BENCH_DB = args.db
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # one line per page otherwise
    cleanup = _setup.attach(args.keep) if args.reuse else _setup.configure(args.keep)
    try:
        if not args.reuse:
            from scale import generate

            generate(cases=args.cases, seed=args.seed)
        day, room = prepare(seed=args.seed)
        run(day, room, runs=args.runs, pdf_runs=args.pdf_runs)
    finally:
        cleanup()


# --- data -------------------------------------------------------------------------------------


def prepare(*, seed: int):
    """Courtrooms, the background hearings and the measured day (each made once)."""
    import time

    from casemgmt.core.models import Court
    from docket.demo import seed_courtrooms
    from docket.models import Courtroom, Hearing

    court = Court.objects.order_by("pk").first()  # court 1
    seed_courtrooms(log=lambda line: None)
    for c in Court.objects.filter(code__in=["sarasota", "denver"]):
        Courtroom.objects.bulk_create(
            [
                Courtroom(court=c, name=f"Courtroom {i}", location="Main courthouse")
                for i in range(1, ROOMS_PER_COURT + 1)
            ],
            ignore_conflicts=True,
        )
    if not Hearing.objects.exclude(courtroom__name=BENCH_ROOM).exists():
        t = time.perf_counter()
        made = _background()
        print(f"background hearings: {made:,} in {time.perf_counter() - t:.1f} s")
    room = Courtroom.objects.get(court=court, name=BENCH_ROOM)
    day = _bench_day(court)
    if not Hearing.objects.filter(courtroom=room, date=day).exists():
        _bench_hearings(court, room, day, random.Random(seed))
    return day, room


def _background() -> int:
    """~1.5 hearings per case, set-wise: the case's first hearing ~5 weeks after filing,
    a second one on every other case ~6 weeks later; weekends move to Monday."""
    from django.db import connection

    sql = f"""
        WITH rooms AS (
            SELECT court_id, array_agg(id ORDER BY id) AS ids
            FROM docket_courtroom WHERE name LIKE 'Courtroom %' AND name <> '{BENCH_ROOM}'
            GROUP BY court_id
        ), clerk AS (SELECT min(id) AS id FROM core_user WHERE role = 'clerk'),
        settings AS (
            SELECT c.id AS case_id, c.court_id, c.judge_id, n,
                   c.filed_on + (35 + 42 * (n - 1) + c.id % 17)::int AS day0,
                   time '08:30' + ((c.id + n) % 16) * interval '30 minutes' AS at,
                   (ARRAY['arraignment','pretrial','motion','status','sentencing','review'])
                       [1 + (c.id + n) % 6] AS kind,
                   ct.time_zone, r.ids
            FROM cases_case c
            JOIN core_court ct ON ct.id = c.court_id
            JOIN rooms r ON r.court_id = c.court_id
            CROSS JOIN generate_series(1, 1 + (c.id % 2)) AS n
        ), dated AS (
            SELECT *, day0 + CASE extract(isodow FROM day0)::int
                             WHEN 6 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS day
            FROM settings
        )
        INSERT INTO docket_hearing (
            case_id, court_id, hearing_type, starts_at, ends_at, date, courtroom_id,
            judge_id, session_id, status, outcome, interpreter_language, continued_from_id,
            continuance_reason_id, status_reason, setting_number, conflict_override_reason,
            feed_uid, sequence, scheduled_by_id, created_at, updated_at)
        SELECT d.case_id, d.court_id, d.kind,
               (d.day + d.at) AT TIME ZONE d.time_zone,
               (d.day + d.at + interval '15 minutes') AT TIME ZONE d.time_zone,
               d.day, d.ids[1 + (d.case_id % array_length(d.ids, 1))],
               d.judge_id, NULL,
               CASE WHEN d.day < current_date THEN 'held' ELSE 'scheduled' END,
               CASE WHEN d.day < current_date THEN 'Hearing held.' ELSE '' END,
               '', NULL, NULL, '', 1, '', gen_random_uuid(), 0, (SELECT id FROM clerk),
               now(), now()
        FROM dated d
        WHERE d.day <= current_date + 90
    """
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(sql)
        made = cur.rowcount
        cur.execute("VACUUM (ANALYZE) docket_hearing")
    return made


def _bench_day(court) -> dt.date:
    from casemgmt.core.selectors import court_days_off

    today = court.local_today()
    off = {d.date for d in court_days_off(court=court, start=today, end=today + dt.timedelta(60))}
    day = today + dt.timedelta(days=1)
    while day.isoweekday() != 3 or day in off:
        day += dt.timedelta(days=1)
    return day


def _bench_hearings(court, room, day, rng: random.Random) -> None:
    from django.db import connection

    from casemgmt.core.models import User
    from cases.models import Case
    from docket.models import Hearing, HearingType

    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.2026)")
        cur.execute(
            "SELECT id FROM cases_case WHERE court_id = %s AND status IN ('filed', 'active') "
            "ORDER BY random() LIMIT %s",
            [court.pk, HEARINGS],
        )
        ids = [r[0] for r in cur.fetchall()]
    cases = Case.objects.in_bulk(ids)
    clerk = User.objects.filter(role="clerk", memberships__court=court).order_by("pk").first()
    judge = User.objects.filter(role="judge", memberships__court=court).order_by("pk").first()
    kinds = [HearingType.ARRAIGNMENT, HearingType.PRETRIAL, HearingType.MOTION,
             HearingType.STATUS, HearingType.SENTENCING]  # fmt: skip
    rows = []
    for i, case_id in enumerate(ids):
        starts = dt.datetime.combine(day, dt.time(8, 30), tzinfo=court.tzinfo) + dt.timedelta(
            minutes=30 * (i * 16 // HEARINGS)
        )
        rows.append(
            Hearing(
                case=cases[case_id],
                court=court,
                hearing_type=rng.choice(kinds),
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=15),
                date=day,
                courtroom=room,
                judge=judge,
                interpreter_language="es" if rng.random() < 0.1 else "",
                scheduled_by=clerk,
            )
        )
    Hearing.objects.bulk_create(rows)
    mix = Case.objects.filter(pk__in=ids)
    print(
        f"measured day: {day} in {court.code} {room.name}: {len(rows)} hearings "
        f"({mix.filter(confidentiality='sealed').count()} sealed, "
        f"{mix.filter(is_juvenile=True).count()} juvenile, "
        f"{mix.filter(confidentiality='confidential').count()} confidential)"
    )


# --- measurements ----------------------------------------------------------------------------


def run(day: dt.date, room, *, runs: int, pdf_runs: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from pypdf import PdfReader

    from casemgmt.core.models import User
    from docket.calendar import calendar_day
    from docket.models import Hearing

    court = room.court
    clerk = User.objects.filter(role="clerk", memberships__court=court).order_by("pk").first()
    staff, public = Client(), Client()
    staff.force_login(clerk)
    base = f"court={court.code}&date={day.isoformat()}"
    room_q = f"{base}&courtroom={room.pk}"
    total = Hearing.objects.count()
    whole_day = Hearing.objects.filter(court=court, date=day).count()
    print(
        f"\n{total:,} hearings; {whole_day} in {court.code} on {day} "
        f"({Hearing.objects.filter(courtroom=room, date=day).count()} in {room.name}); "
        f"load average {_load()}"
    )

    def page(client, query):
        def fn():
            response = client.get(f"/calendar/?{query}")
            assert response.status_code == 200, response.status_code
            return response

        return fn

    def pdf():
        response = staff.get(f"/calendar/sheet.pdf?{room_q}")
        assert response.status_code == 200, response.status_code
        return response

    scenarios = [
        ("selector: room, 200 hearings (clerk)", "html",
         lambda: calendar_day(clerk, court=court, day=day, courtroom=room), runs),
        ("HTML page: room, 200 hearings (clerk)", "html", page(staff, room_q), runs),
        ("HTML page: room, 200 hearings (public)", "html", page(public, room_q), runs),
        (f"HTML page: whole court, {whole_day} hearings (clerk)", "html", page(staff, base),
         runs),
        ("PDF docket sheet: room, 200 hearings (clerk)", "pdf", pdf, pdf_runs),
    ]  # fmt: skip
    results = []
    for label, kind, fn, n in scenarios:
        queries = _queries(fn, connection)
        result = timed(label, fn, n)
        result.update(kind=kind, queries=queries)
        results.append(result)
    html = page(staff, room_q)().content
    sheet = pdf().content
    pages = len(PdfReader(io.BytesIO(sheet)).pages)
    print(
        f"\nSummary (target: HTML p95 < {TARGET_HTML_MS} ms); load average now {_load()}; "
        f"page {len(html) / 1024:.0f} KiB, PDF {len(sheet) / 1024:.0f} KiB, {pages} pages"
    )
    print(f"{'scenario':<58}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for r in results:
        verdict = ""
        if r["kind"] == "html":
            verdict = "  ok" if r["p95_ms"] < TARGET_HTML_MS else "  MISSED"
        print(f"{r['label']:<58}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['queries']:>9}{verdict}")
    return results


def _queries(fn, connection) -> int:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _load() -> str:
    import os

    return " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


if __name__ == "__main__":
    main()
