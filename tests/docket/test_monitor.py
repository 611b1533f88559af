"""The nightly deadline monitor (docket.monitor) and its digests (docket.digests), in process.

Mail goes to Django's locmem outbox here; tests/docket/test_digests_smtp.py sends through a
real SMTP server and the real Celery worker.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.services import appearance_withdraw
from docket import tasks
from docket.digests import at_risk_cache_clear, digest_content, digest_send
from docket.models import (
    Deadline,
    DeadlineDigest,
    DeadlineMonitorRun,
    DeadlineStatus,
    DigestStatus,
    SpeedyTrialClock,
)
from docket.monitor import deadline_monitor_run, monitor_night
from tests.cases.factories import CaseTypeFactory, open_case
from tests.filings.test_notices_support import celery_eager

UTC = dt.UTC
NIGHT = dt.date(2025, 3, 11)  # a Tuesday; both test courts are on daylight time
# 08:00 in Alpha (New York), 06:00 in Bravo (Denver): both past 01:00 on NIGHT.
MORNING = dt.datetime(2025, 3, 11, 12, 0, tzinfo=UTC)


def deadline(case, *, due_on, name="Answer due", owner=None, statutory=False, **kwargs):
    """An open deadline on `case`, as the rules (or an order) would have set it."""
    values = {
        "case": case,
        "court": case.court,
        "name": name,
        "due_on": due_on,
        "owner": owner,
        "is_statutory": statutory,
        "responsible_role": "defendant",
    }
    values.update(kwargs)
    return Deadline.objects.create(**values)


def recipients(night=NIGHT) -> set[str]:
    return set(
        DeadlineDigest.objects.filter(digest_date=night).values_list(
            "recipient__username", flat=True
        )
    )


def listed(content) -> list[str]:
    """Deadline names in a digest, in order: missed, then each band."""
    return [i.name for i in content.missed] + [i.name for b in content.bands for i in b.items]


@pytest.fixture(autouse=True)
def fresh_at_risk_cache():
    """Each test computes its own speedy-trial clocks (a worker keeps them a few minutes)."""
    at_risk_cache_clear()
    yield
    at_risk_cache_clear()


@pytest.fixture
def lawyer(make_user, court_a):
    return make_user(Role.ATTORNEY, [court_a], username="lawyer_a", first_name="Lee")


@pytest.fixture
def case(make_case, lawyer):
    return make_case("Doe", attorneys=[lawyer])


@pytest.fixture
def case_b(court_b, make_user):
    clerk_b = make_user(Role.CLERK, [court_b], username="clerk_bravo")
    cv = CaseTypeFactory(court=court_b, code="CV", category=CaseCategory.CIVIL, name="Civil")
    return open_case(case_type=cv, opened_by=clerk_b)


# --- marking missed ---------------------------------------------------------------------------


def test_missed_is_judged_by_each_courts_own_date_and_hour(case, case_b, clerk):
    # Given 00:30 in New York (Alpha is on NIGHT) and 22:30 the day before in Denver (Bravo)
    now = dt.datetime(2025, 3, 11, 4, 30, tzinfo=UTC)
    alpha_late = deadline(case, due_on=NIGHT - dt.timedelta(days=1), name="Alpha yesterday")
    deadline(case, due_on=NIGHT, name="Alpha today")
    deadline(case_b, due_on=NIGHT - dt.timedelta(days=1), name="Bravo today")
    # a 48-hour period that ended at 21:00 Denver time, an hour and a half ago
    denver = zoneinfo.ZoneInfo("America/Denver")
    deadline(
        case_b,
        due_on=NIGHT - dt.timedelta(days=1),
        due_at=dt.datetime(2025, 3, 10, 21, 0, tzinfo=denver),
        name="Bravo 48 hours",
    )

    # When the monitor processes NIGHT at that instant
    result = deadline_monitor_run(run_date=NIGHT, now=now)

    # Then Alpha's past day is missed, Bravo's day (still running in Denver) is not,
    # but Bravo's hour period, over, is
    status = dict(Deadline.objects.values_list("name", "status"))
    assert status == {
        "Alpha yesterday": "missed",
        "Alpha today": "open",
        "Bravo today": "open",
        "Bravo 48 hours": "missed",
    }
    alpha_late.refresh_from_db()
    assert alpha_late.status_date == NIGHT and "nightly deadline monitor" in (
        alpha_late.status_reason
    )
    assert (result.created, result.run.marked_missed) == (True, 2)
    assert result.by_court[case.court_id]["marked_missed"] == 1
    assert result.by_court[case_b.court_id]["marked_missed"] == 1
    per_court = AuditEvent.objects.filter(action="deadline.monitor")
    assert {e.court_id: e.details["marked_missed"] for e in per_court} == {
        case.court_id: 1,
        case_b.court_id: 1,
    }
    assert AuditEvent.objects.filter(action="deadline.monitor_run").count() == 1


def test_met_waived_and_vacated_deadlines_are_left_alone(case, make_case):
    past = NIGHT - dt.timedelta(days=3)
    deadline(case, due_on=past, name="Met", status=DeadlineStatus.MET, status_reason="By order")
    deadline(case, due_on=past, name="Waived", status=DeadlineStatus.WAIVED)
    deadline(case, due_on=past, name="Vacated", status=DeadlineStatus.VACATED)

    result = deadline_monitor_run(run_date=NIGHT, now=MORNING)

    assert result.run.marked_missed == 0
    assert set(Deadline.objects.values_list("status", flat=True)) == {"met", "waived", "vacated"}


def test_the_monitor_runs_a_constant_number_of_queries_however_many_deadlines(
    make_case, make_user, court_a, supervisor
):
    # Given a few deadlines one night, and ten times as many (more cases, more owners) the next
    def load(count: int, night: dt.date, tag: str) -> None:
        for n in range(count):
            lawyer = make_user(Role.ATTORNEY, [court_a], username=f"atty_{tag}_{n}")
            c = make_case(f"Roe{tag}{n}", attorneys=[lawyer])
            deadline(c, due_on=night - dt.timedelta(days=1), owner=lawyer, statutory=n % 2 == 0)
            deadline(c, due_on=night + dt.timedelta(days=3), owner=lawyer)

    def queries(night: dt.date) -> int:
        with CaptureQueriesContext(connection) as ctx:
            result = deadline_monitor_run(run_date=night, now=MORNING + (night - NIGHT))
        assert result.created
        return len(ctx.captured_queries)

    load(2, NIGHT, "a")
    few = queries(NIGHT)
    night2 = NIGHT + dt.timedelta(days=1)
    load(20, night2, "b")
    many = queries(night2)

    # Then the number of statements is the same: set-wise, no loop over deadlines
    assert many == few
    assert DeadlineMonitorRun.objects.get(run_date=night2).marked_missed == 20


# --- horizons and recipients --------------------------------------------------------------


def test_due_soon_is_grouped_by_horizon_and_beyond_the_largest_is_not_listed(case, lawyer):
    for days in (0, 1, 2, 7, 8):
        deadline(case, due_on=NIGHT + dt.timedelta(days=days), name=f"In {days}")

    result = deadline_monitor_run(run_date=NIGHT, now=MORNING)
    content = digest_content(recipient=lawyer, digest_date=NIGHT)

    assert result.run.due_soon == 4
    assert [(b.label, [i.name for i in b.items]) for b in content.bands] == [
        ("Due within 1 day", ["In 0", "In 1"]),
        ("Due within 7 days", ["In 2", "In 7"]),
    ]
    assert [i.days_left_text for i in content.bands[0].items] == ["today", "tomorrow"]


def test_horizons_come_from_the_settings(settings, case, lawyer):
    settings.DOCKET_DEADLINE_ALERT_HORIZONS = (3,)
    for days in (1, 3, 4):
        deadline(case, due_on=NIGHT + dt.timedelta(days=days), name=f"In {days}")

    deadline_monitor_run(run_date=NIGHT, now=MORNING)

    content = digest_content(recipient=lawyer, digest_date=NIGHT)
    assert [(b.label, [i.name for i in b.items]) for b in content.bands] == [
        ("Due within 3 days", ["In 1", "In 3"])
    ]


def test_recipients_are_the_owner_the_attorneys_of_record_and_supervisors_for_statutory_items(
    make_case, make_user, court_a, court_b, clerk, supervisor, supervisor_b, judge
):
    # Given attorneys of record (one withdrawn), a clerk owning one deadline, a judge,
    # and users who cannot be mailed
    ann = make_user(Role.ATTORNEY, [court_a], username="ann")
    bob = make_user(Role.ATTORNEY, [court_a], username="bob")
    gone = make_user(Role.ATTORNEY, [court_a], username="gone")
    mute = make_user(Role.ATTORNEY, [court_a], username="mute", email="")
    make_user(Role.SUPERVISOR, [court_a], username="asleep", is_active=False)
    plain = make_case("Plain", attorneys=[ann], judge=judge)
    statutory = make_case("Statute", attorneys=[bob, gone, mute])
    appearance_withdraw(appearance=statutory.appearances.get(attorney=gone), actor=clerk)
    deadline(plain, due_on=NIGHT + dt.timedelta(days=2), owner=clerk)
    deadline(statutory, due_on=NIGHT - dt.timedelta(days=1), statutory=True)

    result = deadline_monitor_run(run_date=NIGHT, now=MORNING)

    # Then: the owner, the active attorneys of record with an address, and the court's
    # active supervisors (for the statutory one); not the judge, not Bravo's supervisor
    assert recipients() == {"clerk_a", "ann", "bob", "supervisor_a"}
    assert result.run.digests == 4
    counts = dict(DeadlineDigest.objects.values_list("recipient__username", "items").order_by("pk"))
    assert counts == {"clerk_a": 1, "ann": 1, "bob": 1, "supervisor_a": 1}
    assert set(DeadlineDigest.objects.values_list("status", flat=True)) == {"pending"}


def test_an_owner_with_two_deadlines_gets_one_digest_listing_both(case, lawyer, make_case):
    other = make_case("Other", attorneys=[lawyer])
    deadline(case, due_on=NIGHT + dt.timedelta(days=1), name="First", owner=lawyer)
    deadline(other, due_on=NIGHT + dt.timedelta(days=5), name="Second", owner=lawyer)

    deadline_monitor_run(run_date=NIGHT, now=MORNING)

    digest = DeadlineDigest.objects.get(recipient=lawyer)
    assert digest.items == 2
    assert listed(digest_content(recipient=lawyer, digest_date=NIGHT)) == ["First", "Second"]


# --- speedy trial ---------------------------------------------------------------------------


def test_speedy_trial_clocks_at_risk_go_to_attorneys_of_record_and_supervisors(
    make_case, lawyer, supervisor, mailoutbox
):
    # Given two criminal cases whose 70-day clock (18 U.S.C. 3161(c)(1)) started on
    # Jan 3 (the day after the later of indictment and first appearance): on Mar 11,
    # 68 days are used and 2 remain (Mar 12 and 13), under the court's alert threshold (14)
    mine = make_case("Mine", attorneys=[lawyer])
    theirs = make_case("Theirs")
    for c in (mine, theirs):
        SpeedyTrialClock.objects.create(
            case=c, indictment_on=dt.date(2025, 1, 1), first_appearance_on=dt.date(2025, 1, 2)
        )

    result = deadline_monitor_run(run_date=NIGHT, now=MORNING)
    for digest in DeadlineDigest.objects.order_by("pk"):
        digest_send(digest_id=digest.pk)

    # Then the attorney hears of their case, the supervisor of both
    assert result.run.speedy_trial_alerts == 2
    assert recipients() == {"lawyer_a", "supervisor_a"}
    lawyer_list = digest_content(recipient=lawyer, digest_date=NIGHT).speedy_trial
    assert [(s.case_number, s.days_remaining) for s in lawyer_list] == [(mine.number, 2)]
    supervisor_list = digest_content(recipient=supervisor, digest_date=NIGHT).speedy_trial
    assert {s.case_number for s in supervisor_list} == {mine.number, theirs.number}
    (to_lawyer,) = [m for m in mailoutbox if m.to == [lawyer.email]]
    assert "SPEEDY-TRIAL CLOCKS AT RISK (1)" in to_lawyer.body
    assert "2 days remaining; trial by Thu Mar 13, 2025" in to_lawyer.body
    assert theirs.number not in to_lawyer.body


def test_a_long_digest_lists_the_most_urgent_and_counts_the_rest(
    settings, case, lawyer, mailoutbox
):
    settings.DOCKET_DEADLINE_DIGEST_MAX_ITEMS = 2
    for days in (3, 2, 5):
        deadline(case, due_on=NIGHT + dt.timedelta(days=days), name=f"In {days}")
    deadline_monitor_run(run_date=NIGHT, now=MORNING)

    digest = digest_send(digest_id=DeadlineDigest.objects.get(recipient=lawyer).pk)

    (mail,) = mailoutbox
    assert digest.items == 3
    assert mail.subject.endswith(": 3 due within 7 days")
    assert "DUE WITHIN 7 DAYS (3)" in mail.body and "- and 1 more" in mail.body
    assert mail.body.index("In 2") < mail.body.index("In 3") and "In 5" not in mail.body
    assert "lists the 2 most urgent of each kind" in mail.body
    assert "And 1 more." in mail.alternatives[0][0]


# --- visibility at send time --------------------------------------------------------------


def test_a_digest_never_lists_a_sealed_case_the_attorney_may_not_see(
    make_case, lawyer, supervisor, sealed, mailoutbox
):
    # Given the attorney is of record on an open case and on a case sealed since
    public = make_case("Public", attorneys=[lawyer])
    hidden = make_case("Hidden", attorneys=[lawyer])
    deadline(public, due_on=NIGHT + dt.timedelta(days=1), name="Public answer")
    deadline(hidden, due_on=NIGHT + dt.timedelta(days=1), name="Sealed answer", statutory=True)
    sealed(hidden)

    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    for digest in DeadlineDigest.objects.order_by("pk"):
        digest_send(digest_id=digest.pk)

    # Then the attorney's e-mail lists the open case only; the supervisor (entitled)
    # gets the sealed one by number under the placeholder caption, and it is audited
    (to_lawyer,) = [m for m in mailoutbox if m.to == [lawyer.email]]
    (to_supervisor,) = [m for m in mailoutbox if m.to == [supervisor.email]]
    html = to_lawyer.alternatives[0][0]
    assert public.number in to_lawyer.body and public.number in html
    assert hidden.number not in to_lawyer.body and hidden.number not in html
    assert "Sealed answer" not in to_lawyer.body
    assert hidden.number in to_supervisor.body and hidden.caption not in to_supervisor.body
    assert hidden.court.sealed_caption_placeholder in to_supervisor.body
    sup_digest = DeadlineDigest.objects.get(recipient=supervisor)
    event = AuditEvent.objects.get(action="deadline.digest_send", object_id=str(sup_digest.pk))
    assert event.details["sealed_or_juvenile_cases"] == [hidden.pk]


def test_items_are_read_when_sent_met_or_withdrawn_since_the_run_are_not_listed(
    make_case, lawyer, clerk, mailoutbox
):
    kept = make_case("Kept", attorneys=[lawyer])
    left = make_case("Left", attorneys=[lawyer])
    deadline(kept, due_on=NIGHT + dt.timedelta(days=1), name="Still due")
    met = deadline(kept, due_on=NIGHT + dt.timedelta(days=2), name="Met since")
    deadline(left, due_on=NIGHT + dt.timedelta(days=1), name="Withdrawn since")
    deadline_monitor_run(run_date=NIGHT, now=MORNING)

    # When, before the digest goes out, one deadline is met and the attorney withdraws
    Deadline.objects.filter(pk=met.pk).update(status=DeadlineStatus.MET, status_reason="Filed")
    appearance_withdraw(appearance=left.appearances.get(attorney=lawyer), actor=clerk)
    digest = digest_send(digest_id=DeadlineDigest.objects.get(recipient=lawyer).pk)

    (mail,) = mailoutbox
    assert "Still due" in mail.body
    assert "Met since" not in mail.body and "Withdrawn since" not in mail.body
    assert (digest.status, digest.items) == (DigestStatus.SENT, 1)


def test_a_digest_with_nothing_left_to_list_sends_no_email(case, lawyer, mailoutbox):
    d = deadline(case, due_on=NIGHT + dt.timedelta(days=1))
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    Deadline.objects.filter(pk=d.pk).update(status=DeadlineStatus.VACATED)

    digest = digest_send(digest_id=DeadlineDigest.objects.get(recipient=lawyer).pk)

    assert mailoutbox == []
    assert (digest.status, digest.items, digest.sent_at) == (DigestStatus.SENT, 0, None)
    assert AuditEvent.objects.get(action="deadline.digest_send").details["empty"] is True


def test_the_digest_reads_in_words(case, lawyer, make_case, mailoutbox):
    deadline(case, due_on=NIGHT - dt.timedelta(days=1), name="Reply brief", statutory=True)
    deadline(
        case,
        due_on=NIGHT + dt.timedelta(days=1),
        due_at=dt.datetime(2025, 3, 12, 17, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
        name="Objection (48 hours)",
    )
    deadline(case, due_on=NIGHT + dt.timedelta(days=6), name="Witness list")
    deadline_monitor_run(run_date=NIGHT, now=MORNING)

    digest_send(digest_id=DeadlineDigest.objects.get(recipient=lawyer).pk)

    (mail,) = mailoutbox
    assert mail.subject == "Deadlines for Tue Mar 11, 2025: 1 missed, 2 due within 7 days"
    assert mail.extra_headers["Message-ID"].startswith("<deadline-digest-")
    body = mail.body
    assert "MISSED (1)" in body and "Reply brief [statutory]: was due Mon Mar 10, 2025" in body
    assert "DUE WITHIN 1 DAY (1)" in body
    assert "Objection (48 hours): due Wed Mar 12, 2025 5:00 PM EDT (tomorrow)" in body
    assert "DUE WITHIN 7 DAYS (1)" in body and "Witness list: due Mon Mar 17, 2025" in body
    assert case.number in body and case.caption in body
    html, mime = mail.alternatives[0]
    assert mime == "text/html" and '<th scope="col"' in html and "Witness list" in html


# --- exactly once -------------------------------------------------------------------------


def test_a_rerun_the_same_night_marks_creates_and_sends_nothing_new(
    case, lawyer, mailoutbox, django_capture_on_commit_callbacks
):
    deadline(case, due_on=NIGHT - dt.timedelta(days=1), name="Late")
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        first = deadline_monitor_run(run_date=NIGHT, now=MORNING)
    # a deadline that lapses after the night's run waits for the next night
    later = deadline(case, due_on=NIGHT - dt.timedelta(days=1), name="Entered late")

    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        second = deadline_monitor_run(run_date=NIGHT, now=MORNING + dt.timedelta(hours=1))

    assert (first.created, second.created) == (True, False)
    assert second.queued == [] and second.run.pk == first.run.pk
    assert len(mailoutbox) == 1 and "Late" in mailoutbox[0].body
    later.refresh_from_db()
    assert later.status == DeadlineStatus.OPEN
    assert DeadlineMonitorRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="deadline.monitor_run").count() == 1


def test_a_duplicated_send_task_sends_once(case, lawyer, mailoutbox):
    deadline(case, due_on=NIGHT + dt.timedelta(days=1))
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    digest = DeadlineDigest.objects.get(recipient=lawyer)

    tasks.deadline_digest_send(digest.pk)
    tasks.deadline_digest_send(digest.pk)
    tasks.deadline_digest_send(999_999)  # gone: nothing to do

    assert len(mailoutbox) == 1
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == (DigestStatus.SENT, 1)


def test_a_digest_left_pending_by_a_killed_worker_is_sent_once_by_the_next_tick(
    case, lawyer, supervisor, mailoutbox, django_capture_on_commit_callbacks
):
    # Given the night's run committed but its send tasks were lost (worker killed)
    deadline(case, due_on=NIGHT - dt.timedelta(days=1), statutory=True)
    with django_capture_on_commit_callbacks(execute=False) as lost:
        first = deadline_monitor_run(run_date=NIGHT, now=MORNING)
    assert len(lost) == 1 and len(first.queued) == 2
    assert mailoutbox == []

    # When the next hourly tick runs, and the one after
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        again = deadline_monitor_run(now=MORNING + dt.timedelta(hours=1))
    with celery_eager(), django_capture_on_commit_callbacks(execute=True):
        third = deadline_monitor_run(now=MORNING + dt.timedelta(hours=2))

    # Then the pending digests are queued again and each sent exactly once
    assert again.created is False and sorted(again.queued) == sorted(first.queued)
    assert third.queued == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lawyer.email, supervisor.email])
    assert set(DeadlineDigest.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.broker  # the digest must wait for the test's lock, not be sent at commit
@pytest.mark.django_db(transaction=True)
def test_a_send_task_finding_the_digest_locked_leaves_it_to_the_holder(case, lawyer, mailoutbox):
    """Two workers on one digest: the second skips it while the first holds the lock."""
    import threading

    from django.db import connections, transaction

    deadline(case, due_on=NIGHT + dt.timedelta(days=1))
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    digest = DeadlineDigest.objects.get(recipient=lawyer)
    outcome = {}

    with transaction.atomic():
        DeadlineDigest.objects.select_for_update().get(pk=digest.pk)  # the first worker

        def second_worker():
            try:
                outcome["result"] = digest_send(digest_id=digest.pk)
            finally:
                connections.close_all()

        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join(timeout=30)

    assert outcome == {"result": None} and mailoutbox == []


# --- when a night runs: hourly ticks over daylight-saving changes ------------------------------


def _ticks(start: dt.datetime, hours: int) -> list[dt.datetime]:
    return [start + dt.timedelta(hours=h) for h in range(hours)]


@pytest.mark.parametrize(
    ("zone", "night", "first_tick_local", "monitor_hour"),
    [
        # Spring forward (2:00 -> 3:00): 01:05 still exists
        ("America/Denver", dt.date(2025, 3, 9), dt.datetime(2025, 3, 9, 1, 5), 1),
        # ... and with the monitor set for 02:00, the missing hour runs it at 03:05
        ("America/Denver", dt.date(2025, 3, 9), dt.datetime(2025, 3, 9, 3, 5), 2),
        # Fall back (2:00 -> 1:00): 01:05 happens twice, the night runs once
        ("America/New_York", dt.date(2025, 11, 2), dt.datetime(2025, 11, 2, 1, 5), 1),
    ],
)
def test_hourly_ticks_run_each_night_once_at_the_court_local_hour_across_dst(
    settings, court_a, zone, night, first_tick_local, monitor_hour
):
    settings.DOCKET_DEADLINE_MONITOR_HOUR = monitor_hour
    court_a.time_zone = zone
    court_a.save()
    tz = zoneinfo.ZoneInfo(zone)
    # Beat's ticks at minute 5 of every hour, from noon the day before for 36 hours
    start = dt.datetime.combine(night - dt.timedelta(days=1), dt.time(12, 5), tzinfo=tz)
    ran = []
    for tick in _ticks(start.astimezone(UTC), 36):
        with time_machine.travel(tick, tick=False):
            summary = tasks.deadline_monitor()
        if summary["ran"]:
            ran.append((summary["run_date"], tick.astimezone(tz)))

    # Then each night ran once, the night of the change at its first tick past the hour
    nights = [r[0] for r in ran]
    assert nights == [(night - dt.timedelta(days=1)).isoformat(), night.isoformat()]
    when = ran[1][1]
    assert when.replace(tzinfo=None) == first_tick_local
    assert when.fold == 0
    assert DeadlineMonitorRun.objects.filter(run_date=night).count() == 1


def test_with_courts_in_two_zones_the_night_waits_for_the_westernmost(court_a, court_b):
    # 05:30 UTC: 01:30 in New York, 23:30 the day before in Denver
    assert monitor_night(now=dt.datetime(2025, 3, 11, 5, 30, tzinfo=UTC)) == NIGHT - dt.timedelta(
        days=1
    )
    # 07:05 UTC: 03:05 in New York, 01:05 in Denver
    assert monitor_night(now=dt.datetime(2025, 3, 11, 7, 5, tzinfo=UTC)) == NIGHT
    court_b.is_active = False
    court_b.save()
    assert monitor_night(now=dt.datetime(2025, 3, 11, 5, 30, tzinfo=UTC)) == NIGHT


def test_the_beat_schedule_runs_the_monitor_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["docket-deadline-monitor"]
    assert entry["task"] == "docket.tasks.deadline_monitor"
    assert entry["schedule"].minute == {5} and len(entry["schedule"].hour) == 24
