"""Fixtures for scheduling tests: courtrooms, judges, sessions and cases with attorneys.

Hearings are set on future court days (never a weekend, legal holiday or closure) so
that the rules about dates in the past and days off only bite where a test means them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_days_off
from cases.models import CaseCategory, Confidentiality
from cases.services import AppearanceInput, PartyInput
from docket.models import Courtroom, Session, SessionTemplate
from tests.cases.factories import CaseTypeFactory, open_case


def court_day(court, *, weeks: int = 3, weekday: int = 2) -> dt.date:
    """The first day with ISO `weekday` (2 = Tuesday) at least `weeks` weeks from today
    (court-local) that is neither a legal holiday nor a declared closure."""
    day = court.local_today() + dt.timedelta(weeks=weeks)
    while True:
        day += dt.timedelta(days=(weekday - day.isoweekday()) % 7)
        if not court_days_off(court=court, start=day, end=day):
            return day
        day += dt.timedelta(days=1)


def at(court, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware datetime at `hour:minute` court-local time on `day`."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=court.tzinfo)


@pytest.fixture
def day(court_a) -> dt.date:
    return court_day(court_a)


@pytest.fixture
def cr_type(court_a):
    return CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)


@pytest.fixture
def room(court_a) -> Courtroom:
    return Courtroom.objects.create(court=court_a, name="Courtroom 2A", location="2nd floor")


@pytest.fixture
def room2(court_a) -> Courtroom:
    return Courtroom.objects.create(court=court_a, name="Courtroom 5B", location="5th floor")


@pytest.fixture
def room_b(court_b) -> Courtroom:
    return Courtroom.objects.create(court=court_b, name="Courtroom 104")


@pytest.fixture
def judge(make_user, court_a):
    return make_user(Role.JUDGE, [court_a], username="judge_a", first_name="Ada", last_name="Lane")


@pytest.fixture
def judge2(make_user, court_a):
    return make_user(Role.JUDGE, [court_a], username="judge_a2", first_name="Bo", last_name="Reed")


@pytest.fixture
def clerk_b(make_user, court_b):
    return make_user(Role.CLERK, [court_b], username="clerk_b")


@pytest.fixture
def outsider(make_user, court_a):
    """An attorney admitted in court A, not of record on the cases here."""
    return make_user(Role.ATTORNEY, [court_a], username="attorney_not_of_record")


@pytest.fixture
def make_case(cr_type, clerk):
    """A criminal case of court A: one defendant (`last_name`), with `attorneys` of record
    for them; `person` reuses an existing Person as the defendant."""

    def make(
        last_name: str = "Doe",
        *,
        attorneys=(),
        person=None,
        interpreter: str = "",
        confidentiality: str | None = None,
        judge=None,
        extra_parties=(),
    ):
        if person is not None:
            party = PartyInput(role="defendant", person=person)
        else:
            party = PartyInput(
                role="defendant",
                first_name="Pat",
                last_name=last_name,
                date_of_birth=dt.date(1980, 3, 4),
                preferred_language=interpreter or "en",
                interpreter_needed=bool(interpreter),
                email=f"{last_name.lower()}@example.com",
            )
        return open_case(
            case_type=cr_type,
            opened_by=clerk,
            parties=[party, *extra_parties],
            appearances=[AppearanceInput(attorney=a, party_index=0) for a in attorneys],
            confidentiality=confidentiality,
            judge=judge,
        )

    return make


@pytest.fixture
def make_session(court_a, room):
    """An open calendar session on `day` (court-local hours), made directly."""

    def make(
        day: dt.date,
        *,
        start=(9, 0),
        end=(11, 0),
        courtroom=None,
        hearing_type="",
        capacity_cases=40,
        capacity_minutes=None,
        judge=None,
        name="Morning calendar",
    ) -> Session:
        courtroom = courtroom or room
        return Session.objects.create(
            court=courtroom.court,
            name=name,
            hearing_type=hearing_type,
            courtroom=courtroom,
            judge=judge,
            date=day,
            starts_at=at(courtroom.court, day, *start),
            ends_at=at(courtroom.court, day, *end),
            capacity_cases=capacity_cases,
            capacity_minutes=capacity_minutes,
        )

    return make


@pytest.fixture
def make_template(court_a, room):
    def make(**kwargs) -> SessionTemplate:
        values = {
            "court": court_a,
            "name": "Arraignments",
            "hearing_type": "arraignment",
            "courtroom": room,
            "weekdays": [1, 2, 3, 4, 5],
            "start_time": dt.time(9, 0),
            "end_time": dt.time(11, 0),
            "capacity_cases": 40,
            "starts_on": dt.date(2026, 1, 1),
        }
        values.update(kwargs)
        return SessionTemplate.objects.create(**values)

    return make


@pytest.fixture
def sealed(supervisor):
    """Seal a case by order (the supervisor enters it)."""
    from cases.services import case_confidentiality_set

    def seal(case):
        return case_confidentiality_set(
            case=case,
            confidentiality=Confidentiality.SEALED,
            reason="Order of the court.",
            actor=supervisor,
        )

    return seal
