"""Posting balanced transactions to the double-entry ledger (see payments.models).

Every money-moving service builds its legs here and posts them as one
``LedgerTransaction``: the legs are checked to sum to zero before anything is written
(the database checks it again at commit, with a deferred constraint trigger), zero legs
are dropped, and the entries are inserted in one statement.

These helpers never lock and never audit: the services that call them do both, inside
their own ``transaction.atomic`` block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from casemgmt.core.models import Court, User
from cases.models import Case

from .models import (
    Account,
    CashDrawer,
    LedgerEntry,
    LedgerTransaction,
    Obligation,
    ObligationKind,
    Payment,
    TransactionKind,
)

ZERO = Decimal("0.00")


class LedgerUnbalanced(Exception):
    """A programming error: legs that do not sum to zero never reach the database."""


@dataclass(frozen=True)
class Leg:
    """One side of a transaction: signed amount (debit > 0, credit < 0) on an account."""

    account: str
    amount: Decimal
    case_id: int | None = None
    obligation_id: int | None = None
    component: str = ""
    drawer_id: int | None = None
    method: str = ""

    def negated(self) -> Leg:
        return Leg(
            account=self.account,
            amount=-self.amount,
            case_id=self.case_id,
            obligation_id=self.obligation_id,
            component=self.component,
            drawer_id=self.drawer_id,
            method=self.method,
        )


def transaction_post(
    *,
    court: Court,
    kind: str,
    legs: Iterable[Leg],
    posted_by: User,
    case: Case | None = None,
    payment: Payment | None = None,
    obligation: Obligation | None = None,
    reverses: LedgerTransaction | None = None,
    memo: str = "",
) -> LedgerTransaction | None:
    """Write one balanced transaction.

    Args:
        legs: the entries; zero legs are dropped, legs on the same account and dimensions
            are kept apart (each is a fact of its own).

    Returns:
        The transaction, or None when every leg was zero (nothing moved, nothing written).

    Raises:
        LedgerUnbalanced: the legs do not sum to zero (a bug in the caller).
    """
    legs = [leg for leg in legs if leg.amount != 0]
    total = sum((leg.amount for leg in legs), ZERO)
    if total != 0:
        raise LedgerUnbalanced(f"{kind} legs sum to {total}, not zero: {legs}")
    if not legs:
        return None
    txn = LedgerTransaction.objects.create(
        court=court,
        case=case,
        kind=kind,
        memo=memo[:300],
        payment=payment,
        obligation=obligation,
        reverses=reverses,
        posted_by=posted_by,
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            transaction=txn,
            account=leg.account,
            amount=leg.amount,
            case_id=leg.case_id,
            obligation_id=leg.obligation_id,
            component=leg.component,
            drawer_id=leg.drawer_id,
            method=leg.method,
        )
        for leg in legs
    )
    return txn


def transaction_reverse(
    *, txn: LedgerTransaction, posted_by: User, memo: str = ""
) -> LedgerTransaction:
    """Post the exact negation of `txn` (kind VOID, `reverses` = txn, same payment)."""
    legs = [
        Leg(
            account=e.account,
            amount=-e.amount,
            case_id=e.case_id,
            obligation_id=e.obligation_id,
            component=e.component,
            drawer_id=e.drawer_id,
            method=e.method,
        )
        for e in txn.entries.order_by("id")
    ]
    reversal = transaction_post(
        court=txn.court,
        kind=TransactionKind.VOID,
        legs=legs,
        posted_by=posted_by,
        case=txn.case,
        payment=txn.payment,
        obligation=txn.obligation,
        reverses=txn,
        memo=memo or f"Reverses {txn.get_kind_display().lower()} {txn.pk}",
    )
    assert reversal is not None  # a posted transaction never has only zero legs
    return reversal


# --- the legs of each kind of transaction (payments.models docstring) -----------------------


def owed_to_account(obligation: Obligation) -> str:
    """Where the other side of a receivable goes: court revenue, or the restitution payee
    (owed to them once collected)."""
    if obligation.kind == ObligationKind.RESTITUTION:
        return Account.PAYEE_DEFERRED
    return Account.ASSESSED


def assessment_legs(obligation: Obligation, amount: Decimal, component: str) -> list[Leg]:
    """Dr receivable(obligation, component)  Cr assessed / payee_deferred(obligation)."""
    return [
        Leg(
            Account.RECEIVABLE,
            amount,
            case_id=obligation.case_id,
            obligation_id=obligation.pk,
            component=component,
        ),
        Leg(
            owed_to_account(obligation),
            -amount,
            case_id=obligation.case_id,
            obligation_id=obligation.pk,
        ),
    ]


def waiver_legs(obligation: Obligation, amount: Decimal, component: str) -> list[Leg]:
    """The assessment undone: Dr assessed / payee_deferred  Cr receivable(component)."""
    return [leg.negated() for leg in assessment_legs(obligation, amount, component)]


def payment_legs(*, case_id: int, drawer: CashDrawer, method: str, amount: Decimal) -> list[Leg]:
    """Dr drawer(drawer, method)  Cr unapplied(case)."""
    return [
        Leg(Account.DRAWER, amount, case_id=case_id, drawer_id=drawer.pk, method=method),
        Leg(Account.UNAPPLIED, -amount, case_id=case_id),
    ]


def allocation_legs(
    *, case_id: int, applied: Sequence[tuple[Obligation, str, Decimal]]
) -> list[Leg]:
    """Dr unapplied(case)  Cr receivable(obligation, component), per line applied; for
    restitution also Dr payee_deferred  Cr payee_payable (collected: now owed to the payee)."""
    legs: list[Leg] = []
    total = ZERO
    for obligation, component, amount in applied:
        total += amount
        legs.append(
            Leg(
                Account.RECEIVABLE,
                -amount,
                case_id=case_id,
                obligation_id=obligation.pk,
                component=component,
            )
        )
        if obligation.kind == ObligationKind.RESTITUTION:
            legs.append(
                Leg(Account.PAYEE_DEFERRED, amount, case_id=case_id, obligation_id=obligation.pk)
            )
            legs.append(
                Leg(Account.PAYEE_PAYABLE, -amount, case_id=case_id, obligation_id=obligation.pk)
            )
    legs.insert(0, Leg(Account.UNAPPLIED, total, case_id=case_id))
    return legs


def over_short_legs(*, drawer: CashDrawer, method: str, difference: Decimal) -> list[Leg]:
    """Counted minus expected for one method: a shortage (< 0) is Dr over_short
    Cr drawer(method); an overage the other way round."""
    return [
        Leg(Account.DRAWER, difference, drawer_id=drawer.pk, method=method),
        Leg(Account.OVER_SHORT, -difference, drawer_id=drawer.pk),
    ]
