"""Program records for the page tests, made directly (the services have their own tests):
an enrollment in a phase, its events and flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cases.models import court_local_date
from programs.models import (
    ComplianceFlag,
    Enrollment,
    EnrollmentStatus,
    FlagStatus,
    ReferralStatus,
    ServiceEvent,
)
from tests.cases.factories import defendant, open_case

from .factories import referral


def enroll(program, case, *, by, phase: int = 1, days_ago: int = 30, status="active"):
    """An enrollment of the case's defendant, `days_ago` days in the program."""
    made = referral(program, case, by=by, on=court_local_date(case.court) - dt.timedelta(days_ago))
    made.status = ReferralStatus.ENROLLED
    made.save(update_fields=["status"])
    today = court_local_date(case.court)
    enrolled_on = today - dt.timedelta(days=days_ago)
    ended = status in (EnrollmentStatus.COMPLETED, EnrollmentStatus.TERMINATED)
    return Enrollment.objects.create(
        program=program,
        referral=made,
        case=case,
        participant=made.participant,
        status=status,
        enrolled_on=enrolled_on,
        phase=program.phases.get(number=phase),
        phase_started_on=enrolled_on,
        ended_on=today if ended else None,
        termination_reason="noncompliance" if status == EnrollmentStatus.TERMINATED else "",
    )


def participant_case(cr_type, clerk, last_name: str, first_name: str = "Pat", **kwargs):
    return open_case(
        case_type=cr_type,
        opened_by=clerk,
        parties=[defendant(last_name=last_name, first_name=first_name)],
        **kwargs,
    )


def event(enrollment, kind, *, by, days_ago=1, **fields):
    return ServiceEvent.objects.create(
        enrollment=enrollment,
        kind=kind,
        occurred_on=court_local_date(enrollment.case.court) - dt.timedelta(days=days_ago),
        recorded_by=by,
        **fields,
    )


def hours(enrollment, amount, *, by, site, days_ago=1):
    return event(
        enrollment, "community_service", by=by, days_ago=days_ago, hours=Decimal(amount), site=site
    )


def flag(enrollment, *, key="event:1", kind="missed_session", resolved=False):
    today = court_local_date(enrollment.case.court)
    return ComplianceFlag.objects.create(
        enrollment=enrollment,
        kind=kind,
        key=key,
        detail="Missed counseling",
        raised_on=today,
        status=FlagStatus.RESOLVED if resolved else FlagStatus.OPEN,
        resolved_on=today if resolved else None,
    )
