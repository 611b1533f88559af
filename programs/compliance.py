"""The nightly compliance run: every active participant against what was due, set-wise in
SQL; one flag per lapse for the coordinator's review and one non-compliance notice each.

What a night finds (run_date is the court-local date the night begins; lapses are of the
days before it, judged by each court's own date: a court whose day has not ended yet in its
time zone is judged as of its own date, never ahead of it)
    missed_test     a drug-test call of an earlier day with no drug test recorded that day
                    (key "call:<id>"), and a test recorded as missed ("event:<id>");
    positive_test,  drug tests with that result ("event:<id>");
    diluted_test
    missed_session  counseling, class or review hearing with attendance "absent"
                    ("event:<id>"; excused absences are not lapses);
    hours_behind    community service required over the phase (a total, not per period;
                    the phase's first such requirement): hours done in the phase under what
                    is expected by the day judged, as programs.progress counts both
                    (quantity x min(1, days in phase / min_days)), by more than
                    PROGRAMS_HOURS_BEHIND_TOLERANCE of the quantity (10%); one flag per ISO
                    week ("week:2026-W47"; the week of the day judged);
    fee_unpaid      the enrollment's program fee (payments obligation) past its due date
                    with a balance (the sum of its receivable ledger entries) above zero
                    ("obligation:<id>").
Only active enrollments are judged. A voided event (one another event voids) and the
voiding entry itself never raise a flag, and a voided test does not answer a call.

Exactly once
    The night's ComplianceRun row (unique run_date) is inserted first, with ON CONFLICT DO
    NOTHING: a second run of the night — sequential, or another worker at the same time,
    which waits on the row until the first commits — finds it and does nothing. Flags are
    inserted in one statement, INSERT ... SELECT ... ON CONFLICT (enrollment_id, kind, key)
    DO NOTHING RETURNING id, so a lapse has one flag whichever night finds it first. The
    flags, their audit records, their notices (filings.notices.notice_issue, rendered and
    sent by the worker after commit) and the run row commit together, or not at all (and
    the next tick runs the night again). A notice the court cannot issue (no template, the
    participant no longer a party) leaves the flag without one, audited; later nights try
    again for PROGRAMS_NOTICE_RETRY_DAYS, each flag locked while its notice is issued.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court

from .models import (
    ComplianceFlag,
    ComplianceRun,
    EnrollmentStatus,
    EnrollmentStatusChange,
    FlagKind,
    FlagStatus,
)

logger = logging.getLogger(__name__)

DEFAULT_NIGHTLY_HOUR = 1
DEFAULT_HOURS_BEHIND_TOLERANCE = Decimal("0.10")
DEFAULT_RESPOND_DAYS = 10
DEFAULT_NOTICE_RETRY_DAYS = 7


def nightly_hour() -> int:
    """Court-local hour after which a night is processed (0-23), PROGRAMS_NIGHTLY_HOUR."""
    return int(getattr(settings, "PROGRAMS_NIGHTLY_HOUR", DEFAULT_NIGHTLY_HOUR)) % 24


def hours_behind_tolerance() -> Decimal:
    """How far behind (a fraction of the required hours) is still on schedule."""
    return Decimal(
        str(getattr(settings, "PROGRAMS_HOURS_BEHIND_TOLERANCE", DEFAULT_HOURS_BEHIND_TOLERANCE))
    )


def respond_days() -> int:
    """Days the participant has to answer a non-compliance notice."""
    return int(getattr(settings, "PROGRAMS_NONCOMPLIANCE_RESPOND_DAYS", DEFAULT_RESPOND_DAYS))


def notice_retry_days() -> int:
    return int(getattr(settings, "PROGRAMS_NOTICE_RETRY_DAYS", DEFAULT_NOTICE_RETRY_DAYS))


def court_night(court: Court, *, now: dt.datetime | None = None) -> dt.date:
    """The court's latest night ready at `now`: its local date once its wall clock has
    passed PROGRAMS_NIGHTLY_HOUR (wall-clock arithmetic: a 23- or 25-hour day changes
    nothing)."""
    now = now or timezone.now()
    local = now.astimezone(zoneinfo.ZoneInfo(court.time_zone))
    return (local - dt.timedelta(hours=nightly_hour())).date()


def compliance_night(*, now: dt.datetime | None = None) -> dt.date | None:
    """The latest night every active court has reached (one run covers every court, so it
    waits for the westernmost). None when there is no active court."""
    courts = list(Court.objects.filter(is_active=True).only("pk", "time_zone"))
    if not courts:
        return None
    return min(court_night(court, now=now) for court in courts)


# --- the flags, in one statement --------------------------------------------------------------

_AUDIT_COLUMNS = (
    "occurred_at, actor_id, actor_username, action, object_type, object_id, object_repr, "
    "court_id, case_id, case_number, outcome, ip_address, details"
)
_DAY = "'FMMonth FMDD, YYYY'"

RAISE_SQL = f"""
WITH courts AS (
    -- each court's own date, never ahead of the night being run
    SELECT c.id AS court_id,
           LEAST(%(run_date)s::date,
                 (%(now)s::timestamptz AT TIME ZONE c.time_zone)::date) AS today
      FROM core_court c
     WHERE c.is_active
),
active AS (
    SELECT e.id, e.case_id, e.phase_id, e.phase_started_on, e.fee_obligation_id,
           p.court_id, ct.today
      FROM programs_enrollment e
      JOIN programs_program p ON p.id = e.program_id
      JOIN courts ct ON ct.court_id = p.court_id
     WHERE e.status = %(active)s
),
live AS (
    -- events as they stand: not voided, not a voiding entry, of a day that has ended
    SELECT ev.id, ev.enrollment_id, ev.kind, ev.occurred_on, ev.drug_test_result,
           ev.substances, ev.attendance, ev.hours, ev.requirement_id
      FROM programs_serviceevent ev
      JOIN active a ON a.id = ev.enrollment_id
     WHERE ev.voids_id IS NULL
       AND ev.occurred_on < a.today
       AND NOT EXISTS (SELECT 1 FROM programs_serviceevent v WHERE v.voids_id = ev.id)
),
hours_due AS (
    -- the phase's first community-service total (programs.progress: as of the day judged,
    -- quantity x min(1, days in phase / min_days), to the cent)
    SELECT DISTINCT ON (a.id)
           a.id AS enrollment_id, a.today, a.phase_id, a.phase_started_on,
           r.id AS requirement_id, r.name, r.quantity,
           round(r.quantity * LEAST(1, GREATEST(0, a.today - 1 - a.phase_started_on)::numeric
                                       / GREATEST(ph.min_days, 1)), 2) AS expected
      FROM active a
      JOIN programs_programphase ph ON ph.id = a.phase_id
      JOIN programs_phaserequirement r
        ON r.phase_id = ph.id AND r.kind = 'community_service' AND r.period_days IS NULL
     ORDER BY a.id, r.position, r.id
),
hours_done AS (
    -- hours of the phase that count for it: naming it, or no other of its kind in the phase
    SELECT h.enrollment_id, h.today, h.name, h.quantity, h.expected,
           COALESCE(SUM(l.hours), 0) AS done
      FROM hours_due h
      LEFT JOIN live l
        ON l.enrollment_id = h.enrollment_id AND l.kind = 'community_service'
       AND l.occurred_on >= h.phase_started_on
       AND NOT EXISTS (SELECT 1 FROM programs_phaserequirement o
                        WHERE o.id = l.requirement_id AND o.phase_id = h.phase_id
                          AND o.kind = 'community_service' AND o.id <> h.requirement_id)
     GROUP BY h.enrollment_id, h.today, h.name, h.quantity, h.expected
),
candidates AS (
    SELECT c.enrollment_id, 'missed_test' AS kind, 'call:' || c.id AS key,
           NULL::bigint AS event_id, c.test_date AS lapse_on, ''::text AS label,
           ''::text AS substances, NULL::numeric AS done, NULL::numeric AS required,
           NULL::numeric AS expected,
           'Drug test called for ' || to_char(c.test_date, {_DAY}) || ' not taken' AS detail
      FROM programs_drugtestcall c
      JOIN active a ON a.id = c.enrollment_id
     WHERE c.test_date < a.today
       AND NOT EXISTS (SELECT 1 FROM live l
                        WHERE l.enrollment_id = c.enrollment_id AND l.kind = 'drug_test'
                          AND l.occurred_on = c.test_date)
    UNION ALL
    SELECT l.enrollment_id,
           CASE l.drug_test_result WHEN 'missed' THEN 'missed_test'
                                   WHEN 'positive' THEN 'positive_test'
                                   ELSE 'diluted_test' END,
           'event:' || l.id, l.id, l.occurred_on, '', l.substances, NULL, NULL, NULL,
           CASE l.drug_test_result
                WHEN 'missed' THEN 'Drug test of ' || to_char(l.occurred_on, {_DAY})
                                   || ' missed'
                WHEN 'positive' THEN 'Drug test of ' || to_char(l.occurred_on, {_DAY})
                                     || ' positive for ' || left(l.substances, 200)
                ELSE 'Drug test of ' || to_char(l.occurred_on, {_DAY}) || ' diluted' END
      FROM live l
     WHERE l.kind = 'drug_test' AND l.drug_test_result IN ('missed', 'positive', 'diluted')
    UNION ALL
    SELECT l.enrollment_id, 'missed_session', 'event:' || l.id, l.id, l.occurred_on,
           COALESCE(r.name, CASE l.kind WHEN 'counseling' THEN 'Counseling session'
                                        WHEN 'class' THEN 'Class'
                                        ELSE 'Court review hearing' END),
           '', NULL, NULL, NULL,
           'Absent from ' || left(COALESCE(r.name, replace(l.kind, '_', ' ')), 200)
               || ' on ' || to_char(l.occurred_on, {_DAY})
      FROM live l
      LEFT JOIN programs_phaserequirement r ON r.id = l.requirement_id
     WHERE l.kind IN ('counseling', 'class', 'review_hearing') AND l.attendance = 'absent'
    UNION ALL
    SELECT h.enrollment_id, 'hours_behind', 'week:' || to_char(h.today - 1, 'IYYY-"W"IW'),
           NULL, h.today - 1, h.name, '', h.done, h.quantity, h.expected,
           left(h.name, 100) || ': ' || trim_scale(h.done) || ' of '
               || trim_scale(h.quantity) || ' hours done, '
               || trim_scale(h.expected) || ' expected by '
               || to_char(h.today - 1, {_DAY})
      FROM hours_done h
     WHERE h.done < h.expected - h.quantity * %(tolerance)s
    UNION ALL
    SELECT a.id, 'fee_unpaid', 'obligation:' || o.id, NULL, o.due_on, '', '',
           NULL, o.amount, b.balance,
           'Program fee of ' || o.amount || ' due ' || to_char(o.due_on, {_DAY})
               || ': ' || b.balance || ' unpaid'
      FROM active a
      JOIN payments_obligation o ON o.id = a.fee_obligation_id
      CROSS JOIN LATERAL (
          SELECT COALESCE(SUM(le.amount), 0) AS balance
            FROM payments_ledgerentry le
           WHERE le.obligation_id = o.id AND le.account = 'receivable'
      ) b
     WHERE o.due_on < a.today AND b.balance > 0
),
inserted AS (
    INSERT INTO programs_complianceflag
           (enrollment_id, kind, key, detail, raised_on, event_id, run_id, notice_id, status,
            resolved_on, resolved_by_id, resolution_note, created_at)
    SELECT enrollment_id, kind, key, left(detail, 300), %(run_date)s, event_id, %(run)s,
           NULL, 'open', NULL, NULL, '', %(now)s
      FROM candidates
        ON CONFLICT (enrollment_id, kind, key) DO NOTHING
    RETURNING id, enrollment_id, kind, key, detail
),
audited AS (
    INSERT INTO core_auditevent ({_AUDIT_COLUMNS})
    SELECT %(now)s, NULL, 'system', 'program_flag.raise', 'programs.complianceflag',
           i.id::text, left(i.detail, 200), a.court_id, a.case_id, cs.number, 'success',
           NULL, jsonb_build_object('enrollment', i.enrollment_id, 'kind', i.kind,
                                    'key', i.key, 'run', %(run)s::bigint,
                                    'run_date', %(run_date)s::date)
      FROM inserted i
      JOIN active a ON a.id = i.enrollment_id
      JOIN cases_case cs ON cs.id = a.case_id
    RETURNING 1
)
SELECT i.id, c.kind, c.lapse_on, c.label, c.substances, c.done, c.required, c.expected,
       (SELECT count(*) FROM audited)
  FROM inserted i
  JOIN candidates c USING (enrollment_id, kind, key)
 ORDER BY i.id
"""  # noqa: S608 (constant fragments; values are parameters)


@dataclass(frozen=True)
class Lapse:
    """What a newly raised flag is about, for the notice's wording."""

    flag_id: int
    kind: str
    lapse_on: dt.date
    label: str
    substances: str
    done: Decimal | None
    required: Decimal | None  # hours required, or the fee's amount
    expected: Decimal | None  # hours expected by now, or the fee's balance


@dataclass
class ComplianceResult:
    run: ComplianceRun
    created: bool  # False: the night had run already; nothing was done
    raised: list[int] = field(default_factory=list)  # flags raised now
    notices: list[int] = field(default_factory=list)  # notices issued now
    notice_failures: dict[int, str] = field(default_factory=dict)  # flag id -> error code


def compliance_flags_raise(*, run: ComplianceRun, now: dt.datetime) -> dict[int, Lapse]:
    """The night's flags, found and inserted with their audit records in one statement
    (RAISE_SQL); call inside the run's transaction. Returns what each new flag is about."""
    with connection.cursor() as cur:
        cur.execute(
            RAISE_SQL,
            {
                "run_date": run.run_date,
                "now": now,
                "run": run.pk,
                "active": EnrollmentStatus.ACTIVE,
                "tolerance": hours_behind_tolerance(),
            },
        )
        rows = cur.fetchall()
    return {
        row[0]: Lapse(row[0], row[1], row[2], row[3] or "", row[4] or "", *row[5:8]) for row in rows
    }


# --- the notices ------------------------------------------------------------------------------


def _hours(value: Decimal) -> str:
    return format(value.normalize(), "f")


def requirement_text(lapse: Lapse, *, fallback: str) -> dict[str, str] | str:
    """The notice's "requirement" line, in English and Spanish: what was not met."""
    from filings.notices import format_date, format_money

    def day(language: str) -> str:
        return format_date(lapse.lapse_on, language, weekday=True)

    kind = lapse.kind
    if kind == FlagKind.MISSED_TEST:
        en = f"A drug test on {day('en')}: the test was not taken."
        es = f"Una prueba de drogas el {day('es')}: la prueba no se realizó."
    elif kind == FlagKind.POSITIVE_TEST:
        en = f"A drug test on {day('en')}: the result was positive ({lapse.substances})."
        es = f"Una prueba de drogas el {day('es')}: el resultado fue positivo ({lapse.substances})."
    elif kind == FlagKind.DILUTED_TEST:
        en = f"A drug test on {day('en')}: the sample was diluted."
        es = f"Una prueba de drogas el {day('es')}: la muestra estaba diluida."
    elif kind == FlagKind.MISSED_SESSION:
        en = f"{lapse.label} on {day('en')}: you were absent."
        es = f"{lapse.label}, el {day('es')}: usted no asistió."
    elif kind == FlagKind.HOURS_BEHIND and lapse.done is not None:
        done, required, expected = (_hours(v) for v in (lapse.done, lapse.required, lapse.expected))
        en = (
            f"{lapse.label}: {done} of {required} hours done; {expected} hours were due "
            f"by {day('en')}."
        )
        es = (
            f"{lapse.label}: {done} de {required} horas cumplidas; debían cumplirse {expected} "
            f"horas a más tardar el {day('es')}."
        )
    elif kind == FlagKind.FEE_UNPAID and lapse.required is not None:
        amount, balance = format_money(lapse.required), format_money(lapse.expected)
        en = f"The program fee of {amount}, due {day('en')}: {balance} is unpaid."
        es = (
            f"La cuota del programa de {amount}, con vencimiento el {day('es')}: "
            f"se adeudan {balance}."
        )
    else:
        return fallback
    return {"en": en, "es": es}


def _issuers(enrollment_ids: list[int]) -> dict[int, int]:
    """Who issues an enrollment's notices: whoever enrolled the participant (the status
    change to active), else whoever referred them."""
    from .models import Enrollment

    enrolled_by = (
        EnrollmentStatusChange.objects.filter(
            enrollment_id=OuterRef("pk"), to_status=EnrollmentStatus.ACTIVE
        )
        .order_by("-recorded_at", "-pk")
        .values("changed_by_id")[:1]
    )
    rows = (
        Enrollment.objects.filter(pk__in=enrollment_ids)
        .annotate(enrolled_by=Subquery(enrolled_by))
        .values_list("pk", "enrolled_by", "referral__referred_by_id")
    )
    return {pk: by or referred_by for pk, by, referred_by in rows}


def _issue_notices(
    *, run: ComplianceRun, lapses: dict[int, Lapse], result: ComplianceResult
) -> None:
    """A notice for each flag raised now, and for flags of the last nights whose notice
    could not be issued then; each flag locked (skipped when another run holds it)."""
    from casemgmt.core.models import User
    from filings.models import NoticeKind
    from filings.notices import notice_issue

    since = run.run_date - dt.timedelta(days=notice_retry_days())
    flags = list(
        ComplianceFlag.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            notice__isnull=True,
            status=FlagStatus.OPEN,
            raised_on__gte=since,
            raised_on__lte=run.run_date,
            enrollment__status=EnrollmentStatus.ACTIVE,
        )
        .select_related("enrollment__program", "enrollment__case__court", "enrollment__participant")
        .order_by("pk")
    )
    if not flags:
        return
    issuers = _issuers(sorted({f.enrollment_id for f in flags}))
    users = User.objects.in_bulk(set(issuers.values()))
    respond_by = run.run_date + dt.timedelta(days=respond_days())
    for flag in flags:
        enrollment = flag.enrollment
        lapse = lapses.get(flag.pk)
        requirement = requirement_text(lapse, fallback=flag.detail) if lapse else flag.detail
        try:
            with transaction.atomic():
                notice = notice_issue(
                    case=enrollment.case,
                    kind=NoticeKind.PROGRAM_NONCOMPLIANCE,
                    context={
                        "program_name": enrollment.program.name,
                        "requirement": requirement,
                        "respond_by": respond_by,
                    },
                    issued_by=users[issuers[enrollment.pk]],
                    recipients=[enrollment.participant],
                )
                flag.notice = notice
                flag.save(update_fields=["notice"])
        except DomainError as exc:
            logger.warning("no notice for compliance flag %s: %s %s", flag.pk, exc.code, exc)
            result.notice_failures[flag.pk] = exc.code
            audit_record(
                action="program_flag.notice_failed",
                actor_username="system",
                obj=flag,
                case=enrollment.case,
                details={"run": run.pk, "code": exc.code, "message": str(exc)},
            )
            continue
        result.notices.append(notice.pk)


# --- the run ----------------------------------------------------------------------------------


def compliance_run_night(*, run_date: dt.date, now: dt.datetime | None = None) -> ComplianceResult:
    """Run the compliance evaluation of a night, once (see the module docstring).

    Args:
        run_date: the court-local date the night begins; lapses of the days before it.
        now: the current instant (tests); default now.

    Returns:
        What was done; `created` is False when the night had run already.
    """
    now = now or timezone.now()
    with transaction.atomic():
        with connection.cursor() as cur:
            # A second run of the night waits here for the first to commit, then finds it.
            cur.execute(
                "INSERT INTO programs_compliancerun "
                "(run_date, started_at, flags_raised, notices_issued) VALUES (%s, %s, 0, 0) "
                "ON CONFLICT (run_date) DO NOTHING RETURNING id",
                [run_date, now],
            )
            row = cur.fetchone()
        if row is None:
            logger.info("compliance run of %s exists; nothing to do", run_date)
            return ComplianceResult(run=ComplianceRun.objects.get(run_date=run_date), created=False)
        run = ComplianceRun.objects.get(pk=row[0])
        result = ComplianceResult(run=run, created=True)
        lapses = compliance_flags_raise(run=run, now=now)
        result.raised = sorted(lapses)
        _issue_notices(run=run, lapses=lapses, result=result)
        run.flags_raised = len(result.raised)
        run.notices_issued = len(result.notices)
        run.finished_at = timezone.now()
        run.save(update_fields=["flags_raised", "notices_issued", "finished_at"])
        by_kind: dict[str, int] = {}
        for lapse in lapses.values():
            by_kind[lapse.kind] = by_kind.get(lapse.kind, 0) + 1
        audit_record(
            action="compliance.run",
            actor_username="system",
            obj=run,
            details={
                "run_date": run_date.isoformat(),
                "flags_raised": run.flags_raised,
                "by_kind": by_kind,
                "notices_issued": run.notices_issued,
                "notice_failures": len(result.notice_failures),
            },
        )
    logger.info(
        "compliance run %s: %s flags, %s notices", run_date, run.flags_raised, run.notices_issued
    )
    return result


def compliance_run(*, run_date: dt.date, now: dt.datetime | None = None) -> ComplianceRun:
    """The night's compliance run (ComplianceRun); a second run of the night does nothing
    and returns the first's row. See `compliance_run_night`."""
    return compliance_run_night(run_date=run_date, now=now).run


__all__ = [
    "ComplianceResult",
    "Lapse",
    "compliance_flags_raise",
    "compliance_night",
    "compliance_run",
    "compliance_run_night",
    "court_night",
    "nightly_hour",
    "requirement_text",
]
