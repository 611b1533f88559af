"""The ledger's rules, held by the database itself (issue 7: "Ledger and receipt rows cannot
be updated or deleted (the database refuses); a void leaves both the original and its
reversal"; double entry: every transaction sums to zero).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from payments.ledger import LedgerUnbalanced, Leg, transaction_post
from payments.models import Account, LedgerEntry, LedgerTransaction, TransactionKind
from payments.selectors import ledger_total, ledger_unbalanced_transactions
from payments.services import payment_void

from .factories import obligation, payment

D = Decimal

# Every financial table refuses UPDATE and DELETE (append-only triggers, 0001_money).
APPEND_ONLY = [
    ("payments_ledgerentry", "amount = amount + 1"),
    ("payments_ledgertransaction", "memo = 'edited'"),
    ("payments_receipt", "number = 'R0000-000000'"),
    ("payments_payment", "amount = 1"),
    ("payments_paymentvoid", "reason = 'edited'"),
    ("payments_obligation", "amount = 1"),
    ("payments_obligationwaiver", "amount = 1"),
    ("payments_drawercloseout", "over_short = 0"),
    ("payments_idempotencyrecord", "response_status = 200"),
]


@pytest.fixture
def history(case, clerk, supervisor):
    """One of everything: obligation, waiver, payment, receipt, void, close-out."""
    from payments.services import drawer_close, obligation_waive

    fine = obligation(case, "fine", "100.00")
    obligation_waive(obligation=fine, amount="10.00", reason="Indigent", by=clerk)
    p = payment(case, "20.00", clerk=clerk)
    payment_void(payment=p, reason="Wrong case", by=supervisor)
    drawer_close(drawer=p.drawer, counted_cash="95.00", counted_checks="0", note="Short", by=clerk)
    from payments.models import IdempotencyRecord

    IdempotencyRecord.objects.create(
        user=clerk, key="k", scope="payment_post", request_hash="h", response_status=201,
        response_body={},
    )  # fmt: skip
    return p


def refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as c:
        c.execute(sql)
    return str(error.value)


@pytest.mark.django_db
@pytest.mark.parametrize(("table", "change"), APPEND_ONLY)
def test_financial_rows_cannot_be_updated_or_deleted(history, table, change):
    # Given rows in the table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        (count,) = cursor.fetchone()
    assert count > 0

    # When raw SQL tries to change or remove them, the database refuses
    assert "append-only" in refused(f"UPDATE {table} SET {change}")
    assert "append-only" in refused(f"DELETE FROM {table}")

    # Then they are all still there
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (count,)


@pytest.mark.django_db
def test_a_void_leaves_the_original_and_its_reversal(history):
    originals = LedgerTransaction.objects.filter(payment=history).exclude(kind="void")
    reversals = LedgerTransaction.objects.filter(payment=history, kind="void")
    assert originals.count() == reversals.count() == 2
    assert {r.reverses_id for r in reversals} == {o.pk for o in originals}
    assert history.receipt.number
    assert ledger_total() == 0


@pytest.mark.django_db
def test_unbalanced_legs_never_reach_the_database(case, clerk):
    before = LedgerTransaction.objects.count()
    with pytest.raises(LedgerUnbalanced):
        transaction_post(
            court=case.court,
            kind=TransactionKind.ADJUSTMENT,
            legs=[Leg(Account.UNAPPLIED, D("1.00"), case_id=case.pk)],
            posted_by=clerk,
        )
    assert LedgerTransaction.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_an_unbalanced_transaction_is_refused_at_commit(case, clerk):
    # Given a transaction whose entries do not sum to zero, written past the helpers
    before = (LedgerTransaction.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        txn = LedgerTransaction.objects.create(
            court=case.court, case=case, kind=TransactionKind.ADJUSTMENT, posted_by=clerk
        )
        LedgerEntry.objects.create(
            transaction=txn, account=Account.UNAPPLIED, amount=D("5.00"), case=case
        )
        LedgerEntry.objects.create(
            transaction=txn, account=Account.UNAPPLIED, amount=D("-4.99"), case=case
        )
        # Then the database refuses it when the transaction commits

    # ...and nothing of it is kept
    assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == before
    assert ledger_unbalanced_transactions() == []


@pytest.mark.django_db(transaction=True)
def test_a_balanced_transaction_entered_leg_by_leg_commits(case, clerk):
    # The check is deferred to commit, so legs may be inserted one at a time.
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(
            court=case.court, case=case, kind=TransactionKind.ADJUSTMENT, posted_by=clerk
        )
        for amount in ("5.00", "-2.50", "-2.50"):
            LedgerEntry.objects.create(
                transaction=txn, account=Account.UNAPPLIED, amount=D(amount), case=case
            )
    assert ledger_unbalanced_transactions() == [] and ledger_total() == 0
