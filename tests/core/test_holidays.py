"""Legal holidays per court: federal days as observed, plus the court's state."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from casemgmt.core.holidays import court_is_holiday, court_legal_holidays
from casemgmt.core.models import Court, validate_case_number_format


def test_observed_federal_holiday_counts(court_a):
    # Independence Day 2026 is a Saturday; it is observed Friday July 3 (5 U.S.C. 6103(b)).
    assert court_is_holiday(court_a, dt.date(2026, 7, 3))
    assert court_is_holiday(court_a, dt.date(2026, 7, 4))
    assert not court_is_holiday(court_a, dt.date(2026, 7, 6))


def test_state_holidays_differ_between_courts(court_a, court_b):
    # Florida keeps the Friday after Thanksgiving; Colorado's calendar has Cesar Chavez Day.
    friday_after_thanksgiving = dt.date(2026, 11, 27)
    assert court_is_holiday(court_a, friday_after_thanksgiving)
    assert any("Chavez" in name for name in court_legal_holidays(court_b, 2026).values())
    assert not any("Chavez" in name for name in court_legal_holidays(court_a, 2026).values())


def test_unknown_holiday_region_is_a_field_error(db):
    court = Court(code="x", name="X", holiday_country="US", holiday_subdivision="ZZ")
    with pytest.raises(ValidationError) as err:
        court.full_clean()
    assert "holiday_subdivision" in err.value.message_dict


@pytest.mark.parametrize(
    "fmt",
    [
        "{year}-{type}-{seq:06d}",
        "{county}-{year}-{type}-{seq:06d}",
        "{office}:{yy}-{type}-{seq:05d}",
    ],
)
def test_case_number_formats_from_real_courts_are_valid(fmt):
    validate_case_number_format(fmt)


@pytest.mark.parametrize("fmt", ["{year}-{type}", "{year}-{nope}-{seq}", "{year}-{seq"])
def test_bad_case_number_formats_are_refused(fmt):
    with pytest.raises(ValidationError):
        validate_case_number_format(fmt)


def test_a_day_the_president_declares_a_holiday_is_a_legal_holiday(db):
    # FRCP 6(a)(6)(B): "any day declared a holiday by the President or Congress".
    from tests.core.factories import CourtFactory

    court = CourtFactory(code="decl", holiday_subdivision="FL")

    assert court_is_holiday(court, dt.date(2024, 12, 24))  # Christmas Eve 2024, by order
    assert not court_is_holiday(court, dt.date(2024, 12, 23))
