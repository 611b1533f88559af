"""Payments test data, made through the real services (so the ledger is always right).

- ``scheduled_fee(court_a, "CMPL", "400.00")``: a fee schedule row (data);
- ``obligation(case, "fine", "250.00")``: an obligation and its assessment;
- ``restitution(case, "90.00", payee_name="Ann Roe")``: restitution to an individual;
- ``open_drawer(clerk)``: the clerk's open drawer (float 100.00), opened if none;
- ``payment(case, "50.00", clerk=clerk)``: posted into the clerk's open drawer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from payments.models import (
    CashDrawer,
    DrawerStatus,
    FeeScheduleEntry,
    Obligation,
    ObligationKind,
    ObligationSource,
    Payment,
)
from payments.services import drawer_open, obligation_create, payment_post

D = Decimal


def scheduled_fee(
    court,
    event_code: str = "CMPL",
    amount: str = "400.00",
    *,
    case_type=None,
    kind: str = ObligationKind.FEE,
    description: str | None = None,
    effective_from: dt.date = dt.date(2000, 1, 1),
    effective_to: dt.date | None = None,
) -> FeeScheduleEntry:
    """A fee schedule row: recording `event_code` on a case (of `case_type`, or any) assesses
    `amount`."""
    return FeeScheduleEntry.objects.create(
        court=court,
        event_code=event_code,
        case_type=case_type,
        kind=kind,
        description=description or f"Filing fee ({event_code})",
        amount=D(amount),
        effective_from=effective_from,
        effective_to=effective_to,
    )


def obligation(
    case,
    kind: str = ObligationKind.FINE,
    amount: str = "100.00",
    *,
    created_by=None,
    description: str = "",
    ordered_on: dt.date | None = None,
    source: str = ObligationSource.ORDER,
    **kwargs,
) -> Obligation:
    """An obligation through `obligation_create` (by the clerk who opened the case unless
    `created_by` is given). Restitution needs payee_class and payee_name/payee_party."""
    return obligation_create(
        case=case,
        kind=kind,
        amount=D(amount),
        description=description,
        ordered_on=ordered_on,
        source=source,
        created_by=created_by or case.opened_by,
        **kwargs,
    )


def restitution(
    case,
    amount: str = "100.00",
    *,
    payee_class: str = "individual",
    payee_name: str = "Ann Roe",
    **kwargs,
) -> Obligation:
    return obligation(
        case,
        ObligationKind.RESTITUTION,
        amount,
        payee_class=payee_class,
        payee_name=payee_name,
        **kwargs,
    )


def open_drawer(clerk, court=None, opening_float: str = "100.00") -> CashDrawer:
    """The clerk's open drawer in `court` (their first court by default); opened if none."""
    court = court or clerk.memberships.order_by("-is_default", "pk").first().court
    drawer = CashDrawer.objects.filter(court=court, clerk=clerk, status=DrawerStatus.OPEN).first()
    return drawer or drawer_open(court=court, clerk=clerk, opening_float=D(opening_float))


def payment(
    case,
    amount: str = "50.00",
    *,
    clerk,
    method: str = "cash",
    payer_name: str = "John Doe",
    reference: str = "",
    drawer: CashDrawer | None = None,
    **kwargs,
) -> Payment:
    """A payment through `payment_post` into the clerk's open drawer (opened if needed)."""
    if method == "check" and not reference:
        reference = "1001"
    return payment_post(
        case=case,
        amount=D(amount),
        method=method,
        payer_name=payer_name,
        reference=reference,
        drawer=drawer or open_drawer(clerk, case.court),
        posted_by=clerk,
        **kwargs,
    )
