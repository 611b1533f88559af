"""The nightly compliance run (programs.compliance): one flag per lapse, set-wise, by each
court's own date; one non-compliance notice per flag; a night run once, however often and
by however many workers it is started."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from filings.models import Notice, NoticeKind, NoticeStatus, NoticeTemplate
from payments.services import obligation_create
from programs.compliance import (
    compliance_flags_raise,
    compliance_night,
    compliance_run,
    compliance_run_night,
    court_night,
)
from programs.models import (
    ComplianceFlag,
    ComplianceRun,
    DrugTestCall,
    Enrollment,
    EnrollmentStatus,
    FlagKind,
)
from tests.cases.factories import CaseTypeFactory, open_case
from tests.filings.test_notices_support import celery_eager, normalized, pdf_text
from tests.payments.factories import payment

from .factories import drug_court
from .nightly_support import enroll, event, run_together, void

UTC = dt.UTC
NIGHT = dt.date(2025, 3, 11)  # a Tuesday; both test courts on daylight time
YESTERDAY = NIGHT - dt.timedelta(days=1)
# 08:00 in Alpha (New York), 06:00 in Bravo (Denver): both courts are on NIGHT.
MORNING = dt.datetime(2025, 3, 11, 12, 0, tzinfo=UTC)
ENROLLED = dt.date(2025, 1, 6)


def run(night=NIGHT, now=MORNING):
    return compliance_run_night(run_date=night, now=now)


def flags(**filters) -> list[tuple[str, str]]:
    return sorted(ComplianceFlag.objects.filter(**filters).values_list("kind", "key"))


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


@pytest.fixture
def member(program, case, coordinator):
    """A participant of the drug court, in phase 1 since ENROLLED."""
    return enroll(program, case, by=coordinator, on=ENROLLED)


# --- drug tests ------------------------------------------------------------------------------


def test_a_call_with_no_test_that_day_is_a_missed_test(member, coordinator):
    # Given calls on earlier days: one answered, one not, one answered by a voided test
    missed = DrugTestCall.objects.create(enrollment=member, test_date=YESTERDAY)
    answered = DrugTestCall.objects.create(enrollment=member, test_date=NIGHT - dt.timedelta(3))
    event(member, "drug_test", answered.test_date, by=coordinator, drug_test_result="negative")
    voided = DrugTestCall.objects.create(enrollment=member, test_date=NIGHT - dt.timedelta(5))
    wrong = event(
        member, "drug_test", voided.test_date, by=coordinator, drug_test_result="negative"
    )
    void(wrong, by=coordinator)
    # and a call for today, whose day has not ended
    DrugTestCall.objects.create(enrollment=member, test_date=NIGHT)

    run()

    assert flags() == sorted(
        [("missed_test", f"call:{missed.pk}"), ("missed_test", f"call:{voided.pk}")]
    )
    flag = ComplianceFlag.objects.get(key=f"call:{missed.pk}")
    assert flag.detail == "Drug test called for March 10, 2025 not taken"
    assert (flag.raised_on, flag.event_id, flag.status) == (NIGHT, None, "open")


def test_missed_positive_and_diluted_results_are_flagged_once_each(member, coordinator):
    day = YESTERDAY
    negative = event(member, "drug_test", day, by=coordinator, drug_test_result="negative")
    positive = event(
        member, "drug_test", day, by=coordinator, drug_test_result="positive", substances="THC"
    )
    diluted = event(member, "drug_test", day, by=coordinator, drug_test_result="diluted")
    missed = event(member, "drug_test", day, by=coordinator, drug_test_result="missed")
    # a call answered by a "missed" result is one lapse: the event's, not the call's
    DrugTestCall.objects.create(enrollment=member, test_date=day)
    # a positive entered in error and voided, and a positive of today
    wrong = event(
        member, "drug_test", day, by=coordinator, drug_test_result="positive", substances="COC"
    )
    void(wrong, by=coordinator)
    event(member, "drug_test", NIGHT, by=coordinator, drug_test_result="positive", substances="X")

    run()

    assert flags() == sorted(
        [
            ("positive_test", f"event:{positive.pk}"),
            ("diluted_test", f"event:{diluted.pk}"),
            ("missed_test", f"event:{missed.pk}"),
        ]
    )
    assert not ComplianceFlag.objects.filter(key=f"event:{negative.pk}").exists()
    flag = ComplianceFlag.objects.get(kind=FlagKind.POSITIVE_TEST)
    assert flag.event_id == positive.pk
    assert flag.detail == "Drug test of March 10, 2025 positive for THC"


def test_absences_from_sessions_are_flagged_excused_ones_are_not(member, coordinator, program):
    counseling = program.phases.get(number=1).requirements.get(kind="counseling")
    absent = event(
        member, "counseling", YESTERDAY, by=coordinator, attendance="absent",
        requirement=counseling,
    )  # fmt: skip
    hearing = event(member, "review_hearing", YESTERDAY, by=coordinator, attendance="absent")
    event(member, "counseling", NIGHT - dt.timedelta(8), by=coordinator, attendance="excused")
    event(member, "class", NIGHT - dt.timedelta(9), by=coordinator, attendance="attended")

    run()

    assert flags() == sorted(
        [("missed_session", f"event:{absent.pk}"), ("missed_session", f"event:{hearing.pk}")]
    )
    details = set(ComplianceFlag.objects.values_list("detail", flat=True))
    assert details == {
        "Absent from Outpatient counseling on March 10, 2025",
        "Absent from review hearing on March 10, 2025",
    }


# --- community service -----------------------------------------------------------------------


@pytest.fixture
def in_phase_two(program, case, coordinator):
    """Phase 2 of the drug court (40 hours over its 90 days), 45 days in by YESTERDAY (the
    day judged): 20 hours are expected by then; 4 (10% of 40) is the tolerance."""
    return enroll(
        program, case, by=coordinator, on=ENROLLED, phase=2,
        phase_started_on=YESTERDAY - dt.timedelta(days=45),
    )  # fmt: skip


def test_hours_behind_schedule_beyond_the_tolerance_are_flagged_once_a_week(
    in_phase_two, coordinator
):
    start = in_phase_two.phase_started_on
    event(in_phase_two, "community_service", start + dt.timedelta(3), by=coordinator, hours=10)
    before_phase = start - dt.timedelta(days=1)
    event(in_phase_two, "community_service", before_phase, by=coordinator, hours=8)
    wrong = event(in_phase_two, "community_service", YESTERDAY, by=coordinator, hours=9)
    void(wrong, by=coordinator)

    run()
    # (10 hours in the phase: under 20 - 4)
    assert flags() == [("hours_behind", "week:2025-W11")]
    flag = ComplianceFlag.objects.get()
    assert flag.detail == ("Community service: 10 of 40 hours done, 20 expected by March 10, 2025")

    # the next night is in the same ISO week: nothing new; the next week: a new flag
    run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1))
    assert ComplianceFlag.objects.count() == 1
    run(NIGHT + dt.timedelta(days=7), MORNING + dt.timedelta(days=7))
    assert flags() == [("hours_behind", "week:2025-W11"), ("hours_behind", "week:2025-W12")]


def test_hours_within_the_tolerance_are_on_schedule(in_phase_two, coordinator):
    event(in_phase_two, "community_service", YESTERDAY, by=coordinator, hours="16.5")
    run()
    assert flags() == []


# --- the program fee -------------------------------------------------------------------------


@pytest.fixture
def fee(member, clerk):
    obligation = obligation_create(
        case=member.case,
        kind="fee",
        amount=Decimal("150.00"),
        description="Drug court program fee",
        ordered_on=ENROLLED,
        due_on=YESTERDAY,
        created_by=clerk,
    )
    Enrollment.objects.filter(pk=member.pk).update(fee_obligation=obligation)
    return obligation


def test_an_unpaid_fee_past_its_due_date_is_flagged_once(fee, member):
    run(YESTERDAY, MORNING - dt.timedelta(days=1))  # the due date itself: not late yet
    assert flags() == []

    run()
    run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1))

    assert flags() == [("fee_unpaid", f"obligation:{fee.pk}")]
    assert ComplianceFlag.objects.get().detail == (
        "Program fee of 150.00 due March 10, 2025: 150.00 unpaid"
    )


def test_a_paid_fee_is_not_flagged(fee, member, clerk):
    payment(member.case, "1000.00", clerk=clerk)  # the fee and whatever else the case owes
    run()
    assert flags() == []


# --- who is judged, and by which date ----------------------------------------------------------


def test_only_active_enrollments_are_judged(member, coordinator):
    event(
        member,
        "drug_test",
        YESTERDAY,
        by=coordinator,
        drug_test_result="positive",
        substances="THC",
    )
    Enrollment.objects.filter(pk=member.pk).update(
        status=EnrollmentStatus.TERMINATED, ended_on=YESTERDAY, termination_reason="other"
    )
    run()
    assert flags() == []


@pytest.fixture
def member_b(court_b, make_user):
    """A participant of Bravo's drug court (Denver)."""
    clerk_b = make_user(Role.CLERK, [court_b], username="clerk_bravo")
    coordinator_b = make_user(Role.PROGRAM_COORDINATOR, [court_b], username="coord_bravo")
    cr = CaseTypeFactory(court=court_b, code="CR", category=CaseCategory.CRIMINAL)
    case_b = open_case(case_type=cr, opened_by=clerk_b)
    return enroll(drug_court(court_b), case_b, by=coordinator_b, on=ENROLLED)


def test_each_court_is_judged_by_its_own_date(member, member_b):
    # Given both participants missed a call on March 10
    alpha = DrugTestCall.objects.create(enrollment=member, test_date=YESTERDAY)
    bravo = DrugTestCall.objects.create(enrollment=member_b, test_date=YESTERDAY)

    # When the night of March 11 is run at 00:30 in New York, 22:30 on March 10 in Denver
    run(NIGHT, dt.datetime(2025, 3, 11, 4, 30, tzinfo=UTC))

    # Then only Alpha's call is late: Denver's March 10 has not ended
    assert flags() == [("missed_test", f"call:{alpha.pk}")]
    # and the next night flags Bravo's
    run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1))
    assert flags(enrollment=member_b) == [("missed_test", f"call:{bravo.pk}")]


def test_the_night_waits_for_every_courts_hour(court_a, court_b, settings):
    settings.PROGRAMS_NIGHTLY_HOUR = 1
    # 05:30 UTC: 01:30 in New York (ready), 23:30 the day before in Denver
    now = dt.datetime(2025, 3, 11, 5, 30, tzinfo=UTC)
    assert court_night(court_a, now=now) == NIGHT
    assert court_night(court_b, now=now) == YESTERDAY
    assert compliance_night(now=now) == YESTERDAY
    # 07:05 UTC: 03:05 in New York, 01:05 in Denver
    assert compliance_night(now=dt.datetime(2025, 3, 11, 7, 5, tzinfo=UTC)) == NIGHT


# --- notices ---------------------------------------------------------------------------------


def test_each_new_flag_has_one_notice_to_the_participant(
    member, coordinator, program, django_capture_on_commit_callbacks, mailoutbox
):
    positive = event(
        member, "drug_test", YESTERDAY, by=coordinator, drug_test_result="positive",
        substances="cocaine",
    )  # fmt: skip
    absent = event(member, "counseling", YESTERDAY, by=coordinator, attendance="absent")

    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        result = run()

    assert result.created and len(result.raised) == 2 and len(result.notices) == 2
    assert result.run.flags_raised == 2 and result.run.notices_issued == 2
    for flag in ComplianceFlag.objects.select_related("notice"):
        notice = flag.notice
        assert notice.kind == NoticeKind.PROGRAM_NONCOMPLIANCE
        assert notice.case_id == member.case_id
        assert [r.party_id for r in notice.recipients.all()] == [member.participant_id]
        assert notice.context["program_name"] == program.name
        assert notice.context["respond_by"] == (NIGHT + dt.timedelta(days=10)).isoformat()
        assert notice.issued_by == coordinator  # who referred (no enrollment history here)
        assert notice.status == NoticeStatus.RENDERED
    by_event = {f.event_id: f.notice for f in ComplianceFlag.objects.select_related("notice")}
    assert by_event[positive.pk].context["requirement"] == {
        "en": "A drug test on Monday, March 10, 2025: the result was positive (cocaine).",
        "es": "Una prueba de drogas el lunes, 10 de marzo de 2025: el resultado fue positivo "
        "(cocaine).",
    }
    with by_event[absent.pk].document.file.open("rb") as fh:
        text = normalized(pdf_text(fh.read()))
    assert "NOTICE OF NON-COMPLIANCE — ADULT DRUG COURT" in text
    assert "Counseling session on Monday, March 10, 2025: you were absent." in text
    assert "no later than Friday, March 21, 2025" in text
    assert mailoutbox == []  # John Doe gave no e-mail address: the copy goes by mail


def test_a_notice_the_court_cannot_issue_leaves_the_flag_and_is_tried_again(
    member, coordinator, court_a
):
    event(member, "drug_test", YESTERDAY, by=coordinator, drug_test_result="diluted")
    NoticeTemplate.objects.filter(court=court_a, kind=NoticeKind.PROGRAM_NONCOMPLIANCE).update(
        is_active=False
    )

    first = run()

    flag = ComplianceFlag.objects.get()
    assert flag.notice is None and first.notice_failures == {flag.pk: "NOTICE_TEMPLATE_MISSING"}
    assert AuditEvent.objects.filter(
        action="program_flag.notice_failed", object_id=str(flag.pk)
    ).exists()

    # the court restores its wording; the next night issues the notice, once
    NoticeTemplate.objects.filter(court=court_a, kind=NoticeKind.PROGRAM_NONCOMPLIANCE).update(
        is_active=True
    )
    second = run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1))
    third = run(NIGHT + dt.timedelta(days=2), MORNING + dt.timedelta(days=2))

    flag.refresh_from_db()
    assert second.raised == [] and second.notices == [flag.notice_id]
    assert third.notices == []
    assert Notice.objects.count() == 1


# --- exactly once ----------------------------------------------------------------------------


def test_a_second_run_of_the_night_does_nothing_new(member, coordinator):
    event(
        member,
        "drug_test",
        YESTERDAY,
        by=coordinator,
        drug_test_result="positive",
        substances="THC",
    )
    first = run()
    # a lapse entered after the night's run waits for the next night
    later = event(member, "counseling", YESTERDAY, by=coordinator, attendance="absent")

    again = run(NIGHT, MORNING + dt.timedelta(hours=1))

    assert (first.created, again.created) == (True, False)
    assert again.run.pk == first.run.pk and again.raised == [] and again.notices == []
    assert ComplianceRun.objects.count() == 1
    assert ComplianceFlag.objects.count() == 1 and Notice.objects.count() == 1
    assert AuditEvent.objects.filter(action="compliance.run").count() == 1
    assert AuditEvent.objects.filter(action="program_flag.raise").count() == 1

    run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1))
    assert flags(event=later) == [("missed_session", f"event:{later.pk}")]
    assert ComplianceFlag.objects.count() == 2 and Notice.objects.count() == 2


def test_the_contract_entry_point_returns_the_nights_run(member):
    made = compliance_run(run_date=NIGHT, now=MORNING)
    assert compliance_run(run_date=NIGHT, now=MORNING) == made
    assert made.finished_at is not None


def test_each_flag_is_audited_with_its_case_and_court(member, coordinator):
    event(member, "class", YESTERDAY, by=coordinator, attendance="absent")
    run()
    flag = ComplianceFlag.objects.get()
    audit = AuditEvent.objects.get(action="program_flag.raise")
    assert (audit.object_type, audit.object_id) == ("programs.complianceflag", str(flag.pk))
    assert (audit.case_id, audit.case_number) == (member.case_id, member.case.number)
    assert audit.court_id == member.program.court_id and audit.actor_username == "system"
    assert audit.details["key"] == flag.key and audit.details["run"] == flag.run_id


def test_the_flags_are_raised_in_one_statement_however_many_participants(
    program, make_case, coordinator
):
    def participants(n):
        for _ in range(n):
            enrolled = enroll(program, make_case(), by=coordinator, on=ENROLLED)
            DrugTestCall.objects.create(enrollment=enrolled, test_date=YESTERDAY)

    for n, night in ((1, NIGHT), (6, NIGHT + dt.timedelta(days=1))):
        participants(n)
        night_run = ComplianceRun.objects.create(run_date=night)
        with CaptureQueriesContext(connection) as queries:
            raised = compliance_flags_raise(run=night_run, now=MORNING + dt.timedelta(days=1))
        assert len(raised) == n and len(queries) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_night_at_once_raise_one_flag_and_one_notice_per_lapse(
    member, coordinator
):
    event(
        member,
        "drug_test",
        YESTERDAY,
        by=coordinator,
        drug_test_result="positive",
        substances="THC",
    )
    event(member, "counseling", YESTERDAY, by=coordinator, attendance="absent")
    DrugTestCall.objects.create(enrollment=member, test_date=YESTERDAY - dt.timedelta(days=1))

    results = run_together(run, run)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert ComplianceRun.objects.count() == 1
    assert ComplianceFlag.objects.count() == 3
    assert Notice.objects.count() == 3
    assert ComplianceFlag.objects.filter(notice__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="program_flag.raise").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_nights_run_at_once_still_flag_each_lapse_once(member, coordinator):
    # a night caught up by hand while the next night runs: both see the same lapse
    event(member, "drug_test", YESTERDAY, by=coordinator, drug_test_result="diluted")

    results = run_together(
        lambda: run(NIGHT, MORNING),
        lambda: run(NIGHT + dt.timedelta(days=1), MORNING + dt.timedelta(days=1)),
    )

    assert not any(isinstance(r, Exception) for r in results), results
    assert ComplianceRun.objects.count() == 2
    assert ComplianceFlag.objects.count() == 1 and Notice.objects.count() == 1
    assert sum(len(r.raised) for r in results) == 1
    assert sum(len(r.notices) for r in results) == 1
