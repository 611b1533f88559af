"""Setting a hearing (docket.services.hearing_schedule) and the page that does it.

The rules:
* only the clerk's office of the case's court sets hearings (can_keep_record); a case
  the user may not see is 404;
* in a courtroom of the case's court, on a court day (no legal holiday, no closure),
  today or later;
* exclusive hearings (trial, evidentiary) are never set into a session; stacked ones
  go into the open session of the courtroom that holds their time and takes their type;
* the judge is the one given, else the session's (stacked), the case's, or the one
  assigned to the courtroom that day;
* setting a hearing records HRGS in the register of actions, a notice of hearing to
  every party, the hearing's first history row and an audit record; the interpreter
  language comes from the parties who need one.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent, CourtClosure
from casemgmt.core.roles import Role
from cases.models import Case, DocketEntry
from cases.services import PartyInput
from docket.models import Hearing, HearingChange, JudgeAssignment
from docket.services import hearing_schedule
from filings.models import Notice

from .conftest import at

pytestmark = pytest.mark.django_db


def schedule(case, room, day, *, by, hearing_type="status", hour=9, minutes=15, **kwargs):
    return hearing_schedule(
        case=case,
        hearing_type=hearing_type,
        starts_at=at(case.court, day, hour),
        minutes=minutes,
        courtroom=room,
        scheduled_by=by,
        **kwargs,
    )


# --- what a setting records -------------------------------------------------------------


def test_a_stacked_hearing_goes_into_its_session_and_is_docketed_and_noticed(
    make_case, make_session, room, clerk, judge, day, attorney, django_capture_on_commit_callbacks
):
    # Given a case whose defendant needs a Spanish interpreter, with a victim, and the
    # room's morning status calendar presided over by the judge
    victim = PartyInput(role="victim", first_name="Val", last_name="Ray", email="v@example.com")
    case = make_case("Garcia", interpreter="es", attorneys=[attorney], extra_parties=[victim])
    session = make_session(day, hearing_type="status", judge=judge)

    # When the clerk sets a status conference at 09:00 for 15 minutes
    with django_capture_on_commit_callbacks() as callbacks:
        hearing = schedule(case, room, day, by=clerk, hour=9, minutes=15)

    # Then it is in the session, with the session's judge, the interpreter language noted
    assert (hearing.session, hearing.judge, hearing.status) == (session, judge, "scheduled")
    assert hearing.date == day
    assert hearing.interpreter_language == "es"
    assert (hearing.sequence, hearing.setting_number) == (0, 1)
    # ...the register of actions says so (HRGS)
    entry = DocketEntry.objects.get(case=case, event_code="HRGS")
    assert entry.text == (
        f"Status conference set for {day:%A, %Y-%m-%d} from 09:00 to 09:15 in Courtroom 2A, "
        "Judge Ada Lane."
    )
    assert (entry.object_type, entry.object_id) == ("docket.hearing", str(hearing.pk))
    # ...a notice of hearing goes to every party, rendered by the worker after commit
    notice = Notice.objects.get(case=case)
    assert notice.kind == "hearing_notice"
    assert notice.context == {
        "hearing_type": "Status conference",
        "hearing_date": day.isoformat(),
        "hearing_time": "09:00",
        "courtroom": "Courtroom 2A",
        "location": "2nd floor",
        "judge_name": "Ada Lane",
    }
    assert sorted(r.name for r in notice.recipients.all()) == ["Pat Garcia", "Val Ray"]
    assert any("notice_render" in repr(cb) for cb in callbacks)
    # ...its history starts, and the audit trail has it
    [change] = HearingChange.objects.filter(hearing=hearing)
    assert (change.kind, change.changed_by) == ("scheduled", clerk)
    event = AuditEvent.objects.get(action="hearing.schedule")
    assert (event.actor, event.case_number, event.object_id) == (
        clerk,
        case.number,
        str(hearing.pk),
    )


def test_the_session_is_found_by_time_and_type(make_case, make_session, room, clerk, day):
    # Given an arraignment calendar 09:00-11:00 and a general calendar 13:00-15:00
    arraignments = make_session(day, hearing_type="arraignment", name="Arraignments")
    general = make_session(day, start=(13, 0), end=(15, 0), name="Afternoon calendar")
    case = make_case()

    # When an arraignment at 09:00 and a motion hearing at 14:00 are set
    arraignment = schedule(case, room, day, by=clerk, hearing_type="arraignment", hour=9)
    motion = schedule(case, room, day, by=clerk, hearing_type="motion", hour=14)

    # Then each went into its calendar
    assert (arraignment.session, motion.session) == (arraignments, general)


def test_the_judge_defaults_to_the_cases_then_the_rooms_assignment(
    make_case, room, clerk, judge, judge2, day
):
    # Given the courtroom assigned to judge2, and a case assigned to judge
    JudgeAssignment.objects.create(courtroom=room, judge=judge2, starts_on=day)
    assigned = make_case("Ames", judge=judge)
    unassigned = make_case("Boyd")

    # When trials are set for both
    first = schedule(assigned, room, day, by=clerk, hearing_type="trial", hour=9, minutes=120)
    second = schedule(unassigned, room, day, by=clerk, hearing_type="trial", hour=13, minutes=120)

    # Then the case's judge presides over its trial, the room's judge over the other
    assert (first.judge, second.judge, first.session) == (judge, judge2, None)


def test_a_courtroom_clerk_and_a_supervisor_may_set_hearings(
    make_case, room, make_user, court_a, day
):
    case = make_case()
    for i, role in enumerate((Role.COURTROOM_CLERK, Role.SUPERVISOR)):
        user = make_user(role, [court_a])
        hearing = schedule(case, room, day, by=user, hearing_type="trial", hour=9 + 2 * i)
        assert hearing.scheduled_by == user


def test_a_program_coordinator_sets_review_hearings_and_nothing_else(
    make_case, make_session, room, make_user, court_a, court_b, day
):
    # Rule: coordinators run the diversion programs' review dockets with the judge
    # (docket.services.can_set_review_hearings); every other hearing is the clerk's office's.
    case = make_case()
    make_session(day, hearing_type="review")
    coordinator = make_user(Role.PROGRAM_COORDINATOR, [court_a])

    hearing = schedule(case, room, day, by=coordinator, hearing_type="review")

    assert (hearing.hearing_type, hearing.scheduled_by) == ("review", coordinator)
    with pytest.raises(DomainError) as refused:
        schedule(case, room, day, by=coordinator, hearing_type="trial", hour=13)
    assert refused.value.code == "NOT_A_RECORD_KEEPER"
    elsewhere = make_user(Role.PROGRAM_COORDINATOR, [court_b])
    with pytest.raises(DomainError) as refused:
        schedule(case, room, day, by=elsewhere, hearing_type="review", hour=10)
    assert refused.value.code == "NOT_A_RECORD_KEEPER"


# --- refusals -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["attorney", "judge", "clerk_b", "public"])
def test_only_the_clerks_office_of_the_court_sets_hearings(
    who, make_case, room, day, attorney, judge, clerk_b
):
    # Rule: can_keep_record (clerk, courtroom clerk, supervisor of the court)
    user = {"attorney": attorney, "judge": judge, "clerk_b": clerk_b, "public": AnonymousUser()}[
        who
    ]
    case = make_case(attorneys=[attorney])  # a public case: everyone can see it
    with pytest.raises(DomainError) as refused:
        schedule(case, room, day, by=user, hearing_type="trial")
    assert (refused.value.code, refused.value.status) == ("NOT_A_RECORD_KEEPER", 403)
    assert not Hearing.objects.exists()


def test_a_case_out_of_sight_is_404(make_case, room, day, clerk_b):
    # Rule: a confidential case of court A does not exist for court B's clerk
    case = make_case(confidentiality="confidential")
    with pytest.raises(Http404):
        schedule(case, room, day, by=clerk_b, hearing_type="trial")


def refusal(call) -> tuple[str, int, str | None]:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code, refused.value.status, refused.value.field


def test_refusals_of_time_place_and_kind(
    make_case, make_session, room, room_b, clerk, day, court_a, make_user
):
    case = make_case()
    session = make_session(day, hearing_type="arraignment")
    other_judge = make_user(Role.JUDGE, [])
    yesterday = court_a.local_today() - dt.timedelta(days=1)
    CourtClosure.objects.create(court=court_a, date=day + dt.timedelta(days=1), reason="Storm")
    cases = [
        # (rule, call, expected code/status/field)
        (
            "a courtroom of the case's court",
            lambda: schedule(case, room_b, day, by=clerk, hearing_type="trial"),
            ("COURTROOM_NOT_OF_COURT", 422, "courtroom"),
        ),
        (
            "not in the past",
            lambda: schedule(case, room, yesterday, by=clerk, hearing_type="trial"),
            ("HEARING_DATE_PAST", 422, "starts_at"),
        ),
        (
            "not on a declared closure",
            lambda: schedule(
                case, room, day + dt.timedelta(days=1), by=clerk, hearing_type="trial"
            ),
            ("COURT_CLOSED", 422, "starts_at"),
        ),
        (
            "ends after it starts",
            lambda: hearing_schedule(
                case=case,
                hearing_type="trial",
                starts_at=at(court_a, day, 10),
                ends_at=at(court_a, day, 9),
                courtroom=room,
                scheduled_by=clerk,
            ),
            ("HEARING_ENDS_BEFORE_START", 422, "ends_at"),
        ),
        (
            "an end or a length",
            lambda: schedule(case, room, day, by=clerk, hearing_type="trial", minutes=None),
            ("HEARING_END_REQUIRED", 422, "ends_at"),
        ),
        (
            "a kind of hearing",
            lambda: schedule(case, room, day, by=clerk, hearing_type="picnic"),
            ("HEARING_TYPE_UNKNOWN", 422, "hearing_type"),
        ),
        (
            "exclusive hearings are not stacked",
            lambda: schedule(case, room, day, by=clerk, hearing_type="trial", session=session),
            ("EXCLUSIVE_NOT_STACKED", 422, "session"),
        ),
        (
            "stacked hearings need a session that takes them",
            lambda: schedule(case, room, day, by=clerk, hearing_type="motion"),
            ("SESSION_REQUIRED", 422, "session"),
        ),
        (
            "...at a time within it",
            lambda: schedule(
                case,
                room,
                day,
                by=clerk,
                hearing_type="arraignment",
                hour=10,
                minutes=90,
                session=session,
            ),
            ("SESSION_MISMATCH", 422, "session"),
        ),
        (
            "...of its kind",
            lambda: schedule(case, room, day, by=clerk, hearing_type="motion", session=session),
            ("SESSION_MISMATCH", 422, "session"),
        ),
        (
            "a judge of the court",
            lambda: schedule(case, room, day, by=clerk, hearing_type="trial", judge=other_judge),
            ("JUDGE_NOT_OF_COURT", 422, "judge"),
        ),
    ]
    for rule, call, expected in cases:
        assert refusal(call) == expected, rule
    assert not Hearing.objects.exists()
    assert not DocketEntry.objects.filter(event_code="HRGS").exists()


@pytest.mark.parametrize(
    ("holiday", "why"),
    [(dt.date(2027, 5, 31), "Memorial Day"), (dt.date(2027, 7, 5), "Independence Day")],
)
def test_no_hearing_on_a_legal_holiday(make_case, room, clerk, holiday, why):
    # Rule: court days only (2027-07-05 is the observed Independence Day, FRCP 6(a)(6))
    with pytest.raises(DomainError) as refused:
        schedule(make_case(), room, holiday, by=clerk, hearing_type="trial")
    assert refused.value.code == "COURT_CLOSED"
    assert why in refused.value.message


def test_a_closed_case_gets_no_hearing(make_case, room, clerk, day):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    assert refusal(lambda: schedule(case, room, day, by=clerk, hearing_type="trial")) == (
        "CASE_CLOSED",
        409,
        None,
    )


def test_a_session_judge_is_not_overridden(
    make_case, make_session, room, clerk, judge, judge2, day
):
    make_session(day, judge=judge)
    assert refusal(lambda: schedule(make_case(), room, day, by=clerk, judge=judge2)) == (
        "SESSION_JUDGE_MISMATCH",
        422,
        "judge",
    )


# --- the page ------------------------------------------------------------------------------


def new_url(case) -> str:
    return reverse("hearings:new", args=[case.court.code, case.number])


def form_data(day, **overrides) -> dict:
    data = {
        "hearing-hearing_type": "trial",
        "hearing-date": day.isoformat(),
        "hearing-time": "09:00",
        "hearing-minutes": "120",
        "hearing-courtroom": "",
        "hearing-judge": "",
        "hearing-override_reason": "",
    }
    data.update({f"hearing-{k}": v for k, v in overrides.items()})
    return data


def test_the_clerk_sets_a_hearing_from_the_page(client, make_case, room, clerk, day):
    # Given the clerk on the schedule page of a case
    case = make_case()
    client.force_login(clerk)
    page = client.get(new_url(case))
    assert page.status_code == 200
    assert b"Schedule a hearing" in page.content

    # When the form is sent
    response = client.post(new_url(case), form_data(day, courtroom=room.pk))

    # Then the trial is set, and the clerk lands on its page
    hearing = Hearing.objects.get(case=case)
    assert response.status_code == 302
    assert response.url == reverse("hearings:detail", args=[hearing.pk])
    assert hearing.starts_at == at(case.court, day, 9)
    assert hearing.ends_at == at(case.court, day, 11)


def test_the_length_defaults_by_kind(client, make_case, make_session, room, clerk, day):
    make_session(day, hearing_type="arraignment")
    case = make_case()
    client.force_login(clerk)
    client.post(
        new_url(case),
        form_data(day, hearing_type="arraignment", minutes="", courtroom=room.pk),
    )
    hearing = Hearing.objects.get(case=case)
    assert hearing.ends_at - hearing.starts_at == dt.timedelta(minutes=5)


def test_the_page_shows_the_attorney_conflict_and_needs_a_reason(
    client, make_case, room, room2, clerk, attorney, day
):
    # Given the attorney's trial in 2A at 09:00
    busy = make_case("Ames", attorneys=[attorney])
    schedule(busy, room, day, by=clerk, hearing_type="trial", minutes=120)
    case = make_case("Boyd", attorneys=[attorney])
    client.force_login(clerk)

    # When the clerk checks, then sends, a trial in 5B at 10:00 without a reason
    check = client.post(
        reverse("hearings:new_check", args=[case.court.code, case.number]),
        form_data(day, time="10:00", courtroom=room2.pk),
    )
    refused = client.post(new_url(case), form_data(day, time="10:00", courtroom=room2.pk))

    # Then the live check and the refused form both name the clash; nothing is set
    for response in (check, refused):
        assert response.status_code == 200
        assert b"someone is expected in two places" in response.content
        assert busy.number.encode() in response.content
    assert b"Give a reason to set it anyway" in refused.content
    assert not Hearing.objects.filter(case=case).exists()

    # When the reason is given, it is set
    done = client.post(
        new_url(case),
        form_data(day, time="10:00", courtroom=room2.pk, override_reason="Co-counsel covers."),
    )
    assert done.status_code == 302
    assert Hearing.objects.get(case=case).conflict_override_reason == "Co-counsel covers."


def test_room_conflicts_and_full_sessions_are_field_errors(
    client, make_case, make_session, room, clerk, day
):
    # Given a trial 09:00-11:00 in 2A and a full afternoon calendar
    first = make_case("Ames")
    schedule(first, room, day, by=clerk, hearing_type="trial", minutes=120)
    make_session(day, start=(13, 0), end=(15, 0), capacity_cases=1)
    schedule(make_case("Boyd"), room, day, by=clerk, hour=13, minutes=10)
    case = make_case("Cole")
    client.force_login(clerk)

    # When the clerk asks for 2A at 10:00, and for the full calendar
    room_taken = client.post(new_url(case), form_data(day, time="10:00", courtroom=room.pk))
    full = client.post(
        new_url(case),
        form_data(day, hearing_type="status", time="13:30", minutes="10", courtroom=room.pk),
    )

    # Then each is shown on its field
    assert room_taken.context["form"].errors["courtroom"][0].startswith("Courtroom 2A is taken")
    assert first.number in room_taken.context["form"].errors["courtroom"][0]
    assert "is full" in full.context["form"].errors["time"][0]
    assert not Hearing.objects.filter(case=case).exists()


@pytest.mark.parametrize(("who", "status"), [("attorney", 403), ("clerk_b", 404), ("anon", 302)])
def test_the_page_is_for_the_clerks_office(client, make_case, who, status, attorney, clerk_b):
    # Rule: a case out of sight is 404; the page is the clerk's office's (403 otherwise)
    case = make_case(confidentiality="confidential", attorneys=[attorney])
    if who != "anon":
        client.force_login({"attorney": attorney, "clerk_b": clerk_b}[who])
    assert client.get(new_url(case)).status_code == status
