"""Steps of a participant's path for tests that need one taken (through the real services,
except the screening, which is made directly where a test is not about screening)."""

from __future__ import annotations

import datetime as dt

from programs.models import ConsentKind, Referral, ReferralStatus, Screening
from programs.services import consent_record, enrollment_enroll, referral_create, referral_offer

from .factories import defendant_party


def screened_eligible(referral: Referral, *, by) -> Referral:
    """Mark a referral screened eligible without running the engine (a decided screening)."""
    Screening.objects.create(
        referral=referral,
        outcome="eligible",
        decision="eligible",
        screened_by=by,
    )
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.SCREENED)
    referral.refresh_from_db()
    return referral


def offered(program, case, *, by, consent: bool = True) -> Referral:
    """Refer the case's defendant, screen eligible, offer; with the participant's consent."""
    made = referral_create(
        program=program, case=case, participant=defendant_party(case), source="judge", by=by
    )
    screened_eligible(made, by=by)
    made = referral_offer(referral=made, by=by)
    if consent:
        consent_record(referral=made, kind=ConsentKind.PARTICIPANT, by=by)
        made.refresh_from_db()
    return made


def enrolled(program, case, *, by, on: dt.date | None = None):
    """A participant enrolled (active, or waitlisted when the program is full)."""
    return enrollment_enroll(referral=offered(program, case, by=by), by=by, enrolled_on=on)
