"""CourTools measures 2, 3 and 4 against a hand-built caseload, figures worked out by hand.

NCSC CourTools (Trial Court Performance Measures) and the NCSC State Court Guide to
Statistical Reporting:
- Measure 2, clearance rate: outgoing cases / incoming cases in the period. Incoming: new
  filings, reopened cases, reactivated cases. Outgoing: entries of judgment (dispositions,
  reopened ones included) and cases placed in inactive status. A case disposed while
  inactive left the pending caseload when it went inactive: its disposition is not counted
  again.
- Measure 3, time to disposition: the share of cases disposed in the period within the
  time standards; time runs from filing (or reopening) to disposition, less time inactive.
- Measure 4, age of active pending caseload: days from filing (or reopening) to the as-of
  date, less time inactive, for cases pending and not inactive on that date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases.measures import (
    MeasureScope,
    case_age_pending,
    clearance_changes,
    clearance_rate,
    time_to_disposition,
)
from cases.models import CaseStatus, CaseStatusChange
from cases.services import case_transition
from tests.cases.factories import CaseTypeFactory, open_case

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))


@pytest.fixture
def cr(court_a):
    return CaseTypeFactory(court=court_a, code="CR")


@pytest.fixture
def caseload(cr, clerk, court_b, make_user):
    """Cases A-J of court A (and one of court B) with their histories."""

    def case(filed, *steps, case_type=cr, by=clerk):
        made = open_case(case_type=case_type, opened_by=by, filed_on=filed)
        for to, on in steps:
            kwargs = {"inactive_reason": "stayed"} if to == CaseStatus.INACTIVE else {}
            if to == CaseStatus.REOPENED:
                kwargs["reason"] = "Motion to reopen granted"
            case_transition(case=made, to=to, actor=by, effective_on=on, **kwargs)
            made.refresh_from_db()
        return made

    cases = {
        "A": case(D(2025, 12, 1), ("disposed", D(2026, 1, 20))),
        "B": case(
            D(2026, 1, 5),
            ("active", D(2026, 1, 6)),
            ("inactive", D(2026, 1, 10)),
            ("active", D(2026, 2, 9)),
            ("disposed", D(2026, 3, 1)),
        ),
        "C": case(D(2026, 2, 1), ("inactive", D(2026, 2, 10)), ("disposed", D(2026, 3, 15))),
        "D": case(
            D(2025, 6, 1),
            ("disposed", D(2025, 7, 1)),
            ("reopened", D(2026, 2, 15)),
            ("disposed", D(2026, 3, 20)),
        ),
        "E": case(D(2025, 1, 10)),
        "F": case(D(2026, 3, 31)),
        "H": case(D(2025, 9, 1), ("disposed", D(2026, 2, 28))),
        "I": case(D(2025, 10, 1), ("inactive", D(2025, 11, 1)), ("active", D(2025, 12, 1))),
        "J": case(D(2026, 1, 1), ("inactive", D(2026, 1, 15))),
    }
    clerk_b = make_user("clerk", [court_b], username="clerk_b_measures")
    other = CaseTypeFactory(court=court_b, code="CR")
    case(D(2026, 2, 2), ("disposed", D(2026, 3, 2)), case_type=other, by=clerk_b)
    return cases


@pytest.fixture
def scope(court_a, caseload):
    return MeasureScope(court_ids=(court_a.pk,), start=Q1[0], end=Q1[1])


def test_clearance_rate_counts_filings_reopenings_and_reactivations_in(scope):
    result = clearance_rate(scope)
    # In: B, C, F, J filed; B reactivated; D reopened.
    assert (result.filed, result.reopened, result.reactivated) == (4, 1, 1)
    assert result.incoming == 6
    # Out: A, B, D, H disposed; B, C, J placed inactive; C's disposition while inactive
    # is not counted again.
    assert (result.disposed, result.inactivated) == (4, 3)
    assert result.outgoing == 7
    assert result.rate == Decimal("116.7")


def test_clearance_rate_of_a_case_type_and_with_nothing_incoming(court_a, caseload, cr):
    empty = MeasureScope(court_ids=(court_a.pk,), start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert clearance_rate(empty).rate is None
    typed = MeasureScope(court_ids=(court_a.pk,), case_type_ids=(cr.pk,), start=Q1[0], end=Q1[1])
    assert clearance_rate(typed).incoming == 6


def test_clearance_drill_down_lists_exactly_the_counted_changes(scope):
    result = clearance_rate(scope)
    incoming = list(clearance_changes(scope, "incoming"))
    outgoing = list(clearance_changes(scope, "outgoing"))
    assert len(incoming) == result.incoming and len(outgoing) == result.outgoing
    assert all(isinstance(change, CaseStatusChange) for change in incoming)


def test_time_to_disposition_less_inactive_time(scope, caseload):
    result = time_to_disposition(scope, standards=(90, 180, 365))
    # A 50 days; B 55 - 30 inactive = 25; C 42 - 33 inactive = 9; D 33 from reopening;
    # H 180 (inclusive of the standard).
    assert sorted(result.days_by_case[caseload[k].pk] for k in "ABCDH") == [9, 25, 33, 50, 180]
    assert result.disposed == 5
    assert result.within == {90: 4, 180: 5, 365: 5}
    assert result.percent_within == {
        90: Decimal("80.0"),
        180: Decimal("100.0"),
        365: Decimal("100.0"),
    }
    assert result.median_days == 33


def test_age_of_active_pending_caseload_at_the_end_of_the_period(scope, caseload):
    result = case_age_pending(scope, bands=(90, 180, 365))
    # E 445 days; F 0; I 181 - 30 inactive = 151. J is inactive, the rest disposed.
    assert result.days_by_case == {
        caseload["E"].pk: 445,
        caseload["F"].pk: 0,
        caseload["I"].pk: 151,
    }
    assert [band.count for band in result.bands] == [1, 1, 0, 1]
    assert [band.label for band in result.bands] == [
        "0-90 days",
        "91-180 days",
        "181-365 days",
        "over 365 days",
    ]
    assert result.pending == 3


def test_age_of_pending_caseload_on_an_earlier_date(court_a, caseload):
    as_of = MeasureScope(court_ids=(court_a.pk,), start=Q1[0], end=D(2026, 2, 20))
    result = case_age_pending(as_of, bands=(90, 180, 365))
    # B 46 - 30 = 16; D 5 since reopening; E 406; H 172; I 142 - 30 = 112.
    assert result.days_by_case == {
        caseload["B"].pk: 16,
        caseload["D"].pk: 5,
        caseload["E"].pk: 406,
        caseload["H"].pk: 172,
        caseload["I"].pk: 112,
    }
    assert [band.count for band in result.bands] == [2, 2, 0, 1]
    assert sum(band.count for band in result.bands) == result.pending == 5


def test_a_case_disposed_reopened_and_disposed_again_counts_each_disposition(court_b, make_user):
    clerk_b = make_user("clerk", [court_b], username="clerk_b_twice")
    made = open_case(
        case_type=CaseTypeFactory(court=court_b, code="CV", category="civil"),
        opened_by=clerk_b,
        filed_on=D(2026, 1, 2),
    )
    case_transition(case=made, to="disposed", actor=clerk_b, effective_on=D(2026, 1, 12))
    made.refresh_from_db()
    case_transition(
        case=made, to="reopened", actor=clerk_b, effective_on=D(2026, 1, 20), reason="Vacated"
    )
    made.refresh_from_db()
    case_transition(case=made, to="disposed", actor=clerk_b, effective_on=D(2026, 2, 1))
    scope = MeasureScope(court_ids=(court_b.pk,), start=Q1[0], end=Q1[1])

    result = time_to_disposition(scope)

    # 10 days from filing, then 12 days from reopening.
    assert result.dispositions == ((made.pk, 10), (made.pk, 12))
    assert result.disposed == 2
    assert clearance_rate(scope).outgoing == 2 and clearance_rate(scope).incoming == 2
