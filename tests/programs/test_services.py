"""Referral, consent, offer and enrollment (programs.services).

The rules (issue 8, "Referral -> screening -> enrollment"):
* a referral is made by the court's staff or an attorney of record, to a program of the
  case's court, for a defendant / respondent / child of a pending case, one open referral
  per participant and program; it records a confidential DVRF entry;
* an offer follows an eligible screening; the participant's consent accepts it; enrollment
  needs that consent;
* enrollment with a free place: active in phase 1, case inactive (diversion) through the
  lifecycle (INAC), a confidential DVEN entry, the program fee assessed (due fee_due_days
  later); a full program waitlists (enrollment and referral waitlisted);
* every state change writes its audit record.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import Confidentiality, DocketEntry
from cases.services import appearance_enter, case_transition
from programs.models import (
    ConsentKind,
    Enrollment,
    EnrollmentStatus,
    PhaseChange,
    ReferralStatus,
)
from programs.services import (
    consent_record,
    enrollment_admit,
    enrollment_enroll,
    referral_create,
    referral_decline,
    referral_offer,
    referral_withdraw,
)

from .factories import defendant_party, drug_court, pretrial_diversion
from .steps import enrolled, offered, screened_eligible

pytestmark = pytest.mark.django_db


def refer(program, case, *, by, **kwargs):
    return referral_create(
        program=program,
        case=case,
        participant=kwargs.pop("participant", defendant_party(case)),
        source=kwargs.pop("source", "prosecutor"),
        by=by,
        **kwargs,
    )


def codes(case) -> list[str]:
    return list(
        DocketEntry.objects.filter(case=case).order_by("seq").values_list("event_code", flat=True)
    )


# --- referral ------------------------------------------------------------------------------


def test_a_referral_is_recorded_with_a_confidential_dvrf_entry_and_audited(
    program, case, coordinator
):
    made = refer(program, case, by=coordinator, reason="Substance use at the root of the offense")

    assert made.status == ReferralStatus.REFERRED
    assert made.referred_by == coordinator
    entry = DocketEntry.objects.get(case=case, event_code="DVRF")
    # Program details are treatment information: confidential in the register.
    assert entry.confidentiality == Confidentiality.CONFIDENTIAL
    assert "Adult Drug Court" in entry.text
    assert AuditEvent.objects.filter(action="referral.create", object_id=str(made.pk)).exists()


def test_a_clerk_of_the_court_and_an_attorney_of_record_may_refer(
    program, make_case, clerk, attorney
):
    refer(program, make_case(), by=clerk)
    case = make_case()
    appearance_enter(case=case, attorney=attorney, party=defendant_party(case), actor=clerk)

    assert refer(program, case, by=attorney, source="defense").status == "referred"


def test_an_attorney_not_of_record_may_not_refer(program, case, attorney):
    # The case is public, so the attorney sees it: 403, not 404.
    with pytest.raises(DomainError) as err:
        refer(program, case, by=attorney, source="defense")
    assert (err.value.code, err.value.status) == ("REFERRAL_NOT_ALLOWED", 403)


def test_a_case_one_may_not_see_is_404(program, make_case, coordinator_b):
    # Court B's coordinator does not see court A's sealed case.
    case = make_case()
    case.confidentiality = "sealed"
    case.save(update_fields=["confidentiality"])
    with pytest.raises(Http404):
        refer(program, case, by=coordinator_b)


def test_the_program_must_be_of_the_case_court(case, coordinator, court_b):
    other = drug_court(court_b, code="DRUGB")
    with pytest.raises(DomainError) as err:
        refer(other, case, by=coordinator)
    assert (err.value.code, err.value.field) == ("PROGRAM_OTHER_COURT", "program")


def test_the_participant_must_be_the_accused_of_this_case(program, case, make_case, coordinator):
    other_case = make_case()
    with pytest.raises(DomainError) as err:
        refer(program, case, by=coordinator, participant=defendant_party(other_case))
    assert (err.value.code, err.value.field) == ("PARTICIPANT_NOT_ON_CASE", "participant")


def test_only_a_pending_case_is_referred(program, case, coordinator, clerk):
    case_transition(case=case, to="disposed", actor=clerk)
    with pytest.raises(DomainError) as err:
        refer(program, case, by=coordinator)
    assert (err.value.code, err.value.status) == ("CASE_NOT_PENDING", 409)


def test_one_open_referral_per_participant_and_program(program, case, coordinator):
    refer(program, case, by=coordinator)
    with pytest.raises(DomainError) as err:
        refer(program, case, by=coordinator)
    assert (err.value.code, err.value.status) == ("REFERRAL_ALREADY_OPEN", 409)


def test_an_unknown_source_is_refused(program, case, coordinator):
    with pytest.raises(DomainError) as err:
        refer(program, case, by=coordinator, source="neighbour")
    assert (err.value.code, err.value.field) == ("UNKNOWN_SOURCE", "source")


# --- consent, offer, decline, withdraw -----------------------------------------------------


def test_offer_follows_an_eligible_screening_and_consent_accepts_it(program, case, coordinator):
    made = refer(program, case, by=coordinator)
    with pytest.raises(DomainError) as err:
        referral_offer(referral=made, by=coordinator)
    assert (err.value.code, err.value.status) == ("REFERRAL_NOT_SCREENED", 409)

    screened_eligible(made, by=coordinator)
    made = referral_offer(referral=made, by=coordinator)
    assert made.status == ReferralStatus.OFFERED
    consent = consent_record(referral=made, kind=ConsentKind.PARTICIPANT, by=coordinator)
    made.refresh_from_db()

    assert made.status == ReferralStatus.ACCEPTED
    assert consent.given_on == made.status_date
    assert AuditEvent.objects.filter(action="referral.offer").count() == 1
    assert AuditEvent.objects.filter(action="referral.consent").count() == 1


def test_a_consent_is_recorded_once_and_not_in_the_future(program, case, coordinator):
    made = refer(program, case, by=coordinator)
    consent_record(referral=made, kind="prosecutor", by=coordinator)
    with pytest.raises(DomainError) as err:
        consent_record(referral=made, kind="prosecutor", by=coordinator)
    assert (err.value.code, err.value.status) == ("CONSENT_ALREADY_RECORDED", 409)
    with pytest.raises(DomainError) as err:
        consent_record(
            referral=made,
            kind="victim",
            given_on=dt.date.today() + dt.timedelta(days=3),
            by=coordinator,
        )
    assert (err.value.code, err.value.field) == ("DATE_IN_FUTURE", "given_on")
    with pytest.raises(DomainError) as err:
        consent_record(referral=made, kind="landlord", by=coordinator)
    assert err.value.code == "UNKNOWN_CONSENT_KIND"


def test_decline_needs_an_offer_and_a_reason(program, case, coordinator):
    made = offered(program, case, by=coordinator, consent=False)
    with pytest.raises(DomainError) as err:
        referral_decline(referral=made, reason=" ", by=coordinator)
    assert (err.value.code, err.value.field) == ("REASON_REQUIRED", "reason")

    made = referral_decline(referral=made, reason="Prefers to go to trial", by=coordinator)
    assert made.status == ReferralStatus.DECLINED
    with pytest.raises(DomainError) as err:
        referral_withdraw(referral=made, reason="x", by=coordinator)
    assert err.value.code == "REFERRAL_NOT_OPEN"


def test_only_program_staff_write_on_a_referral(program, case, coordinator, clerk):
    made = refer(program, case, by=clerk)
    # The clerk of the court sees the referral but does not serve the program: 403.
    with pytest.raises(DomainError) as err:
        consent_record(referral=made, kind="participant", by=clerk)
    assert (err.value.code, err.value.status) == ("PROGRAM_STAFF_ONLY", 403)


# --- enrollment ----------------------------------------------------------------------------


def test_enrollment_needs_the_participant_consent(program, case, coordinator):
    made = offered(program, case, by=coordinator, consent=False)
    consent_record(referral=made, kind="prosecutor", by=coordinator)
    with pytest.raises(DomainError) as err:
        enrollment_enroll(referral=made, by=coordinator)
    assert err.value.code == "CONSENT_REQUIRED"
    assert not Enrollment.objects.exists()


def test_enrollment_needs_an_offer(program, case, coordinator):
    made = refer(program, case, by=coordinator)
    consent_record(referral=made, kind="participant", by=coordinator)
    with pytest.raises(DomainError) as err:
        enrollment_enroll(referral=made, by=coordinator)
    assert (err.value.code, err.value.status) == ("REFERRAL_NOT_OFFERED", 409)


def test_enrollment_makes_the_case_inactive_for_diversion_records_dven_and_the_fee(
    program, case, coordinator
):
    # Given an offer the participant accepted, to the drug court (fee 150.00, due in 90 days)
    made = offered(program, case, by=coordinator)

    # When they are enrolled
    enrollment = enrollment_enroll(referral=made, by=coordinator)

    # Then they are active in phase 1 from today
    today = made.status_date
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert (enrollment.enrolled_on, enrollment.phase.number) == (today, 1)
    assert enrollment.phase_started_on == today
    assert PhaseChange.objects.filter(enrollment=enrollment, phase=enrollment.phase).count() == 1
    assert list(enrollment.status_changes.values_list("from_status", "to_status")) == [
        ("", "active")
    ]
    made.refresh_from_db()
    assert made.status == ReferralStatus.ENROLLED
    # ...the case is inactive for the diversion, through the lifecycle (INAC, public)
    case.refresh_from_db()
    assert (case.status, case.inactive_reason) == ("inactive", "diversion")
    assert codes(case)[-3:] == ["DVRF", "INAC", "DVEN"]
    dven = DocketEntry.objects.get(case=case, event_code="DVEN")
    assert dven.confidentiality == Confidentiality.CONFIDENTIAL
    # ...and the program fee is owed on the case
    fee = enrollment.fee_obligation
    assert (fee.kind, fee.amount, fee.case_id) == ("fee", Decimal("150.00"), case.pk)
    assert fee.due_on == today + dt.timedelta(days=90)
    audit = AuditEvent.objects.get(action="enrollment.enroll")
    assert audit.details["fee_obligation"] == fee.pk


def test_a_program_without_a_fee_assesses_nothing(diversion, misdemeanor_case, coordinator):
    enrollment = enrolled(diversion, misdemeanor_case, by=coordinator)
    assert enrollment.fee_obligation is None
    assert not misdemeanor_case.obligations.filter(kind="fee").exists()


def test_a_full_program_waitlists_then_admits_when_a_place_is_free(court_a, make_case, coordinator):
    small = pretrial_diversion(court_a, code="SMALL", capacity=1)
    first = enrolled(small, make_case(), by=coordinator)
    second_case = make_case()

    second = enrolled(small, second_case, by=coordinator)

    assert first.status == EnrollmentStatus.ACTIVE
    assert second.status == EnrollmentStatus.WAITLISTED
    assert second.waitlisted_at is not None and second.phase is None
    second.referral.refresh_from_db()
    assert second.referral.status == ReferralStatus.WAITLISTED
    second_case.refresh_from_db()
    assert second_case.status != "inactive"  # not in the program yet
    assert "DVEN" not in codes(second_case)
    assert AuditEvent.objects.filter(action="enrollment.waitlist").count() == 1

    with pytest.raises(DomainError) as err:
        enrollment_admit(enrollment=second, by=coordinator)
    assert (err.value.code, err.value.status) == ("PROGRAM_FULL", 409)

    Enrollment.objects.filter(pk=first.pk).update(status="completed", ended_on=dt.date.today())
    admitted = enrollment_admit(enrollment=second, by=coordinator)
    assert admitted.status == EnrollmentStatus.ACTIVE and admitted.phase.number == 1
    second_case.refresh_from_db()
    assert (second_case.status, second_case.inactive_reason) == ("inactive", "diversion")
    assert list(admitted.status_changes.values_list("from_status", "to_status")) == [
        ("", "waitlisted"),
        ("waitlisted", "active"),
    ]


def test_withdrawing_a_waitlisted_referral_takes_them_off_the_waitlist(
    court_a, make_case, coordinator
):
    small = pretrial_diversion(court_a, code="SMALL", capacity=1)
    enrolled(small, make_case(), by=coordinator)
    waiting = enrolled(small, make_case(), by=coordinator)

    referral_withdraw(referral=waiting.referral, reason="Moved out of state", by=coordinator)

    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.WITHDRAWN and waiting.ended_on is not None
    waiting.referral.refresh_from_db()
    assert waiting.referral.status == ReferralStatus.WITHDRAWN


def test_an_enrollment_date_may_not_be_in_the_future(program, case, coordinator):
    made = offered(program, case, by=coordinator)
    with pytest.raises(DomainError) as err:
        enrollment_enroll(
            referral=made, by=coordinator, enrolled_on=dt.date.today() + dt.timedelta(days=2)
        )
    assert (err.value.code, err.value.field) == ("DATE_IN_FUTURE", "enrolled_on")


def test_a_coordinator_of_another_court_cannot_enroll(program, case, coordinator, coordinator_b):
    made = offered(program, case, by=coordinator)
    with pytest.raises(Http404):
        enrollment_enroll(referral=made, by=coordinator_b)


def test_a_supervisor_of_the_court_serves_its_programs(program, case, supervisor):
    enrollment = enrolled(program, case, by=supervisor)
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_an_attorney_of_record_cannot_enroll(program, case, coordinator, clerk, make_user):
    lawyer = make_user(Role.ATTORNEY, [], username="counsel")
    appearance_enter(case=case, attorney=lawyer, party=defendant_party(case), actor=clerk)
    made = offered(program, case, by=coordinator)
    with pytest.raises(DomainError) as err:
        enrollment_enroll(referral=made, by=lawyer)
    assert (err.value.code, err.value.status) == ("PROGRAM_STAFF_ONLY", 403)
