"""Reads over court money. Every balance is derived from the ledger with SQL aggregates
(never stored), so what a page or the API shows is what the ledger says.

Signs (payments.models): receivable is a debit (> 0 = owed); unapplied, payee_payable
are credits (< 0 = held for the case / owed to the payee); drawer is a debit (money in).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.http import Http404

from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court
from cases.models import Case

from .allocation import DEFAULT_POLICY, AllocationPolicy, OwedItem, policy_from_dict
from .models import (
    Account,
    CashDrawer,
    Component,
    DrawerStatus,
    LedgerEntry,
    LedgerTransaction,
    Obligation,
    Payment,
    PaymentMethod,
    PaymentSettings,
    Receipt,
    TransactionKind,
)

ZERO = Decimal("0.00")
COMPONENT_ORDER = [c.value for c in Component]
_ASSESSED = Q(transaction__kind__in=[TransactionKind.ASSESSMENT, TransactionKind.ADJUSTMENT])
_WAIVED = Q(transaction__kind=TransactionKind.WAIVER)
# Allocations and their reversals are the transactions of a payment.
_PAID = Q(transaction__payment__isnull=False)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


# --- what a case owes ----------------------------------------------------------------------


@dataclass
class ComponentBalance:
    component: str
    assessed: Decimal  # the principal, or the costs / interest / penalties added
    waived: Decimal
    paid: Decimal  # allocated from payments, net of voids

    @property
    def owed(self) -> Decimal:
        return self.assessed - self.waived

    @property
    def balance(self) -> Decimal:
        return self.owed - self.paid


class _Summed:
    """Totals of the parts (components of an obligation, obligations of a case)."""

    def _parts(self) -> list:
        raise NotImplementedError

    def _total(self, attr: str) -> Decimal:
        return sum((getattr(part, attr) for part in self._parts()), ZERO)

    assessed = property(lambda self: self._total("assessed"))
    waived = property(lambda self: self._total("waived"))
    owed = property(lambda self: self._total("owed"))
    paid = property(lambda self: self._total("paid"))
    balance = property(lambda self: self._total("balance"))


@dataclass
class ObligationBalance(_Summed):
    obligation: Obligation
    components: list[ComponentBalance]

    def _parts(self) -> list[ComponentBalance]:
        return self.components


@dataclass
class CaseBalance(_Summed):
    """What a case owes: owed (assessed less waived), paid, balance (= owed - paid, the
    receivable), and credit (overpayment held for the case, never absorbed)."""

    case: Case
    obligations: list[ObligationBalance]
    credit: Decimal

    def _parts(self) -> list[ObligationBalance]:
        return self.obligations


def _component_rows(entries: QuerySet[LedgerEntry]) -> dict[int, list[ComponentBalance]]:
    rows = (
        entries.filter(account=Account.RECEIVABLE)
        .values("obligation_id", "component")
        .annotate(
            assessed=Sum("amount", filter=_ASSESSED),
            waived=Sum("amount", filter=_WAIVED),
            paid=Sum("amount", filter=_PAID),
        )
        .order_by()
    )
    out: dict[int, list[ComponentBalance]] = defaultdict(list)
    for row in rows:
        out[row["obligation_id"]].append(
            ComponentBalance(
                component=row["component"],
                assessed=_money(row["assessed"]),
                waived=-_money(row["waived"]),
                paid=-_money(row["paid"]),
            )
        )
    for components in out.values():
        components.sort(key=lambda c: COMPONENT_ORDER.index(c.component))
    return out


def obligation_balances(obligations: list[Obligation]) -> list[ObligationBalance]:
    """Balances of the given obligations (one query), in the order given."""
    if not obligations:
        return []
    components = _component_rows(
        LedgerEntry.objects.filter(obligation_id__in=[o.pk for o in obligations])
    )
    return [ObligationBalance(o, components.get(o.pk, [])) for o in obligations]


def obligation_list(case: Case) -> QuerySet[Obligation]:
    """The case's obligations, oldest order first."""
    return (
        Obligation.objects.filter(case=case)
        .select_related("payee_party__person")
        .order_by("ordered_on", "pk")
    )


def case_credit(case: Case) -> Decimal:
    """Overpayment held for the case (>= 0)."""
    total = LedgerEntry.objects.filter(case=case, account=Account.UNAPPLIED).aggregate(
        s=Sum("amount")
    )["s"]
    return -_money(total)


def case_balance(case: Case) -> CaseBalance:
    """Owed, paid, balance per obligation and component, and the credit held (3 queries)."""
    obligations = list(obligation_list(case))
    components = _component_rows(LedgerEntry.objects.filter(case=case))
    return CaseBalance(
        case=case,
        obligations=[ObligationBalance(o, components.get(o.pk, [])) for o in obligations],
        credit=case_credit(case),
    )


def case_owed_items(case: Case, obligations: list[Obligation]) -> list[OwedItem]:
    """What is still owed, per obligation and component, as the allocation engine reads it."""
    balances = dict(
        (
            (row["obligation_id"], row["component"]),
            row["balance"],
        )
        for row in LedgerEntry.objects.filter(case=case, account=Account.RECEIVABLE)
        .values("obligation_id", "component")
        .annotate(balance=Sum("amount"))
        .order_by()
    )
    items = []
    for o in obligations:
        for component in COMPONENT_ORDER:
            balance = balances.get((o.pk, component))
            if balance and balance > 0:
                items.append(
                    OwedItem(
                        obligation_id=o.pk,
                        kind=o.kind,
                        component=component,
                        balance=_money(balance),
                        ordered_on=o.ordered_on,
                        payee_class=o.payee_class,
                        priority=o.payee_priority,
                    )
                )
    return items


def allocation_policy_for(court: Court) -> AllocationPolicy:
    """The court's configured priority; 18 U.S.C. 3612(c) with victims pro rata by default.

    Raises:
        DomainError: ALLOCATION_POLICY_INVALID (409) when the stored policy is broken
            (the admin validates it, so only a hand-edited row gets here).
    """
    settings = PaymentSettings.objects.filter(court=court).first()
    if settings is None or not settings.allocation_policy:
        return DEFAULT_POLICY
    try:
        return policy_from_dict(settings.allocation_policy)
    except (ValueError, TypeError, KeyError) as exc:
        raise DomainError(
            "ALLOCATION_POLICY_INVALID",
            f"The court's allocation priority is not valid ({exc}); fix it in admin.",
            status=409,
        ) from exc


# --- payments ------------------------------------------------------------------------------


@dataclass
class AllocationLine:
    obligation_id: int
    kind: str
    description: str
    component: str
    amount: Decimal


@dataclass
class PaymentDetail:
    """Where a payment went: its allocations (including credit it held that was applied
    later) and the credit it still holds, as recorded before any void."""

    allocations: list[AllocationLine] = field(default_factory=list)
    credit: Decimal = ZERO


def payment_list(case: Case) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(case=case)
        .select_related("case__court", "court", "receipt", "void__voided_by", "posted_by")
        .order_by("-received_at", "-pk")
    )


def payment_details(payments: list[Payment]) -> dict[int, PaymentDetail]:
    """Allocations and credit held per payment (two queries for any number of payments)."""
    ids = [p.pk for p in payments]
    out: dict[int, PaymentDetail] = {pk: PaymentDetail() for pk in ids}
    if not ids:
        return out
    lines = (
        LedgerEntry.objects.filter(
            transaction__payment_id__in=ids,
            transaction__kind=TransactionKind.ALLOCATION,
            account=Account.RECEIVABLE,
        )
        .values(
            "transaction__payment_id",
            "obligation_id",
            "obligation__kind",
            "obligation__description",
            "component",
        )
        .annotate(amount=Sum("amount"), first=Min("id"))
        .order_by("first")  # the order the court's priority applied them
    )
    for row in lines:
        out[row["transaction__payment_id"]].allocations.append(
            AllocationLine(
                obligation_id=row["obligation_id"],
                kind=row["obligation__kind"],
                description=row["obligation__description"],
                component=row["component"],
                amount=-_money(row["amount"]),
            )
        )
    held = (
        LedgerEntry.objects.filter(transaction__payment_id__in=ids, account=Account.UNAPPLIED)
        .exclude(transaction__kind=TransactionKind.VOID)
        .values("transaction__payment_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in held:
        out[row["transaction__payment_id"]].credit = -_money(row["amount"])
    return out


def payment_credit_sources(case: Case) -> list[tuple[int, Decimal]]:
    """The payments of the case still holding credit, oldest first: (payment id, credit)."""
    rows = (
        LedgerEntry.objects.filter(case=case, account=Account.UNAPPLIED)
        .values("transaction__payment_id")
        .annotate(amount=Sum("amount"))
        .filter(amount__lt=0)
        .order_by("transaction__payment_id")
    )
    return [(row["transaction__payment_id"], -_money(row["amount"])) for row in rows]


def receipt_number_format(year: int, sequence: int) -> str:
    """R<year>-<6 digits>: e.g. R2026-000123 (wider past 999,999 receipts in a year)."""
    return f"R{year}-{sequence:06d}"


def receipt_get_visible(user, number: str, *, court_code: str | None = None) -> Receipt:
    """The receipt `number` of a case `user` may see, else Http404.

    Raises:
        Http404: no such receipt, or its case is out of sight.
        DomainError: RECEIPT_NUMBER_AMBIGUOUS (409) when two visible courts use the number.
    """
    receipts = Receipt.objects.filter(
        number=number.strip().upper(), payment__case__in=Case.objects.visible_to(user)
    ).select_related("court", "payment__case__court", "payment__posted_by", "payment__void")
    if court_code:
        receipts = receipts.filter(court__code=court_code)
    found = list(receipts[:2])
    if not found:
        raise Http404("No such receipt.")
    if len(found) > 1:
        raise DomainError(
            "RECEIPT_NUMBER_AMBIGUOUS",
            "Two courts use that receipt number; say which court (?court=CODE).",
            field="court",
            status=409,
        )
    return found[0]


# --- drawers -------------------------------------------------------------------------------


def drawer_open_for(*, clerk, court: Court) -> CashDrawer | None:
    """The clerk's open drawer in `court`, if any (there is at most one)."""
    return CashDrawer.objects.filter(court=court, clerk=clerk, status=DrawerStatus.OPEN).first()


@dataclass
class DrawerExpected:
    """What the drawer should hold, from the ledger: the float plus cash, checks, and the
    rest (card and money order), net of voids, before any over/short."""

    opening_float: Decimal
    by_method: dict[str, Decimal]

    @property
    def cash(self) -> Decimal:
        return self.opening_float + self.by_method.get(PaymentMethod.CASH, ZERO)

    @property
    def checks(self) -> Decimal:
        return self.by_method.get(PaymentMethod.CHECK, ZERO)

    @property
    def other(self) -> Decimal:
        return self.by_method.get(PaymentMethod.CARD, ZERO) + self.by_method.get(
            PaymentMethod.MONEY_ORDER, ZERO
        )

    @property
    def collected(self) -> Decimal:
        return sum(self.by_method.values(), ZERO)


def drawer_expected(drawer: CashDrawer) -> DrawerExpected:
    rows = (
        LedgerEntry.objects.filter(drawer=drawer, account=Account.DRAWER)
        .exclude(transaction__kind=TransactionKind.OVER_SHORT)
        .values("method")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    by_method = {m: ZERO for m in PaymentMethod.values}
    for row in rows:
        by_method[row["method"]] = _money(row["amount"])
    return DrawerExpected(opening_float=drawer.opening_float, by_method=by_method)


def drawer_over_short(drawer: CashDrawer) -> Decimal:
    """Counted minus expected, as ledgered at close (0 before close)."""
    total = LedgerEntry.objects.filter(drawer=drawer, account=Account.OVER_SHORT).aggregate(
        s=Sum("amount")
    )["s"]
    return -_money(total)


def drawer_list(*, court: Court, business_date: dt.date | None = None) -> QuerySet[CashDrawer]:
    drawers = CashDrawer.objects.filter(court=court).select_related("clerk", "closeout")
    if business_date is not None:
        drawers = drawers.filter(business_date=business_date)
    return drawers.order_by("business_date", "clerk__username", "pk")


@dataclass
class DrawerDeposit:
    drawer: CashDrawer
    by_method: dict[str, Decimal]  # net payments taken (voids deducted)
    payments: int
    voided: int
    over_short: Decimal

    @property
    def collected(self) -> Decimal:
        return sum(self.by_method.values(), ZERO)

    @property
    def deposit(self) -> Decimal:
        """What goes to the bank: collected plus over/short (the float stays)."""
        return self.collected + self.over_short


@dataclass
class DepositReport:
    court: Court
    business_date: dt.date
    drawers: list[DrawerDeposit]

    @property
    def by_method(self) -> dict[str, Decimal]:
        totals = {m: ZERO for m in PaymentMethod.values}
        for d in self.drawers:
            for method, amount in d.by_method.items():
                totals[method] += amount
        return totals

    @property
    def collected(self) -> Decimal:
        return sum((d.collected for d in self.drawers), ZERO)

    @property
    def over_short(self) -> Decimal:
        return sum((d.over_short for d in self.drawers), ZERO)

    @property
    def deposit(self) -> Decimal:
        return sum((d.deposit for d in self.drawers), ZERO)


def deposit_report(*, court: Court, business_date: dt.date) -> DepositReport:
    """The day's deposit per court: each drawer opened that court-local day, its takings by
    method (net of voids), payment counts and over/short; totals by method (3 queries)."""
    drawers = list(drawer_list(court=court, business_date=business_date))
    ids = [d.pk for d in drawers]
    sums: dict[int, dict[str, Decimal]] = {
        pk: {m: ZERO for m in PaymentMethod.values} for pk in ids
    }
    over_short: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        LedgerEntry.objects.filter(drawer_id__in=ids)
        .values("drawer_id", "account", "method")
        .annotate(amount=Sum("amount", filter=~Q(transaction__kind=TransactionKind.OVER_SHORT)))
        .order_by()
    ):
        if row["account"] == Account.DRAWER and row["amount"] is not None:
            sums[row["drawer_id"]][row["method"]] += _money(row["amount"])
    for row in (
        LedgerEntry.objects.filter(drawer_id__in=ids, account=Account.OVER_SHORT)
        .values("drawer_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        over_short[row["drawer_id"]] = -_money(row["amount"])
    counts = {
        row["drawer_id"]: row
        for row in Payment.objects.filter(drawer_id__in=ids)
        .values("drawer_id")
        .annotate(n=Count("pk"), voided=Count("void"))
        .order_by()
    }
    return DepositReport(
        court=court,
        business_date=business_date,
        drawers=[
            DrawerDeposit(
                drawer=d,
                by_method=sums[d.pk],
                payments=counts.get(d.pk, {}).get("n", 0),
                voided=counts.get(d.pk, {}).get("voided", 0),
                over_short=over_short[d.pk],
            )
            for d in drawers
        ],
    )


# --- payees (restitution) ------------------------------------------------------------------


@dataclass
class PayeeBalance:
    """Restitution of one obligation seen from its payee: collected (net of voids),
    disbursed, and payable now (collected - disbursed)."""

    obligation: Obligation
    collected: Decimal
    disbursed: Decimal

    @property
    def payable(self) -> Decimal:
        return self.collected - self.disbursed


def payee_balances(
    *, court: Court | None = None, case: Case | None = None, minimum: Decimal | None = None
) -> list[PayeeBalance]:
    """Restitution owed to payees per obligation, from payee_payable (one query plus the
    obligations). `minimum` keeps only those with at least that much payable now."""
    entries = LedgerEntry.objects.filter(account=Account.PAYEE_PAYABLE)
    if court is not None:
        entries = entries.filter(obligation__court=court)
    if case is not None:
        entries = entries.filter(obligation__case=case)
    rows = (
        entries.values("obligation_id")
        .annotate(
            collected=Sum("amount", filter=~Q(transaction__kind=TransactionKind.DISBURSEMENT)),
            disbursed=Sum("amount", filter=Q(transaction__kind=TransactionKind.DISBURSEMENT)),
            payable=Sum("amount"),
        )
        .order_by("obligation_id")
    )
    if minimum is not None:
        rows = rows.filter(payable__lte=-minimum)
    rows = list(rows)
    obligations = Obligation.objects.select_related("case", "payee_party__person").in_bulk(
        [r["obligation_id"] for r in rows]
    )
    return [
        PayeeBalance(
            obligation=obligations[r["obligation_id"]],
            collected=-_money(r["collected"]),
            disbursed=_money(r["disbursed"]),
        )
        for r in rows
    ]


def payee_label(obligation: Obligation) -> str:
    """The payee as the court names them: the victim party, or the agency / insurer."""
    if obligation.payee_party_id:
        return str(obligation.payee_party.person)
    return obligation.payee_name


# --- the ledger as a whole -----------------------------------------------------------------


def ledger_unbalanced_transactions() -> list[int]:
    """Transactions whose entries do not sum to zero (the database refuses them at commit,
    so this is a check for reports and tests: it should always be empty)."""
    return list(
        LedgerTransaction.objects.annotate(total=Sum("entries__amount"))
        .filter(~Q(total=0) | Q(total__isnull=True))
        .values_list("pk", flat=True)
    )


def ledger_total() -> Decimal:
    """Debits minus credits over the whole ledger: zero, to the cent."""
    return _money(LedgerEntry.objects.aggregate(s=Sum("amount"))["s"])
