"""The case page's Balance panel (registered in PaymentsConfig.ready()).

The case page has a strict query budget (tests/cases/test_pages.py), so the panel reads
what it shows in two queries: the obligations with their ledger totals, and the latest
payments with their receipts and the case's credit. `payments.selectors.case_balance`
answers the same question in three; `case_money_summary` derives the same figures from
the same ledger entries (tests/payments/test_panel.py checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from cases.models import Case
from cases.policies import PUBLIC

from .models import Account, LedgerEntry, Obligation, ObligationKind, Payment, TransactionKind
from .policies import can_take_payments
from .selectors import payee_label

ZERO = Decimal("0.00")
PANEL_PAYMENTS = 5
_RECEIVABLE = Q(entries__account=Account.RECEIVABLE)
_ASSESSED = Q(
    entries__transaction__kind__in=[TransactionKind.ASSESSMENT, TransactionKind.ADJUSTMENT]
)
_WAIVED = Q(entries__transaction__kind=TransactionKind.WAIVER)
_PAID = Q(entries__transaction__payment__isnull=False)  # allocations and their reversals
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum(condition: Q):
    return Coalesce(Sum("entries__amount", filter=condition), Value(ZERO), output_field=_MONEY)


@dataclass(frozen=True)
class ObligationRow:
    obligation: Obligation
    payee: str
    owed: Decimal  # assessed (principal, costs, interest, penalties) less waived
    paid: Decimal  # allocated from payments, net of voids
    balance: Decimal  # the receivable: owed - paid


@dataclass(frozen=True)
class MoneySummary:
    obligations: list[ObligationRow]
    payments: list[Payment]  # the latest, newest first, with receipt and void
    more_payments: bool
    credit: Decimal

    @property
    def owed(self) -> Decimal:
        return sum((o.owed for o in self.obligations), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((o.paid for o in self.obligations), ZERO)

    @property
    def balance(self) -> Decimal:
        return sum((o.balance for o in self.obligations), ZERO)


def _obligations_with_totals(case: Case) -> QuerySet[Obligation]:
    """The case's obligations, each with its receivable totals from the ledger (one query)."""
    return (
        Obligation.objects.filter(case=case)
        .select_related("payee_party__person")
        .annotate(
            assessed_total=_sum(_RECEIVABLE & _ASSESSED),
            waived_total=_sum(_RECEIVABLE & _WAIVED),
            paid_total=_sum(_RECEIVABLE & _PAID),
            balance_total=_sum(_RECEIVABLE),
        )
        .order_by("ordered_on", "pk")
    )


def case_money_summary(case: Case, *, payments: int = PANEL_PAYMENTS) -> MoneySummary:
    """Obligations with owed / paid / balance, the credit held, and the latest payments.

    Two queries. The credit (= -unapplied) rides on the payments query: only payments
    (their allocations and voids) move the case's unapplied account, so a case without
    payments holds no credit.
    """
    rows = [
        ObligationRow(
            obligation=o,
            payee=payee_label(o) if o.kind == ObligationKind.RESTITUTION else "",
            owed=o.assessed_total + o.waived_total,  # waivers are credits (< 0)
            paid=-o.paid_total,
            balance=o.balance_total,
        )
        for o in _obligations_with_totals(case)
    ]
    credit_held = (
        LedgerEntry.objects.filter(case=OuterRef("case"), account=Account.UNAPPLIED)
        .values("case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    latest = list(
        Payment.objects.filter(case=case)
        .select_related("receipt", "void")
        .annotate(case_unapplied=Subquery(credit_held, output_field=_MONEY))
        .order_by("-received_at", "-pk")[: payments + 1]
    )
    credit = -(latest[0].case_unapplied or ZERO) if latest else ZERO
    return MoneySummary(
        obligations=rows,
        payments=latest[:payments],
        more_payments=len(latest) > payments,
        credit=credit,
    )


def balance_panel_context(request: HttpRequest, case_file) -> dict:
    """The Balance panel: what the case owes per obligation, the credit held, the latest
    payments with their receipts, and "Take a payment" for the clerk's office.

    The public (and an attorney not of record) reads no money details
    (payments.policies.can_see_money): payers are often third parties and restitution
    names victims. No query for them; two for everyone else.
    """
    case = case_file.case
    if case_file.level == PUBLIC:
        return {"money_hidden": True}
    summary = case_money_summary(case)
    take_url = ""
    if can_take_payments(request.user, case.court):
        query = urlencode({"number": case.number, "court": case.court.code})
        take_url = f"{reverse('payments:counter')}?{query}"
    return {
        "money_hidden": False,
        "summary": summary,
        "take_url": take_url,
        "court_code": case.court.code,
        "time_zone": case.court.time_zone,
    }
