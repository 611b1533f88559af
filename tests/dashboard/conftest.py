"""A hand-built caseload in court A (and a mirror of it in court B) for the dashboard: every
measure has something to count, and court B's cases carry the name "Bravoson" so that any
leak of court B shows on a page or in a CSV.

Period of the figures: the first quarter of 2026 (Q1 below). What is a state rather than a
period (deadlines at risk, speedy-trial clocks, the review queue, open drawers) is dated
from today, as the dashboard dates it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from casemgmt.core.roles import Role
from cases.models import CaseCategory, Confidentiality
from cases.services import AppearanceInput, case_transition
from docket.models import Deadline, HearingStatus, HearingType, SpeedyTrialClock
from filings.models import Filing, FilingType
from payments.models import CashDrawer, ObligationKind
from payments.services import obligation_waive
from tests.cases.factories import CaseTypeFactory, defendant, open_case
from tests.docket.factories import hearing
from tests.filings import conftest as filings_conftest
from tests.filings.pdfs import pdf_bytes, upload
from tests.payments.factories import obligation, open_drawer, payment

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))
# Documents go to a fresh directory per test, as in the filings tests.
media = filings_conftest.media
Q1_QUERY = {"period": "custom", "start": "2026-01-01", "end": "2026-03-31"}


@dataclass
class Court:
    """One court's side of the world: its cases by letter and what was built."""

    court: object
    clerk: object
    cr: object
    jv: object
    cases: dict = field(default_factory=dict)
    lawyer: object = None


def build_court(court, clerk, lawyer, *, name: str, supervisor) -> Court:
    cr = CaseTypeFactory(court=court, code="CR", category=CaseCategory.CRIMINAL)
    jv = CaseTypeFactory(
        court=court,
        code="JV",
        name="Juvenile delinquency",
        category=CaseCategory.JUVENILE,
        default_confidentiality=Confidentiality.CONFIDENTIAL,
        initial_event_code="PETN",
    )
    world = Court(court=court, clerk=clerk, cr=cr, jv=jv, lawyer=lawyer)

    def case(letter, filed_on, *steps, case_type=cr, **kwargs):
        parties = None
        if case_type.category == CaseCategory.CRIMINAL:
            parties = [defendant(last_name=f"{name}{letter}")]
        made = open_case(
            case_type=case_type, opened_by=clerk, filed_on=filed_on, parties=parties, **kwargs
        )
        for to, on in steps:
            case_transition(case=made, to=to, actor=clerk, effective_on=on)
            made.refresh_from_db()
        world.cases[letter] = made
        return made

    # Measure 2 in Q1: A, C, S, J filed (4 in); A and S disposed (2 out) -> 50.0%.
    # Measure 3: A disposed after 30 days, S after 50 (both within 90).
    # Measure 4 on 2026-03-31: B (filed 2025-12-01: 120 days), C (59 days), J (juvenile, 74).
    case("A", D(2026, 1, 5), ("disposed", D(2026, 2, 4)))
    case("B", D(2025, 12, 1))
    case("C", D(2026, 1, 31), appearances=[AppearanceInput(attorney=lawyer, party_index=0)])
    case("S", D(2026, 1, 10), ("disposed", D(2026, 3, 1)), confidentiality="sealed")
    case("J", D(2026, 1, 16), case_type=jv)
    cases = world.cases

    # Measure 5: trials held in Q1 on A (set once) and S (set 3 times); a trial of 2025.
    hearing(
        cases["A"],
        scheduled_by=clerk,
        day=D(2026, 2, 2),
        hearing_type=HearingType.TRIAL,
        status=HearingStatus.HELD,
        setting_number=1,
    )
    hearing(
        cases["S"],
        scheduled_by=clerk,
        day=D(2026, 2, 20),
        hearing_type=HearingType.TRIAL,
        status=HearingStatus.HELD,
        setting_number=3,
    )
    hearing(
        cases["B"],
        scheduled_by=clerk,
        day=D(2025, 12, 20),
        hearing_type=HearingType.TRIAL,
        status=HearingStatus.HELD,
        setting_number=1,
    )
    # Hearings set more than 2 times: B's, scheduled in ten days, set 4 times; C's set twice.
    today = court.local_today()
    hearing(
        cases["B"], scheduled_by=clerk, day=today + dt.timedelta(days=10), hour=10, setting_number=4
    )
    hearing(
        cases["C"], scheduled_by=clerk, day=today + dt.timedelta(days=10), hour=11, setting_number=2
    )

    # Measure 7: a fine of 500 (200 paid) on A, a fee of 100 (40 waived, 60 paid) on B,
    # restitution of 300 on S; a fine ordered in 2025 (not in the cohort).
    obligation(cases["A"], ObligationKind.FINE, "500.00", ordered_on=D(2026, 1, 15))
    payment(cases["A"], "200.00", clerk=clerk)
    fee = obligation(cases["B"], ObligationKind.FEE, "100.00", ordered_on=D(2026, 2, 1))
    obligation_waive(obligation=fee, amount=Decimal("40.00"), reason="Indigent", by=supervisor)
    payment(cases["B"], "60.00", clerk=clerk)
    obligation(
        cases["S"],
        ObligationKind.RESTITUTION,
        "300.00",
        ordered_on=D(2026, 3, 5),
        payee_class="individual",
        payee_name="Ann Roe",
    )
    obligation(cases["C"], ObligationKind.FINE, "1000.00", ordered_on=D(2025, 12, 31))

    # Deadlines: missed in Q1 by the lawyer (B, S) and by nobody (C); at risk now (J's, due
    # in three days, the lawyer's); one missed before the period.
    def deadline(case, due, status, owner=None):
        return Deadline.objects.create(
            case=case,
            court=court,
            name=f"Response due ({case.number})",
            due_on=due,
            status=status,
            status_date=due if status == "missed" else None,
            owner=owner,
        )

    deadline(cases["B"], D(2026, 2, 10), "missed", lawyer)
    deadline(cases["S"], D(2026, 3, 10), "missed", lawyer)
    deadline(cases["C"], D(2026, 3, 20), "missed")
    deadline(cases["J"], today + dt.timedelta(days=3), "open", lawyer)
    deadline(cases["B"], D(2025, 11, 1), "missed", lawyer)

    # Speedy trial: B's clock ran out (indicted 100 days ago: 70 days under the Act); C's
    # has 70 - 65 = 5 days left (under the 14-day threshold).
    SpeedyTrialClock.objects.create(
        case=cases["B"],
        indictment_on=today - dt.timedelta(days=100),
        first_appearance_on=today - dt.timedelta(days=100),
    )
    SpeedyTrialClock.objects.create(
        case=cases["C"],
        indictment_on=today - dt.timedelta(days=65),
        first_appearance_on=today - dt.timedelta(days=65),
    )

    # The review queue: two filings on C waiting 2 and 30 hours.
    from django.utils import timezone

    from filings.services import filing_submit

    now = timezone.now()
    for hours in (2, 30):
        filing = filing_submit(
            case=cases["C"],
            filing_type=FilingType.objects.get(court=court, code="MOTN"),
            upload=upload(pdf_bytes(), name="motion.pdf"),
            filer=lawyer,
            title=f"Motion to continue ({hours} h)",
        )
        Filing.objects.filter(pk=filing.pk).update(submitted_at=now - dt.timedelta(hours=hours))

    # A cash drawer left open since yesterday (the one the payments were taken in).
    drawer = open_drawer(clerk, court)
    CashDrawer.objects.filter(pk=drawer.pk).update(business_date=today - dt.timedelta(days=1))
    return world


def build_world(*, court_a, court_b, clerk, make_user, supervisor, supervisor_b) -> Court:
    """Court A's caseload (returned) and its mirror in court B."""
    lawyer_a = make_user(
        Role.ATTORNEY, [court_a], username="lawyer_a", first_name="Lee", last_name="Ames"
    )
    world_a = build_court(court_a, clerk, lawyer_a, name="Alphason", supervisor=supervisor)
    clerk_b = make_user(Role.CLERK, [court_b], username="clerk_b")
    lawyer_b = make_user(Role.ATTORNEY, [court_b], username="lawyer_b", last_name="Bravoson")
    build_court(court_b, clerk_b, lawyer_b, name="Bravoson", supervisor=supervisor_b)
    return world_a


@pytest.fixture
def world(court_a, court_b, clerk, make_user, supervisor, supervisor_b):
    return build_world(
        court_a=court_a,
        court_b=court_b,
        clerk=clerk,
        make_user=make_user,
        supervisor=supervisor,
        supervisor_b=supervisor_b,
    )
