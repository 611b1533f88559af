"""Calendar sessions generated from templates (docket.services.session_generate).

The rules:
* a template's sessions fall on its ISO weekdays, from its first day to its last;
* times are court-local, each date with its own UTC offset (09:00 stays 09:00 across a
  daylight-saving change);
* no session on a legal holiday (the court's calendar, observed days included, FRCP
  6(a)(6)) or on a day the court declared closed;
* the judge is the template's, else the one assigned to the courtroom that day;
* generation is idempotent (one session per template and date), and never puts a
  session where an open session or an exclusive hearing already holds the courtroom.
"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import PeriodicTask

from casemgmt.celery import app as celery_app
from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent, CourtClosure
from casemgmt.core.roles import Role
from docket import tasks
from docket.models import JudgeAssignment, Session
from docket.services import session_generate
from tests.docket import factories

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_sessions_fall_on_the_templates_weekdays_at_court_local_times(make_template, clerk):
    # Given Monday/Wednesday arraignments 09:00-11:00 in an Eastern court
    template = make_template(weekdays=[1, 3])

    # When the week of 2026-03-09 (Mon) to 2026-03-15 is generated
    created = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15), by=clerk
    )

    # Then Monday and Wednesday have a session, 13:00-15:00 UTC (EDT since 2026-03-08)
    assert [s.date for s in created] == [dt.date(2026, 3, 9), dt.date(2026, 3, 11)]
    monday = created[0]
    assert monday.starts_at == dt.datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert monday.ends_at == dt.datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert (monday.name, monday.hearing_type, monday.capacity_cases) == (
        "Arraignments",
        "arraignment",
        40,
    )
    # ...and the generation is in the audit trail
    event = AuditEvent.objects.get(action="session.generate")
    assert (event.actor, event.details["created"]) == (clerk, 2)


def test_dst_week_keeps_court_local_hours(make_template, clerk):
    # Given daily sessions at 09:00 in New York, over the week DST ends (Sunday 2026-11-01)
    template = make_template(weekdays=[1, 2, 3, 4, 5, 6, 7])

    # When 2026-10-30 (Fri, EDT) to 2026-11-02 (Mon, EST) is generated
    created = session_generate(
        template=template, start=dt.date(2026, 10, 30), end=dt.date(2026, 11, 2), by=clerk
    )

    # Then every session starts at 09:00 local: 13:00 UTC before the change, 14:00 after
    by_date = {s.date: s.starts_at for s in created}
    assert by_date[dt.date(2026, 10, 31)] == dt.datetime(2026, 10, 31, 13, 0, tzinfo=UTC)
    assert by_date[dt.date(2026, 11, 1)] == dt.datetime(2026, 11, 1, 14, 0, tzinfo=UTC)
    assert by_date[dt.date(2026, 11, 2)] == dt.datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
    for session in created:
        local = session.starts_at.astimezone(template.court.tzinfo)
        assert (local.hour, local.minute, local.date()) == (9, 0, session.date)


def test_dst_in_a_mountain_court(court_b, clerk_b, room_b):
    # Given a Denver court's 08:30 calendar over the spring change (Sunday 2027-03-14)
    from docket.models import SessionTemplate

    template = SessionTemplate.objects.create(
        court=court_b,
        name="First appearances",
        courtroom=room_b,
        weekdays=[5, 1],
        start_time=dt.time(8, 30),
        end_time=dt.time(10, 0),
        capacity_cases=30,
        starts_on=dt.date(2027, 1, 1),
    )

    # When Friday 2027-03-12 and Monday 2027-03-15 are generated
    created = session_generate(
        template=template, start=dt.date(2027, 3, 12), end=dt.date(2027, 3, 15), by=clerk_b
    )

    # Then 08:30 MST is 15:30 UTC, and 08:30 MDT is 14:30 UTC
    assert [s.starts_at for s in created] == [
        dt.datetime(2027, 3, 12, 15, 30, tzinfo=UTC),
        dt.datetime(2027, 3, 15, 14, 30, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    ("holiday", "name"),
    [
        (dt.date(2026, 5, 25), "Memorial Day"),
        (dt.date(2026, 7, 3), "Independence Day (observed)"),  # the 4th is a Saturday
        (dt.date(2026, 1, 19), "Martin Luther King Jr. Day"),
    ],
)
def test_no_session_on_a_legal_holiday(make_template, clerk, holiday, name):
    # Given a weekday template
    template = make_template()

    # When the holiday's week is generated
    monday = holiday - dt.timedelta(days=holiday.isoweekday() - 1)
    created = session_generate(
        template=template, start=monday, end=monday + dt.timedelta(days=4), by=clerk
    )

    # Then every weekday but the holiday has its session, and the audit says why
    dates = [s.date for s in created]
    assert holiday not in dates
    assert len(dates) == 4
    skipped = AuditEvent.objects.get(action="session.generate").details["skipped"]
    assert skipped == [{"date": holiday.isoformat(), "why": skipped[0]["why"]}]
    assert name.split(" (")[0] in skipped[0]["why"]


def test_no_session_on_a_declared_closure(make_template, clerk, court_a):
    # Given the court declared Wednesday 2026-03-11 closed (hurricane)
    CourtClosure.objects.create(court=court_a, date=dt.date(2026, 3, 11), reason="Hurricane")
    template = make_template()

    # When that week is generated
    created = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )

    # Then Wednesday has none
    assert dt.date(2026, 3, 11) not in [s.date for s in created]
    assert len(created) == 4


def test_generation_is_idempotent(make_template, clerk):
    # Given a week generated once
    template = make_template()
    first = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )

    # When it is generated again, over a longer range
    second = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 20), by=clerk
    )

    # Then only the new week's sessions are made, once per date
    assert len(first) == 5
    assert [s.date.isoformat() for s in second] == [
        "2026-03-16",
        "2026-03-17",
        "2026-03-18",
        "2026-03-19",
        "2026-03-20",
    ]
    assert Session.objects.filter(template=template).count() == 10


def test_judge_is_the_templates_else_the_courtroom_assignment(make_template, clerk, judge, judge2):
    # Given judge2 assigned to the courtroom until Tuesday, judge from Wednesday
    template = make_template()
    JudgeAssignment.objects.create(
        courtroom=template.courtroom,
        judge=judge2,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 3, 10),
    )
    JudgeAssignment.objects.create(
        courtroom=template.courtroom, judge=judge, starts_on=dt.date(2026, 3, 11)
    )

    # When the week is generated
    created = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )

    # Then each day has that day's assigned judge
    assert [s.judge for s in created] == [judge2, judge2, judge, judge, judge]

    # And a template with its own judge uses that judge
    own = make_template(
        name="Motions",
        hearing_type="motion",
        judge=judge2,
        start_time=dt.time(13),
        end_time=dt.time(15),
    )
    made = session_generate(
        template=own, start=dt.date(2026, 3, 12), end=dt.date(2026, 3, 12), by=clerk
    )
    assert [s.judge for s in made] == [judge2]


def test_template_dates_and_inactive_templates_bound_generation(make_template, clerk):
    # Given a template running only 2026-03-10 to 2026-03-12, and an inactive one
    bounded = make_template(starts_on=dt.date(2026, 3, 10), ends_on=dt.date(2026, 3, 12))
    inactive = make_template(
        name="Old calendar", start_time=dt.time(13), end_time=dt.time(15), is_active=False
    )

    # When the whole week is asked for
    made = session_generate(
        template=bounded, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )
    none = session_generate(
        template=inactive, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )

    # Then only the template's own days are made; the inactive one makes nothing
    assert [s.date.day for s in made] == [10, 11, 12]
    assert none == []


def test_room_held_by_a_session_or_a_trial_is_skipped(make_template, make_case, clerk, room):
    # Given a special session Monday 10:00-12:00 in the room, and a trial Tuesday 08:00-17:00
    factories.hearing(
        make_case(),
        scheduled_by=clerk,
        day=dt.date(2026, 3, 10),
        hour=8,
        minutes=540,
        hearing_type="trial",
        room=room,
    )
    Session.objects.create(
        court=room.court,
        name="Special calendar",
        courtroom=room,
        date=dt.date(2026, 3, 9),
        starts_at=factories.court_time(room.court, dt.date(2026, 3, 9), 10),
        ends_at=factories.court_time(room.court, dt.date(2026, 3, 9), 12),
        capacity_cases=5,
    )
    template = make_template()

    # When the week is generated
    created = session_generate(
        template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk
    )

    # Then Monday and Tuesday are skipped, with the reason kept
    assert [s.date.day for s in created] == [11, 12, 13]
    skipped = AuditEvent.objects.get(action="session.generate").details["skipped"]
    assert [s["date"] for s in skipped] == ["2026-03-09", "2026-03-10"]


@pytest.mark.parametrize("role", [Role.ATTORNEY, Role.JUDGE])
def test_only_record_keepers_generate(make_template, make_user, court_a, role):
    # Rule: the clerk's office sets the court's calendars
    template = make_template()
    user = make_user(role, [court_a])
    with pytest.raises(DomainError) as refused:
        session_generate(
            template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=user
        )
    assert (refused.value.code, refused.value.status) == ("NOT_A_RECORD_KEEPER", 403)
    assert not Session.objects.exists()


def test_clerk_of_another_court_may_not_generate(make_template, clerk_b):
    template = make_template()
    with pytest.raises(DomainError) as refused:
        session_generate(
            template=template, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 13), by=clerk_b
        )
    assert refused.value.code == "NOT_A_RECORD_KEEPER"


def test_the_nightly_task_generates_weeks_ahead_for_active_templates(make_template, court_a):
    # Given an active weekday template and an inactive one
    active = make_template(starts_on=court_a.local_today() - dt.timedelta(days=30))
    make_template(name="Retired", start_time=dt.time(13), end_time=dt.time(15), is_active=False)

    # When beat's task runs (its per-template tasks run in this process)
    celery_app.conf.task_always_eager = True
    try:
        queued = tasks.sessions_generate_ahead.delay().get()
    finally:
        celery_app.conf.task_always_eager = False

    # Then the active template has sessions from today to 8 weeks ahead, none for the other
    assert queued == 1
    sessions = Session.objects.filter(template=active)
    today = court_a.local_today()
    assert sessions.count() >= 8 * 5 - 5  # a few holidays at most
    assert min(s.date for s in sessions) >= today
    assert max(s.date for s in sessions) <= today + dt.timedelta(weeks=8)
    assert Session.objects.count() == sessions.count()
    # ...and a second night makes nothing new
    assert tasks.session_template_generate(active.pk, 8) == 0


def test_beat_schedule_has_the_nightly_generation():
    # The schedule lives in the database (django_celery_beat's DatabaseScheduler); a data
    # migration puts it there. (Run again here: a transactional test's flush, kept by
    # --reuse-db, empties the table the migration filled.)
    migration = importlib.import_module("docket.migrations.0004_session_generation_schedule")
    migration.add_schedule(django_apps, None)
    migration.add_schedule(django_apps, None)  # idempotent
    task = PeriodicTask.objects.get(task="docket.tasks.sessions_generate_ahead")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("2", "15")
