"""Conflicts between settings, and who enforces them.

* Exclusive hearings (trial, evidentiary) never overlap in a courtroom or for a judge:
  the database's exclusion constraints (tstzrange, half-open: back to back is fine)
  decide, even for two requests at the same moment; the loser gets 409 naming the
  hearing in the way (case number, time, courtroom).
* An exclusive hearing never overlaps an open session in its courtroom or presided by
  its judge (409).
* A session takes at most its capacity: cases and/or minutes (409 SESSION_FULL),
  counted under a lock on the session.
* An attorney of record, or a party (the same person), expected at another hearing in a
  different courtroom at an overlapping time is a clash the clerk sees: refused with
  HEARING_CLASH (409) unless the clerk gives a reason, which is kept and audited. A
  stacked hearing holds its people for its whole session.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import Case, Person
from cases.services import PartyInput, appearance_withdraw
from docket.models import Hearing, HearingChange
from docket.services import hearing_schedule, hearing_vacate

from .conftest import at

pytestmark = pytest.mark.django_db


def schedule(case, room, day, *, by, hearing_type="trial", hour=9, minute=0, minutes=120, **kw):
    return hearing_schedule(
        case=case,
        hearing_type=hearing_type,
        starts_at=at(case.court, day, hour, minute),
        minutes=minutes,
        courtroom=room,
        scheduled_by=by,
        **kw,
    )


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as info:
        call()
    return info.value


# --- rooms and judges: the database decides ---------------------------------------------


def test_two_trials_cannot_share_a_courtroom(make_case, room, clerk, day):
    # Given a trial 09:00-11:00 in Courtroom 2A
    first_case = make_case("Ames")
    first = schedule(first_case, room, day, by=clerk)

    # When another trial is set there 10:00-12:00
    error = refused(lambda: schedule(make_case("Boyd"), room, day, by=clerk, hour=10))

    # Then 409 names the trial in the way: case number, time and courtroom
    assert (error.code, error.status, error.field) == ("HEARING_ROOM_CONFLICT", 409, "courtroom")
    assert first_case.number in error.message
    assert f"{day:%Y-%m-%d} 09:00 to 11:00" in error.message
    assert "Courtroom 2A" in error.message
    [clash] = error.details["clashes"]
    assert clash["kind"] == "room"
    assert (clash["case_number"], clash["hearing_id"], clash["courtroom"]) == (
        first_case.number,
        first.pk,
        "Courtroom 2A",
    )
    assert clash["starts_at"] == at(first_case.court, day, 9).isoformat()
    assert Hearing.objects.count() == 1


def test_back_to_back_trials_do_not_overlap(make_case, room, clerk, day):
    # Rule: tstzrange is half-open; 09:00-11:00 then 11:00-13:00 is fine
    schedule(make_case("Ames"), room, day, by=clerk)
    schedule(make_case("Boyd"), room, day, by=clerk, hour=11)
    assert Hearing.objects.count() == 2


def test_a_judge_cannot_preside_over_two_trials_at_once(make_case, room, room2, clerk, judge, day):
    # Given the judge's trial 09:00-11:00 in 2A
    schedule(make_case("Ames"), room, day, by=clerk, judge=judge)

    # When the same judge is given an evidentiary hearing at 10:00 in 5B
    error = refused(
        lambda: schedule(
            make_case("Boyd"),
            room2,
            day,
            by=clerk,
            hearing_type="evidentiary",
            hour=10,
            judge=judge,
        )
    )

    # Then it is refused, naming the judge's trial
    assert (error.code, error.status, error.field) == ("HEARING_JUDGE_CONFLICT", 409, "judge")
    assert "Ada Lane" in error.message and "Courtroom 2A" in error.message


def test_a_vacated_trial_frees_the_courtroom(make_case, room, clerk, day):
    first = schedule(make_case("Ames"), room, day, by=clerk)
    hearing_vacate(hearing=first, reason="Plea entered", by=clerk)
    second = schedule(make_case("Boyd"), room, day, by=clerk, hour=10)
    assert second.status == "scheduled"


def test_a_trial_never_overlaps_an_open_session(
    make_case, make_session, room, room2, clerk, judge, day
):
    # Given the 09:00-11:00 calendar in 2A presided over by the judge
    make_session(day, judge=judge)

    # When a trial is set in 2A at 10:00, or for that judge in 5B at 10:00
    in_room = refused(lambda: schedule(make_case("Ames"), room, day, by=clerk, hour=10))
    for_judge = refused(
        lambda: schedule(make_case("Boyd"), room2, day, by=clerk, hour=10, judge=judge)
    )

    # Then both are refused, naming the session
    assert (in_room.code, in_room.status) == ("HEARING_ROOM_CONFLICT", 409)
    assert "Morning calendar" in in_room.message
    assert (for_judge.code, for_judge.status) == ("HEARING_JUDGE_CONFLICT", 409)
    # ...and after the session, the room is the trial's
    assert schedule(make_case("Cole"), room, day, by=clerk, hour=11).pk


def test_a_clash_with_a_sealed_case_is_named_by_placeholder(
    make_case, room, clerk, supervisor, day, sealed
):
    # Given a sealed case's trial, set by the supervisor; the clerk may not see the case
    hidden = sealed(make_case("Ames"))
    schedule(hidden, room, day, by=supervisor)

    # When the clerk sets another trial over it
    error = refused(lambda: schedule(make_case("Boyd"), room, day, by=clerk, hour=10))

    # Then the clash is named by the court's placeholder, never the sealed case's number
    assert error.code == "HEARING_ROOM_CONFLICT"
    assert hidden.number not in error.message
    assert "Sealed matter" in error.message
    assert error.details["clashes"][0]["hearing_id"] is None


# --- two requests at the same moment --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_trials_in_one_courtroom_exactly_one_wins(make_case, room, clerk, day):
    # Given two cases, and two clerks' requests for overlapping trials in one courtroom
    cases = [make_case("Ames"), make_case("Boyd")]
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def book(case, hour) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            start.wait(timeout=30)
            outcomes[case.number] = schedule(mine, room, day, by=clerk, hour=hour)
        except Exception as exc:
            outcomes[case.number] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(cases[0], 9)),
        threading.Thread(target=book, args=(cases[1], 10)),
    ]

    # When both book at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then exactly one trial is set; the other got 409 naming the winner
    won = [o for o in outcomes.values() if isinstance(o, Hearing)]
    lost = [o for o in outcomes.values() if not isinstance(o, Hearing)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    [winner], [loser] = won, lost
    assert isinstance(loser, DomainError), loser
    assert (loser.code, loser.status) == ("HEARING_ROOM_CONFLICT", 409)
    assert winner.case.number in loser.message
    assert loser.details["clashes"][0]["hearing_id"] == winner.pk
    assert Hearing.objects.count() == 1
    # ...and the loser left nothing behind: no docket entry, no history, no notice
    assert HearingChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="hearing.schedule").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_for_the_last_place_in_a_session(
    make_case, make_session, room, clerk, day
):
    # Given a session with one place left
    session = make_session(day, capacity_cases=2)
    schedule(make_case("Ames"), room, day, by=clerk, hearing_type="status", minutes=10)
    cases = [make_case("Boyd"), make_case("Cole")]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def book(case) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            start.wait(timeout=30)
            outcomes.append(schedule(mine, room, day, by=clerk, hearing_type="status", minutes=10))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one got the place and the other was told the session is full
    codes = sorted(getattr(o, "code", "set") for o in outcomes)
    assert codes == ["SESSION_FULL", "set"], outcomes
    assert session.hearings.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_settings_on_one_case_at_once_both_succeed(make_case, room, room2, clerk, day):
    # Given one case and two clerks setting two of its hearings at the same moment
    case = make_case("Ames")
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def book(courtroom, hour) -> None:
        try:
            mine = Case.objects.get(pk=case.pk)
            start.wait(timeout=30)
            outcomes.append(schedule(mine, courtroom, day, by=clerk, hour=hour, minutes=60))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(room, 9)),
        threading.Thread(target=book, args=(room2, 14)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then both are set (the case row is locked first: no deadlock), the register in order
    assert all(isinstance(o, Hearing) for o in outcomes), outcomes
    seqs = list(case.docket_entries.filter(event_code="HRGS").values_list("seq", flat=True))
    assert len(seqs) == 2 and len(set(seqs)) == 2


# --- session capacity -----------------------------------------------------------------------


def test_a_session_at_capacity_refuses_the_next_case(make_case, make_session, room, clerk, day):
    # Given a calendar for 2 cases, with 2 set
    session = make_session(day, capacity_cases=2)
    for name in ("Ames", "Boyd"):
        schedule(make_case(name), room, day, by=clerk, hearing_type="status", minutes=5)

    # When a third case is set
    error = refused(
        lambda: schedule(make_case("Cole"), room, day, by=clerk, hearing_type="status", minutes=5)
    )

    # Then the session is full
    assert (error.code, error.status, error.field) == ("SESSION_FULL", 409, "session")
    assert "2 of 2 cases" in error.message
    assert session.hearings.count() == 2


def test_a_session_counts_minutes_when_it_has_a_minute_capacity(
    make_case, make_session, room, clerk, day
):
    # Given a calendar of 60 minutes (no case limit), 45 of them taken
    make_session(day, capacity_cases=None, capacity_minutes=60)
    schedule(make_case("Ames"), room, day, by=clerk, hearing_type="status", minutes=30)
    schedule(make_case("Boyd"), room, day, by=clerk, hearing_type="status", minutes=15)

    # When a 20-minute hearing is asked for, then a 15-minute one
    error = refused(
        lambda: schedule(make_case("Cole"), room, day, by=clerk, hearing_type="status", minutes=20)
    )
    fits = schedule(make_case("Dunn"), room, day, by=clerk, hearing_type="status", minutes=15)

    # Then the first does not fit and the second does
    assert (error.code, error.status) == ("SESSION_FULL", 409)
    assert "15 of 60 minutes left" in error.message
    assert fits.session is not None


def test_a_vacated_hearing_gives_its_place_back(make_case, make_session, room, clerk, day):
    make_session(day, capacity_cases=1)
    first = schedule(make_case("Ames"), room, day, by=clerk, hearing_type="status", minutes=5)
    hearing_vacate(hearing=first, reason="Set in error", by=clerk)
    assert schedule(make_case("Boyd"), room, day, by=clerk, hearing_type="status", minutes=5)


# --- attorneys and parties expected in two places ------------------------------------------


def test_an_attorney_conflict_is_refused_without_a_reason(
    make_case, room, room2, clerk, attorney, day
):
    # Given the attorney's trial in 2A 09:00-11:00
    busy = make_case("Ames", attorneys=[attorney])
    schedule(busy, room, day, by=clerk)

    # When a trial of another of their cases is set in 5B at 10:00, without a reason
    case = make_case("Boyd", attorneys=[attorney])
    error = refused(lambda: schedule(case, room2, day, by=clerk, hour=10))

    # Then the clerk is shown the clash and nothing is set
    assert (error.code, error.status, error.field) == ("HEARING_CLASH", 409, "override_reason")
    [clash] = error.details["clashes"]
    assert clash["kind"] == "attorney"
    assert clash["who"] == attorney.get_full_name()
    assert (clash["case_number"], clash["courtroom"]) == (busy.number, "Courtroom 2A")
    assert busy.number in error.message
    assert not Hearing.objects.filter(case=case).exists()


def test_an_attorney_conflict_is_set_with_a_reason_which_is_kept_and_audited(
    make_case, room, room2, clerk, attorney, day
):
    # Given the attorney's trial in 2A 09:00-11:00
    busy = make_case("Ames", attorneys=[attorney])
    schedule(busy, room, day, by=clerk)
    case = make_case("Boyd", attorneys=[attorney])

    # When the clerk sets the other trial anyway, saying why
    hearing = schedule(
        case, room2, day, by=clerk, hour=10, override_reason="Co-counsel Lee covers 2A."
    )

    # Then it is set, with the reason on the hearing, in its history and in the audit trail
    assert hearing.conflict_override_reason == "Co-counsel Lee covers 2A."
    override = HearingChange.objects.get(hearing=hearing, kind="overridden")
    assert override.reason == "Co-counsel Lee covers 2A."
    assert [c["case_number"] for c in override.details["clashes"]] == [busy.number]
    event = AuditEvent.objects.get(action="hearing.conflict_override")
    assert event.actor == clerk
    assert event.details["reason"] == "Co-counsel Lee covers 2A."
    assert event.details["clashes"][0]["who"] == attorney.get_full_name()
    # ...and the public register does not mention the other case
    assert busy.number not in case.docket_entries.get(event_code="HRGS").text


def test_no_clash_in_the_same_courtroom_or_after_a_withdrawal(
    make_case, make_session, room, room2, clerk, attorney, day
):
    # Given the attorney's status conference in 2A's calendar and a trial in 5B at 13:00
    make_session(day, hearing_type="status")
    schedule(
        make_case("Ames", attorneys=[attorney]),
        room,
        day,
        by=clerk,
        hearing_type="status",
        minutes=10,
    )
    withdrawn = make_case("Boyd", attorneys=[attorney])
    schedule(withdrawn, room2, day, by=clerk, hour=13)
    appearance_withdraw(appearance=withdrawn.appearances.get(), actor=clerk)

    # When another of their cases joins 2A's calendar, and another goes to 2A at 13:00
    same_room = schedule(
        make_case("Cole", attorneys=[attorney]),
        room,
        day,
        by=clerk,
        hearing_type="status",
        minutes=10,
    )
    after_withdrawal = schedule(
        make_case("Dunn", attorneys=[attorney]), room, day, by=clerk, hour=13
    )

    # Then neither is a clash: one room calls its cases in turn; a withdrawn attorney is free
    assert same_room.conflict_override_reason == after_withdrawal.conflict_override_reason == ""


def test_a_party_expected_in_two_places_is_a_clash(make_case, room, room2, clerk, day):
    # Given a person who is the defendant in two cases, the first tried in 2A at 09:00
    first = make_case("Ames")
    person = first.parties.get().person
    schedule(first, room, day, by=clerk)

    # When the second case's trial is set in 5B at 10:00
    error = refused(lambda: schedule(make_case(person=person), room2, day, by=clerk, hour=10))

    # Then the person is named in the clash
    assert error.code == "HEARING_CLASH"
    [clash] = error.details["clashes"]
    assert (clash["kind"], clash["who"]) == ("party", "Pat Ames")


def test_the_state_is_no_party_clash(make_case, room, room2, clerk, day):
    # Given the State as a party to two prosecutions (a government agency)
    state = Person.objects.create(
        kind="organization", organization_name="State of Florida", is_government_agency=True
    )
    prosecution = PartyInput(role="prosecution", person=state)
    schedule(make_case("Ames", extra_parties=[prosecution]), room, day, by=clerk)

    # When the other is tried at the same time in another room: no clash
    hearing = schedule(make_case("Boyd", extra_parties=[prosecution]), room2, day, by=clerk)
    assert hearing.conflict_override_reason == ""


def test_a_stacked_hearing_holds_its_people_for_the_whole_session(
    make_case, make_session, room, room2, clerk, attorney, day
):
    # Given the attorney's case on 2A's 09:00-11:00 calendar (set for 09:00, 5 minutes)
    make_session(day, hearing_type="arraignment")
    busy = make_case("Ames", attorneys=[attorney])
    schedule(busy, room, day, by=clerk, hearing_type="arraignment", minutes=5)

    # When another of their cases is tried in 5B from 10:30
    error = refused(
        lambda: schedule(
            make_case("Boyd", attorneys=[attorney]), room2, day, by=clerk, hour=10, minute=30
        )
    )

    # Then that is a clash: the case may be called at any time until 11:00
    assert error.code == "HEARING_CLASH"
    assert error.details["clashes"][0]["case_number"] == busy.number
