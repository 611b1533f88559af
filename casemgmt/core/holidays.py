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
    return dict(calendar)


def court_legal_holidays(court: Court, first_year: int, last_year: int | None = None):
    """Legal holidays of the court's country and state for the given years (date -> name).

    Court-declared closures are separate (CourtClosure) because the deadline
    rules treat them differently (FRCP 6(a)(3) inaccessibility).
    """
    years = tuple(range(first_year, (last_year or first_year) + 1))
    return _calendar(court.holiday_country, court.holiday_subdivision, years)


def court_is_holiday(court: Court, day: dt.date) -> bool:
    return day in court_legal_holidays(court, day.year)
