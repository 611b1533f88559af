"""A participant's whole path through a drug court, end to end, through the real services
and the real nightly task, with the clock moved day by day (issue 8, "Done when"):

referral -> screening -> consents -> enrollment (the case inactive for diversion, docket
entries) -> a positive test and a missed counseling session, flagged by the nightly run
(exactly one flag and one notice each, though the night runs twice) -> a sanction ->
phase advancement -> completion, the charges dismissed after diversion and the case
disposed.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
import time_machine

from cases.models import (
    CaseStatus,
    CaseStatusChange,
    Charge,
    ChargeDisposition,
    DocketEntry,
    InactiveReason,
)
from filings.models import Notice, NoticeKind, NoticeStatus
from payments.selectors import case_balance
from programs import tasks
from programs.compliance import compliance_run
from programs.models import (
    ComplianceFlag,
    ComplianceRun,
    ConsentKind,
    DrugTestCall,
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    ReferralStatus,
)
from programs.services import (
    consent_record,
    enrollment_complete,
    enrollment_enroll,
    enrollment_phase_advance,
    event_record,
    flag_resolve,
    referral_create,
    referral_offer,
    referral_screen,
    response_record,
)
from tests.filings.test_notices_support import (
    case_with_parties,
    celery_eager,
    normalized,
    party,
    pdf_text,
)
from tests.payments.factories import payment

from .factories import drug_court, service_site

UTC = dt.UTC
START = dt.date(2025, 1, 6)  # a Monday


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


@contextmanager
def on_day(n: int, hour_utc: int = 15):
    """The clock at `hour_utc` UTC on day n (15:00 UTC: mid-morning in New York)."""
    when = dt.datetime.combine(day(n), dt.time(hour_utc, 0), tzinfo=UTC)
    with time_machine.travel(when, tick=False):
        yield


@contextmanager
def committed(capture):
    """Commit what is done inside and run what it queued (notice rendering and e-mail), in
    process, as the worker would."""
    with celery_eager(), capture(execute=True):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Rendered notices go to a scratch directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


def entries(case, code: str) -> list[DocketEntry]:
    return list(DocketEntry.objects.filter(case=case, event_code=code).order_by("pk"))


def test_a_participants_full_path_from_referral_to_dismissal(
    court_a, clerk, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    capture = django_capture_on_commit_callbacks
    # --- Day 0: a grand theft case; Luis Ortega (Spanish, with an e-mail address) -----------
    with on_day(0):
        case = case_with_parties(court_a, clerk)  # the defendant, a victim, the State
        luis = party(case, "Ortega")
        program = drug_court(court_a)
        # a two-phase drug court: stabilization (60 days), then treatment (90 days, 40 hours
        # of community service and a class), which is the last
        program.phases.filter(number=3).delete()

        # Referral by the clerk: a confidential DVRF entry
        referral = referral_create(
            program=program, case=case, participant=luis, source="clerk", by=clerk
        )
        (dvrf,) = entries(case, "DVRF")
        assert dvrf.confidentiality == "confidential"

        # Screening: every criterion met but the consents, which need review; the
        # coordinator decides eligible, with the reason
        screening = referral_screen(
            referral=referral,
            by=coordinator,
            decision="eligible",
            decision_reason="Consents are taken with the offer.",
        )
        assert screening.outcome == "needs_review" and screening.decision == "eligible"
        outcomes = {r["kind"]: r["outcome"] for r in screening.results}
        assert outcomes == {
            "case_type": "met",
            "excluded_charge": "met",
            "age": "met",
            "consent": "not_met",
        }
        assert all(r["reason"] for r in screening.results)

        # Offer; the prosecutor's and the participant's consents (his accepts the offer)
        referral = referral_offer(referral=referral, by=coordinator)
        consent_record(referral=referral, kind=ConsentKind.PROSECUTOR, by=coordinator)
        consent_record(referral=referral, kind=ConsentKind.PARTICIPANT, by=coordinator)
        referral.refresh_from_db()
        assert referral.status == ReferralStatus.ACCEPTED

        # Enrollment: active in phase 1; the case inactive for the diversion; DVEN; the fee
        enrollment = enrollment_enroll(referral=referral, by=coordinator)
    assert (enrollment.status, enrollment.phase.number) == (EnrollmentStatus.ACTIVE, 1)
    assert enrollment.enrolled_on == day(0)
    case.refresh_from_db()
    assert case.status == CaseStatus.INACTIVE
    inactive = CaseStatusChange.objects.filter(case=case).order_by("pk").last()
    assert (inactive.to_status, inactive.inactive_reason) == (
        CaseStatus.INACTIVE,
        InactiveReason.DIVERSION,
    )
    assert len(entries(case, "DVEN")) == 1
    fee = enrollment.fee_obligation
    assert (fee.amount, fee.due_on) == (program.fee_amount, day(90))

    # --- Day 3: a positive test, and an absence from counseling --------------------------------
    with on_day(3):
        positive = event_record(
            enrollment=enrollment,
            kind="drug_test",
            occurred_on=day(3),
            drug_test_result="positive",
            substances="cocaine",
            by=coordinator,
        )
        absent = event_record(
            enrollment=enrollment,
            kind="counseling",
            occurred_on=day(3),
            attendance="absent",
            by=coordinator,
        )

    # --- The night of day 4 (02:20 in New York), run by two beat ticks and once by hand ------
    with on_day(4, hour_utc=7), committed(capture):
        night = tasks.programs_nightly()
    with on_day(4, hour_utc=8), committed(capture):
        again = tasks.programs_nightly()
    with on_day(4, hour_utc=9), committed(capture):
        by_hand = compliance_run(run_date=day(4))
    assert (night["run_date"], night["ran"], night["flags_raised"]) == (
        day(4).isoformat(),
        True,
        2,
    )
    assert night["notices_issued"] == 2
    assert (again["ran"], again["flags_raised"]) == (False, 0)
    assert by_hand.pk == ComplianceRun.objects.get().pk

    # Exactly one flag for each lapse, each with one notice to the participant alone
    flags = {f.kind: f for f in ComplianceFlag.objects.select_related("notice")}
    assert sorted(flags) == [FlagKind.MISSED_SESSION, FlagKind.POSITIVE_TEST]
    assert flags[FlagKind.POSITIVE_TEST].event_id == positive.pk
    assert flags[FlagKind.MISSED_SESSION].event_id == absent.pk
    assert Notice.objects.filter(case=case).count() == 2
    for flag in flags.values():
        notice = flag.notice
        assert notice.kind == NoticeKind.PROGRAM_NONCOMPLIANCE
        assert notice.status == NoticeStatus.RENDERED
        assert [r.party_id for r in notice.recipients.all()] == [luis.pk]
    # ... in his language, e-mailed to him (never to the victim)
    with flags[FlagKind.POSITIVE_TEST].notice.document.file.open("rb") as fh:
        text = normalized(pdf_text(fh.read()))
    assert "AVISO DE INCUMPLIMIENTO — ADULT DRUG COURT" in text
    assert "Una prueba de drogas el jueves, 9 de enero de 2025: el resultado fue positivo" in text
    assert sorted(m.to[0] for m in mailoutbox) == ["luis.ortega@example.com"] * 2
    assert len(entries(case, "NOTC")) == 2

    # He answers the day's random call, if the draw called him
    with on_day(4):
        for call in DrugTestCall.objects.filter(enrollment=enrollment, test_date=day(4)):
            event_record(
                enrollment=enrollment,
                kind="drug_test",
                occurred_on=call.test_date,
                drug_test_result="negative",
                by=coordinator,
            )

    # --- Day 5: a sanction for the positive test; the absence is excused -------------------
    with on_day(5):
        sanction = response_record(
            enrollment=enrollment,
            kind="sanction",
            action="Two days of jail",
            reason="Positive for cocaine on January 9.",
            flag=flags[FlagKind.POSITIVE_TEST],
            by=coordinator,
        )
        flag_resolve(
            flag=flags[FlagKind.MISSED_SESSION],
            note="Doctor's note for the session; attended the make-up group.",
            by=coordinator,
        )
    assert sanction.flag_id == flags[FlagKind.POSITIVE_TEST].pk
    assert set(ComplianceFlag.objects.values_list("status", flat=True)) == {FlagStatus.RESOLVED}

    # --- Day 30: the program fee is paid -------------------------------------------------------
    with on_day(30):
        payment(case, str(case_balance(case).balance), clerk=clerk, payer_name="Luis Ortega")
    assert case_balance(case).balance == 0

    # --- Day 61: phase 1 done (60 days, 58 clean): advancement, DVPH -----------------------
    with on_day(61):
        enrollment = enrollment_phase_advance(enrollment=enrollment, by=coordinator)
    assert (enrollment.phase.number, enrollment.phase_started_on) == (2, day(61))
    assert len(entries(case, "DVPH")) == 1

    # --- Phase 2: the class, and 40 hours at a site ----------------------------------------
    site = service_site(court_a)
    with on_day(70):
        event_record(
            enrollment=enrollment,
            kind="class",
            occurred_on=day(70),
            attendance="attended",
            completed=True,
            by=coordinator,
        )
    for n in (75, 85, 95, 105):
        with on_day(n):
            event_record(
                enrollment=enrollment,
                kind="community_service",
                occurred_on=day(n),
                hours="10",
                site=site,
                by=coordinator,
            )
    # a night in phase 2 finds nothing: hours ahead of pace, the fee paid, tests answered
    with on_day(106, hour_utc=7), committed(capture):
        quiet = tasks.programs_nightly()
    assert (quiet["ran"], quiet["flags_raised"]) == (True, 0)

    # --- Day 151: the last phase done: completion, the charges dismissed, the case disposed --
    with on_day(151):
        enrollment = enrollment_complete(
            enrollment=enrollment, by=coordinator, note="All requirements met."
        )
    assert (enrollment.status, enrollment.ended_on) == (EnrollmentStatus.COMPLETED, day(151))
    charges = Charge.objects.filter(case=case)
    assert charges and {c.disposition for c in charges} == {ChargeDisposition.DIVERTED}
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPOSED
    assert len(entries(case, "DVCP")) == 1
    # One flag and one notice per lapse, over the whole path
    assert ComplianceFlag.objects.count() == 2
    assert Notice.objects.filter(kind=NoticeKind.PROGRAM_NONCOMPLIANCE).count() == 2
