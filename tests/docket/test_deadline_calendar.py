"""The engine's calendars and rule sets from data (docket.deadline_calendar): federal
holidays as the `holidays` package observes them, a court's state holidays and declared
closures, and rule-set rows."""

from __future__ import annotations

import datetime as dt

import pytest

from casemgmt.core.models import CourtClosure
from docket.deadline_calendar import (
    court_calendar,
    deadline_compute_public,
    engine_for,
    federal_calendar,
    rule_set_from_row,
)
from docket.deadlines import FRCP_RULES, DeadlineInputError, compute_days
from docket.models import DeadlineRuleSet
from tests.core.factories import CourtFactory

D = dt.date.fromisoformat


# --- the federal calendar: US federal legal holidays as observed (FRCP 6(a)(6)(A), (B)) ---


@pytest.mark.parametrize(
    "day, name",
    [
        # July 4, 2020 was a Saturday: observed Friday July 3.
        ("2020-07-03", "Independence Day (observed)"),
        # January 1, 2022 was a Saturday: observed Friday December 31, 2021, a day of the
        # year before, which the package reports with 2021's holidays.
        ("2021-12-31", "New Year's Day (observed)"),
        ("2027-12-31", "New Year's Day (observed)"),  # January 1, 2028 is a Saturday
        ("2022-12-26", "Christmas Day (observed)"),  # Christmas 2022 was a Sunday: Monday
        ("2022-06-20", "Juneteenth National Independence Day (observed)"),
        ("2021-07-05", "Independence Day (observed)"),  # July 4, 2021 was a Sunday
        ("2025-05-26", "Memorial Day"),
        # 6(a)(6)(B): days declared a holiday by the President.
        ("2024-12-24", "Christmas Eve"),
        ("2025-01-09", "National Day of Mourning for former President Jimmy Carter"),
    ],
)
def test_the_federal_calendar_has_the_observed_and_declared_holidays(day, name):
    assert federal_calendar().federal_holiday(D(day)) == name


@pytest.mark.parametrize(
    "day",
    [
        "2025-03-31",  # Cesar Chavez Day: a state holiday only
        "2025-11-28",  # the Friday after Thanksgiving: state, not federal
        "2015-12-24",  # a half-day closing is not a holiday
    ],
)
def test_the_federal_calendar_has_no_other_days(day):
    calendar = federal_calendar()
    assert calendar.federal_holiday(D(day)) is None
    assert calendar.state_holiday(D(day)) is None
    assert calendar.closure(D(day)) is None


def test_the_year_boundary_where_new_years_day_is_observed_on_december_31():
    # 30 days after Dec 1, 2021 is Friday Dec 31, New Year's Day 2022 observed
    # (FRCP 6(a)(6)(A)): on to Monday January 3, 2022 (FRCP 6(a)(1)(C)).
    result = compute_days(trigger=D("2021-12-01"), days=30, calendar=federal_calendar())
    assert result.due == D("2022-01-03")
    assert result.steps == (
        "30 days after 2021-12-01 is Fri 2021-12-31",
        "New Year's Day (observed) on Fri 2021-12-31 -> Mon 2022-01-03 (FRCP 6(a)(1)(C))",
    )
    # Counted back from Tuesday Jan 4, 2022: back past the observed day to Thursday.
    back = compute_days(
        trigger=D("2022-01-04"), days=4, direction="before", calendar=federal_calendar()
    )
    assert back.due == D("2021-12-30")


def test_july_4_on_a_saturday_is_observed_on_friday():
    result = compute_days(trigger=D("2020-06-23"), days=10, calendar=federal_calendar())
    assert result.due == D("2020-07-06")
    assert result.steps[-1] == (
        "Independence Day (observed) on Fri 2020-07-03 -> Mon 2020-07-06 (FRCP 6(a)(1)(C))"
    )


def test_a_presidential_holiday_rolls_a_deadline():
    # Christmas Eve 2024, closed by executive order; then Christmas Day.
    result = compute_days(trigger=D("2024-12-10"), days=14, calendar=federal_calendar())
    assert result.due == D("2024-12-26")


# --- a court's calendar: state holidays and declared closures -----------------------------


@pytest.mark.django_db
def test_a_courts_state_holidays_roll_forward_deadlines_only(court_b):
    # given Bravo District Court in Colorado: Cesar Chavez Day, Monday March 31, 2025
    rules, calendar = engine_for(court=court_b)
    assert calendar.state_holiday(D("2025-03-31")) == "Cesar Chavez Day"
    # when a period ends on it
    forward = compute_days(trigger=D("2025-03-01"), days=30, rules=rules, calendar=calendar)
    backward = compute_days(
        trigger=D("2025-04-07"), days=7, direction="before", rules=rules, calendar=calendar
    )
    # then the forward deadline rolls (FRCP 6(a)(6)(C)), the backward one does not
    assert forward.due == D("2025-04-01")
    assert backward.due == D("2025-03-31")


@pytest.mark.django_db
def test_a_federal_holiday_the_state_does_not_keep_is_still_a_legal_holiday(court_b):
    # Colorado does not keep Columbus Day; the federal calendar does (6(a)(6)(A)).
    _, calendar = engine_for(court=court_b)
    assert calendar.state_holiday(D("2025-10-13")) is None
    assert calendar.federal_holiday(D("2025-10-13")) == "Columbus Day"


@pytest.mark.django_db
def test_a_court_declared_closure_extends_that_courts_deadlines_only(court_a, court_b, clerk):
    # given court A declared Wednesday Feb 19, 2025 closed
    CourtClosure.objects.create(
        court=court_a, date=D("2025-02-19"), reason="Snow emergency", declared_by=clerk
    )
    # when a 14-day period from Feb 5 ends that day
    rules_a, calendar_a = engine_for(court=court_a)
    rules_b, calendar_b = engine_for(court=court_b)
    in_a = compute_days(trigger=D("2025-02-05"), days=14, rules=rules_a, calendar=calendar_a)
    in_b = compute_days(trigger=D("2025-02-05"), days=14, rules=rules_b, calendar=calendar_b)
    # then it extends to Thursday in court A (FRCP 6(a)(3)), not in court B
    assert in_a.due == D("2025-02-20")
    assert in_a.steps[-1] == (
        "court closed on Wed 2025-02-19 (Snow emergency) -> Thu 2025-02-20 (FRCP 6(a)(3))"
    )
    assert in_b.due == D("2025-02-19")


@pytest.mark.django_db
def test_the_court_calendar_reads_closures_once(court_a, django_assert_num_queries):
    CourtClosure.objects.create(court=court_a, date=D("2025-02-19"), reason="Snow")
    with django_assert_num_queries(1):
        calendar = court_calendar(court_a)
        compute_days(trigger=D("2025-01-01"), days=3000, calendar=calendar)


# --- rule sets as data ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_court_without_a_rule_set_row_counts_by_frcp_6(court_a):
    DeadlineRuleSet.objects.filter(court=court_a).delete()
    DeadlineRuleSet.objects.filter(court__isnull=True).delete()
    rules, _ = engine_for(court=court_a)
    assert rules == FRCP_RULES


@pytest.mark.django_db
def test_the_courts_default_rule_set_row_is_the_engines_rule_set(court_a):
    # given court A counts court days only, by its own rule (data, no code)
    DeadlineRuleSet.objects.filter(court=court_a).update(is_default=False)
    DeadlineRuleSet.objects.create(
        court=court_a,
        code="local-court-days",
        name="Local rule 6.1 (court days)",
        count_court_days_only=True,
        state_holidays="always",
        mail_extra_days=5,
        mail_extra_methods=["mail"],
        roll_citation="L.R. 6.1(a)",
        mail_citation="L.R. 6.1(d)",
        is_default=True,
    )
    # when
    rules, calendar = engine_for(court=court_a)
    result = compute_days(
        trigger=D("2025-05-21"), days=5, service="mail", rules=rules, calendar=calendar
    )
    # then 5 court days (past Memorial Day) is Thu 05-29, +5 = Tue 06-03
    assert rules.name == "Local rule 6.1 (court days)"
    assert rules.count_court_days_only and rules.mail_extra_methods == ("mail",)
    assert rules.backward_citation == "L.R. 6.1(a)"
    assert result.due == D("2025-06-03")
    assert result.citations == ("L.R. 6.1(a)", "L.R. 6.1(d)")


@pytest.mark.django_db
def test_an_frcp_rule_set_row_cites_the_frcp_for_every_step(court_a):
    row = DeadlineRuleSet(
        code="x", name="FRCP", roll_citation="FRCP 6(a)(1)(C)", mail_citation="FRCP 6(d)"
    )
    rules = rule_set_from_row(row)
    assert (rules.backward_citation, rules.closure_citation, rules.hours_citation) == (
        "FRCP 6(a)(5)",
        "FRCP 6(a)(3)",
        "FRCP 6(a)(2)(C)",
    )
    crim = rule_set_from_row(
        DeadlineRuleSet(code="y", name="Crim", roll_citation="Fed. R. Crim. P. 45(a)(1)(C)")
    )
    assert crim.backward_citation == "Fed. R. Crim. P. 45(a)(5)"


@pytest.mark.django_db
def test_an_explicit_rule_set_wins_over_the_courts_default(court_a):
    row = DeadlineRuleSet.objects.create(
        court=court_a, code="never-state", name="No state holidays", state_holidays="never"
    )
    rules, _ = engine_for(court=court_a, rule_set=row)
    assert rules.state_holidays == "never"
    assert rules.mail_extra_methods == ()


# --- the calculator's computation ----------------------------------------------------------


@pytest.mark.django_db
def test_without_a_court_the_federal_calendar_and_frcp_6_apply(court_a):
    # given court A declared a closure; the federal calendar knows nothing of it
    CourtClosure.objects.create(court=court_a, date=D("2025-02-19"), reason="Snow")
    computed = deadline_compute_public(court=None, trigger=D("2025-02-05"), days=14)
    assert computed.result.due == D("2025-02-19")
    assert computed.rules == FRCP_RULES
    assert computed.calendar_name == "US federal legal holidays"


@pytest.mark.django_db
def test_a_naive_hour_trigger_is_read_on_the_courts_clock():
    court = CourtFactory(code="denver", time_zone="America/Denver", holiday_subdivision="CO")
    computed = deadline_compute_public(
        court=court, trigger=dt.datetime(2025, 7, 3, 10, 0), hours=24
    )
    assert computed.result.due.isoformat() == "2025-07-07T10:00:00-06:00"
    assert computed.time_zone == "America/Denver"


@pytest.mark.django_db
def test_the_calculator_passes_the_engines_refusals_on():
    with pytest.raises(DeadlineInputError) as refused:
        deadline_compute_public(court=None, trigger=D("2025-02-05"), days=0)
    assert refused.value.field == "days"
