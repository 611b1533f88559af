"""Each court's legal holidays, from the `holidays` package, as data on the Court."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays as holidays_lib

from .models import Court


@lru_cache(maxsize=256)
def _calendar(country: str, subdivision: str, years: tuple[int, ...]) -> dict[dt.date, str]:
    # observed=True: the day set aside for observing a holiday that falls on a
    # weekend (Friday or Monday) is itself a legal holiday (FRCP 6(a)(6)).
    calendar = holidays_lib.country_holidays(
        country, subdiv=subdivision or None, years=years, observed=True
    )
    days = dict(calendar)
    if "government" in calendar.supported_categories:
        # Days the President or Congress declare a holiday are legal holidays too (FRCP
        # 6(a)(6)(B)), e.g. Christmas Eve 2024; a half-day closing does not close the day.
        declared = holidays_lib.country_holidays(
            country, years=years, observed=True, categories=("government",)
        )
        for day, name in declared.items():
            if day not in days and "half" not in name.lower():
                days[day] = name
    return days


def court_legal_holidays(court: Court, first_year: int, last_year: int | None = None):
    """Legal holidays of the court's country and state for the given years (date -> name).

    Court-declared closures are separate (CourtClosure) because the deadline
    rules treat them differently (FRCP 6(a)(3) inaccessibility).
    """
    years = tuple(range(first_year, (last_year or first_year) + 1))
    return _calendar(court.holiday_country, court.holiday_subdivision, years)


def court_is_holiday(court: Court, day: dt.date) -> bool:
    return day in court_legal_holidays(court, day.year)
