"""The deadline engine (docket.deadlines), table by table from the rule text.

Pure: no database, no settings. The calendars are built by hand from what the
`holidays` package reports (tests/docket/test_deadline_calendar.py checks that the
real calendars agree: the observed Friday July 3, 2020, the observed Friday
December 31, 2021, ...).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docket.deadlines import (
    FRCP_RULES,
    MAX_DAYS,
    MAX_HOURS,
    SERVICE_METHODS,
    DeadlineInputError,
    DeadlineResult,
    FixedCalendar,
    RuleSet,
    compute_days,
    compute_hours,
)

D = dt.date.fromisoformat
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

# US federal legal holidays as observed (5 U.S.C. 6103; the `holidays` package with
# observed=True), for the years the tables use.
FEDERAL = {
    D("2020-07-03"): "Independence Day (observed)",  # July 4, 2020 was a Saturday
    D("2020-07-04"): "Independence Day",
    D("2021-12-24"): "Christmas Day (observed)",
    D("2021-12-25"): "Christmas Day",
    D("2021-12-31"): "New Year's Day (observed)",  # January 1, 2022 was a Saturday
    D("2022-01-01"): "New Year's Day",
    D("2022-01-17"): "Martin Luther King Jr. Day",
    D("2025-01-01"): "New Year's Day",
    D("2025-01-20"): "Martin Luther King Jr. Day",
    D("2025-02-17"): "Washington's Birthday",
    D("2025-05-26"): "Memorial Day",
    D("2025-06-19"): "Juneteenth National Independence Day",
    D("2025-07-04"): "Independence Day",
    D("2025-09-01"): "Labor Day",
    D("2025-10-13"): "Columbus Day",
    D("2025-11-11"): "Veterans Day",
    D("2025-11-27"): "Thanksgiving Day",
    D("2025-12-25"): "Christmas Day",
}
STATE = {D("2025-03-31"): "Cesar Chavez Day"}  # a Monday; a state holiday, not a federal one
CLOSURES = {
    D("2025-02-19"): "Snow emergency",  # a Wednesday
    D("2025-02-21"): "Water main break",  # a Friday
}

FEDERAL_ONLY = FixedCalendar(federal_holidays=FEDERAL)
WITH_STATE = FixedCalendar(federal_holidays=FEDERAL, state_holidays=STATE)
WITH_CLOSURES = FixedCalendar(federal_holidays=FEDERAL, closures=CLOSURES)

COURT_DAYS = replace(FRCP_RULES, count_court_days_only=True, name="Court days only")


def days(trigger, n, direction="after", service="personal", rules=FRCP_RULES, calendar=None):
    return compute_days(
        trigger=D(trigger),
        days=n,
        direction=direction,
        service=service,
        rules=rules,
        calendar=calendar or FEDERAL_ONLY,
    )


# --- FRCP 6(a)(1): exclude the trigger day, count every day, include the last day ----------
# 6(a)(1)(C): a last day on a Saturday, Sunday or legal holiday runs until the end of the
# next day that is none of those; 6(a)(5): "next day" is counted forward for a period
# measured after an event.


@pytest.mark.parametrize(
    "trigger, n, due, why",
    [
        ("2025-03-03", 21, "2025-03-24", "Monday: no roll"),
        ("2025-03-01", 21, "2025-03-24", "Saturday -> Monday"),
        ("2025-03-09", 14, "2025-03-24", "Sunday -> Monday"),
        ("2025-04-26", 30, "2025-05-27", "Memorial Day -> Tuesday"),
        ("2025-05-17", 7, "2025-05-27", "Saturday, Sunday, Memorial Day -> Tuesday"),
        ("2025-02-07", 10, "2025-02-18", "Monday Washington's Birthday -> Tuesday"),
        ("2025-12-24", 1, "2025-12-26", "Christmas Day -> Friday"),
        # 6(a)(6)(A): the day set aside for observing a holiday is a legal holiday.
        ("2020-06-23", 10, "2020-07-06", "Friday July 3 (observed), Saturday, Sunday"),
        # The year boundary: New Year's Day 2022 (a Saturday) was observed Friday Dec 31.
        ("2021-12-01", 30, "2022-01-03", "Friday Dec 31 (observed), Saturday, Sunday"),
        ("2021-12-23", 1, "2021-12-27", "Christmas observed Friday, Saturday, Sunday"),
        # Every day counts, the intermediate weekends and holidays included (6(a)(1)(B)).
        ("2025-05-23", 4, "2025-05-27", "a holiday weekend inside the period"),
        ("2025-05-22", 7, "2025-05-29", "a holiday inside the period changes nothing"),
    ],
)
def test_forward_periods_roll_forward_past_weekends_and_legal_holidays(trigger, n, due, why):
    # when
    result = days(trigger, n)
    # then
    assert result.due == D(due), why


@pytest.mark.parametrize(
    "trigger, n, due, why",
    [
        ("2025-04-11", 21, "2025-03-21", "Friday: no roll"),
        ("2025-03-28", 6, "2025-03-21", "Saturday -> back to Friday"),
        ("2025-03-24", 1, "2025-03-21", "Sunday -> back to Friday"),
        ("2025-06-02", 7, "2025-05-23", "Memorial Day, Sunday, Saturday -> back to Friday"),
        ("2022-01-04", 4, "2021-12-30", "New Year's Day observed Friday Dec 31 -> Thursday"),
        ("2022-01-05", 4, "2021-12-30", "Saturday Jan 1, Friday Dec 31 (observed) -> Thursday"),
        ("2020-07-10", 7, "2020-07-02", "Friday July 3 (observed) -> Thursday"),
    ],
)
def test_backward_periods_roll_backward_past_weekends_and_legal_holidays(trigger, n, due, why):
    # FRCP 6(a)(5): for a period measured before an event, the "next day" is the
    # previous one, so the deadline never moves closer to the event.
    result = days(trigger, n, direction="before")
    assert result.due == D(due), why


def test_the_steps_say_in_words_why_the_date_is_what_it_is():
    # given the issue's own example: 21 days after Saturday March 1, 2025, served by mail
    result = days("2025-03-01", 21, service="mail")
    # then
    assert result == DeadlineResult(
        due=D("2025-03-27"),
        steps=(
            "21 days after 2025-03-01 is Sat 2025-03-22",
            "Saturday -> Mon 2025-03-24 (FRCP 6(a)(1)(C))",
            "mail service +3 -> Thu 2025-03-27 (FRCP 6(d))",
        ),
        citations=("FRCP 6(a)(1)(C)", "FRCP 6(d)"),
    )


def test_a_roll_past_several_days_names_the_holidays_it_passes():
    result = days("2025-05-17", 7)
    assert result.steps == (
        "7 days after 2025-05-17 is Sat 2025-05-24",
        "Saturday, Memorial Day on Mon 2025-05-26 -> Tue 2025-05-27 (FRCP 6(a)(1)(C))",
    )


def test_a_period_that_ends_on_a_court_day_has_one_step_and_no_roll():
    result = days("2025-03-03", 1)
    assert result.steps == ("1 day after 2025-03-03 is Tue 2025-03-04",)
    assert result.citations == ()


def test_a_backward_roll_cites_the_rule_that_turns_it_around():
    result = days("2025-06-02", 7, direction="before")
    assert result.steps == (
        "7 days before 2025-06-02 is Mon 2025-05-26",
        "Memorial Day on Mon 2025-05-26 -> back to Fri 2025-05-23 (FRCP 6(a)(1)(C); FRCP 6(a)(5))",
    )
    assert result.citations == ("FRCP 6(a)(1)(C)", "FRCP 6(a)(5)")


# --- FRCP 6(d): mail, leaving with the clerk, consented means: +3 days AFTER the period ---
# would otherwise expire under 6(a) (so after rolling), and the third day rolls again.


@pytest.mark.parametrize(
    "trigger, n, service, due, why",
    [
        # Rolled Saturday -> Monday first, then +3: Thursday (not Tuesday, as +3 first would).
        ("2025-03-01", 21, "mail", "2025-03-27", "+3 after the roll"),
        ("2025-03-01", 21, "clerk", "2025-03-27", "leaving with the clerk adds 3 too"),
        ("2025-03-01", 21, "consent", "2025-03-27", "consented means add 3 too"),
        ("2025-03-01", 21, "electronic", "2025-03-24", "electronic service adds nothing"),
        ("2025-03-01", 21, "personal", "2025-03-24", "personal service adds nothing"),
        # +3 lands on a Saturday: roll again to Monday.
        ("2025-03-05", 21, "mail", "2025-03-31", "Wed +3 = Saturday -> Monday"),
        # +3 lands on Memorial Day: roll again to Tuesday.
        ("2025-05-09", 14, "mail", "2025-05-27", "Fri +3 = Memorial Day -> Tuesday"),
        # The year boundary again: +3 from Tue Dec 28, 2021 lands on Fri Dec 31 (observed).
        ("2021-12-14", 14, "mail", "2022-01-03", "+3 = Dec 31 observed -> Monday"),
    ],
)
def test_service_by_mail_adds_three_days_after_the_period_and_rolls_again(
    trigger, n, service, due, why
):
    result = days(trigger, n, service=service)
    assert result.due == D(due), why


def test_mail_steps_show_the_second_roll():
    result = days("2025-05-09", 14, service="mail")
    assert result.steps == (
        "14 days after 2025-05-09 is Fri 2025-05-23",
        "mail service +3 -> Mon 2025-05-26 (FRCP 6(d))",
        "Memorial Day on Mon 2025-05-26 -> Tue 2025-05-27 (FRCP 6(a)(1)(C))",
    )
    assert result.citations == ("FRCP 6(d)", "FRCP 6(a)(1)(C)")


def test_electronic_service_says_it_adds_nothing():
    result = days("2025-03-03", 14, service="electronic")
    assert result.steps[-1] == "electronic service adds no days (FRCP 6(d))"


def test_mail_service_adds_nothing_to_a_period_counted_before_an_event():
    # FRCP 6(d) extends the time to act "after being served"; a period counted back from
    # a hearing is not one, and the step says so rather than silently ignoring the method.
    result = days("2025-04-11", 21, direction="before", service="mail")
    assert result.due == D("2025-03-21")
    assert result.steps[-1] == (
        "mail service adds no days to a period counted before an event (FRCP 6(d))"
    )


def test_a_rule_set_may_add_other_days_for_other_methods():
    # given a state variant: 5 days for mail only
    rules = replace(
        FRCP_RULES,
        mail_extra_days=5,
        mail_extra_methods=("mail",),
        mail_citation="State R. 1.5",
        name="State",
    )
    # then mail adds 5 (Mon 03-24 + 5 = Sat 03-29 -> Mon 03-31), the clerk nothing
    assert days("2025-03-01", 21, service="mail", rules=rules).due == D("2025-03-31")
    assert days("2025-03-01", 21, service="clerk", rules=rules).due == D("2025-03-24")


# --- state holidays: legal holidays for forward-counted periods only (6(a)(6)(C)) ---------


@pytest.mark.parametrize(
    "state_holidays, trigger, n, direction, due",
    [
        ("forward", "2025-03-01", 30, "after", "2025-04-01"),  # rolls past Cesar Chavez Day
        ("forward", "2025-04-07", 7, "before", "2025-03-31"),  # ...but not backward
        ("always", "2025-04-07", 7, "before", "2025-03-28"),  # a rule set may say always
        ("never", "2025-03-01", 30, "after", "2025-03-31"),  # ...or never
    ],
)
def test_a_state_holiday_rolls_a_forward_deadline_but_not_a_backward_one(
    state_holidays, trigger, n, direction, due
):
    rules = replace(FRCP_RULES, state_holidays=state_holidays)
    result = days(trigger, n, direction=direction, rules=rules, calendar=WITH_STATE)
    assert result.due == D(due)


def test_a_state_holiday_is_named_as_one():
    result = days("2025-03-01", 30, calendar=WITH_STATE)
    assert result.steps[-1] == (
        "Cesar Chavez Day (state holiday) on Mon 2025-03-31 -> Tue 2025-04-01 (FRCP 6(a)(1)(C))"
    )


# --- a day the court declares closed: FRCP 6(a)(3)(A) inaccessibility ---------------------
# The time for filing is extended to the first accessible day that is not a Saturday,
# Sunday or legal holiday — forward, whichever way the period was counted.


@pytest.mark.parametrize(
    "trigger, n, direction, due, why",
    [
        ("2025-02-05", 14, "after", "2025-02-20", "closed Wednesday -> Thursday"),
        ("2025-02-05", 16, "after", "2025-02-24", "closed Friday, Saturday, Sunday -> Monday"),
        ("2025-02-26", 7, "before", "2025-02-20", "closed Wednesday -> extended to Thursday"),
        ("2025-03-01", 7, "before", "2025-02-24", "Saturday back to closed Friday -> Monday"),
    ],
)
def test_a_court_declared_closure_extends_the_time_to_the_next_accessible_day(
    trigger, n, direction, due, why
):
    result = days(trigger, n, direction=direction, calendar=WITH_CLOSURES)
    assert result.due == D(due), why


def test_a_closure_is_named_with_its_reason_and_rule():
    result = days("2025-02-05", 16, calendar=WITH_CLOSURES)
    assert result.steps[-1] == (
        "court closed on Fri 2025-02-21 (Water main break) -> Mon 2025-02-24 "
        "(FRCP 6(a)(1)(C); FRCP 6(a)(3))"
    )
    backward = days("2025-02-26", 7, direction="before", calendar=WITH_CLOSURES)
    assert backward.steps[-1] == (
        "court closed on Wed 2025-02-19 (Snow emergency) -> extended to Thu 2025-02-20 "
        "(FRCP 6(a)(3))"
    )


def test_a_rule_set_may_ignore_closures():
    rules = replace(FRCP_RULES, roll_court_closures=False)
    assert days("2025-02-05", 14, rules=rules, calendar=WITH_CLOSURES).due == D("2025-02-19")


# --- court-days-only rule sets: count only days that are not weekends, holidays, closures -


@pytest.mark.parametrize(
    "trigger, n, direction, calendar, due",
    [
        ("2025-05-21", 5, "after", FEDERAL_ONLY, "2025-05-29"),  # skips Sat, Sun, Memorial Day
        ("2025-05-29", 5, "before", FEDERAL_ONLY, "2025-05-21"),
        ("2025-02-18", 3, "after", WITH_CLOSURES, "2025-02-25"),  # skips both closures
        ("2025-03-27", 2, "after", WITH_STATE, "2025-04-01"),  # Fri, (Chavez Mon), Tue
        ("2025-04-02", 2, "before", WITH_STATE, "2025-03-31"),  # backward: Chavez counts
    ],
)
def test_court_days_only_rule_sets_count_only_court_days(trigger, n, direction, calendar, due):
    result = days(trigger, n, direction=direction, rules=COURT_DAYS, calendar=calendar)
    assert result.due == D(due)


def test_court_day_counting_says_what_it_skipped():
    result = days("2025-05-21", 5, rules=COURT_DAYS)
    assert result.steps == (
        "5 court days after 2025-05-21 is Thu 2025-05-29, not counting 2 weekend days "
        "and Memorial Day on Mon 2025-05-26 (FRCP 6(a)(1)(C))",
    )


def test_court_days_with_mail_add_three_calendar_days_then_roll():
    # Fri 05-23 is 2 court days after Wed 05-21; +3 = Mon 05-26 Memorial Day -> Tuesday
    result = days("2025-05-21", 2, service="mail", rules=COURT_DAYS)
    assert result.due == D("2025-05-27")


# --- FRCP 6(a)(2): periods in hours ---------------------------------------------------------
# Begin counting immediately, count every hour (weekends and holidays too), and a period
# that would end on a Saturday, Sunday or legal holiday continues to run until the same
# time on the next day that is none of those.


def at(day: str, hour: int, minute: int = 0, tz=NEW_YORK) -> dt.datetime:
    return dt.datetime.combine(D(day), dt.time(hour, minute), tzinfo=tz)


@pytest.mark.parametrize(
    "trigger, hours, due, why",
    [
        (at("2025-03-03", 9, 30), 48, at("2025-03-05", 9, 30), "Wednesday: no roll"),
        (at("2025-07-03", 10), 24, at("2025-07-07", 10), "Independence Day weekend -> Mon"),
        (at("2025-07-03", 10), 72, at("2025-07-07", 10), "ends Sunday -> Monday"),
        (at("2025-07-03", 10), 14, at("2025-07-07", 0), "ends 00:00 on the holiday -> Mon"),
        (at("2025-07-03", 10), 13, at("2025-07-03", 23), "ends Thursday 23:00"),
        (at("2020-07-02", 17), 24, at("2020-07-06", 17), "observed Friday July 3 -> Monday"),
        # Every hour counts, so 24 hours across the spring-forward change end at 13:00.
        (at("2025-03-08", 12), 24, at("2025-03-10", 13), "DST: 24 h is Sun 13:00 -> Mon"),
        (at("2025-03-06", 12), 24, at("2025-03-07", 12), "no DST involved"),
    ],
)
def test_periods_in_hours_count_every_hour_and_continue_past_days_off(trigger, hours, due, why):
    result = compute_hours(
        trigger=trigger, hours=hours, rules=FRCP_RULES, calendar=FEDERAL_ONLY, tz=NEW_YORK
    )
    assert result.due == due, why
    assert result.due.tzinfo is not None


def test_hour_periods_over_a_holiday_weekend_explain_themselves():
    result = compute_hours(
        trigger=at("2025-07-03", 10),
        hours=24,
        rules=FRCP_RULES,
        calendar=FEDERAL_ONLY,
        tz=NEW_YORK,
    )
    assert result.steps == (
        "24 hours after Thu 2025-07-03 10:00 EDT is Fri 2025-07-04 10:00 EDT",
        "Independence Day on Fri 2025-07-04 -> Mon 2025-07-07 10:00 EDT (FRCP 6(a)(2)(C))",
    )
    assert result.citations == ("FRCP 6(a)(2)(C)",)


def test_an_hour_period_ending_on_a_closure_continues_to_the_next_open_day():
    result = compute_hours(
        trigger=at("2025-02-18", 10),
        hours=24,
        rules=FRCP_RULES,
        calendar=WITH_CLOSURES,
        tz=NEW_YORK,
    )
    assert result.due == at("2025-02-20", 10)


def test_an_hour_trigger_in_another_zone_is_read_on_the_courts_clock():
    # 23:00 UTC on Thu July 3 is 19:00 in New York; +5 h = Fri 00:00 local: the holiday
    trigger = dt.datetime(2025, 7, 3, 23, 0, tzinfo=dt.UTC)
    result = compute_hours(
        trigger=trigger, hours=5, rules=FRCP_RULES, calendar=FEDERAL_ONLY, tz=NEW_YORK
    )
    assert result.due == at("2025-07-07", 0)


def test_an_hour_period_before_an_event_rolls_back_to_the_same_time():
    # 6(a)(5): "next day" is backward for a period measured before an event.
    result = compute_hours(
        trigger=at("2025-07-07", 10),
        hours=72,
        direction="before",
        rules=FRCP_RULES,
        calendar=FEDERAL_ONLY,
        tz=NEW_YORK,
    )
    assert result.due == at("2025-07-03", 10)
    assert result.steps[-1] == (
        "Independence Day on Fri 2025-07-04 -> back to Thu 2025-07-03 10:00 EDT "
        "(FRCP 6(a)(2)(C); FRCP 6(a)(5))"
    )


def test_an_hour_period_served_by_mail_gets_three_days_at_the_same_time():
    # 6(d): 3 days after the period would otherwise expire, then roll again.
    # Thu 10:00 + 24 h = Independence Day -> Mon 07-07 10:00; +3 days = Thu 07-10 10:00
    result = compute_hours(
        trigger=at("2025-07-03", 10),
        hours=24,
        service="mail",
        rules=FRCP_RULES,
        calendar=FEDERAL_ONLY,
        tz=NEW_YORK,
    )
    assert result.due == at("2025-07-10", 10)
    assert result.steps[-1] == "mail service +3 days -> Thu 2025-07-10 10:00 EDT (FRCP 6(d))"


def test_without_a_time_zone_an_hour_period_reads_the_triggers_own_clock():
    result = compute_hours(trigger=at("2025-07-03", 10), hours=24, calendar=FEDERAL_ONLY)
    assert result.due == at("2025-07-07", 10)


def test_no_service_method_means_personal_service():
    assert days("2025-03-01", 21, service=None).due == D("2025-03-24")


# --- refusals: zero, negative, huge, wrong kinds -------------------------------------------


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"days": 0}, "days", "PERIOD_NOT_POSITIVE"),
        ({"days": -3}, "days", "PERIOD_NOT_POSITIVE"),
        ({"days": MAX_DAYS + 1}, "days", "PERIOD_TOO_LONG"),
        ({"days": 10**9}, "days", "PERIOD_TOO_LONG"),
        ({"days": True}, "days", "PERIOD_NOT_A_NUMBER"),
        ({"days": 2.5}, "days", "PERIOD_NOT_A_NUMBER"),
        ({"direction": "sideways"}, "direction", "DIRECTION_UNKNOWN"),
        ({"service": "pigeon"}, "service", "SERVICE_UNKNOWN"),
        ({"trigger": dt.datetime(2025, 3, 1, 9, tzinfo=NEW_YORK)}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": "2025-03-01"}, "trigger", "TRIGGER_NOT_A_DATE"),
        ({"trigger": dt.date(1, 1, 1)}, "trigger", "TRIGGER_OUT_OF_RANGE"),
        ({"trigger": dt.date(9999, 12, 31)}, "trigger", "TRIGGER_OUT_OF_RANGE"),
    ],
)
def test_day_periods_refuse_bad_input(kwargs, field, code):
    values = {"trigger": D("2025-03-03"), "days": 10, "direction": "after", "service": "mail"}
    values.update(kwargs)
    with pytest.raises(DeadlineInputError) as refused:
        compute_days(**values, rules=FRCP_RULES, calendar=FEDERAL_ONLY)
    assert (refused.value.field, refused.value.code) == (field, code)


@pytest.mark.parametrize(
    "kwargs, field, code",
    [
        ({"hours": 0}, "hours", "PERIOD_NOT_POSITIVE"),
        ({"hours": -1}, "hours", "PERIOD_NOT_POSITIVE"),
        ({"hours": MAX_HOURS + 1}, "hours", "PERIOD_TOO_LONG"),
        ({"trigger": dt.datetime(2025, 3, 3, 9)}, "trigger", "TRIGGER_NOT_AWARE"),
        ({"trigger": D("2025-03-03")}, "trigger", "TRIGGER_NOT_A_DATETIME"),
        ({"direction": "later"}, "direction", "DIRECTION_UNKNOWN"),
        ({"service": "fax"}, "service", "SERVICE_UNKNOWN"),
    ],
)
def test_hour_periods_refuse_bad_input(kwargs, field, code):
    values = {"trigger": at("2025-03-03", 9), "hours": 10}
    values.update(kwargs)
    with pytest.raises(DeadlineInputError) as refused:
        compute_hours(**values, rules=FRCP_RULES, calendar=FEDERAL_ONLY, tz=NEW_YORK)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_the_largest_periods_are_computed():
    assert days("2025-03-03", MAX_DAYS).due > D("2035-01-01")
    assert days("2025-03-03", MAX_DAYS, rules=COURT_DAYS).due > D("2039-01-01")
    long = compute_hours(
        trigger=at("2025-03-03", 9),
        hours=MAX_HOURS,
        rules=FRCP_RULES,
        calendar=FEDERAL_ONLY,
        tz=NEW_YORK,
    )
    assert long.due.date() >= D("2026-03-03")


def test_a_calendar_with_no_court_day_in_sight_is_refused_not_looped_forever():
    closed = FixedCalendar(
        closures={D("2025-01-01") + dt.timedelta(days=i): "Closed" for i in range(800)}
    )
    with pytest.raises(DeadlineInputError) as refused:
        days("2025-01-01", 5, calendar=closed)
    assert refused.value.code == "NO_COURT_DAY"


def test_rule_sets_refuse_unknown_settings():
    with pytest.raises(ValueError):
        replace(FRCP_RULES, state_holidays="sometimes")
    with pytest.raises(ValueError):
        replace(FRCP_RULES, mail_extra_days=-1)


def test_the_service_methods_are_the_apis():
    assert SERVICE_METHODS == ("personal", "electronic", "mail", "clerk", "consent")
    assert RuleSet() == FRCP_RULES  # the defaults are FRCP 6


# --- properties over many dates -------------------------------------------------------------

triggers = st.dates(min_value=D("2020-01-01"), max_value=D("2026-12-31"))
periods = st.integers(min_value=1, max_value=400)
calendars = st.sampled_from([FEDERAL_ONLY, WITH_STATE, WITH_CLOSURES])


def is_day_off(day: dt.date, calendar: FixedCalendar, *, forward: bool) -> bool:
    return (
        day.weekday() >= 5
        or day in calendar.federal_holidays
        or day in calendar.closures
        or (forward and day in calendar.state_holidays)
    )


@settings(max_examples=300, deadline=None)
@given(trigger=triggers, n=periods, calendar=calendars)
def test_a_forward_deadline_is_the_first_court_day_on_or_after_the_last_day(trigger, n, calendar):
    result = compute_days(trigger=trigger, days=n, direction="after", calendar=calendar)
    last = trigger + dt.timedelta(days=n)
    assert result.due >= last
    assert not is_day_off(result.due, calendar, forward=True)
    day = last
    while day < result.due:
        assert is_day_off(day, calendar, forward=True)
        day += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(trigger=triggers, n=periods, calendar=st.sampled_from([FEDERAL_ONLY, WITH_STATE]))
def test_a_backward_deadline_is_the_last_court_day_on_or_before_the_last_day(trigger, n, calendar):
    result = compute_days(trigger=trigger, days=n, direction="before", calendar=calendar)
    last = trigger - dt.timedelta(days=n)
    assert result.due <= last
    assert not is_day_off(result.due, calendar, forward=False)
    day = last
    while day > result.due:
        assert is_day_off(day, calendar, forward=False)
        day -= dt.timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(trigger=triggers, n=periods)
def test_mail_service_ends_three_to_seven_days_after_personal_service(trigger, n):
    personal = compute_days(trigger=trigger, days=n, calendar=FEDERAL_ONLY)
    mail = compute_days(trigger=trigger, days=n, service="mail", calendar=FEDERAL_ONLY)
    assert 3 <= (mail.due - personal.due).days <= 7
    assert not is_day_off(mail.due, FEDERAL_ONLY, forward=True)
