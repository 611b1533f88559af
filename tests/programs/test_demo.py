"""Demo programs (issue 8, item 7): two programs of the demo court with participants in
every state, made through the services, and run twice the seeders add nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casemgmt.core.demo import seed_courts_and_users
from cases.demo import seed_case_types, seed_cases
from cases.models import CaseStatus, ChargeDisposition
from filings.notices import seed_notice_templates
from programs.demo import seed_programs
from programs.models import (
    ComplianceFlag,
    Consent,
    EligibilityCriterion,
    Enrollment,
    EnrollmentStatus,
    PhaseChange,
    Program,
    ProgramPhase,
    ProgramResponse,
    Referral,
    ReferralStatus,
    Screening,
    ServiceEvent,
    ServiceSite,
)

pytestmark = pytest.mark.django_db


def quiet(line: str) -> None:
    pass


def seed_everything():
    # The order of casemgmt.core.demo's registry: courts, case types, notice wording, cases,
    # then the programs (after money, deadlines and speedy-trial clocks, not needed here).
    for seeder in (
        seed_courts_and_users,
        seed_case_types,
        seed_notice_templates,
        seed_cases,
        seed_programs,
    ):
        seeder(log=quiet)


def counts():
    return tuple(
        model.objects.count()
        for model in (
            Program,
            ProgramPhase,
            EligibilityCriterion,
            ServiceSite,
            Referral,
            Screening,
            Consent,
            Enrollment,
            PhaseChange,
            ServiceEvent,
            ProgramResponse,
            ComplianceFlag,
        )
    )


def test_demo_programs_through_the_services_and_idempotent(monkeypatch):
    monkeypatch.setattr("cases.demo.CASES_PER_COURT", 10)  # the programs open their own cases
    # when the demo is seeded (and the programs' seeder run again)
    seed_everything()
    first = counts()
    seed_programs(log=quiet)
    # then the second time adds nothing
    assert counts() == first

    drug = Program.objects.get(court__code="sarasota", code="DRUG")
    ptd = Program.objects.get(court__code="sarasota", code="PTD")
    assert list(drug.phases.values_list("number", flat=True)) == [1, 2, 3]
    assert drug.criteria.count() == 4 and ptd.criteria.count() == 4
    assert {u.username for u in drug.coordinators.all()} == {"coordinator"}
    assert ServiceSite.objects.filter(court__code="sarasota").count() == 3

    # A screened referral waiting for the offer, and one screened ineligible with its reason.
    waiting = Referral.objects.get(program=drug, participant__person__last_name="Reed")
    assert waiting.status == ReferralStatus.SCREENED
    assert waiting.screenings.get().decision == "eligible"
    refused = Referral.objects.get(program=drug, participant__person__last_name="Hale")
    assert refused.status == ReferralStatus.INELIGIBLE
    reasons = [r["reason"] for r in refused.screenings.get().results if r["outcome"] == "not_met"]
    assert any("felony" in reason for reason in reasons), reasons

    # Active in phase 1 with a positive test and its open flag (raised by the nightly run).
    phase1 = Enrollment.objects.get(program=drug, participant__person__last_name="Brooks")
    assert phase1.status == EnrollmentStatus.ACTIVE and phase1.phase.number == 1
    positive = phase1.events.get(drug_test_result="positive")
    flag = phase1.flags.get(kind="positive_test")
    assert flag.status == "open" and flag.event == positive and flag.notice_id is not None
    assert phase1.fee_obligation.amount == Decimal("150.00")
    assert phase1.case.status == CaseStatus.INACTIVE

    # Active in phase 2 with community-service hours.
    phase2 = Enrollment.objects.get(program=drug, participant__person__last_name="Owens")
    assert phase2.status == EnrollmentStatus.ACTIVE and phase2.phase.number == 2
    assert phase2.events.filter(kind="community_service", hours__gt=0).exists()
    assert phase2.phase_changes.count() == 2

    # Terminated: the case is back on the active docket.
    terminated = Enrollment.objects.get(program=drug, participant__person__last_name="Benson")
    assert terminated.status == EnrollmentStatus.TERMINATED
    assert terminated.termination_reason == "noncompliance"
    assert terminated.responses.filter(kind="sanction").exists()
    assert terminated.case.status == CaseStatus.ACTIVE

    # Completed: the charges diverted, the case disposed.
    completed = Enrollment.objects.get(program=ptd, participant__person__last_name="Moreno")
    assert completed.status == EnrollmentStatus.COMPLETED
    assert completed.case.status == CaseStatus.DISPOSED
    assert set(completed.case.charges.values_list("disposition", flat=True)) == {
        ChargeDisposition.DIVERTED
    }

    # The pretrial program is full, with one on its waitlist.
    assert ptd.enrollments.filter(status=EnrollmentStatus.ACTIVE).count() == ptd.capacity
    waitlisted = Enrollment.objects.get(program=ptd, participant__person__last_name="Lee")
    assert waitlisted.status == EnrollmentStatus.WAITLISTED
    assert waitlisted.referral.status == ReferralStatus.WAITLISTED

    # Participants were enrolled weeks or months ago (the pages show time in a program).
    assert completed.enrolled_on < completed.ended_on
    assert (phase2.phase_started_on - phase2.enrolled_on).days >= 60


def test_no_demo_court_no_programs():
    seed_programs(log=quiet)
    assert not Program.objects.exists()
