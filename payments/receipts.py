"""Receipts as the payer gets them: the receipt's facts from the ledger, the printable PDF,
and the record of every print (issue 7, item 3).

A receipt is printed from `templates/payments/receipt_pdf.html` with WeasyPrint (through
`filings.pdf`, which imports it lazily and fetches nothing). Each print is a ReceiptPrint
row, written under a lock on the receipt so that exactly one print is the original: every
later print says REPRINT on the paper, in large letters, with who reprinted it and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from cases.models import Case
from cases.services import case_read_audit
from filings.pdf import html_to_pdf

from .models import (
    Account,
    Component,
    LedgerEntry,
    ObligationKind,
    PayeeClass,
    Payment,
    Receipt,
    ReceiptPrint,
    TransactionKind,
)
from .policies import can_see_money, can_take_payments
from .selectors import receipt_get_visible

ZERO = Decimal("0.00")


def receipt_list_visible(user) -> QuerySet[Receipt]:
    """Receipts of the cases `user` may see (a receipt is as visible as its case; whether
    they may read money details is `payments.policies.can_see_money`)."""
    return Receipt.objects.filter(payment__case__in=Case.objects.visible_to(user)).select_related(
        "court", "payment__case__court", "payment__posted_by", "payment__void__voided_by"
    )


def receipt_for_reader(
    user, number: str, *, court_code: str | None = None, surface: str
) -> Receipt:
    """The receipt as `user` may read it, its case's read audited (sealed, juvenile).

    Raises:
        Http404: no such receipt, or its case is out of sight (the same answer).
        PermissionDenied: the case is in sight but its money is not shown to the user
            (`can_see_money`: the public level), as the payments API answers.
        DomainError: RECEIPT_NUMBER_AMBIGUOUS (see selectors.receipt_get_visible).
    """
    receipt = receipt_get_visible(user, number, court_code=court_code)
    case = receipt.payment.case
    if not can_see_money(user, case):
        raise PermissionDenied("The money of this case is not shown to you.")
    case_read_audit(case=case, user=user, surface=surface)
    return receipt


@dataclass(frozen=True)
class ReceiptLine:
    """What one payment paid on one obligation (all components together)."""

    obligation_id: int
    kind: str
    kind_label: str
    description: str
    payee: str  # restitution: the payee's class, never the victim's name (see below)
    principal: Decimal
    other: Decimal  # costs, interest, penalties (18 U.S.C. 3612(i) order)
    applied: Decimal


@dataclass(frozen=True)
class ReceiptFacts:
    """Everything a receipt shows, read once for the page and the PDF alike."""

    receipt: Receipt
    payment: Payment
    case: Case
    court: object
    issued_local: dt.datetime
    clerk_name: str
    lines: list[ReceiptLine] = field(default_factory=list)
    applied_total: Decimal = ZERO
    credit_held: Decimal = ZERO  # received but not applied: held as a credit on the case
    voided: bool = False
    void_reason: str = ""
    void_local: dt.datetime | None = None
    void_by: str = ""


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def receipt_facts(receipt: Receipt) -> ReceiptFacts:
    """The receipt's facts: payment, payer, clerk, and the allocation recorded in the ledger.

    The allocation is read from the payment's allocation transaction posted with it
    (credits to the obligations' receivables), not recomputed, so the receipt shows exactly
    what was posted. Credit the payment left over and that was applied later (when a new
    obligation came) is ledgered as the payment's too (payments.services), but it is not
    what happened at the counter: the receipt shows the credit held when it was issued,
    and every print of it is the same paper. A void shows VOID with the reason.

    A restitution line names the payee's class ("Individual victim"), not the victim:
    the payer takes the paper home, and a victim's name is not the defendant's to keep.
    """
    payment = receipt.payment
    case = payment.case
    court = receipt.court
    entries = (
        LedgerEntry.objects.filter(
            transaction__payment=payment,
            transaction__kind=TransactionKind.ALLOCATION,
            # Posted with the payment, before its receipt (payments.services.payment_post);
            # later spends of its credit come after the receipt was issued.
            transaction__posted_at__lte=receipt.issued_at,
            account=Account.RECEIVABLE,
        )
        .select_related("obligation")
        .order_by("obligation__ordered_on", "obligation_id", "id")
    )
    by_obligation: dict[int, dict] = {}
    for entry in entries:
        ob = entry.obligation
        row = by_obligation.setdefault(
            ob.pk,
            {"ob": ob, "principal": ZERO, "other": ZERO},
        )
        applied = -entry.amount  # a payment credits the receivable
        if entry.component == Component.PRINCIPAL:
            row["principal"] += applied
        else:
            row["other"] += applied
    lines = []
    for row in by_obligation.values():
        ob = row["ob"]
        payee = PayeeClass(ob.payee_class).label if ob.payee_class else ""
        lines.append(
            ReceiptLine(
                obligation_id=ob.pk,
                kind=ob.kind,
                kind_label=ObligationKind(ob.kind).label,
                description=ob.description,
                payee=payee,
                principal=row["principal"],
                other=row["other"],
                applied=row["principal"] + row["other"],
            )
        )
    applied_total = sum((line.applied for line in lines), ZERO)
    void = getattr(payment, "void", None)
    tz = court.tzinfo
    return ReceiptFacts(
        receipt=receipt,
        payment=payment,
        case=case,
        court=court,
        issued_local=timezone.localtime(receipt.issued_at, tz),
        clerk_name=_name(payment.posted_by),
        lines=lines,
        applied_total=applied_total,
        credit_held=max(payment.amount - applied_total, ZERO),
        voided=void is not None,
        void_reason=void.reason if void else "",
        void_local=timezone.localtime(void.voided_at, tz) if void else None,
        void_by=_name(void.voided_by) if void else "",
    )


@transaction.atomic
def receipt_print(*, receipt: Receipt, by) -> ReceiptPrint:
    """Record a print of `receipt`: the first is the original, every later one a reprint.

    The receipt row is locked while its prints are counted, so two clerks printing at
    once cannot both get the original.

    Only the clerk's office of the court prints receipts: the original is the paper
    handed to the payer, so nobody else's fetch may use it up. Others who may read the
    receipt (an attorney of record, a judge) read its page or its JSON.

    Args:
        receipt: a receipt the caller may see (the views check visibility).
        by: the user printing it.

    Returns:
        The new ReceiptPrint (``is_reprint`` says how the paper is marked).

    Raises:
        DomainError: RECEIPT_PRINT_NOT_ALLOWED (403).
    """
    if not can_take_payments(by, receipt.court):
        raise DomainError(
            "RECEIPT_PRINT_NOT_ALLOWED",
            "Receipts are printed by the clerk's office of the court.",
            status=403,
        )
    locked = Receipt.objects.select_for_update().select_related("payment__case").get(pk=receipt.pk)
    reprint = ReceiptPrint.objects.filter(receipt=locked).exists()
    printed = ReceiptPrint.objects.create(receipt=locked, printed_by=by, is_reprint=reprint)
    audit_record(
        action="receipt.reprint" if reprint else "receipt.print",
        actor=by,
        obj=locked,
        court=locked.court,
        case=locked.payment.case,
        details={"number": locked.number, "print_id": printed.pk, "reprint": reprint},
    )
    return printed


def receipt_pdf(facts: ReceiptFacts, printed: ReceiptPrint) -> bytes:
    """The receipt as a one-page PDF (letter), marked REPRINT unless `printed` is the first."""
    court = facts.court
    original = None
    if printed.is_reprint:
        original = (
            ReceiptPrint.objects.filter(receipt=facts.receipt, is_reprint=False)
            .select_related("printed_by")
            .first()
        )
    html = render_to_string(
        "payments/receipt_pdf.html",
        {
            "f": facts,
            "court": court,
            "printed": printed,
            "printed_local": timezone.localtime(printed.printed_at, court.tzinfo),
            "printed_by": _name(printed.printed_by),
            "original": original,
            "original_local": (
                timezone.localtime(original.printed_at, court.tzinfo) if original else None
            ),
        },
    )
    title = f"Receipt {facts.receipt.number}" + (" (REPRINT)" if printed.is_reprint else "")
    return html_to_pdf([html], title=title).content


def receipt_print_pdf(*, receipt: Receipt, by) -> tuple[bytes, ReceiptPrint]:
    """Print `receipt`: record the print (committed) and render its PDF.

    The print is recorded before rendering, so the paper says REPRINT whenever any
    earlier print was recorded. Returns (pdf bytes, the print).
    """
    printed = receipt_print(receipt=receipt, by=by)
    return receipt_pdf(receipt_facts(receipt), printed), printed
