"""Every write to court money. Each service is atomic, ledgers what it moves as balanced
transactions (payments.ledger) and writes its audit record in the same transaction.

Locks, always in this order, so concurrent work on one case serializes and never
deadlocks:

1. the case row (``FOR NO KEY UPDATE``) — the case's money mutex, held even when the
   case owes nothing yet (two first payments, or a payment racing the first obligation);
2. the case's obligations, ``select_for_update().order_by("pk")``;
3. the cash drawer, ``FOR SHARE`` by payments and voids (many at once), ``FOR UPDATE`` by
   the close-out (which therefore waits for payments in flight, and they for it);
4. the court's receipt sequence row, last and briefly: it is the one court-wide hotspot.

Credit (an overpayment held for the case) is applied automatically: whenever a case
holding credit comes to owe something (a new obligation, an adjustment, a void that puts
an obligation back in arrears), the credit is allocated by the court's priority, oldest
payment's credit first. Each such allocation is a transaction *of the payment whose
credit it spends*, so voiding that payment reverses it too, and a case never holds
credit while it owes money.

Receipt numbers: ``R<year>-<000123>``, one sequence per court and court-local year of
issue, taken inside the payment's transaction (a rolled-back payment gives its number
back), so the numbers are gap-free.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court, User
from cases.models import Case, CaseParty, DocketEntry, court_local_date

from .allocation import Allocation, OwedItem, allocate
from .ledger import (
    Leg,
    allocation_legs,
    assessment_legs,
    over_short_legs,
    payment_legs,
    transaction_post,
    transaction_reverse,
    waiver_legs,
)
from .models import (
    Account,
    CashDrawer,
    Component,
    DrawerApproval,
    DrawerCloseout,
    DrawerStatus,
    FeeScheduleEntry,
    IdempotencyRecord,
    LedgerEntry,
    Obligation,
    ObligationKind,
    ObligationSource,
    ObligationWaiver,
    PayeeClass,
    Payment,
    PaymentMethod,
    PaymentVoid,
    Receipt,
    TransactionKind,
)
from .policies import can_supervise_money, can_take_payments
from .selectors import (
    allocation_policy_for,
    case_owed_items,
    drawer_expected,
    obligation_balances,
    payee_balances,
    payment_credit_sources,
    receipt_number_format,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")  # MONEY: 12 digits, 2 places
ADJUSTABLE_COMPONENTS = (Component.COSTS, Component.INTEREST, Component.PENALTIES)


# --- input checks shared by the services ---------------------------------------------------


def money_parse(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount of money from a form, JSON (string or number) or Decimal: exactly cents.

    Raises:
        DomainError (422, on `field`): AMOUNT_REQUIRED, AMOUNT_INVALID, AMOUNT_NOT_POSITIVE,
            AMOUNT_TOO_PRECISE (more than two decimals), AMOUNT_TOO_LARGE.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError("AMOUNT_REQUIRED", "Enter an amount.", field=field)
    if isinstance(value, bool | list | dict):
        raise DomainError("AMOUNT_INVALID", "Enter an amount such as 125.00.", field=field)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(
            "AMOUNT_INVALID", "Enter an amount such as 125.00.", field=field
        ) from None
    if not amount.is_finite():
        raise DomainError("AMOUNT_INVALID", "Enter an amount such as 125.00.", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise DomainError(
            "AMOUNT_NOT_POSITIVE",
            "Enter an amount greater than zero." if not allow_zero else "Enter zero or more.",
            field=field,
        )
    if amount != amount.quantize(CENT):
        raise DomainError(
            "AMOUNT_TOO_PRECISE", "Money has at most two decimal places.", field=field
        )
    if amount > MAX_AMOUNT:
        raise DomainError("AMOUNT_TOO_LARGE", "That amount is too large.", field=field)
    return amount.quantize(CENT)


def _reason(value: str, *, code: str, field: str = "reason") -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(code, "Give the reason (cite the order where there is one).", field=field)
    return text


def _lock_case_money(case: Case) -> list[Obligation]:
    """Serialize money work on one case: the case row, then its obligations in pk order."""
    Case.objects.select_for_update(no_key=True).only("id").get(pk=case.pk)
    return list(Obligation.objects.select_for_update(no_key=True).filter(case=case).order_by("pk"))


def _lock_drawer_shared(drawer: CashDrawer) -> str:
    """Hold the drawer open while a payment or void is written (the close-out waits)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM payments_cashdrawer WHERE id = %s FOR SHARE", [drawer.pk]
        )
        (status,) = cursor.fetchone()
    drawer.status = status
    return status


def _remaining(owed: list[OwedItem], allocations: Iterable[Allocation]) -> list[OwedItem]:
    applied: dict[tuple[int, str], Decimal] = {}
    for a in allocations:
        key = (a.obligation_id, a.component)
        applied[key] = applied.get(key, ZERO) + a.amount
    out = []
    for item in owed:
        left = item.balance - applied.get((item.obligation_id, item.component), ZERO)
        if left > 0:
            out.append(
                OwedItem(
                    obligation_id=item.obligation_id,
                    kind=item.kind,
                    component=item.component,
                    balance=left,
                    ordered_on=item.ordered_on,
                    payee_class=item.payee_class,
                    priority=item.priority,
                )
            )
    return out


def _post_allocation(
    *,
    case: Case,
    payment: Payment,
    allocations: Iterable[Allocation],
    obligations: dict[int, Obligation],
    by: User,
    memo: str,
) -> None:
    applied = [(obligations[a.obligation_id], a.component, a.amount) for a in allocations]
    if not applied:
        return
    transaction_post(
        court=case.court,
        kind=TransactionKind.ALLOCATION,
        legs=allocation_legs(case_id=case.pk, applied=applied),
        posted_by=by,
        case=case,
        payment=payment,
        memo=memo,
    )


def _credit_apply(*, case: Case, obligations: list[Obligation], by: User) -> Decimal:
    """Spend credit the case holds on what it owes (the case is locked by the caller).

    Oldest payment's credit first; each payment's spend is its own allocation transaction,
    linked to that payment, so a void of the payment takes it back. Returns the amount
    applied.
    """
    sources = payment_credit_sources(case)
    if not sources:
        return ZERO
    owed = case_owed_items(case, obligations)
    if not owed:
        return ZERO
    policy = allocation_policy_for(case.court)
    by_id = {o.pk: o for o in obligations}
    payments = Payment.objects.in_bulk([pk for pk, _credit in sources])
    applied = ZERO
    for payment_id, credit in sources:
        if not owed:
            break
        result = allocate(credit, owed, policy)
        _post_allocation(
            case=case,
            payment=payments[payment_id],
            allocations=result.allocations,
            obligations=by_id,
            by=by,
            memo="Credit held applied",
        )
        applied += sum((a.amount for a in result.allocations), ZERO)
        owed = _remaining(owed, result.allocations)
    if applied:
        audit_record(
            action="payment.credit_apply",
            actor=by,
            obj=case,
            case=case,
            details={"applied": str(applied)},
        )
    return applied


# --- obligations ---------------------------------------------------------------------------


def _payee_check(
    *,
    case: Case,
    kind: str,
    payee_class: str,
    payee_party: CaseParty | None,
    payee_name: str,
) -> tuple[str, CaseParty | None, str]:
    payee_name = (payee_name or "").strip()
    if kind != ObligationKind.RESTITUTION:
        if payee_class or payee_party is not None or payee_name:
            raise DomainError(
                "PAYEE_ONLY_FOR_RESTITUTION",
                "Only restitution is paid to a payee.",
                field="payee_class",
            )
        return "", None, ""
    if payee_class not in PayeeClass.values:
        raise DomainError(
            "PAYEE_REQUIRED",
            "Say who restitution is paid to: an individual victim, a government agency "
            "or an insurer.",
            field="payee_class",
        )
    if payee_party is not None:
        if payee_party.case_id != case.pk:
            raise DomainError(
                "PAYEE_NOT_A_PARTY", "The payee must be a party of this case.", field="payee_party"
            )
        payee_name = payee_name or str(payee_party.person)
    if not payee_name:
        raise DomainError(
            "PAYEE_REQUIRED", "Name the payee (or choose the victim party).", field="payee_name"
        )
    return payee_class, payee_party, payee_name[:200]


@transaction.atomic
def obligation_create(
    *,
    case: Case,
    kind: str,
    amount: Decimal | str,
    description: str = "",
    ordered_on: dt.date | None = None,
    due_on: dt.date | None = None,
    payee_class: str = "",
    payee_party: CaseParty | None = None,
    payee_name: str = "",
    payee_priority: int = 0,
    accrues_interest: bool = False,
    source: str = ObligationSource.MANUAL,
    docket_entry: DocketEntry | None = None,
    fee_schedule_entry: FeeScheduleEntry | None = None,
    created_by: User,
) -> Obligation:
    """Assess money on a case: the obligation and its assessment transaction
    (Dr receivable(principal), Cr assessed — or payee_deferred for restitution). Credit the
    case holds is applied to it at once.

    Args:
        ordered_on: court-local date of the order or event; today when omitted.
        payee_class, payee_party, payee_name: restitution only (18 U.S.C. 3664(i)); the
            name defaults to the party's.
        source: order, manual or fee_schedule (with `docket_entry` and `fee_schedule_entry`).

    Returns:
        The obligation.

    Raises:
        DomainError (422): UNKNOWN_OBLIGATION_KIND, AMOUNT_*, ORDERED_IN_FUTURE,
            DUE_BEFORE_ORDERED, PAYEE_REQUIRED, PAYEE_NOT_A_PARTY, PAYEE_ONLY_FOR_RESTITUTION,
            UNKNOWN_SOURCE, DOCKET_ENTRY_OF_OTHER_CASE.
    """
    if kind not in ObligationKind.values:
        raise DomainError(
            "UNKNOWN_OBLIGATION_KIND",
            "Choose special assessment, restitution, fine, fee, cost, interest or penalty.",
            field="kind",
        )
    amount = money_parse(amount)
    if source not in ObligationSource.values:
        raise DomainError("UNKNOWN_SOURCE", "Choose order, manual or fee schedule.", field="source")
    today = court_local_date(case.court)
    ordered_on = ordered_on or today
    if ordered_on > today:
        raise DomainError(
            "ORDERED_IN_FUTURE", "The order date cannot be in the future.", field="ordered_on"
        )
    if due_on is not None and due_on < ordered_on:
        raise DomainError(
            "DUE_BEFORE_ORDERED", "The due date cannot be before the order.", field="due_on"
        )
    if docket_entry is not None and docket_entry.case_id != case.pk:
        raise DomainError(
            "DOCKET_ENTRY_OF_OTHER_CASE",
            "The order must be on this case.",
            field="docket_entry",
        )
    payee_class, payee_party, payee_name = _payee_check(
        case=case,
        kind=kind,
        payee_class=payee_class,
        payee_party=payee_party,
        payee_name=payee_name,
    )
    description = (description or "").strip() or ObligationKind(kind).label
    obligations = _lock_case_money(case)
    obligation = Obligation.objects.create(
        case=case,
        court_id=case.court_id,
        kind=kind,
        description=description[:200],
        amount=amount,
        ordered_on=ordered_on,
        due_on=due_on,
        payee_class=payee_class,
        payee_party=payee_party,
        payee_name=payee_name,
        payee_priority=payee_priority or 0,
        accrues_interest=accrues_interest,
        source=source,
        docket_entry=docket_entry,
        fee_schedule_entry=fee_schedule_entry,
        created_by=created_by,
    )
    transaction_post(
        court=case.court,
        kind=TransactionKind.ASSESSMENT,
        legs=assessment_legs(obligation, amount, Component.PRINCIPAL),
        posted_by=created_by,
        case=case,
        obligation=obligation,
        memo=description[:300],
    )
    audit_record(
        action="obligation.create",
        actor=created_by,
        obj=obligation,
        case=case,
        details={
            "kind": kind,
            "amount": str(amount),
            "source": source,
            "docket_entry": docket_entry.pk if docket_entry else None,
            "fee_schedule_entry": fee_schedule_entry.pk if fee_schedule_entry else None,
        },
    )
    _credit_apply(case=case, obligations=[*obligations, obligation], by=created_by)
    return obligation


@transaction.atomic
def obligation_waive(
    *,
    obligation: Obligation,
    amount: Decimal | str,
    reason: str,
    by: User,
    component: str | None = None,
    docket_entry: DocketEntry | None = None,
) -> ObligationWaiver:
    """Record an order waiving (part of) an obligation, e.g. for indigency: a waiver row and
    a WAIVER transaction (Dr assessed / payee_deferred, Cr receivable), never a deletion.

    Without `component`, the waiver takes principal first, then costs, interest, penalties.

    Raises:
        DomainError (422): AMOUNT_*, WAIVER_REASON_REQUIRED, UNKNOWN_COMPONENT,
            WAIVER_EXCEEDS_BALANCE, DOCKET_ENTRY_OF_OTHER_CASE.
    """
    amount = money_parse(amount)
    reason = _reason(reason, code="WAIVER_REASON_REQUIRED")
    if component is not None and component not in Component.values:
        raise DomainError("UNKNOWN_COMPONENT", "Choose a component.", field="component")
    case = obligation.case
    if docket_entry is not None and docket_entry.case_id != case.pk:
        raise DomainError(
            "DOCKET_ENTRY_OF_OTHER_CASE", "The order must be on this case.", field="docket_entry"
        )
    _lock_case_money(case)
    [balance] = obligation_balances([obligation])
    parts = [c for c in balance.components if c.balance > 0 and component in (None, c.component)]
    available = sum((c.balance for c in parts), ZERO)
    if amount > available:
        raise DomainError(
            "WAIVER_EXCEEDS_BALANCE",
            f"Only {available} is owed on that obligation{' component' if component else ''}.",
            field="amount",
        )
    waiver = ObligationWaiver.objects.create(
        obligation=obligation,
        amount=amount,
        reason=reason,
        docket_entry=docket_entry,
        waived_by=by,
    )
    legs: list[Leg] = []
    left = amount
    for part in parts:
        take = min(left, part.balance)
        if take > 0:
            legs += waiver_legs(obligation, take, part.component)
            left -= take
    transaction_post(
        court=case.court,
        kind=TransactionKind.WAIVER,
        legs=legs,
        posted_by=by,
        case=case,
        obligation=obligation,
        memo=f"Waiver {waiver.pk}: {reason}"[:300],
    )
    audit_record(
        action="obligation.waive",
        actor=by,
        obj=waiver,
        case=case,
        details={"obligation": obligation.pk, "amount": str(amount), "reason": reason[:200]},
    )
    return waiver


@transaction.atomic
def obligation_adjust(
    *, obligation: Obligation, component: str, amount: Decimal | str, reason: str, by: User
):
    """Add costs, interest or penalties to an obligation (18 U.S.C. 3612(f), (g)): an
    ADJUSTMENT transaction, Dr receivable(component), Cr assessed (payee_deferred for
    restitution: interest on restitution is the victim's). Credit held is applied.

    Returns:
        The ledger transaction.

    Raises:
        DomainError (422): ADJUSTMENT_COMPONENT_INVALID, AMOUNT_*, ADJUSTMENT_REASON_REQUIRED.
    """
    if component not in ADJUSTABLE_COMPONENTS:
        raise DomainError(
            "ADJUSTMENT_COMPONENT_INVALID",
            "Add costs, interest or penalties; principal changes by order (a new obligation "
            "or a waiver).",
            field="component",
        )
    amount = money_parse(amount)
    reason = _reason(reason, code="ADJUSTMENT_REASON_REQUIRED")
    case = obligation.case
    obligations = _lock_case_money(case)
    txn = transaction_post(
        court=case.court,
        kind=TransactionKind.ADJUSTMENT,
        legs=assessment_legs(obligation, amount, component),
        posted_by=by,
        case=case,
        obligation=obligation,
        memo=reason[:300],
    )
    audit_record(
        action="obligation.adjust",
        actor=by,
        obj=obligation,
        case=case,
        details={"component": component, "amount": str(amount), "reason": reason[:200]},
    )
    _credit_apply(case=case, obligations=obligations, by=by)
    return txn


# --- the fee schedule ------------------------------------------------------------------------


def fee_schedule_entry_for(
    *, court_id: int, event_code: str, case_type_id: int, on: dt.date
) -> FeeScheduleEntry | None:
    """The fee in force on `on` for the event on a case of that type: an entry for the case
    type wins over one for any type; among those, the latest effective."""
    return (
        FeeScheduleEntry.objects.filter(
            court_id=court_id, event_code=event_code, effective_from__lte=on
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .filter(Q(case_type_id=case_type_id) | Q(case_type__isnull=True))
        .order_by("case_type_id", "-effective_from", "-pk")  # NULLS LAST: typed entry first
        .first()
    )


def fee_schedule_assess(entry: DocketEntry) -> Obligation | None:
    """cases.registry subscriber (every event): assess the scheduled fee for the entry.

    Runs inside the transaction recording the entry. A correction assesses nothing; an entry
    assesses a scheduled fee once (constraint payments_obligation_fee_once).
    """
    if entry.corrects_id is not None:
        return None
    case = entry.case
    fee = fee_schedule_entry_for(
        court_id=case.court_id,
        event_code=entry.event_code,
        case_type_id=case.case_type_id,
        on=entry.entry_date,
    )
    if fee is None:
        return None
    if Obligation.objects.filter(docket_entry=entry, fee_schedule_entry=fee).exists():
        return None
    return obligation_create(
        case=case,
        kind=fee.kind,
        amount=fee.amount,
        description=fee.description,
        ordered_on=min(entry.entry_date, court_local_date(case.court)),
        source=ObligationSource.FEE_SCHEDULE,
        docket_entry=entry,
        fee_schedule_entry=fee,
        created_by=entry.recorded_by,
    )


# --- payments --------------------------------------------------------------------------------


def _receipt_number_take(*, court: Court, year: int) -> tuple[int, str]:
    """The court's next receipt number for `year`: one UPDATE ... RETURNING that locks the
    sequence row until commit (gap-free: a rollback gives the number back)."""
    sql = (
        "UPDATE payments_receiptsequence SET last_number = last_number + 1 "
        "WHERE court_id = %s AND year = %s RETURNING last_number"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [court.pk, year])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                "INSERT INTO payments_receiptsequence (court_id, year, last_number) "
                "VALUES (%s, %s, 0) ON CONFLICT (court_id, year) DO NOTHING",
                [court.pk, year],
            )
            cursor.execute(sql, [court.pk, year])
            row = cursor.fetchone()
    sequence = row[0]
    return sequence, receipt_number_format(year, sequence)


def _drawer_check(*, drawer: CashDrawer, court: Court, user: User) -> None:
    if drawer.court_id != court.pk or drawer.clerk_id != user.pk:
        raise DomainError(
            "DRAWER_NOT_YOURS",
            "Post payments into your own drawer in this court.",
            field="drawer",
            status=403,
        )
    if drawer.status != DrawerStatus.OPEN:
        raise DomainError(
            "DRAWER_CLOSED", "That drawer is closed; open a new one.", field="drawer", status=409
        )


@transaction.atomic
def payment_post(
    *,
    case: Case,
    amount: Decimal | str,
    method: str,
    payer_name: str = "",
    payer_party: CaseParty | None = None,
    reference: str = "",
    drawer: CashDrawer,
    posted_by: User,
    received_at: dt.datetime | None = None,
) -> Payment:
    """Take a payment at the counter into the clerk's open drawer.

    Writes the payment, its PAYMENT transaction (Dr drawer(method), Cr unapplied(case)),
    the ALLOCATION transaction by the court's priority (Dr unapplied, Cr receivable per
    obligation and component; restitution also Dr payee_deferred, Cr payee_payable), and a
    receipt with the court's next number. What is left over stays as credit (unapplied).

    Args:
        payer_name: who paid (defaults to the party's name when `payer_party` is given).
        reference: the check number (required for checks), card or money-order reference.
        received_at: when the money was received (default now; not in the future).

    Returns:
        The payment (with `receipt`).

    Raises:
        DomainError: AMOUNT_* (422), UNKNOWN_METHOD (422), PAYER_REQUIRED (422),
            PAYER_NOT_A_PARTY (422), REFERENCE_REQUIRED (422), RECEIVED_IN_FUTURE (422),
            PAYMENT_NOT_ALLOWED (403), DRAWER_NOT_YOURS (403), DRAWER_CLOSED (409),
            ALLOCATION_POLICY_INVALID (409).
    """
    amount = money_parse(amount)
    if method not in PaymentMethod.values:
        raise DomainError(
            "UNKNOWN_METHOD", "Choose cash, check, card or money order.", field="method"
        )
    if payer_party is not None and payer_party.case_id != case.pk:
        raise DomainError(
            "PAYER_NOT_A_PARTY", "The payer must be a party of this case.", field="payer_party"
        )
    payer_name = (payer_name or "").strip() or (str(payer_party.person) if payer_party else "")
    if not payer_name:
        raise DomainError("PAYER_REQUIRED", "Who is paying?", field="payer")
    reference = (reference or "").strip()
    if method == PaymentMethod.CHECK and not reference:
        raise DomainError(
            "REFERENCE_REQUIRED",
            "Enter the check number (the deposit lists it).",
            field="reference",
        )
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise DomainError(
            "RECEIVED_IN_FUTURE", "The money cannot be received in the future.", field="received_at"
        )
    court = case.court
    if not can_take_payments(posted_by, court):
        raise DomainError(
            "PAYMENT_NOT_ALLOWED",
            "Only the clerk's office of the court takes payments.",
            status=403,
        )
    _drawer_check(drawer=drawer, court=court, user=posted_by)

    obligations = _lock_case_money(case)
    _lock_drawer_shared(drawer)
    _drawer_check(drawer=drawer, court=court, user=posted_by)  # closed while we waited?

    payment = Payment.objects.create(
        case=case,
        court=court,
        drawer=drawer,
        amount=amount,
        method=method,
        reference=reference[:60],
        payer_name=payer_name[:200],
        payer_party=payer_party,
        received_at=received_at,
        posted_by=posted_by,
    )
    transaction_post(
        court=court,
        kind=TransactionKind.PAYMENT,
        legs=payment_legs(case_id=case.pk, drawer=drawer, method=method, amount=amount),
        posted_by=posted_by,
        case=case,
        payment=payment,
        memo=f"{PaymentMethod(method).label} from {payer_name}"[:300],
    )
    owed = case_owed_items(case, obligations)
    result = allocate(amount, owed, allocation_policy_for(court))
    _post_allocation(
        case=case,
        payment=payment,
        allocations=result.allocations,
        obligations={o.pk: o for o in obligations},
        by=posted_by,
        memo="Allocation by the court's priority",
    )
    year = court_local_date(court, now).year
    sequence, number = _receipt_number_take(court=court, year=year)
    payment.receipt = Receipt.objects.create(
        payment=payment, court=court, year=year, sequence=sequence, number=number
    )
    audit_record(
        action="payment.post",
        actor=posted_by,
        obj=payment,
        case=case,
        details={
            "amount": str(amount),
            "method": method,
            "receipt": number,
            "drawer": drawer.pk,
            "allocated": str(amount - result.credit),
            "credit": str(result.credit),
        },
    )
    return payment


@transaction.atomic
def payment_void(*, payment: Payment, reason: str, by: User) -> PaymentVoid:
    """A supervisor's void: every transaction of the payment (its payment, allocation and
    any credit applied later) is reversed by its exact negation; the payment and its receipt
    stay. The drawer's expected takings drop by the amount.

    Raises:
        DomainError: VOID_NOT_ALLOWED (403), VOID_REASON_REQUIRED (422),
            PAYMENT_ALREADY_VOIDED (409), DRAWER_CLOSED (409: the drawer was counted; a
            returned check after close-out is not a void), VOID_AFTER_DISBURSEMENT (409: the
            restitution it paid was already paid out to the payee).
    """
    if not can_supervise_money(by, payment.court):
        raise DomainError(
            "VOID_NOT_ALLOWED", "Only a supervisor of the court voids payments.", status=403
        )
    reason = _reason(reason, code="VOID_REASON_REQUIRED")
    case = payment.case
    obligations = _lock_case_money(case)
    if PaymentVoid.objects.filter(payment=payment).exists():
        raise DomainError("PAYMENT_ALREADY_VOIDED", "That payment is already voided.", status=409)
    drawer = payment.drawer
    if _lock_drawer_shared(drawer) != DrawerStatus.OPEN:
        raise DomainError(
            "DRAWER_CLOSED",
            "The drawer that took this payment has been closed and counted; it cannot be "
            "voided now.",
            status=409,
        )
    transactions = list(
        payment.transactions.exclude(kind=TransactionKind.VOID)
        .filter(reversed_by__isnull=True)
        .order_by("pk")
    )
    # Restitution this payment moved to a payee must not have been paid out already.
    moved: dict[int, Decimal] = {}
    for e in LedgerEntry.objects.filter(
        transaction__in=transactions, account=Account.PAYEE_PAYABLE
    ):
        moved[e.obligation_id] = moved.get(e.obligation_id, ZERO) - e.amount
    if moved:
        payable = {b.obligation.pk: b.payable for b in payee_balances(case=case)}
        if any(payable.get(oid, ZERO) < amount for oid, amount in moved.items()):
            raise DomainError(
                "VOID_AFTER_DISBURSEMENT",
                "Restitution from this payment has already been paid out to the victim.",
                status=409,
            )
    void = PaymentVoid.objects.create(payment=payment, reason=reason, voided_by=by)
    for txn in transactions:
        transaction_reverse(txn=txn, posted_by=by, memo=f"Void of payment {payment.pk}: {reason}")
    audit_record(
        action="payment.void",
        actor=by,
        obj=payment,
        case=case,
        details={
            "amount": str(payment.amount),
            "reason": reason[:200],
            "receipt": getattr(getattr(payment, "receipt", None), "number", ""),
            "reversed": [t.pk for t in transactions],
        },
    )
    _credit_apply(case=case, obligations=obligations, by=by)
    return void


# --- idempotency ---------------------------------------------------------------------------


def request_fingerprint(*parts: Any) -> str:
    """SHA-256 over the canonical JSON of the request (sorted keys, no spaces)."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request_hash: str) -> tuple[int, dict, bool]:
    if record.request_hash != request_hash:
        raise DomainError(
            "IDEMPOTENCY_KEY_REUSED",
            "That Idempotency-Key was used for a different request; use a new key.",
            field="Idempotency-Key",
        )
    return record.response_status, record.response_body, True


def idempotency_run(
    *,
    user: User,
    scope: str,
    key: str,
    request_hash: str,
    perform: Callable[[], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """Run `perform` once per (user, scope, key); a retry gets the first answer back.

    The record is written in the same transaction as the work, so both commit or neither
    does: a refused request (a DomainError) writes nothing, not even its key, and may be
    retried. Concurrent requests with one key queue on a transaction-level advisory lock
    and the unique index behind it; the later ones replay the first answer.

    Returns:
        (status, body, replayed).

    Raises:
        DomainError: IDEMPOTENCY_KEY_REUSED (422) when the key came with another request;
            whatever `perform` raises.
    """
    lookup = {"user": user, "scope": scope, "key": key}
    first = IdempotencyRecord.objects.filter(**lookup).first()
    if first is not None:
        return _replay(first, request_hash)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                    [f"payments.idempotency:{user.pk}:{scope}:{key}"],
                )
            first = IdempotencyRecord.objects.filter(**lookup).first()
            if first is not None:
                return _replay(first, request_hash)
            status, body = perform()
            IdempotencyRecord.objects.create(
                **lookup, request_hash=request_hash, response_status=status, response_body=body
            )
            return status, body, False
    except IntegrityError:
        first = IdempotencyRecord.objects.filter(**lookup).first()
        if first is None:
            raise
        return _replay(first, request_hash)


# --- cash drawers --------------------------------------------------------------------------


@transaction.atomic
def drawer_open(*, court: Court, clerk: User, opening_float: Decimal | str) -> CashDrawer:
    """Open the clerk's drawer for the day with a starting float (cash).

    Raises:
        DomainError: DRAWER_NOT_ALLOWED (403), AMOUNT_* (422, field opening_float),
            DRAWER_ALREADY_OPEN (409).
    """
    if not can_take_payments(clerk, court):
        raise DomainError(
            "DRAWER_NOT_ALLOWED", "Only the clerk's office of the court keeps drawers.", status=403
        )
    opening_float = money_parse(opening_float, field="opening_float", allow_zero=True)
    exists = CashDrawer.objects.filter(court=court, clerk=clerk, status=DrawerStatus.OPEN)
    already = DomainError(
        "DRAWER_ALREADY_OPEN", "You already have an open drawer; close it first.", status=409
    )
    if exists.exists():
        raise already
    try:
        with transaction.atomic():
            drawer = CashDrawer.objects.create(
                court=court,
                clerk=clerk,
                business_date=court_local_date(court),
                opening_float=opening_float,
            )
    except IntegrityError:  # payments_drawer_one_open_per_clerk: a double click
        raise already from None
    audit_record(
        action="drawer.open",
        actor=clerk,
        obj=drawer,
        court=court,
        details={"opening_float": str(opening_float)},
    )
    return drawer


@transaction.atomic
def drawer_close(
    *,
    drawer: CashDrawer,
    counted_cash: Decimal | str,
    counted_checks: Decimal | str,
    note: str = "",
    by: User,
) -> DrawerCloseout:
    """Count the drawer: expected (float + cash, checks, other) from the ledger against what
    was counted; any difference is an OVER_SHORT transaction (a shortage Dr over_short,
    Cr drawer(method)). The drawer takes no more payments and awaits approval.

    Raises:
        DomainError: DRAWER_NOT_YOURS (403: the drawer's clerk or a supervisor closes it),
            AMOUNT_* (422, fields counted_cash / counted_checks), DRAWER_CLOSED (409),
            CLOSEOUT_NOTE_REQUIRED (422: explain an over/short).
    """
    if by.pk != drawer.clerk_id and not can_supervise_money(by, drawer.court):
        raise DomainError(
            "DRAWER_NOT_YOURS", "Only the drawer's clerk or a supervisor closes it.", status=403
        )
    counted_cash = money_parse(counted_cash, field="counted_cash", allow_zero=True)
    counted_checks = money_parse(counted_checks, field="counted_checks", allow_zero=True)
    note = (note or "").strip()
    locked = CashDrawer.objects.select_for_update().get(pk=drawer.pk)  # waits for payments
    if locked.status != DrawerStatus.OPEN:
        raise DomainError("DRAWER_CLOSED", "That drawer is already closed.", status=409)
    expected = drawer_expected(locked)
    cash_diff = counted_cash - expected.cash
    check_diff = counted_checks - expected.checks
    over_short = cash_diff + check_diff
    if (cash_diff or check_diff) and not note:
        raise DomainError(
            "CLOSEOUT_NOTE_REQUIRED",
            "The count differs from what is expected; say why.",
            field="note",
        )
    transaction_post(
        court=locked.court,
        kind=TransactionKind.OVER_SHORT,
        legs=[
            *over_short_legs(drawer=locked, method=PaymentMethod.CASH, difference=cash_diff),
            *over_short_legs(drawer=locked, method=PaymentMethod.CHECK, difference=check_diff),
        ],
        posted_by=by,
        memo=f"Drawer {locked.pk} close-out: {note}"[:300],
    )
    closeout = DrawerCloseout.objects.create(
        drawer=locked,
        expected_cash=expected.cash,
        expected_checks=expected.checks,
        expected_other=expected.other,
        counted_cash=counted_cash,
        counted_checks=counted_checks,
        over_short=over_short,
        note=note,
        closed_by=by,
    )
    CashDrawer.objects.filter(pk=locked.pk).update(status=DrawerStatus.CLOSED)
    drawer.status = DrawerStatus.CLOSED
    audit_record(
        action="drawer.close",
        actor=by,
        obj=closeout,
        court=locked.court,
        details={
            "drawer": locked.pk,
            "expected_cash": str(expected.cash),
            "expected_checks": str(expected.checks),
            "expected_other": str(expected.other),
            "counted_cash": str(counted_cash),
            "counted_checks": str(counted_checks),
            "over_short": str(over_short),
        },
    )
    return closeout


@transaction.atomic
def drawer_approve(*, closeout: DrawerCloseout, by: User, note: str = "") -> DrawerApproval:
    """A supervisor approves a counted drawer (not their own).

    Raises:
        DomainError: DRAWER_APPROVAL_NOT_ALLOWED (403), DRAWER_SELF_APPROVAL (403),
            DRAWER_ALREADY_APPROVED (409).
    """
    drawer = CashDrawer.objects.select_for_update().get(pk=closeout.drawer_id)
    if not can_supervise_money(by, drawer.court):
        raise DomainError(
            "DRAWER_APPROVAL_NOT_ALLOWED",
            "Only a supervisor of the court approves close-outs.",
            status=403,
        )
    if by.pk == drawer.clerk_id:
        raise DomainError(
            "DRAWER_SELF_APPROVAL", "Another supervisor approves your own drawer.", status=403
        )
    if (
        drawer.status == DrawerStatus.APPROVED
        or DrawerApproval.objects.filter(closeout=closeout).exists()
    ):
        raise DomainError(
            "DRAWER_ALREADY_APPROVED", "That close-out is already approved.", status=409
        )
    approval = DrawerApproval.objects.create(
        closeout=closeout, approved_by=by, note=(note or "").strip()
    )
    CashDrawer.objects.filter(pk=drawer.pk).update(status=DrawerStatus.APPROVED)
    closeout.drawer.status = DrawerStatus.APPROVED
    audit_record(
        action="drawer.approve",
        actor=by,
        obj=approval,
        court=drawer.court,
        details={"drawer": drawer.pk, "over_short": str(closeout.over_short)},
    )
    return approval
