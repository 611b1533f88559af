"""Court money: fee schedules, obligations, payments, receipts, the double-entry ledger,
cash drawers, payment plans and disbursements to payees.

Nothing financial is updated in place or deleted: obligations, payments, voids, receipts,
receipt prints, ledger transactions and entries, drawer close-outs and disbursement items
are append-only (database triggers). A correction is a new row (a waiver, a void, a
reversing transaction). Balances are derived from the ledger, never stored.

The ledger (signed amounts: positive = debit, negative = credit; every transaction sums
to zero, checked by a deferred constraint trigger at commit):

* assessment   Dr receivable(obligation, principal)        Cr assessed(obligation)
               (restitution: Cr payee_deferred(obligation) — owed to the payee once collected)
* payment      Dr drawer(drawer, method)                    Cr unapplied(case)
* allocation   Dr unapplied(case)                           Cr receivable(obligation, component)
               restitution also: Dr payee_deferred(obligation)  Cr payee_payable(obligation)
* waiver       Dr assessed/payee_deferred(obligation)       Cr receivable(obligation, component)
* void         the exact negation of the payment's transactions
* disbursement Dr payee_payable(obligation)                 Cr disbursed(run)
* over/short   Dr over_short(drawer)                         Cr drawer(drawer, cash)  (shortage)

So: what a case owes = receivable; its credit (overpayment held) = -unapplied; what a
drawer should hold = drawer; what a payee is owed now = -payee_payable.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casemgmt.core.models import Court
from cases.models import Case, CaseParty, CaseType, DocketEntry

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class ObligationKind(models.TextChoices):
    SPECIAL_ASSESSMENT = "special_assessment", "Special assessment"
    RESTITUTION = "restitution", "Restitution"
    FINE = "fine", "Fine"
    FEE = "fee", "Fee"
    COST = "cost", "Cost"
    INTEREST = "interest", "Interest"
    PENALTY = "penalty", "Penalty"


class PayeeClass(models.TextChoices):
    # 18 U.S.C. 3664(i): individual victims are paid before the United States and
    # other government agencies; insurers and other compensating parties last (3664(j)).
    INDIVIDUAL = "individual", "Individual victim"
    GOVERNMENT = "government", "Government agency"
    INSURER = "insurer", "Insurer or other compensating party"


class ObligationSource(models.TextChoices):
    ORDER = "order", "Court order"
    MANUAL = "manual", "Entered by hand"
    FEE_SCHEDULE = "fee_schedule", "Fee schedule"


class Component(models.TextChoices):
    # 18 U.S.C. 3612(i): payments apply to principal, then costs, interest, penalties.
    PRINCIPAL = "principal", "Principal"
    COSTS = "costs", "Costs"
    INTEREST = "interest", "Interest"
    PENALTIES = "penalties", "Penalties"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CHECK = "check", "Check"
    CARD = "card", "Card"
    MONEY_ORDER = "money_order", "Money order"


class PaymentSettings(models.Model):
    """A court's money rules (data, edited in admin)."""

    court = models.OneToOneField(Court, on_delete=models.PROTECT, related_name="payment_settings")
    allocation_policy = models.JSONField(
        default=dict,
        blank=True,
        help_text="Allocation priority (payments.allocation.policy_from_dict); empty = "
        "18 U.S.C. 3612(c) with victims pro rata.",
    )
    disbursement_minimum = models.DecimalField(
        **MONEY, default=Decimal("5.00"), validators=[MinValueValidator(Decimal("0.00"))]
    )
    installment_delinquent_after_days = models.PositiveSmallIntegerField(default=30)
    plan_default_after_days = models.PositiveSmallIntegerField(default=90)

    class Meta:
        verbose_name_plural = "payment settings"

    def __str__(self) -> str:
        return f"Payment settings of {self.court}"


class FeeScheduleEntry(models.Model):
    """Recording a docket entry with `event_code` on a case of `case_type` (any type when
    blank) assesses `amount` — e.g. the filing fee on CMPL."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="fee_schedule")
    event_code = models.CharField(max_length=10)
    case_type = models.ForeignKey(
        CaseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(
        max_length=20, choices=ObligationKind.choices, default=ObligationKind.FEE
    )
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(CENT)])
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["court", "event_code", "-effective_from"]
        verbose_name_plural = "fee schedule entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_fee_amount_positive"),
            models.CheckConstraint(
                condition=~Q(kind__in=["restitution", "special_assessment"]),
                name="payments_fee_kind_is_a_fee",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="payments_fee_effective_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_code} {self.description} {self.amount}"


class Obligation(models.Model):
    """Money a case owes: its principal is `amount`; costs, interest and penalties added
    later are ledger adjustments. Append-only: a waiver is a recorded order, not an edit."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="obligations")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ObligationKind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY)
    ordered_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    # Restitution: to whom (a victim party of the case, or a named agency / insurer).
    payee_class = models.CharField(max_length=12, choices=PayeeClass.choices, blank=True)
    payee_party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payee_name = models.CharField(max_length=200, blank=True)
    payee_priority = models.PositiveSmallIntegerField(
        default=0, help_text="Among restitution payees, when the court pays by priority."
    )
    accrues_interest = models.BooleanField(default=False)
    source = models.CharField(max_length=12, choices=ObligationSource.choices)
    docket_entry = models.ForeignKey(
        DocketEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The order or the event that created it.",
    )
    fee_schedule_entry = models.ForeignKey(
        FeeScheduleEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["case", "ordered_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_obligation_positive"),
            models.CheckConstraint(
                condition=Q(kind="restitution", payee_class__gt="")
                | (~Q(kind="restitution") & Q(payee_class="")),
                name="payments_obligation_restitution_has_payee",
            ),
            # A docket entry assesses a scheduled fee once, however often its handler runs.
            models.UniqueConstraint(
                fields=["docket_entry", "fee_schedule_entry"],
                condition=Q(fee_schedule_entry__isnull=False),
                name="payments_obligation_fee_once",
            ),
        ]
        indexes = [models.Index(fields=["court", "kind"], name="payments_obligation_court")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.case.number})"


class ObligationWaiver(models.Model):
    """An order waiving (part of) an obligation, e.g. for indigency; ledgered as a credit
    to the receivable. Append-only."""

    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="waivers")
    amount = models.DecimalField(**MONEY)
    reason = models.TextField()
    docket_entry = models.ForeignKey(
        DocketEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    waived_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["obligation", "waived_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_waiver_positive"),
        ]

    def __str__(self) -> str:
        return f"Waiver of {self.amount} on obligation {self.obligation_id}"


class DrawerStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed, awaiting approval"
    APPROVED = "approved", "Approved"


class CashDrawer(models.Model):
    """A clerk's drawer for one working day: opened with a float, closed by counting,
    approved by a supervisor. A drawer that is not open takes no payments."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="cash_drawers")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cash_drawers"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    business_date = models.DateField(help_text="Court-local date the drawer was opened.")
    opening_float = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    status = models.CharField(max_length=10, choices=DrawerStatus.choices, default="open")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "clerk"],
                condition=Q(status="open"),
                name="payments_drawer_one_open_per_clerk",
            ),
            models.CheckConstraint(
                condition=Q(opening_float__gte=0), name="payments_drawer_float_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"Drawer {self.pk} of {self.clerk} ({self.business_date})"


class DrawerCloseout(models.Model):
    """The count at close: expected (from the ledger) vs. counted, the difference recorded
    as over/short. Append-only; a supervisor's approval is its own row."""

    drawer = models.OneToOneField(CashDrawer, on_delete=models.PROTECT, related_name="closeout")
    expected_cash = models.DecimalField(**MONEY)
    expected_checks = models.DecimalField(**MONEY)
    expected_other = models.DecimalField(**MONEY, help_text="Card and money order.")
    counted_cash = models.DecimalField(**MONEY)
    counted_checks = models.DecimalField(**MONEY)
    over_short = models.DecimalField(**MONEY, help_text="Counted minus expected; < 0 = short.")
    note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Close-out of drawer {self.drawer_id} ({self.over_short:+})"


class DrawerApproval(models.Model):
    closeout = models.OneToOneField(
        DrawerCloseout, on_delete=models.PROTECT, related_name="approval"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(default=timezone.now, editable=False)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Approval of close-out {self.closeout_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a money-moving POST with an Idempotency-Key: a retry gets it
    back; the same key with a different body is refused (422)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=100, help_text="e.g. 'payment_post'.")
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "key"], name="payments_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Payment(models.Model):
    """Money received at the counter (or by mail). Append-only; a void is a PaymentVoid."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    drawer = models.ForeignKey(CashDrawer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=12, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=60, blank=True, help_text="Check or card ref.")
    payer_name = models.CharField(max_length=200)
    payer_party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payment_positive"),
        ]
        indexes = [
            models.Index(fields=["case", "received_at"], name="payments_payment_case"),
            models.Index(fields=["court", "received_at"], name="payments_payment_court_day"),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} {self.amount} ({self.case.number})"


class PaymentVoid(models.Model):
    """A supervisor's void: the payment's transactions are reversed; the receipt stays."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="void")
    reason = models.TextField()
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Void of payment {self.payment_id}"


class ReceiptSequence(models.Model):
    """Receipt counter per court and year (row-locked: numbers are gap-free)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "year"], name="payments_receiptseq_unique")
        ]

    def __str__(self) -> str:
        return f"Receipts {self.court_id}/{self.year}: {self.last_number}"


class Receipt(models.Model):
    """Pre-numbered, gap-free per court and year. Append-only."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="receipt")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=40, db_collation="C", help_text="e.g. R2026-000123.")
    issued_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["court", "year", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "year", "sequence"], name="payments_receipt_unique_seq"
            ),
            models.UniqueConstraint(fields=["court", "number"], name="payments_receipt_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class ReceiptPrint(models.Model):
    """Each print of a receipt; every print after the first is marked REPRINT."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="prints")
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    printed_at = models.DateTimeField(default=timezone.now, editable=False)
    is_reprint = models.BooleanField()

    def __str__(self) -> str:
        return f"{'Reprint' if self.is_reprint else 'Print'} of receipt {self.receipt_id}"


class DisbursementRunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class DisbursementRun(models.Model):
    """Pays payees what restitution collected owes them (worker, with progress)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    minimum = models.DecimalField(**MONEY)
    status = models.CharField(
        max_length=10, choices=DisbursementRunStatus.choices, default="pending"
    )
    payees_total = models.PositiveIntegerField(default=0)
    payees_done = models.PositiveIntegerField(default=0)
    amount_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Disbursement run {self.pk} ({self.status})"


class Disbursement(models.Model):
    """One payable item: what one run pays one restitution obligation's payee. Append-only."""

    run = models.ForeignKey(DisbursementRun, on_delete=models.PROTECT, related_name="items")
    obligation = models.ForeignKey(Obligation, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    ledger_transaction = models.OneToOneField(
        "LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,  # null only for items written before the link existed
        related_name="disbursement",
        help_text="The DISBURSEMENT transaction that paid this item out.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_disbursement_positive"
            ),
            models.UniqueConstraint(fields=["run", "obligation"], name="payments_disb_once"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} for obligation {self.obligation_id}"


class TransactionKind(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    PAYMENT = "payment", "Payment"
    ALLOCATION = "allocation", "Allocation"
    WAIVER = "waiver", "Waiver"
    ADJUSTMENT = "adjustment", "Adjustment (costs, interest, penalties)"
    VOID = "void", "Void"
    DISBURSEMENT = "disbursement", "Disbursement"
    OVER_SHORT = "over_short", "Drawer over/short"


class LedgerTransaction(models.Model):
    """A balanced set of ledger entries (sum of amounts = 0). Append-only."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=TransactionKind.choices)
    memo = models.CharField(max_length=300, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["posted_at", "id"]
        indexes = [models.Index(fields=["court", "posted_at"], name="payments_txn_court_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Account(models.TextChoices):
    RECEIVABLE = "receivable", "Owed by the case"
    ASSESSED = "assessed", "Assessed (court revenue)"
    PAYEE_DEFERRED = "payee_deferred", "Restitution owed to payee when collected"
    PAYEE_PAYABLE = "payee_payable", "Restitution collected, owed to payee"
    UNAPPLIED = "unapplied", "Received, not yet applied (credit)"
    DRAWER = "drawer", "Cash drawer"
    OVER_SHORT = "over_short", "Drawer over/short"
    DISBURSED = "disbursed", "Paid out to payees"


class LedgerEntry(models.Model):
    """One side of a transaction: signed amount (debit > 0, credit < 0). Append-only.

    The dimension columns say whose account it is: receivable/assessed/payee_* per
    obligation (and component for receivable), unapplied per case, drawer per drawer and
    method."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.CharField(max_length=16, choices=Account.choices)
    amount = models.DecimalField(**MONEY)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    component = models.CharField(max_length=10, choices=Component.choices, blank=True)
    drawer = models.ForeignKey(
        CashDrawer, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    method = models.CharField(max_length=12, choices=PaymentMethod.choices, blank=True)

    class Meta:
        ordering = ["transaction", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="payments_entry_not_zero"),
            models.CheckConstraint(
                condition=~Q(account="receivable") | Q(obligation__isnull=False, component__gt=""),
                name="payments_entry_receivable_dims",
            ),
            models.CheckConstraint(
                condition=~Q(account="drawer") | Q(drawer__isnull=False, method__gt=""),
                name="payments_entry_drawer_dims",
            ),
            models.CheckConstraint(
                condition=~Q(account="unapplied") | Q(case__isnull=False),
                name="payments_entry_unapplied_dims",
            ),
        ]
        indexes = [
            models.Index(fields=["obligation", "account"], name="payments_entry_obligation"),
            models.Index(fields=["case", "account"], name="payments_entry_case"),
            models.Index(fields=["drawer", "account"], name="payments_entry_drawer"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DELINQUENT = "delinquent", "Delinquent"
    DEFAULTED = "defaulted", "In default"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PaymentPlan(models.Model):
    """Installments on a schedule for what a case owes. Installment status is derived from
    payments; the nightly job records delinquency and default (audited)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payment_plans")
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="+")
    total = models.DecimalField(**MONEY)
    starts_on = models.DateField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default="active")
    status_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="payments_plan_positive"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["active", "delinquent"]),
                name="payments_plan_one_live_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan {self.pk} ({self.case_id}, {self.status})"


class Installment(models.Model):
    plan = models.ForeignKey(PaymentPlan, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    delinquent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="payments_installment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_installment_positive"),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(delinquent_on__isnull=True),
                name="payments_installment_due",
            )
        ]

    def __str__(self) -> str:
        return f"Installment {self.number} due {self.due_on}"
