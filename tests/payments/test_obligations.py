"""Obligations: assessment, restitution payees, waivers, adjustments (costs, interest,
penalties), and what payees are owed — every figure from the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from cases.models import CaseParty
from cases.services import PartyInput, case_party_add
from payments.ledger import Leg, transaction_post
from payments.models import (
    Account,
    LedgerTransaction,
    Obligation,
    ObligationWaiver,
    TransactionKind,
)
from payments.selectors import case_balance, ledger_total, payee_balances, payee_label
from payments.services import (
    obligation_adjust,
    obligation_create,
    obligation_waive,
    payment_post,
    payment_void,
)

from .factories import obligation, open_drawer, payment, restitution

pytestmark = pytest.mark.django_db
D = Decimal


def test_an_obligation_is_assessed_in_the_ledger_and_audited(case, clerk):
    fine = obligation(case, "fine", "250.00", description="Fine, count 1")

    [txn] = LedgerTransaction.objects.filter(obligation=fine)
    assert txn.kind == TransactionKind.ASSESSMENT
    assert sorted((e.account, e.amount) for e in txn.entries.all()) == [
        (Account.ASSESSED, D("-250.00")),
        (Account.RECEIVABLE, D("250.00")),
    ]
    assert AuditEvent.objects.filter(action="obligation.create", object_id=str(fine.pk)).exists()


def test_restitution_is_owed_to_the_payee_once_collected(case, clerk):
    # Given restitution to a victim party of the case
    party = case_party_add(
        case=case,
        party=PartyInput(role="victim", first_name="Ann", last_name="Roe"),
        actor=clerk,
    )
    victim = restitution(case, "90.00", payee_party=party, payee_name="")
    assert victim.payee_name == str(party.person) == payee_label(victim)
    [txn] = LedgerTransaction.objects.filter(obligation=victim)
    assert {e.account for e in txn.entries.all()} == {Account.RECEIVABLE, Account.PAYEE_DEFERRED}
    assert payee_balances(case=case) == []  # nothing collected, nothing owed to them yet

    # When 60.00 is paid
    payment(case, "60.00", clerk=clerk)

    # Then the payee is owed 60.00
    [owed] = payee_balances(case=case)
    assert (owed.obligation, owed.collected, owed.disbursed, owed.payable) == (
        victim,
        D("60.00"),
        D("0.00"),
        D("60.00"),
    )
    assert payee_balances(court=case.court, minimum=D("60.01")) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": "bribe"}, "UNKNOWN_OBLIGATION_KIND"),
        ({"amount": "0.00"}, "AMOUNT_NOT_POSITIVE"),
        ({"amount": "1.234"}, "AMOUNT_TOO_PRECISE"),
        ({"kind": "restitution"}, "PAYEE_REQUIRED"),
        ({"kind": "restitution", "payee_class": "individual"}, "PAYEE_REQUIRED"),
        ({"kind": "restitution", "payee_class": "friend", "payee_name": "X"}, "PAYEE_REQUIRED"),
        ({"payee_class": "individual", "payee_name": "X"}, "PAYEE_ONLY_FOR_RESTITUTION"),
        ({"ordered_on": dt.date.today() + dt.timedelta(days=2)}, "ORDERED_IN_FUTURE"),
        (
            {"ordered_on": dt.date(2026, 1, 10), "due_on": dt.date(2026, 1, 9)},
            "DUE_BEFORE_ORDERED",
        ),
        ({"source": "rumour"}, "UNKNOWN_SOURCE"),
    ],
)
def test_bad_obligations_are_refused_and_nothing_is_written(case, clerk, kwargs, code):
    before = (Obligation.objects.count(), LedgerTransaction.objects.count())
    args = {"case": case, "kind": "fine", "amount": "10.00", "created_by": clerk, **kwargs}
    with pytest.raises(DomainError) as refused:
        obligation_create(**args)
    assert refused.value.code == code
    assert (Obligation.objects.count(), LedgerTransaction.objects.count()) == before


def test_a_payee_must_be_a_party_of_the_case(case, make_case, clerk):
    other = make_case()
    stranger = CaseParty.objects.filter(case=other).first()
    with pytest.raises(DomainError) as refused:
        restitution(case, "10.00", payee_party=stranger)
    assert refused.value.code == "PAYEE_NOT_A_PARTY"


def test_interest_and_penalties_are_adjustments_paid_after_principal(case, clerk):
    # Given a fine with interest and a penalty added (18 U.S.C. 3612(f), (g))
    fine = obligation(case, "fine", "100.00")
    obligation_adjust(
        obligation=fine, component="interest", amount="7.50", reason="3612(f)", by=clerk
    )
    obligation_adjust(
        obligation=fine, component="penalties", amount="10.00", reason="3612(g)", by=clerk
    )

    # When 105.00 is paid
    payment(case, "105.00", clerk=clerk)

    # Then principal is paid first, then interest, then penalties (3612(i))
    [b] = case_balance(case).obligations
    assert [(c.component, c.assessed, c.paid, c.balance) for c in b.components] == [
        ("principal", D("100.00"), D("100.00"), D("0.00")),
        ("interest", D("7.50"), D("5.00"), D("2.50")),
        ("penalties", D("10.00"), D("0.00"), D("10.00")),
    ]
    assert (b.assessed, b.balance) == (D("117.50"), D("12.50"))
    assert AuditEvent.objects.filter(action="obligation.adjust").count() == 2

    with pytest.raises(DomainError) as refused:
        obligation_adjust(obligation=fine, component="principal", amount="1", reason="x", by=clerk)
    assert refused.value.code == "ADJUSTMENT_COMPONENT_INVALID"


def test_a_waiver_of_one_component_and_of_what_is_left(case, clerk):
    fine = obligation(case, "fine", "100.00")
    obligation_adjust(obligation=fine, component="interest", amount="20.00", reason="x", by=clerk)

    obligation_waive(
        obligation=fine, amount="20.00", reason="Interest waived", component="interest", by=clerk
    )
    with pytest.raises(DomainError) as refused:
        obligation_waive(obligation=fine, amount="0.01", reason="x", component="interest", by=clerk)
    assert refused.value.code == "WAIVER_EXCEEDS_BALANCE"
    obligation_waive(obligation=fine, amount="100.00", reason="Indigent", by=clerk)

    [b] = case_balance(case).obligations
    assert (b.assessed, b.waived, b.balance) == (D("120.00"), D("120.00"), D("0.00"))
    assert ObligationWaiver.objects.filter(obligation=fine).count() == 2
    with pytest.raises(DomainError) as no_reason:
        obligation_waive(obligation=fine, amount="1.00", reason="", by=clerk)
    assert no_reason.value.code == "WAIVER_REASON_REQUIRED"


def test_a_waived_restitution_is_no_longer_owed_to_the_payee(case, clerk):
    victim = restitution(case, "50.00")
    obligation_waive(obligation=victim, amount="50.00", reason="Order", by=clerk)
    payment(case, "10.00", clerk=clerk)
    balance = case_balance(case)
    assert (balance.balance, balance.credit) == (D("0.00"), D("10.00"))
    assert payee_balances(case=case) == []
    assert ledger_total() == 0


def test_a_void_is_refused_once_the_restitution_it_paid_was_paid_out(case, clerk, supervisor):
    # Given restitution collected and then paid out to the victim (P3's disbursement legs)
    victim = restitution(case, "50.00")
    p = payment(case, "50.00", clerk=clerk)
    transaction_post(
        court=case.court,
        kind=TransactionKind.DISBURSEMENT,
        legs=[
            Leg(Account.PAYEE_PAYABLE, D("50.00"), case_id=case.pk, obligation_id=victim.pk),
            Leg(Account.DISBURSED, D("-50.00"), case_id=case.pk, obligation_id=victim.pk),
        ],
        posted_by=supervisor,
        case=case,
        obligation=victim,
    )

    # When a supervisor tries to void the payment
    with pytest.raises(DomainError) as refused:
        payment_void(payment=p, reason="Bounced", by=supervisor)

    # Then it is refused: the victim has the money
    assert (refused.value.code, refused.value.status) == ("VOID_AFTER_DISBURSEMENT", 409)
    assert not LedgerTransaction.objects.filter(kind="void").exists()


def test_a_void_puts_the_obligation_back_and_other_credit_pays_it(case, clerk, supervisor):
    # Given a 30.00 fine paid by A (30.00), then B overpaying 20.00 (all credit)
    fine = obligation(case, "fine", "30.00")
    a = payment(case, "30.00", clerk=clerk)
    payment(case, "20.00", clerk=clerk)
    assert case_balance(case).credit == D("20.00")

    # When A is voided
    payment_void(payment=a, reason="Wrong case", by=supervisor)

    # Then B's credit pays the fine as far as it goes
    balance = case_balance(case)
    assert (balance.balance, balance.credit) == (D("10.00"), D("0.00"))
    assert {b.obligation.pk: b.paid for b in balance.obligations}[fine.pk] == D("20.00")
    assert ledger_total() == 0


def test_posting_a_payment_takes_a_bounded_number_of_queries(
    case, clerk, django_assert_max_num_queries
):
    for kind in ("special_assessment", "fine", "fee", "cost"):
        obligation(case, kind, "20.00")
    for i in range(3):
        restitution(case, "30.00", payee_name=f"Victim {i}")
    drawer = open_drawer(clerk)
    with django_assert_max_num_queries(20):
        payment_post(
            case=case,
            amount="150.00",
            method="cash",
            payer_name="John Doe",
            drawer=drawer,
            posted_by=clerk,
        )
