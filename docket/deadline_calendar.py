"""The deadline engine's inputs, from data: a court's calendar and its rule set.

`docket.deadlines` is pure; this module reads what it needs:

- federal legal holidays as observed, from the `holidays` package (observed=True: the
  Friday before a Saturday holiday and the Monday after a Sunday one are the legal
  holidays, FRCP 6(a)(6)(A) — including New Year's Day observed on December 31 of the
  year before), plus the days the President declared federal holidays (the package's
  "government" category: Christmas Eve 2024, the national day of mourning on
  January 9, 2025, ...; 6(a)(6)(B)), half-day closings left out;
- the court's state holidays (`Court.holiday_subdivision`; legal holidays for
  forward-counted periods only under the default rule set, 6(a)(6)(C));
- the days the court declared itself closed (`casemgmt.core.models.CourtClosure`,
  6(a)(3));
- the court's rule set (`DeadlineRuleSet` rows; FRCP 6 when it has none).

Without a court, the federal calendar applies: US federal legal holidays as observed,
no state holidays, no closures, FRCP 6.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import holidays as holidays_lib
from django.utils import timezone

from casemgmt.core.models import Court, CourtClosure

from .deadlines import (
    FRCP_RULES,
    CourtCalendar,
    DeadlineResult,
    RuleSet,
    compute_days,
    compute_hours,
)
from .models import DeadlineRuleSet

FEDERAL_CALENDAR_NAME = "US federal legal holidays"


@lru_cache(maxsize=1024)
def _federal_year(country: str, year: int) -> Mapping[dt.date, str]:
    """The country's legal holidays of `year` as observed (date -> name)."""
    public = holidays_lib.country_holidays(country, years=year, observed=True)
    days = dict(public)
    if "government" in public.supported_categories:
        # 6(a)(6)(B): "any day declared a holiday by the President or Congress". A
        # half-day closing does not close the day.
        declared = holidays_lib.country_holidays(
            country, years=year, observed=True, categories=("government",)
        )
        for day, name in declared.items():
            if day not in days and "half" not in name.lower():
                days[day] = name
    return days


@lru_cache(maxsize=1024)
def _state_year(country: str, subdivision: str, year: int) -> Mapping[dt.date, str]:
    """The state's legal holidays of `year` as observed (the federal ones it keeps
    included: a state rule set may roll on state holidays alone)."""
    return dict(
        holidays_lib.country_holidays(country, subdiv=subdivision, years=year, observed=True)
    )


@dataclass(frozen=True)
class HolidayCalendar:
    """A `docket.deadlines.CourtCalendar` over the `holidays` package (any year, looked
    up as needed) and a court's declared closures (all of them, read once)."""

    country: str = "US"
    subdivision: str = ""
    closures: Mapping[dt.date, str] = field(default_factory=dict)
    name: str = FEDERAL_CALENDAR_NAME

    def federal_holiday(self, day: dt.date) -> str | None:
        return _federal_year(self.country, day.year).get(day)

    def state_holiday(self, day: dt.date) -> str | None:
        if not self.subdivision:
            return None
        return _state_year(self.country, self.subdivision, day.year).get(day)

    def closure(self, day: dt.date) -> str | None:
        return self.closures.get(day)


def federal_calendar() -> HolidayCalendar:
    """US federal legal holidays as observed; no state holidays, no closures."""
    return HolidayCalendar()


def court_calendar(court: Court) -> HolidayCalendar:
    """The court's calendar: its country's federal holidays, its state's holidays and
    every closure it declared (one query; a court declares few)."""
    closures = dict(CourtClosure.objects.filter(court=court).values_list("date", "reason"))
    return HolidayCalendar(
        country=court.holiday_country or "US",
        subdivision=court.holiday_subdivision,
        closures=closures,
        name=court.name,
    )


def _derived_citations(roll_citation: str) -> dict[str, str]:
    """The rules a roll backward, a closure and a period in hours cite, from the rule
    set's roll citation: FRCP 6(a)(1)(C) -> 6(a)(5), 6(a)(3), 6(a)(2)(C); the same for
    Fed. R. Crim. P. 45(a). Another rule set cites its own roll rule for all three."""
    for prefix in ("FRCP 6(a)", "Fed. R. Crim. P. 45(a)"):
        if roll_citation.startswith(f"{prefix}(1)(C)"):
            return {
                "backward_citation": f"{prefix}(5)",
                "closure_citation": f"{prefix}(3)",
                "hours_citation": f"{prefix}(2)(C)",
            }
    return {
        "backward_citation": roll_citation,
        "closure_citation": roll_citation,
        "hours_citation": roll_citation,
    }


def rule_set_from_row(row: DeadlineRuleSet) -> RuleSet:
    """A `DeadlineRuleSet` row as the engine's `RuleSet`."""
    return RuleSet(
        count_court_days_only=row.count_court_days_only,
        roll_weekends=row.roll_weekends,
        roll_federal_holidays=row.roll_federal_holidays,
        state_holidays=row.state_holidays,
        roll_court_closures=row.roll_court_closures,
        mail_extra_days=row.mail_extra_days,
        mail_extra_methods=tuple(row.mail_extra_methods or ()),
        roll_citation=row.roll_citation,
        mail_citation=row.mail_citation,
        name=row.name,
        **_derived_citations(row.roll_citation),
    )


def court_rule_set_row(court: Court) -> DeadlineRuleSet | None:
    """The court's default rule set, else the default shared by every court, else None."""
    return (
        DeadlineRuleSet.objects.filter(court=court, is_default=True).first()
        or DeadlineRuleSet.objects.filter(court__isnull=True, is_default=True).first()
    )


def engine_for(
    *, court: Court | None, rule_set: DeadlineRuleSet | None = None
) -> tuple[RuleSet, CourtCalendar]:
    """What the engine counts with in `court`: the rule set given (else the court's
    default, else FRCP 6) and the court's calendar. Without a court: FRCP 6 (or the rule
    set given) and the federal calendar."""
    if court is None:
        rules = rule_set_from_row(rule_set) if rule_set is not None else FRCP_RULES
        return rules, federal_calendar()
    row = rule_set if rule_set is not None else court_rule_set_row(court)
    rules = rule_set_from_row(row) if row is not None else FRCP_RULES
    return rules, court_calendar(court)


def clock_of(court: Court | None) -> zoneinfo.ZoneInfo | dt.tzinfo:
    """The clock periods in hours are read on: the court's, else the installation's."""
    return court.tzinfo if court is not None else timezone.get_default_timezone()


@dataclass(frozen=True)
class Computation:
    """A computed deadline with what it was computed under."""

    result: DeadlineResult
    rules: RuleSet
    calendar_name: str
    court: Court | None
    time_zone: str | None  # periods in hours only


def deadline_compute_public(
    *,
    court: Court | None,
    trigger: dt.date | dt.datetime,
    days: int | None = None,
    hours: int | None = None,
    direction: str = "after",
    service: str = "personal",
) -> Computation:
    """The calculator's computation (API `deadlines/compute/` and the calculator page):
    a period in days from a date, or in hours from a datetime (a naive one is read on the
    court's clock, else the installation's), under the court's default rule set and
    calendar, or FRCP 6 and the federal calendar without a court.

    Raises:
        DeadlineInputError: what the engine refuses (its `field` and `code`).
    """
    rules, calendar = engine_for(court=court)
    calendar_name = getattr(calendar, "name", "") or FEDERAL_CALENDAR_NAME
    if hours is not None:
        tz = clock_of(court)
        if isinstance(trigger, dt.datetime) and timezone.is_naive(trigger):
            trigger = timezone.make_aware(trigger, tz)
        result = compute_hours(
            trigger=trigger,
            hours=hours,
            direction=direction,
            service=service,
            rules=rules,
            calendar=calendar,
            tz=tz,
        )
        return Computation(result, rules, calendar_name, court, str(tz))
    result = compute_days(
        trigger=trigger,
        days=days,
        direction=direction,
        service=service,
        rules=rules,
        calendar=calendar,
    )
    return Computation(result, rules, calendar_name, court, None)
