"""Demo money (issue 7, item 10): the seeders make obligations of every source, payments,
plans in each state, a disbursement run and a closed drawer, all through the services,
and run twice they add nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casemgmt.core.demo import seed_courts_and_users
from cases.demo import seed_case_types, seed_cases
from payments.demo import seed_fee_schedules, seed_money
from payments.models import (
    CashDrawer,
    DisbursementRun,
    DrawerStatus,
    FeeScheduleEntry,
    LedgerEntry,
    Obligation,
    Payment,
    PaymentPlan,
)
from payments.selectors import drawer_over_short, ledger_total, ledger_unbalanced_transactions

pytestmark = pytest.mark.django_db


def seed_everything():
    def quiet(line: str) -> None:
        pass

    # The order of casemgmt.core.demo's registry: courts, case types, fees, cases, money.
    for seeder in (
        seed_courts_and_users,
        seed_case_types,
        seed_fee_schedules,
        seed_cases,
        seed_money,
    ):
        seeder(log=quiet)


def counts():
    return tuple(
        model.objects.count()
        for model in (
            FeeScheduleEntry,
            Obligation,
            Payment,
            PaymentPlan,
            DisbursementRun,
            CashDrawer,
            LedgerEntry,
        )
    )


def test_demo_money_through_the_services_and_idempotent(monkeypatch):
    monkeypatch.setattr("cases.demo.CASES_PER_COURT", 50)  # enough criminal cases, faster
    # when the demo is seeded (twice)
    seed_everything()
    first = counts()
    seed_fee_schedules(log=lambda line: None)
    seed_money(log=lambda line: None)
    # then the second time adds nothing
    assert counts() == first
    for code in ("sarasota", "denver"):
        # fee schedule entries assessed the filing fees of the demo civil cases
        assert FeeScheduleEntry.objects.filter(court__code=code).exists()
        assert Obligation.objects.filter(court__code=code, source="fee_schedule").exists()
        # fines and restitution to victims of two classes
        assert Obligation.objects.filter(court__code=code, kind="fine").exists()
        classes = set(
            Obligation.objects.filter(court__code=code, kind="restitution").values_list(
                "payee_class", flat=True
            )
        )
        assert "individual" in classes and classes & {"insurer", "government"}
        # plans in each state the nightly job gives
        statuses = set(
            PaymentPlan.objects.filter(court__code=code).values_list("status", flat=True)
        )
        assert statuses == {"active", "delinquent", "defaulted"}
        # a finished disbursement run that paid somebody
        run = DisbursementRun.objects.get(court__code=code)
        assert run.status == "done" and run.amount_total > 0
        # the clerk's drawer closed five dollars short, waiting for approval
        drawer = CashDrawer.objects.get(court__code=code, clerk__username__startswith="clerk")
        assert drawer.status == DrawerStatus.CLOSED
        assert drawer_over_short(drawer) == Decimal("-5.00")
        # payments of several methods, an overpayment among them
        assert Payment.objects.filter(court__code=code).values("method").distinct().count() >= 3
    assert ledger_unbalanced_transactions() == []
    assert ledger_total() == Decimal("0.00")
