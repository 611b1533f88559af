"""Speedy-trial services (docket.speedy_trial_services) and selectors: who records the
clock, what is refused, the audit trail, and the nightly monitor's set-wise SQL held to
the pure engine's answers."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory, CaseStatus
from cases.services import docket_entry_record
from docket.models import (
    ExcludableKind,
    ExcludablePeriod,
    SpeedyTrialClock,
    SpeedyTrialSettings,
)
from docket.speedy_trial_selectors import speedy_trial_at_risk, speedy_trial_get
from docket.speedy_trial_services import (
    excludable_period_add,
    excludable_period_end,
    speedy_trial_clock_set,
)
from tests.cases.factories import CaseTypeFactory, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(court_a) -> dt.date:
    return court_a.local_today()


@pytest.fixture
def case(cr_type, clerk):
    return open_case(case_type=cr_type, opened_by=clerk)


@pytest.fixture
def civil_case(court_a, clerk):
    cv = CaseTypeFactory(
        court=court_a,
        code="CV",
        name="Civil",
        category=CaseCategory.CIVIL,
        initial_event_code="CMPL",
    )
    return open_case(case_type=cv, opened_by=clerk)


def ago(today: dt.date, days: int) -> dt.date:
    return today - dt.timedelta(days=days)


# --- the clock's dates -----------------------------------------------------------------------


def test_clerk_records_the_dates_and_the_clock_runs(case, clerk, today):
    # Given a criminal case indicted 40 days ago, first appearance 38 days ago
    # When the clerk records the dates
    clock = speedy_trial_clock_set(
        case=case,
        by=clerk,
        arrest_or_summons_on=ago(today, 50),
        indictment_on=ago(today, 40),
        first_appearance_on=ago(today, 38),
        counsel_appearance_on=ago(today, 38),
    )

    # Then the clock runs from the day after the first appearance: 38 days used
    st = speedy_trial_get(case, today)
    assert st.clock == clock
    assert st.result.status == "running"
    assert st.result.days_used == 38 and st.result.days_remaining == 32
    assert st.result.trial_due == today + dt.timedelta(days=32)
    assert st.result.indictment_status == "filed"
    # and the act is audited with what changed
    event = AuditEvent.objects.get(action="speedy_trial.clock_set")
    assert event.actor == clerk and event.case_id == case.pk
    assert event.details["changes"]["indictment_on"] == [None, ago(today, 40).isoformat()]


def test_only_the_fields_given_change(case, clerk, today):
    speedy_trial_clock_set(case=case, by=clerk, indictment_on=ago(today, 10))

    speedy_trial_clock_set(case=case, by=clerk, first_appearance_on=ago(today, 5))

    clock = SpeedyTrialClock.objects.get(case=case)
    assert (clock.indictment_on, clock.first_appearance_on) == (ago(today, 10), ago(today, 5))
    assert AuditEvent.objects.filter(action="speedy_trial.clock_set").count() == 2


def test_setting_the_same_dates_again_writes_nothing(case, clerk, today):
    speedy_trial_clock_set(case=case, by=clerk, indictment_on=ago(today, 10))

    speedy_trial_clock_set(case=case, by=clerk, indictment_on=ago(today, 10))

    assert AuditEvent.objects.filter(action="speedy_trial.clock_set").count() == 1


def test_a_date_in_the_future_is_refused(case, clerk, today):
    with pytest.raises(DomainError) as refused:
        speedy_trial_clock_set(case=case, by=clerk, indictment_on=today + dt.timedelta(days=1))

    assert (refused.value.code, refused.value.field) == ("DATE_IN_FUTURE", "indictment_on")
    assert not SpeedyTrialClock.objects.exists()


def test_a_trial_before_the_indictment_is_refused(case, clerk, today):
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 10), first_appearance_on=ago(today, 8)
    )

    with pytest.raises(DomainError) as refused:
        speedy_trial_clock_set(case=case, by=clerk, trial_started_on=ago(today, 9))

    assert refused.value.code == "TRIAL_BEFORE_CLOCK"
    assert SpeedyTrialClock.objects.get(case=case).trial_started_on is None


def test_trial_started_stops_the_clock(case, clerk, today):
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 30), first_appearance_on=ago(today, 30)
    )

    speedy_trial_clock_set(case=case, by=clerk, trial_started_on=ago(today, 10))

    result = speedy_trial_get(case, today).result
    assert result.status == "stopped" and result.days_used == 20


def test_a_civil_case_has_no_speedy_trial_clock(civil_case, clerk, today):
    with pytest.raises(DomainError) as refused:
        speedy_trial_clock_set(case=civil_case, by=clerk, indictment_on=ago(today, 3))

    assert refused.value.code == "SPEEDY_TRIAL_NOT_CRIMINAL"


@pytest.mark.parametrize("role", [Role.ATTORNEY, Role.JUDGE, Role.PROGRAM_COORDINATOR])
def test_only_the_clerks_office_records_the_clock(case, make_user, court_a, role, today):
    user = make_user(role, [court_a])

    with pytest.raises(DomainError) as refused:
        speedy_trial_clock_set(case=case, by=user, indictment_on=ago(today, 3))

    assert (refused.value.code, refused.value.status) == ("NOT_A_RECORD_KEEPER", 403)


def test_another_courts_clerk_gets_nothing_on_a_sealed_case(case, make_user, court_b, today):
    case.confidentiality = "sealed"
    case.save(update_fields=["confidentiality"])
    clerk_b = make_user(Role.CLERK, [court_b])

    with pytest.raises(Http404):
        speedy_trial_clock_set(case=case, by=clerk_b, indictment_on=ago(today, 3))


# --- excludable periods ------------------------------------------------------------------------


def test_a_pretrial_motion_is_excluded_through_its_decision(case, clerk, today):
    # Given a running clock (indicted and appeared 40 days ago)
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 40), first_appearance_on=ago(today, 40)
    )
    entry = docket_entry_record(
        case=case, event_code="MOTN", text="Motion to suppress", recorded_by=clerk
    )

    # When a motion filed 20 days ago is recorded, then decided 11 days ago
    period = excludable_period_add(
        case=case,
        kind=ExcludableKind.PRETRIAL_MOTION,
        starts_on=ago(today, 20),
        docket_entry=entry,
        by=clerk,
    )
    paused = speedy_trial_get(case, today).result
    excludable_period_end(period=period, ends_on=ago(today, 11), by=clerk)

    # Then while pending the clock was paused, and now 10 days are excluded (both ends)
    assert paused.paused and paused.days_excluded == 21
    result = speedy_trial_get(case, today).result
    assert result.days_excluded == 10 and result.days_used == 30 and not result.paused
    assert [e.action for e in AuditEvent.objects.order_by("id") if "period" in e.action] == [
        "speedy_trial.period_add",
        "speedy_trial.period_end",
    ]
    assert AuditEvent.objects.get(action="speedy_trial.period_add").details["docket_entry"] == (
        entry.seq
    )


def test_overlapping_periods_are_counted_once(case, clerk, today):
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 60), first_appearance_on=ago(today, 60)
    )
    excludable_period_add(
        case=case,
        kind=ExcludableKind.PRETRIAL_MOTION,
        starts_on=ago(today, 40),
        ends_on=ago(today, 31),
        by=clerk,
    )
    excludable_period_add(
        case=case,
        kind=ExcludableKind.ENDS_OF_JUSTICE,
        starts_on=ago(today, 35),
        ends_on=ago(today, 21),
        reason="Complex case: voluminous discovery (3161(h)(7)(B)(ii)).",
        by=clerk,
    )

    result = speedy_trial_get(case, today).result

    assert result.days_excluded == 20  # 40..21 days ago, not 10 + 15
    assert result.days_used == 40


def test_ends_of_justice_needs_the_courts_reasons(case, clerk, today):
    with pytest.raises(DomainError) as refused:
        excludable_period_add(
            case=case,
            kind=ExcludableKind.ENDS_OF_JUSTICE,
            starts_on=ago(today, 3),
            reason="   ",
            by=clerk,
        )

    assert (refused.value.code, refused.value.field) == ("EXCLUDABLE_REASONS_REQUIRED", "reason")
    assert not ExcludablePeriod.objects.exists()


def test_a_period_ending_before_it_starts_is_refused(case, clerk, today):
    with pytest.raises(DomainError) as refused:
        excludable_period_add(
            case=case,
            kind=ExcludableKind.COMPETENCY,
            starts_on=ago(today, 3),
            ends_on=ago(today, 4),
            by=clerk,
        )
    assert refused.value.code == "EXCLUDABLE_ENDS_BEFORE_START"

    period = excludable_period_add(
        case=case, kind=ExcludableKind.COMPETENCY, starts_on=ago(today, 3), by=clerk
    )
    with pytest.raises(DomainError) as refused:
        excludable_period_end(period=period, ends_on=ago(today, 4), by=clerk)
    assert (refused.value.code, refused.value.field) == ("EXCLUDABLE_ENDS_BEFORE_START", "ends_on")


def test_ending_a_period_twice_or_in_the_future_is_refused(case, clerk, today):
    period = excludable_period_add(
        case=case, kind=ExcludableKind.COMPETENCY, starts_on=ago(today, 3), by=clerk
    )
    with pytest.raises(DomainError) as refused:
        excludable_period_end(period=period, ends_on=today + dt.timedelta(days=1), by=clerk)
    assert refused.value.code == "DATE_IN_FUTURE"

    excludable_period_end(period=period, ends_on=today, by=clerk)
    with pytest.raises(DomainError) as refused:
        excludable_period_end(period=period, ends_on=today, by=clerk)
    assert (refused.value.code, refused.value.status) == ("EXCLUDABLE_ALREADY_ENDED", 409)


def test_an_unknown_kind_and_another_cases_entry_are_refused(case, cr_type, clerk, today):
    with pytest.raises(DomainError) as refused:
        excludable_period_add(case=case, kind="vacation", starts_on=ago(today, 3), by=clerk)
    assert refused.value.code == "EXCLUDABLE_KIND_UNKNOWN"

    other = open_case(case_type=cr_type, opened_by=clerk)
    entry = other.docket_entries.first()
    with pytest.raises(DomainError) as refused:
        excludable_period_add(
            case=case,
            kind=ExcludableKind.PRETRIAL_MOTION,
            starts_on=ago(today, 3),
            docket_entry=entry,
            by=clerk,
        )
    assert refused.value.code == "DOCKET_ENTRY_OTHER_CASE"


def test_an_attorney_cannot_record_a_period(case, attorney, today):
    with pytest.raises(DomainError) as refused:
        excludable_period_add(
            case=case, kind=ExcludableKind.PRETRIAL_MOTION, starts_on=ago(today, 3), by=attorney
        )

    assert refused.value.status == 403


# --- the selector ---------------------------------------------------------------------------


def test_the_clock_of_a_case_reads_in_one_query(case, clerk, today, django_assert_max_num_queries):
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 40), first_appearance_on=ago(today, 40)
    )
    for n in range(5):
        excludable_period_add(
            case=case,
            kind=ExcludableKind.PRETRIAL_MOTION,
            starts_on=ago(today, 30 - n),
            ends_on=ago(today, 20 - n),
            by=clerk,
        )
    case.court.refresh_from_db()

    with django_assert_max_num_queries(1):
        st = speedy_trial_get(case, today)

    assert len(st.periods) == 5 and st.result.days_excluded == 15
    assert st.periods[0].get_kind_display() == "Pretrial motion pending (3161(h)(1)(D))"


def test_the_courts_settings_apply(case, clerk, court_a, today):
    SpeedyTrialSettings.objects.create(
        court=court_a, trial_days=90, citation="Fla. R. Crim. P. 3.191"
    )
    speedy_trial_clock_set(
        case=case, by=clerk, indictment_on=ago(today, 40), first_appearance_on=ago(today, 40)
    )

    result = speedy_trial_get(case, today).result

    assert result.days_remaining == 50 and result.citation == "Fla. R. Crim. P. 3.191"


# --- the nightly monitor's SQL, against the engine ------------------------------------------


TODAY = dt.date(2026, 3, 1)


def _clock(case, **dates):
    return SpeedyTrialClock.objects.create(case=case, **{k: _d(v) for k, v in dates.items()})


def _d(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _period(case, clerk, kind, starts, ends=None):
    return ExcludablePeriod.objects.create(
        case=case,
        kind=kind,
        starts_on=_d(starts),
        ends_on=_d(ends),
        reason="Reasons set forth on the record." if kind == "ends_of_justice" else "",
        recorded_by=clerk,
    )


# Each row: the clock's dates and its periods, as of TODAY (2026-03-01).
AT_RISK_TABLE = [
    ("no exclusions", {"indictment_on": "2026-01-05", "first_appearance_on": "2026-01-09"}, []),
    (
        "overlapping periods",
        {"indictment_on": "2026-01-05", "first_appearance_on": "2026-01-09"},
        [
            ("pretrial_motion", "2026-02-01", "2026-02-10"),
            ("ends_of_justice", "2026-02-05", "2026-02-20"),
        ],
    ),
    (
        "an open period covering today",
        {"indictment_on": "2025-12-20", "first_appearance_on": "2025-12-22"},
        [("pretrial_motion", "2026-02-20", None)],
    ),
    (
        "an open period not begun",
        {"indictment_on": "2025-12-20", "first_appearance_on": "2025-12-22"},
        [("pretrial_motion", "2026-03-05", None)],
    ),
    (
        "a continuance ordered ahead",
        {"indictment_on": "2025-12-20", "first_appearance_on": "2025-12-22"},
        [("ends_of_justice", "2026-02-25", "2026-03-20")],
    ),
    (
        "under advisement capped",
        {"indictment_on": "2025-12-01", "first_appearance_on": "2025-12-01"},
        [
            ("under_advisement", "2025-12-10", "2026-02-20"),
            ("competency", "2026-01-01", "2026-01-05"),
        ],
    ),
    (
        "a period before the clock",
        {"indictment_on": "2026-01-05", "first_appearance_on": "2026-01-09"},
        [("transfer", "2026-01-01", "2026-01-12")],
    ),
    ("expired", {"indictment_on": "2025-11-01", "first_appearance_on": "2025-11-02"}, []),
    (
        "not begun to run",
        {"indictment_on": "2026-03-01", "first_appearance_on": "2026-03-01"},
        [("pretrial_motion", "2026-02-25", None)],
    ),
    # Not running: no first appearance, or trial begun.
    ("no first appearance", {"indictment_on": "2025-11-01"}, []),
    (
        "trial begun",
        {
            "indictment_on": "2025-11-01",
            "first_appearance_on": "2025-11-02",
            "trial_started_on": "2026-01-05",
        },
        [],
    ),
]


@pytest.fixture
def table_cases(cr_type, clerk):
    cases = {}
    for name, dates, periods in AT_RISK_TABLE:
        case = open_case(case_type=cr_type, opened_by=clerk)
        _clock(case, **dates)
        for kind, starts, ends in periods:
            _period(case, clerk, kind, starts, ends)
        cases[name] = case
    return cases


def _engine(case):
    return speedy_trial_get(case, TODAY).result


def test_at_risk_sql_agrees_with_the_engine(table_cases):
    # When every running clock is asked for (a threshold no clock is above)
    rows = {r.case_id: r for r in speedy_trial_at_risk(today=TODAY, threshold_days=10_000)}

    # Then each running or expired clock is there with the engine's numbers
    for name, case in table_cases.items():
        result = _engine(case)
        if result.status in ("running", "expired"):
            row = rows[case.pk]
            assert (row.days_remaining, row.trial_by, row.paused) == (
                result.days_remaining,
                result.trial_due,
                result.paused,
            ), name
        else:
            assert case.pk not in rows, name


def test_at_risk_uses_each_courts_threshold(table_cases, court_a):
    # Given the court alerts under 14 days (the default)
    # When the monitor asks with the court's own threshold
    rows = speedy_trial_at_risk(today=TODAY)

    # Then exactly the clocks the engine would alert on are listed, fewest days first
    expected = {c.pk for c in table_cases.values() if _engine(c).alert}
    assert {r.case_id for r in rows} == expected and expected
    assert [r.days_remaining for r in rows] == sorted(r.days_remaining for r in rows)
    # and a court that alerts earlier gets more
    SpeedyTrialSettings.objects.create(court=court_a, alert_days_remaining=60)
    assert len(speedy_trial_at_risk(today=TODAY)) > len(rows)


def test_at_risk_leaves_out_other_courts_and_disposed_cases(table_cases, court_a, court_b):
    expired = table_cases["expired"]

    assert speedy_trial_at_risk(today=TODAY, court_ids=[court_b.pk]) == []
    assert expired.pk in {r.case_id for r in speedy_trial_at_risk(today=TODAY)}
    expired.status = CaseStatus.DISPOSED
    expired.save(update_fields=["status"])
    assert expired.pk not in {r.case_id for r in speedy_trial_at_risk(today=TODAY)}


def test_at_risk_agrees_with_the_engine_on_random_clocks(cr_type, clerk):
    # Thirty clocks with up to five periods each, any overlaps, some open.
    rng = random.Random(3161)
    kinds = ["pretrial_motion", "ends_of_justice", "under_advisement", "competency"]
    cases = []
    for _ in range(30):
        case = open_case(case_type=cr_type, opened_by=clerk)
        indicted = TODAY - dt.timedelta(days=rng.randint(0, 150))
        appeared = indicted + dt.timedelta(days=rng.randint(-10, 10))
        _clock(case, indictment_on=indicted, first_appearance_on=appeared)
        for _ in range(rng.randint(0, 5)):
            starts = TODAY - dt.timedelta(days=rng.randint(-20, 160))
            ends = None if rng.random() < 0.25 else starts + dt.timedelta(days=rng.randint(0, 50))
            _period(case, clerk, rng.choice(kinds), starts, ends)
        cases.append(case)

    rows = {r.case_id: r for r in speedy_trial_at_risk(today=TODAY, threshold_days=10_000)}

    for case in cases:
        result = _engine(case)
        row = rows[case.pk]
        assert (row.days_remaining, row.trial_by, row.paused) == (
            result.days_remaining,
            result.trial_due,
            result.paused,
        )


@pytest.mark.parametrize(
    ("trial_days", "alert_days", "threshold_days"),
    [(None, None, None), (60, 30, None), (70, 14, 45), (20, 25, None)],
)
def test_at_risk_lists_exactly_the_clocks_under_the_threshold(
    cr_type, clerk, court_a, trial_days, alert_days, threshold_days
):
    # The SQL reads only the clocks that have run long enough to be under the threshold
    # (excluded days only add to the days remaining): it must still list every clock
    # the engine puts under it, with their periods, whatever the court's limits (a
    # threshold above the limit too), and nothing else.
    if trial_days is not None:
        SpeedyTrialSettings.objects.create(
            court=court_a, trial_days=trial_days, alert_days_remaining=alert_days
        )
    rng = random.Random(7 + (trial_days or 0))
    kinds = ["pretrial_motion", "ends_of_justice", "under_advisement"]
    cases = []
    for _ in range(40):
        case = open_case(case_type=cr_type, opened_by=clerk)
        indicted = TODAY - dt.timedelta(days=rng.randint(-5, 120))
        appeared = indicted + dt.timedelta(days=rng.randint(-10, 10))
        _clock(case, indictment_on=indicted, first_appearance_on=appeared)
        for _ in range(rng.choice([0, 0, 1, 3])):
            starts = TODAY - dt.timedelta(days=rng.randint(-20, 130))
            ends = None if rng.random() < 0.25 else starts + dt.timedelta(days=rng.randint(0, 40))
            _period(case, clerk, rng.choice(kinds), starts, ends)
        cases.append(case)

    rows = {r.case_id: r for r in speedy_trial_at_risk(today=TODAY, threshold_days=threshold_days)}

    threshold = threshold_days or alert_days or 14
    expected = {}
    for case in cases:
        result = _engine(case)
        if result.status in ("running", "expired") and result.days_remaining < threshold:
            expected[case.pk] = (result.days_remaining, result.trial_due, result.paused)
    # some at risk, some not (all of them when the threshold is above the limit)
    assert expected and (len(expected) < len(cases)) == (threshold < (trial_days or 70))
    assert {pk: (r.days_remaining, r.trial_by, r.paused) for pk, r in rows.items()} == expected
