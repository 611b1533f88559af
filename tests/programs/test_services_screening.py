"""Screening a referral (programs.services.referral_screen over programs.screening).

The rules (contract of issue 8):
* the decision defaults to the engine's outcome when it is eligible or ineligible;
* "needs review" requires the coordinator's decision (DECISION_REQUIRED) and a reason;
* a decision other than the engine's requires a reason (DECISION_REASON_REQUIRED);
* the screening keeps each criterion's result and reason and the facts used; the referral
  becomes screened (eligible) or ineligible; screening again adds a row.

The drug court of the factories: criminal cases, no first-degree or capital felonies,
adults, participant and prosecutor consent (review when missing).
"""

from __future__ import annotations

import pytest

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from programs.models import ReferralStatus, Screening
from programs.services import consent_record, referral_screen
from tests.cases.factories import charge

from .factories import referral

pytestmark = pytest.mark.django_db


def with_consents(made, by):
    consent_record(referral=made, kind="participant", by=by)
    consent_record(referral=made, kind="prosecutor", by=by)
    return made


def test_an_eligible_referral_is_screened_with_the_engine_outcome(program, case, coordinator):
    made = with_consents(referral(program, case, by=coordinator), coordinator)

    screening = referral_screen(referral=made, by=coordinator, notes="Talked to counsel")

    assert (screening.outcome, screening.decision) == ("eligible", "eligible")
    assert screening.notes == "Talked to counsel"
    assert len(screening.results) == 4
    assert all(r["outcome"] == "met" and r["reason"] for r in screening.results)
    assert screening.facts["case_type"] == "CR"
    made.refresh_from_db()
    assert made.status == ReferralStatus.SCREENED
    audit = AuditEvent.objects.get(action="referral.screen")
    assert audit.details["decision"] == "eligible"


def test_an_ineligible_referral_is_closed_with_the_reason(program, make_case, coordinator):
    case = make_case(charges=[charge("782.04(2)", "Murder in the second degree", "felony_1")])
    made = with_consents(referral(program, case, by=coordinator), coordinator)

    screening = referral_screen(referral=made, by=coordinator)

    assert (screening.outcome, screening.decision) == ("ineligible", "ineligible")
    failed = [r for r in screening.results if r["outcome"] == "not_met"]
    assert len(failed) == 1
    assert failed[0]["reason"].startswith("ineligible: count 1 (782.04(2)")
    assert "excludes violent felonies" in failed[0]["reason"]
    made.refresh_from_db()
    assert made.status == ReferralStatus.INELIGIBLE
    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=coordinator)
    assert (err.value.code, err.value.status) == ("REFERRAL_NOT_SCREENABLE", 409)


def test_needs_review_requires_a_decision_and_a_reason(program, case, coordinator):
    made = referral(program, case, by=coordinator)  # no consents yet: needs review

    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=coordinator)
    assert (err.value.code, err.value.field) == ("DECISION_REQUIRED", "decision")
    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=coordinator, decision="eligible")
    assert (err.value.code, err.value.field) == ("DECISION_REASON_REQUIRED", "decision_reason")
    assert not Screening.objects.exists()

    screening = referral_screen(
        referral=made,
        by=coordinator,
        decision="eligible",
        decision_reason="Consents will be taken at the offer",
    )

    assert (screening.outcome, screening.decision) == ("needs_review", "eligible")
    made.refresh_from_db()
    assert made.status == ReferralStatus.SCREENED


def test_overriding_the_engine_requires_a_reason(program, case, coordinator):
    made = with_consents(referral(program, case, by=coordinator), coordinator)
    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=coordinator, decision="ineligible")
    assert err.value.code == "DECISION_REASON_REQUIRED"
    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=coordinator, decision="maybe")
    assert (err.value.code, err.value.field) == ("UNKNOWN_DECISION", "decision")

    screening = referral_screen(
        referral=made,
        by=coordinator,
        decision="ineligible",
        decision_reason="Pending out-of-state warrant",
    )
    assert (screening.outcome, screening.decision) == ("eligible", "ineligible")


def test_screening_again_adds_a_row(program, case, coordinator):
    made = with_consents(referral(program, case, by=coordinator), coordinator)
    referral_screen(referral=made, by=coordinator)
    referral_screen(referral=made, by=coordinator, notes="Rechecked record")
    assert Screening.objects.filter(referral=made).count() == 2


def test_only_program_staff_screen(program, case, coordinator, clerk):
    made = referral(program, case, by=coordinator)
    with pytest.raises(DomainError) as err:
        referral_screen(referral=made, by=clerk)
    assert (err.value.code, err.value.status) == ("PROGRAM_STAFF_ONLY", 403)
