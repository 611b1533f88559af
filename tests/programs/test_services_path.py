"""Phase advancement, completion and termination (programs.services).

The rules (issue 8, "Compliance" and "Completion and termination"):
* a participant advances when the phase's requirements are met (programs.progress); else
  PHASE_REQUIREMENTS_NOT_MET lists the blockers, unless overridden with a reason; the last
  phase does not advance (PHASE_IS_LAST); DVPH entry, confidential;
* completion (last phase, requirements met) disposes every pending charge "dismissed after
  diversion", disposes the case, records DVCP and admits the first waitlisted participant;
* termination reactivates the case inactive for the diversion (REAC), records DVTM and
  admits the first waitlisted participant.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import Charge, DocketEntry
from cases.services import ChargeInput, charge_add, charge_dispose
from programs.models import Enrollment, EnrollmentStatus, PhaseChange, ProgramPhase, ServiceEvent
from programs.services import (
    enrollment_complete,
    enrollment_phase_advance,
    enrollment_terminate,
)

from .factories import pretrial_diversion
from .steps import enrolled

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def participant(program, case, coordinator):
    return enrolled(program, case, by=coordinator)


def started(enrollment, *, days_ago: int, number: int | None = None) -> Enrollment:
    """Move the phase start `days_ago` back (and into phase `number`), as if time passed."""
    changes = {"phase_started_on": enrollment.phase_started_on - dt.timedelta(days=days_ago)}
    if number is not None:
        changes["phase"] = ProgramPhase.objects.get(program=enrollment.program, number=number)
    Enrollment.objects.filter(pk=enrollment.pk).update(**changes)
    return Enrollment.objects.get(pk=enrollment.pk)


def hours(enrollment, amount: str, *, by) -> None:
    ServiceEvent.objects.create(
        enrollment=enrollment,
        kind="community_service",
        occurred_on=enrollment.phase_started_on,
        hours=D(amount),
        recorded_by=by,
    )


def entries(case, code):
    return DocketEntry.objects.filter(case=case, event_code=code)


# --- advancing -----------------------------------------------------------------------------


def test_advancing_is_refused_with_the_blockers_until_the_phase_is_done(participant, coordinator):
    with pytest.raises(DomainError) as err:
        enrollment_phase_advance(enrollment=participant, by=coordinator)

    assert err.value.code == "PHASE_REQUIREMENTS_NOT_MET"
    assert err.value.details["blockers"] == [
        "0 of 60 days in phase 1 (60 to go).",
        "Clean for 0 days; 30 needed.",
    ]
    assert "0 of 60 days in phase 1" in err.value.message


def test_a_participant_who_met_the_phase_advances_with_a_dvph_entry(participant, coordinator):
    # Phase 1: min 60 days, 30 clean days, no total requirements.
    participant = started(participant, days_ago=60)

    advanced = enrollment_phase_advance(enrollment=participant, by=coordinator)

    assert advanced.phase.number == 2
    assert advanced.phase_started_on == participant.enrolled_on
    change = PhaseChange.objects.filter(enrollment=participant).latest("id")
    assert (change.from_phase.number, change.phase.number) == (1, 2)
    dvph = entries(participant.case, "DVPH").get()
    assert dvph.confidentiality == "confidential"
    assert "phase 2" in dvph.text
    audit = AuditEvent.objects.get(action="enrollment.phase_advance")
    assert audit.details["override"] is False


def test_an_override_needs_a_reason_and_keeps_the_waived_blockers(participant, coordinator):
    with pytest.raises(DomainError) as err:
        enrollment_phase_advance(enrollment=participant, by=coordinator, override=True)
    assert (err.value.code, err.value.field) == ("OVERRIDE_REASON_REQUIRED", "reason")

    enrollment_phase_advance(
        enrollment=participant,
        by=coordinator,
        override=True,
        reason="Judge's order at the review hearing",
    )

    audit = AuditEvent.objects.get(action="enrollment.phase_advance")
    assert audit.details["override"] is True
    assert audit.details["blockers_waived"][0].startswith("0 of 60 days")


def test_the_last_phase_does_not_advance(participant, coordinator):
    participant = started(participant, days_ago=200, number=3)
    with pytest.raises(DomainError) as err:
        enrollment_phase_advance(enrollment=participant, by=coordinator)
    assert (err.value.code, err.value.status) == ("PHASE_IS_LAST", 409)


# --- completion ----------------------------------------------------------------------------


def test_completion_dismisses_every_pending_charge_and_disposes_the_case(
    participant, coordinator, clerk
):
    # Given a participant in the last phase with its requirements met, on a case with a
    # second count already disposed
    case = participant.case
    charge_add(
        case=case,
        charge=ChargeInput(
            "893.13(6)(b)",
            "Possession of cannabis",
            "misdemeanor_a",
            dt.date.today() - dt.timedelta(days=10),
        ),
        actor=clerk,
    )
    charge_add(
        case=case,
        charge=ChargeInput(
            "316.193", "DUI", "misdemeanor_b", dt.date.today() - dt.timedelta(days=10)
        ),
        actor=clerk,
    )
    third = Charge.objects.get(case=case, count_number=3)
    charge_dispose(
        charge=third, disposition="nolle_prosequi", disposition_date=dt.date.today(), actor=clerk
    )
    participant = started(participant, days_ago=90, number=3)
    hours(participant, "20", by=coordinator)

    # When the program is completed
    done = enrollment_complete(enrollment=participant, by=coordinator, note="Graduated")

    # Then the enrollment is completed...
    assert (done.status, done.ended_on, done.outcome_note) == (
        "completed",
        participant.enrolled_on,
        "Graduated",
    )
    # ...every pending count is dismissed after diversion, the others keep theirs
    assert dict(Charge.objects.filter(case=case).values_list("count_number", "disposition")) == {
        1: "diverted",
        2: "diverted",
        3: "nolle_prosequi",
    }
    case.refresh_from_db()
    assert case.status == "disposed"
    assert entries(case, "DVCP").get().confidentiality == "confidential"
    assert entries(case, "DISP").exists()
    assert list(done.status_changes.values_list("to_status", flat=True)) == ["active", "completed"]
    assert AuditEvent.objects.filter(action="enrollment.complete").count() == 1


def test_completion_needs_the_last_phase_and_its_requirements(participant, coordinator):
    with pytest.raises(DomainError) as err:
        enrollment_complete(enrollment=participant, by=coordinator)
    assert err.value.code == "NOT_IN_LAST_PHASE"

    participant = started(participant, days_ago=90, number=3)
    with pytest.raises(DomainError) as err:
        enrollment_complete(enrollment=participant, by=coordinator)
    assert err.value.code == "PHASE_REQUIREMENTS_NOT_MET"
    assert err.value.details["blockers"] == ["Community service: 0 of 20 hours done."]

    with pytest.raises(DomainError) as err:
        enrollment_complete(enrollment=participant, by=coordinator, override=True)
    assert err.value.code == "OVERRIDE_REASON_REQUIRED"
    done = enrollment_complete(
        enrollment=participant, by=coordinator, override=True, note="Hours waived by the judge"
    )
    assert done.status == "completed"


def test_completion_and_termination_admit_the_first_waitlisted(court_a, make_case, coordinator):
    # Given a full program of one place and two waiting in order
    small = pretrial_diversion(court_a, code="ONE", capacity=1)
    first = enrolled(small, make_case(), by=coordinator)
    second = enrolled(small, make_case(), by=coordinator)
    third = enrolled(small, make_case(), by=coordinator)
    assert (second.status, third.status) == ("waitlisted", "waitlisted")

    # When the active participant completes
    first = started(first, days_ago=90)
    hours(first, "20", by=coordinator)
    ServiceEvent.objects.create(
        enrollment=first,
        kind="class",
        occurred_on=first.phase_started_on,
        attendance="attended",
        completed=True,
        recorded_by=coordinator,
    )
    enrollment_complete(enrollment=first, by=coordinator)

    # Then the first waiting is admitted, the next still waits
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == ("active", "waitlisted")
    second.case.refresh_from_db()
    assert second.case.inactive_reason == "diversion"
    assert AuditEvent.objects.get(action="enrollment.complete").details["admitted"] == second.pk

    # ...and a termination frees the place for the next
    enrollment_terminate(enrollment=second, reason="new_offense", note="", by=coordinator)
    third.refresh_from_db()
    assert third.status == EnrollmentStatus.ACTIVE


# --- termination ---------------------------------------------------------------------------


def test_termination_reactivates_the_case_and_records_dvtm(participant, coordinator):
    done = enrollment_terminate(
        enrollment=participant,
        reason="noncompliance",
        note="Five positive tests and two missed sessions",
        by=coordinator,
    )

    assert (done.status, done.termination_reason) == ("terminated", "noncompliance")
    assert done.ended_on == participant.enrolled_on
    case = done.case
    case.refresh_from_db()
    assert (case.status, case.inactive_reason) == ("active", "")
    assert entries(case, "REAC").exists()
    dvtm = entries(case, "DVTM").get()
    assert dvtm.confidentiality == "confidential" and "non-compliance" in dvtm.text
    # Charges stay pending: the prosecution resumes.
    assert not Charge.objects.filter(case=case).exclude(disposition="").exists()


def test_termination_needs_a_known_reason(participant, coordinator):
    with pytest.raises(DomainError) as err:
        enrollment_terminate(enrollment=participant, reason="bored", note="", by=coordinator)
    assert (err.value.code, err.value.field) == ("UNKNOWN_TERMINATION_REASON", "reason")
    with pytest.raises(DomainError) as err:
        enrollment_terminate(enrollment=participant, reason="other", note="", by=coordinator)
    assert (err.value.code, err.value.field) == ("NOTE_REQUIRED", "note")


def test_a_terminated_enrollment_is_not_terminated_twice(participant, coordinator):
    enrollment_terminate(enrollment=participant, reason="absconded", note="", by=coordinator)
    with pytest.raises(DomainError) as err:
        enrollment_terminate(enrollment=participant, reason="absconded", note="", by=coordinator)
    assert (err.value.code, err.value.status) == ("ENROLLMENT_NOT_ACTIVE", 409)
