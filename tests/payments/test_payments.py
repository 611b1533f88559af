"""Posting payments: allocation into the ledger, credit, receipts, refusals, voids.

The allocation rules themselves are table-tested in test_allocation.py; here the services
write what the engine decided, balanced, and the selectors read it back from the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from payments.models import (
    Account,
    IdempotencyRecord,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentSettings,
    PaymentVoid,
    Receipt,
    ReceiptSequence,
    TransactionKind,
)
from payments.selectors import (
    case_balance,
    drawer_expected,
    ledger_total,
    ledger_unbalanced_transactions,
    payee_balances,
    payment_details,
)
from payments.services import obligation_waive, payment_post, payment_void

from .factories import obligation, open_drawer, payment, restitution

pytestmark = pytest.mark.django_db
D = Decimal


def money_rows():
    return (
        Payment.objects.count(),
        LedgerTransaction.objects.count(),
        LedgerEntry.objects.count(),
        Receipt.objects.count(),
        IdempotencyRecord.objects.count(),
    )


def test_a_payment_is_allocated_by_statute_and_ledgered_balanced(case, clerk):
    # Given a fine, a special assessment and a victim's restitution (18 U.S.C. 3612(c):
    # special assessment, then restitution, then fines)
    fine = obligation(case, "fine", "500.00")
    sa = obligation(case, "special_assessment", "100.00")
    victim = restitution(case, "300.00", payee_name="Ann Roe")

    # When the defendant pays 250.00 in cash
    p = payment(case, "250.00", clerk=clerk, payer_name="John Doe")

    # Then the assessment is paid in full, restitution gets the rest, the fine nothing
    balance = {b.obligation.pk: b for b in case_balance(case).obligations}
    assert (balance[sa.pk].paid, balance[victim.pk].paid, balance[fine.pk].paid) == (
        D("100.00"),
        D("150.00"),
        D("0.00"),
    )
    total = case_balance(case)
    assert (total.owed, total.paid, total.balance, total.credit) == (
        D("900.00"),
        D("250.00"),
        D("650.00"),
        D("0.00"),
    )
    # ...the victim is owed what was collected for them
    [payee] = payee_balances(case=case)
    assert (payee.obligation, payee.payable) == (victim, D("150.00"))
    # ...every transaction balances, and the ledger as a whole is zero
    assert ledger_unbalanced_transactions() == []
    assert ledger_total() == 0
    kinds = list(p.transactions.order_by("pk").values_list("kind", flat=True))
    assert kinds == [TransactionKind.PAYMENT, TransactionKind.ALLOCATION]
    # ...the receipt is numbered R<year>-000001 in the court
    year = timezone.localtime(timezone.now(), case.court.tzinfo).year
    assert p.receipt.number == f"R{year}-000001"
    assert (p.receipt.sequence, p.receipt.year) == (1, year)
    # ...and the act is audited
    event = AuditEvent.objects.get(action="payment.post")
    assert (event.actor, event.case_id, event.details["receipt"]) == (
        clerk,
        case.pk,
        p.receipt.number,
    )
    detail = payment_details([p])[p.pk]
    assert [(a.obligation_id, a.component, a.amount) for a in detail.allocations] == [
        (sa.pk, "principal", D("100.00")),
        (victim.pk, "principal", D("150.00")),
    ]


def test_an_overpayment_is_held_as_credit_and_applied_to_the_next_obligation(case, clerk):
    # Given a 40.00 fee and a payment of 100.00
    obligation(case, "fee", "40.00")
    p = payment(case, "100.00", clerk=clerk)

    # Then 60.00 is held as credit, shown, not absorbed
    balance = case_balance(case)
    assert (balance.balance, balance.credit) == (D("0.00"), D("60.00"))
    assert payment_details([p])[p.pk].credit == D("60.00")

    # When a 25.00 cost is later assessed
    cost = obligation(case, "cost", "25.00")

    # Then the credit pays it at once: a transaction of the payment that held it
    balance = case_balance(case)
    assert (balance.balance, balance.credit) == (D("0.00"), D("35.00"))
    assert {b.obligation.pk: b.paid for b in balance.obligations}[cost.pk] == D("25.00")
    assert p.transactions.filter(kind=TransactionKind.ALLOCATION).count() == 2
    assert payment_details([p])[p.pk].credit == D("35.00")
    assert ledger_total() == 0


def test_receipt_numbers_run_per_court_and_year_without_gaps(case, clerk, court_b, make_user):
    # Given payments in court A, one refused in between
    obligation(case, "fine", "1000.00")
    first = payment(case, "10.00", clerk=clerk)
    with pytest.raises(DomainError):
        payment(case, "-1", clerk=clerk)
    second = payment(case, "10.00", clerk=clerk)

    # Then the numbers follow each other; the refusal took none
    assert (first.receipt.sequence, second.receipt.sequence) == (1, 2)
    assert ReceiptSequence.objects.get(court=case.court).last_number == 2


@pytest.mark.parametrize(
    ("amount", "method", "code"),
    [
        ("0", "cash", "AMOUNT_NOT_POSITIVE"),
        ("-5.00", "cash", "AMOUNT_NOT_POSITIVE"),
        ("10.005", "cash", "AMOUNT_TOO_PRECISE"),
        ("ten", "cash", "AMOUNT_INVALID"),
        ("NaN", "cash", "AMOUNT_INVALID"),
        ("", "cash", "AMOUNT_REQUIRED"),
        ("10000000000.00", "cash", "AMOUNT_TOO_LARGE"),
        ("10.00", "bitcoin", "UNKNOWN_METHOD"),
        ("10.00", "check", "REFERENCE_REQUIRED"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_nothing_is_written(
    case, clerk, amount, method, code
):
    # Given an obligation and the clerk's open drawer
    obligation(case, "fine", "100.00")
    drawer = open_drawer(clerk)
    before = money_rows()

    # When the clerk posts a bad payment
    with pytest.raises(DomainError) as refused:
        payment_post(
            case=case,
            amount=amount,
            method=method,
            payer_name="John Doe",
            drawer=drawer,
            posted_by=clerk,
        )

    # Then it is refused with its code and nothing is written
    assert refused.value.code == code
    assert money_rows() == before


def test_a_payment_into_someone_elses_or_a_closed_drawer_is_refused(case, clerk, second_clerk):
    from payments.services import drawer_close

    obligation(case, "fine", "100.00")
    theirs = open_drawer(second_clerk)
    mine = open_drawer(clerk)
    drawer_close(drawer=mine, counted_cash="100.00", counted_checks="0", by=clerk)
    before = money_rows()

    with pytest.raises(DomainError) as not_mine:
        payment(case, "10.00", clerk=clerk, drawer=theirs)
    with pytest.raises(DomainError) as closed:
        payment(case, "10.00", clerk=clerk, drawer=mine)

    assert (not_mine.value.code, not_mine.value.status) == ("DRAWER_NOT_YOURS", 403)
    assert (closed.value.code, closed.value.status) == ("DRAWER_CLOSED", 409)
    assert money_rows() == before


def test_a_void_reverses_every_transaction_and_keeps_payment_and_receipt(case, clerk, supervisor):
    # Given a payment that paid a fine and left credit, part of it applied later
    fine = obligation(case, "fine", "30.00")
    p = payment(case, "50.00", clerk=clerk)
    obligation(case, "cost", "5.00")
    drawer = p.drawer
    assert drawer_expected(drawer).cash == D("150.00")  # float 100 + 50
    originals = list(p.transactions.order_by("pk"))

    # When a supervisor voids it
    void = payment_void(payment=p, reason="Keyed to the wrong case", by=supervisor)

    # Then each original transaction has its exact negation, linked by `reverses`
    reversals = LedgerTransaction.objects.filter(kind=TransactionKind.VOID, payment=p)
    assert sorted(r.reverses_id for r in reversals) == [t.pk for t in originals]
    for original in originals:
        negated = sorted(-e.amount for e in original.entries.all())
        assert sorted(e.amount for e in original.reversed_by.entries.all()) == negated
    # ...the payment and its receipt stay; the case owes again; no credit is left
    assert Payment.objects.filter(pk=p.pk).exists() and p.receipt.pk
    balance = case_balance(case)
    assert (balance.balance, balance.credit, balance.paid) == (D("35.00"), D("0.00"), D("0.00"))
    assert {b.obligation.pk: b.balance for b in balance.obligations}[fine.pk] == D("30.00")
    # ...the drawer expects only its float again
    assert drawer_expected(drawer).cash == D("100.00")
    assert ledger_total() == 0 and ledger_unbalanced_transactions() == []
    event = AuditEvent.objects.get(action="payment.void")
    assert (event.actor, event.details["reason"]) == (supervisor, "Keyed to the wrong case")
    assert void.voided_by == supervisor


@pytest.mark.parametrize(
    ("who", "reason", "code", "status"),
    [
        ("clerk", "Wrong case", "VOID_NOT_ALLOWED", 403),
        ("supervisor", "  ", "VOID_REASON_REQUIRED", 422),
    ],
)
def test_void_refusals(case, clerk, supervisor, who, reason, code, status):
    obligation(case, "fine", "30.00")
    p = payment(case, "10.00", clerk=clerk)
    before = LedgerTransaction.objects.count()
    user = {"clerk": clerk, "supervisor": supervisor}[who]

    with pytest.raises(DomainError) as refused:
        payment_void(payment=p, reason=reason, by=user)

    assert (refused.value.code, refused.value.status) == (code, status)
    assert LedgerTransaction.objects.count() == before
    assert not PaymentVoid.objects.exists()


def test_a_payment_is_voided_once(case, clerk, supervisor):
    obligation(case, "fine", "30.00")
    p = payment(case, "10.00", clerk=clerk)
    payment_void(payment=p, reason="Wrong case", by=supervisor)

    with pytest.raises(DomainError) as again:
        payment_void(payment=p, reason="Again", by=supervisor)

    assert (again.value.code, again.value.status) == ("PAYMENT_ALREADY_VOIDED", 409)
    assert LedgerTransaction.objects.filter(kind="void").count() == 2


def test_a_waiver_is_an_order_not_a_deletion(case, clerk):
    # Given a 200.00 fee, 50.00 paid
    fee = obligation(case, "fee", "200.00")
    payment(case, "50.00", clerk=clerk)

    # When the court waives 100.00 for indigency
    waiver = obligation_waive(obligation=fee, amount="100.00", reason="Indigent", by=clerk)

    # Then the obligation stays, the waiver is recorded and ledgered
    [b] = case_balance(case).obligations
    assert (b.assessed, b.waived, b.owed, b.paid, b.balance) == (
        D("200.00"),
        D("100.00"),
        D("100.00"),
        D("50.00"),
        D("50.00"),
    )
    assert waiver.obligation == fee
    assert LedgerTransaction.objects.filter(kind="waiver", obligation=fee).count() == 1

    # ...and cannot waive more than is owed
    with pytest.raises(DomainError) as refused:
        obligation_waive(obligation=fee, amount="50.01", reason="Indigent", by=clerk)
    assert refused.value.code == "WAIVER_EXCEEDS_BALANCE"


def test_the_courts_configured_priority_is_used(case, clerk, court_a):
    # Given a court that pays restitution before special assessments
    PaymentSettings.objects.create(
        court=court_a,
        allocation_policy={"tiers": [["restitution"], ["special_assessment"], ["fine"]]},
    )
    sa = obligation(case, "special_assessment", "100.00")
    victim = restitution(case, "100.00")

    # When 100.00 is paid
    payment(case, "100.00", clerk=clerk)

    # Then restitution is paid first
    paid = {b.obligation.pk: b.paid for b in case_balance(case).obligations}
    assert (paid[victim.pk], paid[sa.pk]) == (D("100.00"), D("0.00"))


def test_case_balance_equals_obligations_minus_allocations_in_the_ledger(case, clerk):
    obligation(case, "fine", "123.45")
    restitution(case, "67.89", payee_class="government", payee_name="State of Florida")
    for amount in ("10.01", "20.02", "33.33"):
        payment(case, amount, clerk=clerk)

    balance = case_balance(case)
    assessed = LedgerEntry.objects.filter(
        case=case, account=Account.RECEIVABLE, transaction__kind="assessment"
    ).aggregate(s=Sum("amount"))["s"]
    allocated = -LedgerEntry.objects.filter(
        case=case, account=Account.RECEIVABLE, transaction__kind="allocation"
    ).aggregate(s=Sum("amount"))["s"]
    assert balance.balance == assessed - allocated == D("191.34") - D("63.36")


def test_a_payment_received_in_the_future_is_refused(case, clerk):
    obligation(case, "fine", "100.00")
    with pytest.raises(DomainError) as refused:
        payment(case, "10.00", clerk=clerk, received_at=timezone.now() + dt.timedelta(days=1))
    assert refused.value.code == "RECEIVED_IN_FUTURE"
