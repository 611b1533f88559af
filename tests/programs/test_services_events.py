"""Service events, voids, flags and responses (programs.services).

The rules (issue 8, "Requirements and service events", "Compliance"):
* coordinators log events of active participants: drug tests with their result (a positive
  names substances), sessions with attendance, community-service hours at a site of the
  court; wrong input is answered field by field;
* a wrong event is voided by a new one (append-only); voiding resolves the flags about it;
* incentives and sanctions are recorded with their reasons; a response to a flag resolves
  it; a sanction may move the participant back a phase (DVPH);
* a flag is resolved with a note; a review hearing about a flag is set through the docket.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import DocketEntry
from programs.models import ComplianceFlag, Enrollment, PhaseChange, ProgramPhase, ServiceEvent
from programs.progress import enrollment_progress
from programs.services import (
    enrollment_terminate,
    event_record,
    event_void,
    flag_resolve,
    flag_review_hearing_schedule,
    response_record,
)

from .factories import service_site
from .steps import enrolled

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def participant(program, case, coordinator):
    return enrolled(program, case, by=coordinator)


@pytest.fixture
def today(participant):
    return participant.enrolled_on


def log(enrollment, kind, *, by, on=None, **fields):
    return event_record(
        enrollment=enrollment, kind=kind, occurred_on=on or enrollment.enrolled_on, by=by, **fields
    )


def field_errors(err) -> dict[str, str]:
    return {k: v[0].code for k, v in err.value.error_dict.items()}


def flag_on(enrollment, event=None, kind="positive_test") -> ComplianceFlag:
    return ComplianceFlag.objects.create(
        enrollment=enrollment,
        kind=kind,
        key=f"event:{event.pk}" if event else "week:2025-W01",
        detail="Positive for THC",
        raised_on=enrollment.enrolled_on,
        event=event,
    )


# --- events --------------------------------------------------------------------------------


def test_a_drug_test_is_logged_against_the_phase_requirement_and_audited(participant, coordinator):
    event = log(
        participant,
        "drug_test",
        by=coordinator,
        drug_test_result="positive",
        substances="THC, cocaine",
    )

    assert (event.drug_test_result, event.substances) == ("positive", "THC, cocaine")
    assert event.requirement.name == "Random drug tests"
    assert event.requirement.phase_id == participant.phase_id
    assert AuditEvent.objects.filter(
        action="program_event.record", object_id=str(event.pk)
    ).exists()


def test_hours_at_a_site_of_the_court_count_towards_progress(
    program, participant, coordinator, court_a
):
    site = service_site(court_a)
    phase2 = ProgramPhase.objects.get(program=program, number=2)
    Enrollment.objects.filter(pk=participant.pk).update(phase=phase2)
    participant.refresh_from_db()

    log(
        participant,
        "community_service",
        by=coordinator,
        hours="3.5",
        site=site,
        supervisor_name="Pat Lee",
    )

    progress = enrollment_progress(participant, as_of=participant.enrolled_on)
    service = next(r for r in progress.requirements if r.kind == "community_service")
    assert service.done == D("3.5")


@pytest.mark.parametrize(
    ("kind", "fields", "expected"),
    [
        ("drug_test", {}, {"drug_test_result": "required"}),
        ("drug_test", {"drug_test_result": "positive"}, {"substances": "required"}),
        ("drug_test", {"drug_test_result": "negative", "hours": "2"}, {"hours": "invalid"}),
        ("counseling", {}, {"attendance": "required"}),
        ("counseling", {"attendance": "attended", "completed": True}, {"completed": "invalid"}),
        ("class", {"attendance": "absent", "completed": True}, {"completed": "invalid"}),
        ("community_service", {}, {"hours": "required"}),
        ("community_service", {"hours": "0"}, {"hours": "HOURS_NOT_POSITIVE"}),
        ("community_service", {"hours": "30"}, {"hours": "HOURS_TOO_MANY"}),
        ("community_service", {"hours": "many"}, {"hours": "invalid"}),
        (
            "counseling",
            {"attendance": "attended", "drug_test_result": "negative"},
            {"drug_test_result": "invalid"},
        ),
    ],
)
def test_wrong_input_is_answered_field_by_field(participant, coordinator, kind, fields, expected):
    with pytest.raises(ValidationError) as err:
        log(participant, kind, by=coordinator, **fields)
    assert field_errors(err) == expected
    assert not ServiceEvent.objects.exists()


def test_dates_in_the_future_or_before_enrollment_are_refused(participant, coordinator, today):
    with pytest.raises(ValidationError) as err:
        log(
            participant,
            "counseling",
            by=coordinator,
            attendance="attended",
            on=today + dt.timedelta(days=1),
        )
    assert field_errors(err) == {"occurred_on": "DATE_IN_FUTURE"}
    with pytest.raises(ValidationError) as err:
        log(
            participant,
            "counseling",
            by=coordinator,
            attendance="attended",
            on=today - dt.timedelta(days=1),
        )
    assert field_errors(err) == {"occurred_on": "DATE_BEFORE_ENROLLMENT"}


def test_a_site_of_another_court_and_a_requirement_of_another_kind_are_refused(
    program, participant, coordinator, court_b
):
    counseling = program.phases.get(number=1).requirements.get(kind="counseling")
    with pytest.raises(ValidationError) as err:
        log(
            participant,
            "drug_test",
            by=coordinator,
            drug_test_result="negative",
            requirement=counseling,
        )
    assert set(field_errors(err)) == {"requirement"}
    with pytest.raises(ValidationError) as err:
        log(
            participant,
            "community_service",
            by=coordinator,
            hours="2",
            site=service_site(court_b, "Bravo food bank"),
        )
    assert set(field_errors(err)) == {"site"}


def test_events_are_for_active_participants_only(participant, coordinator):
    enrollment_terminate(enrollment=participant, reason="absconded", note="", by=coordinator)
    with pytest.raises(DomainError) as err:
        log(participant, "counseling", by=coordinator, attendance="attended")
    assert (err.value.code, err.value.status) == ("ENROLLMENT_NOT_ACTIVE", 409)


def test_a_clerk_may_not_log_events(participant, clerk):
    with pytest.raises(DomainError) as err:
        log(participant, "counseling", by=clerk, attendance="attended")
    assert err.value.code == "PROGRAM_STAFF_ONLY"


# --- voids ---------------------------------------------------------------------------------


def test_voiding_records_a_new_event_and_resolves_the_flags_about_it(participant, coordinator):
    wrong = log(
        participant, "drug_test", by=coordinator, drug_test_result="positive", substances="THC"
    )
    flag = flag_on(participant, wrong)

    void = event_void(event=wrong, reason="Sample of another participant", by=coordinator)

    assert void.voids_id == wrong.pk and void.kind == "drug_test"
    wrong.refresh_from_db()
    assert wrong.drug_test_result == "positive"  # never edited
    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert "Sample of another participant" in flag.resolution_note
    assert enrollment_progress(participant, as_of=participant.enrolled_on).clean_days is None
    with pytest.raises(DomainError) as err:
        event_void(event=wrong, reason="again", by=coordinator)
    assert err.value.code == "EVENT_ALREADY_VOIDED"
    with pytest.raises(DomainError) as err:
        event_void(event=void, reason="undo", by=coordinator)
    assert err.value.code == "EVENT_IS_VOID"


def test_a_void_needs_a_reason(participant, coordinator):
    event = log(participant, "counseling", by=coordinator, attendance="absent")
    with pytest.raises(DomainError) as err:
        event_void(event=event, reason="", by=coordinator)
    assert (err.value.code, err.value.field) == ("REASON_REQUIRED", "reason")


# --- flags and responses -------------------------------------------------------------------


def test_a_flag_is_resolved_once_with_a_note(participant, coordinator):
    flag = flag_on(participant)
    with pytest.raises(DomainError) as err:
        flag_resolve(flag=flag, note="  ", by=coordinator)
    assert err.value.code == "NOTE_REQUIRED"

    flag = flag_resolve(flag=flag, note="Excused: hospital stay", by=coordinator)

    assert (flag.status, flag.resolved_by) == ("resolved", coordinator)
    assert flag.resolved_on == participant.enrolled_on
    with pytest.raises(DomainError) as err:
        flag_resolve(flag=flag, note="again", by=coordinator)
    assert (err.value.code, err.value.status) == ("FLAG_ALREADY_RESOLVED", 409)


def test_a_sanction_answers_a_flag_and_resolves_it(participant, coordinator):
    flag = flag_on(participant)

    response = response_record(
        enrollment=participant,
        kind="sanction",
        action="Two days of community service",
        reason="Positive test for THC",
        flag=flag,
        by=coordinator,
    )

    assert (response.kind, response.flag_id) == ("sanction", flag.pk)
    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert flag.resolution_note == "Sanction: Two days of community service"
    assert AuditEvent.objects.filter(action="program_response.record").count() == 1


def test_a_response_needs_kind_action_and_reason(participant, coordinator):
    with pytest.raises(ValidationError) as err:
        response_record(enrollment=participant, kind="praise", action="", reason="", by=coordinator)
    assert field_errors(err) == {"kind": "invalid", "action": "required", "reason": "required"}


def test_a_sanction_may_move_the_participant_back_a_phase(program, participant, coordinator):
    phase2 = ProgramPhase.objects.get(program=program, number=2)
    Enrollment.objects.filter(pk=participant.pk).update(phase=phase2)
    participant.refresh_from_db()

    response_record(
        enrollment=participant,
        kind="sanction",
        action="Back to phase 1",
        reason="Three positive tests",
        demote_to_phase=1,
        by=coordinator,
    )

    participant.refresh_from_db()
    assert participant.phase.number == 1
    change = PhaseChange.objects.filter(enrollment=participant).latest("id")
    assert (change.from_phase_id, change.phase.number) == (phase2.pk, 1)
    dvph = DocketEntry.objects.get(case=participant.case, event_code="DVPH")
    assert dvph.confidentiality == "confidential"
    with pytest.raises(ValidationError) as err:
        response_record(
            enrollment=participant,
            kind="incentive",
            action="Gift card",
            reason="Good month",
            demote_to_phase=1,
            by=coordinator,
        )
    assert field_errors(err) == {"demote_to_phase": "invalid"}


def test_a_review_hearing_about_a_flag_is_set_through_the_docket(participant, coordinator, court_a):
    from casemgmt.core.selectors import court_days_off
    from docket.models import Courtroom, Hearing, Session

    room = Courtroom.objects.create(court=court_a, name="Courtroom 5")
    flag = flag_on(participant)
    day = court_a.local_today() + dt.timedelta(weeks=3)
    while day.weekday() >= 5 or court_days_off(court=court_a, start=day, end=day):
        day += dt.timedelta(days=1)
    when = dt.datetime.combine(day, dt.time(14), tzinfo=court_a.tzinfo)
    session = Session.objects.create(
        court=court_a,
        name="Drug court reviews",
        hearing_type="review",
        courtroom=room,
        date=day,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=2),
        capacity_cases=30,
    )

    # A coordinator of the court sets review hearings on the program's docket.
    hearing = flag_review_hearing_schedule(
        flag=flag, starts_at=when, courtroom=room, by=coordinator
    )

    assert (hearing.hearing_type, hearing.case_id) == ("review", participant.case_id)
    assert hearing.session == session
    assert Hearing.objects.count() == 1
    assert AuditEvent.objects.filter(action="compliance_flag.review_hearing").exists()
