"""CourTools measure 7, collection of monetary penalties, from the ledger.

For the obligations ordered in the period (the cohort), per kind of obligation: what was
ordered (assessments and later adjustments: costs, interest, penalties), what was waived by
order, what has been collected to date (allocations of payments, net of voids: a void is
the exact negation of the payment's transactions) and what is still owed. CourTools
measure 7 compares what was collected with what was ordered; amounts the court waived are
no longer collectable, so the rate is collected / (ordered - waived).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum

from cases.measures import MeasureScope, percent_of

from .models import Account, CashDrawer, DrawerStatus, LedgerEntry, Obligation, ObligationKind
from .selectors import _ASSESSED, _PAID, _WAIVED, _money


@dataclass(frozen=True)
class Collected:
    kind: str
    ordered: Decimal
    waived: Decimal
    collected: Decimal

    @property
    def label(self) -> str:
        return ObligationKind(self.kind).label if self.kind else "All obligations"

    @property
    def collectable(self) -> Decimal:
        return self.ordered - self.waived

    @property
    def outstanding(self) -> Decimal:
        return self.collectable - self.collected

    @property
    def rate(self) -> Decimal | None:
        return percent_of(self.collected, self.collectable)


@dataclass(frozen=True)
class Collections:
    by_kind: list[Collected]

    @property
    def total(self) -> Collected:
        return Collected(
            kind="",
            ordered=sum((c.ordered for c in self.by_kind), Decimal("0.00")),
            waived=sum((c.waived for c in self.by_kind), Decimal("0.00")),
            collected=sum((c.collected for c in self.by_kind), Decimal("0.00")),
        )


def obligations_ordered(scope: MeasureScope) -> QuerySet[Obligation]:
    """The cohort: obligations of the scope's courts (and case types) ordered in the period
    (the drill-down of measure 7), oldest first."""
    obligations = Obligation.objects.filter(
        court_id__in=scope.court_ids, ordered_on__range=(scope.start, scope.end)
    )
    if scope.case_type_ids:
        obligations = obligations.filter(case__case_type_id__in=scope.case_type_ids)
    return obligations.select_related("case").order_by("ordered_on", "id")


def collection_rate(scope: MeasureScope) -> Collections:
    """CourTools measure 7 for the obligations ordered in `scope`, by kind (one query)."""
    rows = (
        LedgerEntry.objects.filter(
            account=Account.RECEIVABLE, obligation__in=obligations_ordered(scope).values("pk")
        )
        .values("obligation__kind")
        .annotate(
            ordered=Sum("amount", filter=_ASSESSED),
            waived=Sum("amount", filter=_WAIVED),
            paid=Sum("amount", filter=_PAID),
        )
        .order_by()
    )
    found = {
        row["obligation__kind"]: Collected(
            kind=row["obligation__kind"],
            ordered=_money(row["ordered"]),
            waived=-_money(row["waived"]),
            collected=-_money(row["paid"]),
        )
        for row in rows
    }
    return Collections(by_kind=[found[kind] for kind in ObligationKind.values if kind in found])


def drawers_not_closed(court_ids, *, today: dt.date) -> QuerySet[CashDrawer]:
    """Cash drawers of the courts still open from an earlier business day (each should have
    been closed out the day it was opened), oldest first."""
    return (
        CashDrawer.objects.filter(
            court_id__in=court_ids, status=DrawerStatus.OPEN, business_date__lt=today
        )
        .select_related("clerk", "court")
        .order_by("business_date", "id")
    )
