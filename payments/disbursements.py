"""Disbursement runs: restitution collected is paid out to its payees (issue 7, item 8).

A payment allocated to restitution moves the amount from payee_deferred to payee_payable
(payments.ledger.allocation_legs): the court holds it for the payee. A run pays out what
is held:

1. `disbursement_run_create` (a supervisor of the court) records a pending run with the
   court's `PaymentSettings.disbursement_minimum` of the moment and, on commit, enqueues
   `payments.tasks.disbursement_run_execute_task`.
2. `disbursement_run_execute` (the worker) takes, a chunk at a time, each restitution
   obligation of the court whose payable balance is at least the minimum, and writes one
   `Disbursement` item and one DISBURSEMENT ledger transaction per obligation
   (Dr payee_payable(obligation)  Cr disbursed(obligation); the transaction's memo names
   the run). Progress (`payees_done` of `payees_total`) is saved with each chunk. A
   balance under the minimum is left where it is and accumulates to a later run.

Safe to run twice: a run's row is locked for each chunk, a finished run does nothing,
and an obligation is paid at most once per run (unique run + obligation, and a chunk
only takes obligations the run has not paid). The obligations of a chunk are locked
(pk order, as payments.services locks them) before their balance is read, so a payment
or a void on the same case waits for the chunk, and the amount paid out is exactly what
was payable.

The remittance report lists, per payee, the name, the case and the amount; its total is
the sum of the run's DISBURSEMENT transactions in the ledger.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.jobs import TRANSIENT_DB_ERRORS
from casemgmt.core.models import Court, User
from cases.models import Case

from .ledger import Leg, transaction_post
from .models import (
    Account,
    Disbursement,
    DisbursementRun,
    DisbursementRunStatus,
    LedgerEntry,
    Obligation,
    ObligationKind,
    PaymentSettings,
    TransactionKind,
)
from .policies import can_supervise_money
from .selectors import payee_label

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CHUNK = 100  # obligations per transaction: progress moves, locks stay short
OVER = (DisbursementRunStatus.DONE, DisbursementRunStatus.FAILED)
LIVE = (DisbursementRunStatus.PENDING, DisbursementRunStatus.RUNNING)
DEFAULT_MINIMUM = PaymentSettings._meta.get_field("disbursement_minimum").default


def court_disbursement_minimum(court: Court) -> Decimal:
    """The court's minimum payout (PaymentSettings; 5.00 when it has none)."""
    minimum = (
        PaymentSettings.objects.filter(court=court)
        .values_list("disbursement_minimum", flat=True)
        .first()
    )
    return DEFAULT_MINIMUM if minimum is None else minimum


def _payable_entries(court_id: int):
    return LedgerEntry.objects.filter(
        account=Account.PAYEE_PAYABLE,
        obligation__court_id=court_id,
        obligation__kind=ObligationKind.RESTITUTION,
    )


def payable_obligations(*, court: Court, minimum: Decimal, run: DisbursementRun | None = None):
    """(obligation id, payable) of the court's restitution payable now, at least `minimum`
    (and at least a cent), not yet paid by `run`; obligation order. A queryset of dicts."""
    entries = _payable_entries(court.pk)
    if run is not None:
        entries = entries.exclude(
            Exists(Disbursement.objects.filter(run=run, obligation_id=OuterRef("obligation_id")))
        )
    return (
        entries.values("obligation_id")
        .annotate(held=Sum("amount"))
        .filter(held__lte=-max(minimum, CENT))
        .order_by("obligation_id")
    )


@dataclass
class PayablePreview:
    """What a run started now would pay, and what would wait for a later one."""

    minimum: Decimal
    payees: int
    amount: Decimal
    waiting_payees: int
    waiting_amount: Decimal


def disbursement_preview(*, court: Court) -> PayablePreview:
    """Payees at or above the court's minimum, and those accumulating below it (one query)."""
    minimum = max(court_disbursement_minimum(court), CENT)
    rows = (
        _payable_entries(court.pk)
        .values("obligation_id")
        .annotate(held=-Sum("amount"))
        .filter(held__gt=0)
        .order_by()
    )
    over = [r["held"] for r in rows if r["held"] >= minimum]
    under = [r["held"] for r in rows if r["held"] < minimum]
    return PayablePreview(
        minimum=minimum,
        payees=len(over),
        amount=sum(over, ZERO),
        waiting_payees=len(under),
        waiting_amount=sum(under, ZERO),
    )


@transaction.atomic
def disbursement_run_create(*, court: Court, by: User) -> DisbursementRun:
    """Start a disbursement run for a court; the worker executes it after commit.

    Args:
        court: the court whose restitution is paid out.
        by: a supervisor of the court.

    Returns:
        The pending run, with the court's minimum as it is now.

    Raises:
        DomainError: DISBURSEMENT_NOT_ALLOWED (403), DISBURSEMENT_RUN_IN_PROGRESS (409).
    """
    if not can_supervise_money(by, court):
        raise DomainError(
            "DISBURSEMENT_NOT_ALLOWED",
            "Only a supervisor of the court runs disbursements.",
            status=403,
        )
    # One run at a time per court: two runs side by side would each wait for the other's
    # locks and report progress over the same payees.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"disbursement-run:{court.pk}"],
        )
    if DisbursementRun.objects.filter(court=court, status__in=LIVE).exists():
        raise DomainError(
            "DISBURSEMENT_RUN_IN_PROGRESS",
            "A disbursement run of this court has not finished yet.",
            status=409,
        )
    run = DisbursementRun.objects.create(
        court=court, minimum=court_disbursement_minimum(court), started_by=by
    )
    audit_record(
        action="disbursement_run.create",
        actor=by,
        obj=run,
        court=court,
        details={"minimum": str(run.minimum)},
    )
    from . import tasks

    transaction.on_commit(partial(tasks.disbursement_run_execute_task.delay, run.pk))
    return run


def _memo_prefix(run: DisbursementRun) -> str:
    return f"Disbursement run {run.pk}:"


def disbursement_legs(obligation: Obligation, amount: Decimal) -> list[Leg]:
    """Dr payee_payable(obligation)  Cr disbursed(obligation): held for the payee, paid out."""
    return [
        Leg(Account.PAYEE_PAYABLE, amount, case_id=obligation.case_id, obligation_id=obligation.pk),
        Leg(Account.DISBURSED, -amount, case_id=obligation.case_id, obligation_id=obligation.pk),
    ]


def disbursement_run_execute(*, run_id: int) -> DisbursementRun:
    """Pay out the run, a chunk of obligations per transaction, counting progress.

    Safe to run twice (see the module docstring): a finished run returns at once; a run
    interrupted half-way carries on where it stopped.

    Returns:
        The run, done (or failed, with the error, when something unexpected stopped it:
        the error is re-raised after it is recorded; what earlier chunks paid stays paid).
    """
    with transaction.atomic():
        run = DisbursementRun.objects.select_for_update().select_related("court").get(pk=run_id)
        if run.status in OVER:
            return run
        if run.status == DisbursementRunStatus.PENDING:
            run.payees_total = payable_obligations(court=run.court, minimum=run.minimum).count()
            run.status = DisbursementRunStatus.RUNNING
            run.save(update_fields=["status", "payees_total"])
    try:
        while _disbursement_step(run_id):
            pass
    except TRANSIENT_DB_ERRORS:
        raise  # a database hiccup: the task retries and the run carries on where it stopped
    except Exception as exc:
        with transaction.atomic():
            run = DisbursementRun.objects.select_for_update().get(pk=run_id)
            run.status = DisbursementRunStatus.FAILED
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                action="disbursement_run.fail",
                actor_username="system",
                obj=run,
                court=run.court,
                details={"error": run.error[:200], "payees_done": run.payees_done},
            )
        raise
    return DisbursementRun.objects.select_related("court", "started_by").get(pk=run_id)


@transaction.atomic
def _disbursement_step(run_id: int) -> bool:
    """Pay the next chunk of obligations; False when there are none left (run finished)."""
    run = (
        DisbursementRun.objects.select_for_update()
        .select_related("court", "started_by")
        .get(pk=run_id)
    )
    if run.status != DisbursementRunStatus.RUNNING:
        return False
    ids = list(
        payable_obligations(court=run.court, minimum=run.minimum, run=run).values_list(
            "obligation_id", flat=True
        )[:CHUNK]
    )
    if not ids:
        run.status = DisbursementRunStatus.DONE
        run.finished_at = timezone.now()
        # Payments that reached the minimum while the run went on were paid too.
        run.payees_total = max(run.payees_total, run.payees_done)
        run.save(update_fields=["status", "finished_at", "payees_total"])
        audit_record(
            action="disbursement_run.finish",
            actor_username="system",
            obj=run,
            court=run.court,
            details={"payees": run.payees_done, "amount": str(run.amount_total)},
        )
        return False
    # Lock the obligations as payments.services does (pk order), then read what they hold:
    # a payment or void on these cases waits, so the amount paid out is what is payable.
    obligations = list(
        Obligation.objects.select_for_update(no_key=True, of=("self",))
        .select_related("case")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    held = dict(
        _payable_entries(run.court_id)
        .filter(obligation_id__in=ids)
        .values("obligation_id")
        .annotate(held=Sum("amount"))
        .values_list("obligation_id", "held")
    )
    paid_now = ZERO
    items = []
    for obligation in obligations:
        amount = -(held.get(obligation.pk) or ZERO)
        if amount < max(run.minimum, CENT):
            continue  # a void on the case took it under the minimum meanwhile
        txn = transaction_post(
            court=run.court,
            kind=TransactionKind.DISBURSEMENT,
            legs=disbursement_legs(obligation, amount),
            posted_by=run.started_by,
            case=obligation.case,
            obligation=obligation,
            # The memo ties the transaction to its run (disbursement_ledger_total); payees
            # are not named in the ledger (victims' names stay on the obligation).
            memo=f"{_memo_prefix(run)} restitution obligation {obligation.pk}",
        )
        assert txn is not None
        items.append(
            Disbursement(run=run, obligation=obligation, amount=amount, ledger_transaction=txn)
        )
        paid_now += amount
    Disbursement.objects.bulk_create(items)
    run.payees_done += len(items)
    run.amount_total += paid_now
    run.save(update_fields=["payees_done", "amount_total"])
    return True


# --- reads ----------------------------------------------------------------------------------


def disbursement_runs_for(user):
    """Runs of the courts `user` supervises money in (every court for a superuser)."""
    from cases.querysets import user_court_ids

    runs = DisbursementRun.objects.select_related("court", "started_by")
    if not user.is_superuser:
        courts = [pk for pk in user_court_ids(user) if can_supervise_money(user, Court(pk=pk))]
        runs = runs.filter(court_id__in=courts)
    return runs.order_by("-created_at", "-pk")


def disbursement_run_get_visible(*, user, pk: int) -> DisbursementRun | None:
    """The run, if `user` supervises money in its court; else None (the page answers 404)."""
    return disbursement_runs_for(user).filter(pk=pk).first()


@dataclass
class RemittanceLine:
    payee: str
    payee_class: str
    case_number: str
    court_code: str
    description: str
    amount: Decimal


@dataclass
class Remittance:
    run: DisbursementRun
    lines: list[RemittanceLine]
    hidden_count: int  # items on cases the reader may not see: counted, not named
    hidden_amount: Decimal

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO) + self.hidden_amount


def disbursement_remittance(*, run: DisbursementRun, user) -> Remittance:
    """Per payee: name, case and amount, payee order. Items on cases `user` may not see
    (a sealed case, for staff without the grant) are totalled without names (two queries)."""
    visible = Case.objects.visible_to(user).filter(pk=OuterRef("obligation__case_id"))
    items = (
        Disbursement.objects.filter(run=run)
        .select_related("obligation__case__court", "obligation__payee_party__person")
        .annotate(visible=Exists(visible))
        .order_by("pk")
    )
    lines, hidden_count, hidden_amount = [], 0, ZERO
    for item in items:
        if not item.visible:
            hidden_count += 1
            hidden_amount += item.amount
            continue
        ob = item.obligation
        lines.append(
            RemittanceLine(
                payee=payee_label(ob),
                payee_class=ob.get_payee_class_display(),
                case_number=ob.case.number,
                court_code=ob.case.court.code,
                description=ob.description,
                amount=item.amount,
            )
        )
    lines.sort(key=lambda line: (line.payee.casefold(), line.case_number))
    return Remittance(run, lines, hidden_count, hidden_amount)


def disbursement_ledger_total(run: DisbursementRun) -> Decimal:
    """What the ledger says the run paid out: the credits to `disbursed` of the
    DISBURSEMENT transactions its items link to."""
    total = LedgerEntry.objects.filter(
        account=Account.DISBURSED,
        transaction__kind=TransactionKind.DISBURSEMENT,
        transaction__disbursement__run=run,
    ).aggregate(s=Sum("amount"))["s"]
    return -(total or ZERO)


def remittance_csv(remittance: Remittance) -> str:
    """The remittance report as CSV (one row per payee item, then the total)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["payee", "payee class", "court", "case", "obligation", "amount"])
    for line in remittance.lines:
        writer.writerow(
            [
                _csv_safe(line.payee),
                line.payee_class,
                line.court_code,
                line.case_number,
                _csv_safe(line.description),
                f"{line.amount:.2f}",
            ]
        )
    if remittance.hidden_count:
        writer.writerow(
            [
                f"{remittance.hidden_count} other payee(s) not shown",
                "",
                "",
                "",
                "",
                f"{remittance.hidden_amount:.2f}",
            ]
        )
    writer.writerow(["Total", "", "", "", "", f"{remittance.total:.2f}"])
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
