"""Demo calendars: made set-wise for the demo courts' cases, only on court days, and
idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext

from casemgmt.core.demo import seed_courts_and_users
from casemgmt.core.models import Court, User
from casemgmt.core.selectors import court_days_off
from cases.demo import seed_case_types
from cases.models import Case, CaseType, DocketEntry
from docket.demo import seed_calendars, seed_courtrooms
from docket.models import (
    EXCLUSIVE_TYPES,
    ContinuanceReason,
    Courtroom,
    Hearing,
    HearingChange,
    HearingStatus,
    JudgeAssignment,
    Session,
    SessionTemplate,
)
from tests.docket.factories import case_with_people

pytestmark = pytest.mark.django_db

MODELS = [
    Courtroom,
    JudgeAssignment,
    ContinuanceReason,
    SessionTemplate,
    Session,
    Hearing,
    HearingChange,
    DocketEntry,
]


def _quiet(line: str) -> None:
    return None


@pytest.fixture
def demo_cases():
    """The demo courts and users, and 40 cases per court opened through intake (the
    cases seeder makes 150 per court; the calendar seeder does not mind how many)."""
    seed_courts_and_users(log=_quiet)
    seed_case_types(log=_quiet)
    cases = []
    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        clerk = User.objects.get(username="clerk" if court.code == "sarasota" else "clerk.denver")
        for i in range(40):
            code = ["CR", "MM", "CA", "DP"][i % 4]
            case = case_with_people(
                CaseType.objects.get(court=court, code=code),
                opened_by=clerk,
                last_name=f"Demo{i}",
                interpreter="es" if i % 7 == 0 else "",
                filed_on=court.local_today() - dt.timedelta(days=3 * i),
            )
            if i % 3:
                from cases.services import case_transition

                case = case_transition(
                    case=case, to="active", actor=clerk, effective_on=case.filed_on
                )
            cases.append(case)
    return cases


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_the_demo_fills_the_next_weeks_set_wise_and_a_second_run_adds_nothing(demo_cases):
    # when the seeders run
    seed_courtrooms(log=_quiet)
    with CaptureQueriesContext(connection) as ctx:
        seed_calendars(log=_quiet)
    first = _counts()
    seed_courtrooms(log=_quiet)
    seed_calendars(log=_quiet)

    # then hearings, their history and their register entries went in set-wise (one
    # insert per table and court; two for hearings: continued ones come first)
    inserts = [
        q["sql"].split(" (")[0] for q in ctx.captured_queries if q["sql"].startswith("INSERT")
    ]
    assert inserts.count('INSERT INTO "docket_hearing"') == 4
    assert inserts.count('INSERT INTO "docket_hearingchange"') == 2
    assert inserts.count('INSERT INTO "cases_docketentry"') == 2
    # both courts have rooms, templates, sessions and hearings, and nothing doubles
    assert _counts() == first
    assert first["Courtroom"] == 5 and first["SessionTemplate"] == 6
    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        today = court.local_today()
        upcoming = Hearing.objects.filter(
            court=court, date__gt=today, status=HearingStatus.SCHEDULED
        )
        past = Hearing.objects.filter(court=court, date__lt=today, status=HearingStatus.HELD)
        assert upcoming.count() >= 15, court.code
        assert past.exists(), court.code
        assert JudgeAssignment.objects.filter(courtroom__court=court).exists()


def test_no_session_or_hearing_falls_on_a_weekend_holiday_or_before_its_case(demo_cases):
    seed_courtrooms(log=_quiet)
    seed_calendars(log=_quiet)

    for court in Court.objects.filter(code__in=["sarasota", "denver"]):
        today = court.local_today()
        off = {
            d.date
            for d in court_days_off(
                court=court, start=today - dt.timedelta(days=60), end=today + dt.timedelta(days=60)
            )
        }
        dates = set(Session.objects.filter(court=court).values_list("date", flat=True))
        dates |= set(Hearing.objects.filter(court=court).values_list("date", flat=True))
        assert dates
        assert not {d for d in dates if d.isoweekday() > 5 or d in off}
    for h in Hearing.objects.select_related("case", "session"):
        assert h.date > h.case.filed_on
        assert h.starts_at.astimezone(h.court.tzinfo).date() == h.date
        if h.session_id:
            assert h.session.starts_at <= h.starts_at and h.ends_at <= h.session.ends_at
            assert h.courtroom_id == h.session.courtroom_id
        else:
            assert h.hearing_type in EXCLUSIVE_TYPES


def test_sessions_respect_their_capacity_and_continuances_link_their_settings(demo_cases):
    seed_courtrooms(log=_quiet)
    seed_calendars(log=_quiet)

    crowded = (
        Session.objects.annotate(n=Count("hearings"))
        .filter(n__gt=0)
        .values_list("n", "capacity_cases")
    )
    assert all(n <= capacity for n, capacity in crowded)
    moved_ones = Hearing.objects.filter(continued_from__isnull=False).select_related(
        "continued_from"
    )
    assert {h.court.code for h in moved_ones} == {"sarasota", "denver"}
    for moved in moved_ones:
        old = moved.continued_from
        assert old.status == HearingStatus.CONTINUED and old.continuance_reason_id
        assert (moved.feed_uid, moved.setting_number, moved.sequence) == (old.feed_uid, 2, 1)
        assert old.starts_at < moved.starts_at
    assert HearingChange.objects.filter(kind="scheduled").count() == Hearing.objects.count()


def test_each_hearing_is_set_in_its_case_register_and_the_numbering_holds(demo_cases):
    seed_courtrooms(log=_quiet)
    seed_calendars(log=_quiet)

    assert DocketEntry.objects.filter(event_code="HRGS").count() == Hearing.objects.count()
    for case in Case.objects.annotate(last=Max("docket_entries__seq"), n=Count("docket_entries")):
        assert case.last == case.last_docket_seq == case.n, case.number


def test_interpreter_needs_of_the_parties_reach_their_hearings(demo_cases):
    seed_courtrooms(log=_quiet)
    seed_calendars(log=_quiet)

    needing = Hearing.objects.filter(case__parties__person__interpreter_needed=True).distinct()
    assert needing.exists()
    assert set(needing.values_list("interpreter_language", flat=True)) == {"es"}
    assert not Hearing.objects.exclude(pk__in=needing).exclude(interpreter_language="").exists()
