"""Cash drawers: open with a float, take payments, close by counting (expected from the
ledger, over/short ledgered), supervisor approval; the daily deposit report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from payments.models import DrawerStatus, LedgerTransaction, TransactionKind
from payments.selectors import (
    deposit_report,
    drawer_expected,
    drawer_over_short,
    ledger_total,
)
from payments.services import drawer_approve, drawer_close, drawer_open, payment_void

from .factories import obligation, open_drawer, payment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def day(case, clerk, supervisor):
    """A drawer with a 100.00 float: cash 50.00, a check 30.00, a card 20.00, and a voided
    cash payment of 7.00."""
    obligation(case, "fine", "1000.00")
    drawer = drawer_open(court=case.court, clerk=clerk, opening_float="100.00")
    payment(case, "50.00", clerk=clerk)
    payment(case, "30.00", clerk=clerk, method="check", reference="4417")
    payment(case, "20.00", clerk=clerk, method="card", reference="auth 0091")
    mistake = payment(case, "7.00", clerk=clerk)
    payment_void(payment=mistake, reason="Keyed twice", by=supervisor)
    return drawer


def test_expected_comes_from_the_ledger(day):
    expected = drawer_expected(day)
    assert (expected.cash, expected.checks, expected.other) == (
        D("150.00"),
        D("30.00"),
        D("20.00"),
    )


def test_a_shortage_is_recorded_and_ledgered_at_close(day, clerk):
    # When the clerk counts 145.00 cash and the check
    closeout = drawer_close(
        drawer=day, counted_cash="145.00", counted_checks="30.00", note="Short 5", by=clerk
    )

    # Then the close-out shows expected vs counted and the shortage
    assert (closeout.expected_cash, closeout.counted_cash, closeout.over_short) == (
        D("150.00"),
        D("145.00"),
        D("-5.00"),
    )
    assert (closeout.expected_checks, closeout.expected_other) == (D("30.00"), D("20.00"))
    # ...ledgered as over/short; the drawer takes no more payments
    txn = LedgerTransaction.objects.get(kind=TransactionKind.OVER_SHORT)
    assert sorted(e.amount for e in txn.entries.all()) == [D("-5.00"), D("5.00")]
    assert drawer_over_short(day) == D("-5.00")
    day.refresh_from_db()
    assert day.status == DrawerStatus.CLOSED
    assert ledger_total() == 0
    assert AuditEvent.objects.filter(action="drawer.close", actor=clerk).exists()


def test_a_count_that_differs_needs_a_note(day, clerk):
    with pytest.raises(DomainError) as refused:
        drawer_close(drawer=day, counted_cash="149.00", counted_checks="30.00", by=clerk)
    assert (refused.value.code, refused.value.field) == ("CLOSEOUT_NOTE_REQUIRED", "note")
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.OVER_SHORT).exists()


def test_an_exact_count_records_no_over_short(day, clerk):
    closeout = drawer_close(drawer=day, counted_cash="150.00", counted_checks="30.00", by=clerk)
    assert closeout.over_short == 0
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.OVER_SHORT).exists()


def test_one_open_drawer_per_clerk_and_court(day, clerk):
    with pytest.raises(DomainError) as refused:
        drawer_open(court=day.court, clerk=clerk, opening_float="0")
    assert (refused.value.code, refused.value.status) == ("DRAWER_ALREADY_OPEN", 409)


def test_a_drawer_is_closed_once_and_by_its_clerk_or_a_supervisor(day, second_clerk, clerk):
    with pytest.raises(DomainError) as not_theirs:
        drawer_close(drawer=day, counted_cash="150.00", counted_checks="30.00", by=second_clerk)
    assert not_theirs.value.code == "DRAWER_NOT_YOURS"
    drawer_close(drawer=day, counted_cash="150.00", counted_checks="30.00", by=clerk)
    with pytest.raises(DomainError) as again:
        drawer_close(drawer=day, counted_cash="150.00", counted_checks="30.00", by=clerk)
    assert (again.value.code, again.value.status) == ("DRAWER_CLOSED", 409)


def test_a_supervisor_approves_a_counted_drawer(day, clerk, supervisor):
    closeout = drawer_close(
        drawer=day, counted_cash="140.00", counted_checks="30.00", note="Short 10", by=clerk
    )

    # A clerk may not approve
    with pytest.raises(DomainError) as refused:
        drawer_approve(closeout=closeout, by=clerk)
    assert (refused.value.code, refused.value.status) == ("DRAWER_APPROVAL_NOT_ALLOWED", 403)

    approval = drawer_approve(closeout=closeout, by=supervisor, note="Counted again: short 10")
    day.refresh_from_db()
    assert (day.status, approval.approved_by) == (DrawerStatus.APPROVED, supervisor)
    with pytest.raises(DomainError) as again:
        drawer_approve(closeout=closeout, by=supervisor)
    assert again.value.code == "DRAWER_ALREADY_APPROVED"


def test_a_supervisor_does_not_approve_their_own_drawer(case, supervisor, second_supervisor):
    drawer = open_drawer(supervisor, case.court)
    closeout = drawer_close(drawer=drawer, counted_cash="100.00", counted_checks="0", by=supervisor)
    with pytest.raises(DomainError) as refused:
        drawer_approve(closeout=closeout, by=supervisor)
    assert refused.value.code == "DRAWER_SELF_APPROVAL"
    drawer_approve(closeout=closeout, by=second_supervisor)


def test_a_void_after_close_out_is_refused(day, case, clerk, supervisor):
    p = day.payments.filter(void__isnull=True).first()
    drawer_close(drawer=day, counted_cash="150.00", counted_checks="30.00", by=clerk)
    with pytest.raises(DomainError) as refused:
        payment_void(payment=p, reason="Late", by=supervisor)
    assert (refused.value.code, refused.value.status) == ("DRAWER_CLOSED", 409)


def test_the_daily_deposit_report(day, case, clerk, second_clerk):
    # Given a second clerk's drawer the same day, and the first drawer closed short
    other = drawer_open(court=case.court, clerk=second_clerk, opening_float="50.00")
    payment(case, "12.34", clerk=second_clerk, method="money_order", reference="MO-1")
    drawer_close(drawer=day, counted_cash="145.00", counted_checks="30.00", note="Short", by=clerk)

    # When the deposit report is read for the day
    report = deposit_report(court=case.court, business_date=day.business_date)

    # Then totals by method and by drawer come from the ledger, net of voids
    assert report.by_method == {
        "cash": D("50.00"),
        "check": D("30.00"),
        "card": D("20.00"),
        "money_order": D("12.34"),
    }
    by_drawer = {d.drawer.pk: d for d in report.drawers}
    assert (by_drawer[day.pk].payments, by_drawer[day.pk].voided) == (4, 1)
    assert (by_drawer[day.pk].collected, by_drawer[day.pk].over_short) == (D("100.00"), D("-5.00"))
    assert by_drawer[day.pk].deposit == D("95.00")
    assert by_drawer[other.pk].collected == D("12.34")
    assert (report.collected, report.over_short, report.deposit) == (
        D("112.34"),
        D("-5.00"),
        D("107.34"),
    )
