"""Payment plans: what a case owes, paid in installments on a schedule (issue 7, item 7).

A plan is created at the counter for (part of) what the case owes: `total` split into
installments that sum to it exactly (the last one takes the remainder). Whether an
installment is paid is derived, never recorded: the case's payments received since the
plan was created (voided ones excepted) are applied to the installments in order, so
installment k is paid once those payments cover installments 1..k together.

Every night (`payments.tasks.payment_plans_nightly`, court-local dates):

1. `payment_plans_mark_delinquent` (set-wise, a fixed number of SQL statements however
   many plans there are): an installment still unpaid more than the court's
   `PaymentSettings.installment_delinquent_after_days` (default 30) after it fell due is
   recorded delinquent (`delinquent_on`, the first day it was more than that late); a plan
   with a delinquent installment unpaid is delinquent from that day; a plan delinquent for
   more than `plan_default_after_days` (default 90) is in default; a plan whose payments
   cover its total is completed; a delinquent plan whose arrears are paid is active again.
   Every change is audited (one audit row per installment and per plan, written by the
   same statements).
2. `payment_plan_reminders_issue`: a payment-reminder notice (filings.notices,
   kind ``payment_reminder``) to the defendant or respondent for each unpaid installment
   falling due within `REMINDER_LEAD_DAYS`, once per installment (`reminded_on`). The
   court's reminder wording asks for the payment "due on" a date and says to call "before
   the due date", so reminders go out before an installment falls due, not after.

Plans, not the ledger, are what this module writes: payments are posted (and allocated
to obligations) by `payments.services.payment_post` whether or not a plan exists.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery, Sum
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court, User
from cases.models import Case, CaseParty, PartyRole, court_local_date
from cases.policies import can_keep_record

from .models import (
    CENT,
    Installment,
    Payment,
    PaymentPlan,
    PaymentSettings,
    PaymentVoid,
    PlanStatus,
)
from .selectors import case_balance

logger = logging.getLogger(__name__)

LIVE_STATUSES = (PlanStatus.ACTIVE, PlanStatus.DELINQUENT)
# Plans the nightly job still looks at: a plan in default stays in default until it is
# paid in full (completed) or cancelled.
WATCHED_STATUSES = (PlanStatus.ACTIVE, PlanStatus.DELINQUENT, PlanStatus.DEFAULTED)
MAX_INSTALLMENTS = 240  # twenty years of monthly payments
REMINDER_LEAD_DAYS = 7
# Who is sent a payment reminder: the party who owes (the accused, the respondent).
PAYER_ROLES = (PartyRole.DEFENDANT, PartyRole.RESPONDENT)

# PaymentSettings' defaults, for courts that have no settings row.
DEFAULT_DELINQUENT_AFTER_DAYS = PaymentSettings._meta.get_field(
    "installment_delinquent_after_days"
).default
DEFAULT_DEFAULT_AFTER_DAYS = PaymentSettings._meta.get_field("plan_default_after_days").default


class Frequency:
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    choices = [(MONTHLY, "Monthly"), (BIWEEKLY, "Every two weeks"), (WEEKLY, "Weekly")]
    values = (MONTHLY, BIWEEKLY, WEEKLY)


# --- the schedule (pure) ------------------------------------------------------------------


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError("PLAN_AMOUNT_INVALID", "Enter an amount of money.", field=field) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise DomainError(
            "PLAN_AMOUNT_INVALID", "Enter an amount in dollars and cents.", field=field
        )
    if amount <= 0:
        raise DomainError("PLAN_AMOUNT_NOT_POSITIVE", "The amount must be above zero.", field=field)
    return amount.quantize(CENT)


def add_months(day: dt.date, months: int, *, anchor: int | None = None) -> dt.date:
    """`day` moved by `months`, on the anchor day of the month (or the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(anchor or day.day, last))


def installment_due_dates(first_due: dt.date, count: int, frequency: str) -> list[dt.date]:
    """Due dates: monthly on the first due date's day (the 31st becomes the month's last
    day), or every 7 / 14 days."""
    if frequency == Frequency.MONTHLY:
        return [add_months(first_due, k, anchor=first_due.day) for k in range(count)]
    step = 7 if frequency == Frequency.WEEKLY else 14
    return [first_due + dt.timedelta(days=step * k) for k in range(count)]


def installment_amounts(
    total: Decimal, *, installments: int | None = None, amount: Decimal | None = None
) -> list[Decimal]:
    """Split `total` into installments that sum to it exactly; the last takes the remainder.

    Either `installments` (a count: equal parts rounded down to the cent, the cents left
    over go on the last) or `amount` (each installment that much, the last what is left,
    never more than `amount`).

    Raises:
        DomainError: PLAN_SCHEDULE_CHOICE, PLAN_INSTALLMENTS_INVALID,
            PLAN_INSTALLMENT_TOO_SMALL, PLAN_TOO_MANY_INSTALLMENTS.
    """
    if (installments is None) == (amount is None):
        raise DomainError(
            "PLAN_SCHEDULE_CHOICE",
            "Give either the number of installments or the amount of each.",
            field="installments",
        )
    if installments is not None:
        if isinstance(installments, bool) or int(installments) != installments or installments < 1:
            raise DomainError(
                "PLAN_INSTALLMENTS_INVALID",
                "The number of installments must be a whole number of at least 1.",
                field="installments",
            )
        count = int(installments)
        if count > MAX_INSTALLMENTS:
            raise DomainError(
                "PLAN_TOO_MANY_INSTALLMENTS",
                f"At most {MAX_INSTALLMENTS} installments.",
                field="installments",
            )
        each = (total / count).quantize(CENT, rounding=ROUND_DOWN)
        if each < CENT:
            raise DomainError(
                "PLAN_INSTALLMENT_TOO_SMALL",
                "That many installments would be less than a cent each.",
                field="installments",
            )
    else:
        each = _money(amount, "amount")
        if each > total:
            each = total
        count = int((total / each).to_integral_value(rounding="ROUND_CEILING"))
        if count > MAX_INSTALLMENTS:
            raise DomainError(
                "PLAN_TOO_MANY_INSTALLMENTS",
                f"At {each} each the plan would need {count} installments; "
                f"at most {MAX_INSTALLMENTS}.",
                field="amount",
            )
    amounts = [each] * (count - 1)
    amounts.append(total - each * (count - 1))
    return amounts


# --- services -----------------------------------------------------------------------------


@transaction.atomic
def payment_plan_create(
    *,
    case: Case,
    total,
    first_due: dt.date,
    created_by: User,
    installments: int | None = None,
    amount=None,
    frequency: str = Frequency.MONTHLY,
) -> PaymentPlan:
    """Put (part of) what a case owes on a payment plan.

    Args:
        case: the case (the caller has checked it is visible to `created_by`).
        total: the amount the plan covers; at most what the case owes now.
        first_due: the first installment's due date (court-local; today or later).
        created_by: court staff who keep the case's record.
        installments: the number of installments, or
        amount: the amount of each (the last takes what is left).
        frequency: monthly, biweekly or weekly.

    Returns:
        The active plan with its installments, which sum to `total` exactly.

    Raises:
        DomainError: PLAN_NOT_ALLOWED (403), PLAN_AMOUNT_INVALID, PLAN_AMOUNT_NOT_POSITIVE,
            PLAN_EXCEEDS_BALANCE, PLAN_FREQUENCY_UNKNOWN, PLAN_FIRST_DUE_PAST,
            PLAN_ALREADY_LIVE (409), and those of `installment_amounts`.
    """
    if not can_keep_record(created_by, case):
        raise DomainError(
            "PLAN_NOT_ALLOWED", "Only the court's clerks keep payment plans.", status=403
        )
    total = _money(total, "total")
    if frequency not in Frequency.values:
        raise DomainError(
            "PLAN_FREQUENCY_UNKNOWN", f"{frequency} is not a schedule.", field="frequency"
        )
    today = court_local_date(case.court)
    if first_due < today:
        raise DomainError(
            "PLAN_FIRST_DUE_PAST",
            "The first installment cannot fall due in the past.",
            field="first_due",
        )
    amounts = installment_amounts(total, installments=installments, amount=amount)
    # The case's money lock (payments.services' order): the balance read below stays true
    # until commit, and two plans for one case are made one after the other.
    Case.objects.select_for_update(no_key=True).only("id").get(pk=case.pk)
    owed = case_balance(case).balance
    if total > owed:
        raise DomainError(
            "PLAN_EXCEEDS_BALANCE",
            f"The case owes {owed:,.2f}; a plan cannot cover more.",
            field="total",
        )
    if PaymentPlan.objects.filter(case=case, status__in=LIVE_STATUSES).exists():
        raise DomainError(
            "PLAN_ALREADY_LIVE",
            "The case already has a payment plan; cancel it first.",
            status=409,
        )
    try:
        with transaction.atomic():
            plan = PaymentPlan.objects.create(
                case=case,
                court_id=case.court_id,
                total=total,
                starts_on=today,
                status=PlanStatus.ACTIVE,
                status_date=today,
                created_by=created_by,
            )
    except IntegrityError:  # a plan created at the same moment (unique live plan per case)
        raise DomainError(
            "PLAN_ALREADY_LIVE", "The case already has a payment plan.", status=409
        ) from None
    dates = installment_due_dates(first_due, len(amounts), frequency)
    Installment.objects.bulk_create(
        Installment(plan=plan, number=n, due_on=due, amount=value)
        for n, (due, value) in enumerate(zip(dates, amounts, strict=True), start=1)
    )
    audit_record(
        action="payment_plan.create",
        actor=created_by,
        obj=plan,
        case=case,
        details={
            "total": str(total),
            "installments": len(amounts),
            "frequency": frequency,
            "first_due": first_due.isoformat(),
            "last_due": dates[-1].isoformat(),
            "owed": str(owed),
        },
    )
    return plan


@transaction.atomic
def payment_plan_cancel(*, plan: PaymentPlan, by: User, reason: str) -> PaymentPlan:
    """Cancel a plan (active, delinquent or in default); its history stays.

    Raises:
        DomainError: PLAN_NOT_ALLOWED (403), PLAN_REASON_REQUIRED, PLAN_NOT_OPEN (409).
    """
    plan = PaymentPlan.objects.select_for_update().select_related("case__court").get(pk=plan.pk)
    if not can_keep_record(by, plan.case):
        raise DomainError(
            "PLAN_NOT_ALLOWED", "Only the court's clerks keep payment plans.", status=403
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("PLAN_REASON_REQUIRED", "Say why the plan is cancelled.", field="reason")
    if plan.status not in WATCHED_STATUSES:
        raise DomainError(
            "PLAN_NOT_OPEN", f"The plan is {plan.get_status_display().lower()}.", status=409
        )
    previous = plan.status
    plan.status = PlanStatus.CANCELLED
    plan.status_date = court_local_date(plan.case.court)
    plan.save(update_fields=["status", "status_date"])
    audit_record(
        action="payment_plan.cancel",
        actor=by,
        obj=plan,
        case=plan.case,
        details={"reason": reason[:1000], "previous_status": previous},
    )
    return plan


# --- status of a plan (reads) ---------------------------------------------------------------


def payment_plan_paid(plan: PaymentPlan) -> Decimal:
    """The case's payments received since the plan was created, voided ones excepted."""
    paid = (
        Payment.objects.filter(case_id=plan.case_id, received_at__gte=plan.created_at)
        .exclude(Exists(PaymentVoid.objects.filter(payment_id=OuterRef("pk"))))
        .aggregate(s=Sum("amount"))["s"]
    )
    return paid or Decimal("0.00")


class InstallmentState:
    PAID = "paid"
    DELINQUENT = "delinquent"
    LATE = "late"  # past due, not yet delinquent
    DUE = "due"  # due today
    UPCOMING = "upcoming"
    LABELS = {
        PAID: "Paid",
        DELINQUENT: "Delinquent",
        LATE: "Past due",
        DUE: "Due today",
        UPCOMING: "Upcoming",
    }


@dataclass
class InstallmentRow:
    installment: Installment
    cumulative: Decimal  # installments 1..n together
    paid: Decimal  # how much of this installment the payments cover
    state: str

    @property
    def state_label(self) -> str:
        return InstallmentState.LABELS[self.state]

    @property
    def unpaid(self) -> Decimal:
        return self.installment.amount - self.paid


@dataclass
class PlanSchedule:
    plan: PaymentPlan
    today: dt.date
    paid: Decimal
    rows: list[InstallmentRow]

    @property
    def remaining(self) -> Decimal:
        return max(self.plan.total - self.paid, Decimal("0.00"))

    @property
    def past_due(self) -> Decimal:
        """Due by today and not paid."""
        return sum(
            (r.unpaid for r in self.rows if r.installment.due_on <= self.today),
            start=Decimal("0.00"),
        )

    @property
    def next_due(self) -> InstallmentRow | None:
        return next((r for r in self.rows if r.state != InstallmentState.PAID), None)


def installment_rows(
    installments: list[Installment], paid: Decimal, today: dt.date
) -> list[InstallmentRow]:
    """Each installment's state: payments cover the installments in order."""
    rows, cumulative = [], Decimal("0.00")
    for inst in installments:
        before = cumulative
        cumulative += inst.amount
        covered = min(max(paid - before, Decimal("0.00")), inst.amount)
        if covered == inst.amount:
            state = InstallmentState.PAID
        elif inst.delinquent_on is not None:
            state = InstallmentState.DELINQUENT
        elif inst.due_on < today:
            state = InstallmentState.LATE
        elif inst.due_on == today:
            state = InstallmentState.DUE
        else:
            state = InstallmentState.UPCOMING
        rows.append(InstallmentRow(inst, cumulative, covered, state))
    return rows


def payment_plan_schedule(plan: PaymentPlan, *, today: dt.date | None = None) -> PlanSchedule:
    """The plan with each installment's state (paid / delinquent / past due / due / upcoming)."""
    today = today or court_local_date(plan.case.court)
    paid = payment_plan_paid(plan)
    installments = list(plan.installments.order_by("number"))
    return PlanSchedule(plan, today, paid, installment_rows(installments, paid, today))


def payment_plans_for_case(case: Case) -> list[PaymentPlan]:
    """The case's plans, newest first (the caller has checked the case is visible)."""
    return list(
        PaymentPlan.objects.filter(case=case).select_related("created_by").order_by("-created_at")
    )


def payment_plans_troubled(*, user, statuses=(PlanStatus.DELINQUENT, PlanStatus.DEFAULTED)):
    """Delinquent and defaulted plans on cases `user` may see, with the amount paid so far.

    Oldest trouble first (status_date), so the longest-standing are worked first.
    """
    visible = Case.objects.visible_to(user).values("pk")
    paid = (
        Payment.objects.filter(case_id=OuterRef("case_id"), received_at__gte=OuterRef("created_at"))
        .exclude(Exists(PaymentVoid.objects.filter(payment_id=OuterRef("pk"))))
        .order_by()
        .values("case_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return (
        PaymentPlan.objects.filter(status__in=statuses, case_id__in=visible)
        .select_related("case", "court")
        .annotate(paid=Subquery(paid))
        .order_by("status_date", "id")
    )


# --- the nightly job ------------------------------------------------------------------------

# Court-local "today" per court (or the date given), and its thresholds.
_PARAMS = """
params AS (
    SELECT c.id AS court_id,
           COALESCE(%(today)s::date,
                    (%(now)s::timestamptz AT TIME ZONE c.time_zone)::date) AS today,
           COALESCE(s.installment_delinquent_after_days, %(late_days)s) AS late_days,
           COALESCE(s.plan_default_after_days, %(default_days)s) AS default_days
      FROM core_court c
      LEFT JOIN payments_paymentsettings s ON s.court_id = c.id
),
watched AS (
    SELECT pl.id, pl.case_id, pl.court_id, pl.total, pl.created_at, pl.status, pl.status_date
      FROM payments_paymentplan pl
     WHERE pl.status IN ('active', 'delinquent', 'defaulted')
),
paid AS (
    SELECT w.id AS plan_id, COALESCE(SUM(p.amount), 0) AS paid
      FROM watched w
      LEFT JOIN payments_payment p
        ON p.case_id = w.case_id AND p.received_at >= w.created_at
       AND NOT EXISTS (SELECT 1 FROM payments_paymentvoid v WHERE v.payment_id = p.id)
     GROUP BY w.id
),
schedule AS (
    SELECT i.id, i.plan_id, i.number, i.due_on, i.amount, i.delinquent_on,
           SUM(i.amount) OVER (PARTITION BY i.plan_id ORDER BY i.number) AS cumulative
      FROM payments_installment i
      JOIN watched w ON w.id = i.plan_id
)
"""

_AUDIT_COLUMNS = (
    "occurred_at, actor_id, actor_username, action, object_type, object_id, object_repr, "
    "court_id, case_id, case_number, outcome, ip_address, details"
)

_MARK_INSTALLMENTS = f"""
WITH {_PARAMS},
marked AS (
    UPDATE payments_installment i
       SET delinquent_on = s.due_on + pr.late_days + 1
      FROM schedule s
      JOIN paid pd ON pd.plan_id = s.plan_id
      JOIN watched w ON w.id = s.plan_id
      JOIN params pr ON pr.court_id = w.court_id
     WHERE i.id = s.id
       AND s.delinquent_on IS NULL
       AND s.cumulative > pd.paid
       AND pr.today - s.due_on > pr.late_days
    RETURNING i.id, i.plan_id, i.number, i.due_on, i.delinquent_on,
              LEAST(s.cumulative - pd.paid, i.amount) AS unpaid
),
audited AS (
    INSERT INTO core_auditevent ({_AUDIT_COLUMNS})
    SELECT %(now)s, NULL, 'system', 'installment.delinquent', 'payments.installment',
           m.id::text, 'Installment ' || m.number || ' due ' || m.due_on,
           w.court_id, w.case_id, c.number, 'success', NULL,
           jsonb_build_object('plan', m.plan_id, 'number', m.number, 'due_on', m.due_on,
                              'delinquent_on', m.delinquent_on, 'unpaid', m.unpaid::text)
      FROM marked m
      JOIN watched w ON w.id = m.plan_id
      JOIN cases_case c ON c.id = w.case_id
    RETURNING 1
)
SELECT COUNT(*) FROM marked
"""  # noqa: S608 (constant fragments; values are parameters)

_MARK_PLANS = f"""
WITH {_PARAMS},
first_late AS (
    SELECT s.plan_id, MIN(s.delinquent_on) AS since
      FROM schedule s
      JOIN paid pd ON pd.plan_id = s.plan_id
     WHERE s.delinquent_on IS NOT NULL AND s.cumulative > pd.paid
     GROUP BY s.plan_id
),
target AS (
    SELECT w.id, w.status AS old_status, w.status_date AS old_date, pd.paid,
           CASE WHEN pd.paid >= w.total THEN 'completed'
                WHEN w.status = 'defaulted' THEN 'defaulted'
                WHEN f.since IS NOT NULL AND pr.today - f.since > pr.default_days
                     THEN 'defaulted'
                WHEN f.since IS NOT NULL THEN 'delinquent'
                ELSE 'active' END AS new_status,
           CASE WHEN pd.paid >= w.total THEN pr.today
                WHEN f.since IS NOT NULL AND pr.today - f.since > pr.default_days
                     THEN f.since + pr.default_days + 1
                WHEN f.since IS NOT NULL THEN f.since
                ELSE pr.today END AS new_date
      FROM watched w
      JOIN paid pd ON pd.plan_id = w.id
      JOIN params pr ON pr.court_id = w.court_id
      LEFT JOIN first_late f ON f.plan_id = w.id
),
changed AS (
    UPDATE payments_paymentplan pl
       SET status = t.new_status, status_date = t.new_date
      FROM target t
     WHERE pl.id = t.id
       AND (t.new_status <> t.old_status
            -- still delinquent, but from a later installment: the arrears that made it
            -- delinquent were paid and newer ones were not (a new spell of delinquency)
            OR (t.new_status = 'delinquent' AND t.new_date <> t.old_date))
    RETURNING pl.id, pl.case_id, pl.court_id, t.old_status, pl.status, pl.status_date, t.paid
),
audited AS (
    INSERT INTO core_auditevent ({_AUDIT_COLUMNS})
    SELECT %(now)s, NULL, 'system',
           'payment_plan.' || CASE ch.status WHEN 'delinquent' THEN 'delinquent'
                                             WHEN 'defaulted' THEN 'default'
                                             WHEN 'completed' THEN 'complete'
                                             ELSE 'cure' END,
           'payments.paymentplan', ch.id::text,
           'Plan ' || ch.id || ' (' || ch.case_id || ', ' || ch.status || ')',
           ch.court_id, ch.case_id, c.number, 'success', NULL,
           jsonb_build_object('from', ch.old_status, 'to', ch.status,
                              'status_date', ch.status_date, 'paid', ch.paid::text)
      FROM changed ch
      JOIN cases_case c ON c.id = ch.case_id
    RETURNING 1
)
SELECT status, COUNT(*) FROM changed GROUP BY status
"""  # noqa: S608 (constant fragments; values are parameters)


@transaction.atomic
def payment_plans_mark_delinquent(*, today: dt.date | None = None) -> dict[str, int]:
    """The nightly delinquency and default job, set-wise (two SQL statements in all).

    Rules (the court's `PaymentSettings`, defaults when it has none):
    - an installment unpaid more than `installment_delinquent_after_days` (30) after its
      due date is delinquent from the day after that (`delinquent_on`, kept even once paid);
    - a plan with an unpaid delinquent installment is delinquent from that installment's
      `delinquent_on`; more than `plan_default_after_days` (90) of it, in default;
    - a plan whose payments cover its total is completed; a delinquent plan whose
      delinquent installments are all paid is active again ("cure").

    Args:
        today: the date to judge by; default each court's own local date.

    Returns:
        Counts: ``installments_delinquent`` and, per new plan status, ``plans_<status>``.
    """
    params = {
        "today": today,
        "late_days": DEFAULT_DELINQUENT_AFTER_DAYS,
        "default_days": DEFAULT_DEFAULT_AFTER_DAYS,
        "now": timezone.now(),
    }
    with connection.cursor() as cur:
        cur.execute(_MARK_INSTALLMENTS, params)
        counts = {"installments_delinquent": cur.fetchone()[0]}
        cur.execute(_MARK_PLANS, params)
        for status, n in cur.fetchall():
            counts[f"plans_{status}"] = n
    logger.info("payment plans nightly: %s", counts)
    return counts


# --- reminders ------------------------------------------------------------------------------

_REMINDER_CANDIDATES = f"""
WITH {_PARAMS}
SELECT s.id, (s.cumulative - pd.paid) AS amount_due, pr.today
  FROM schedule s
  JOIN paid pd ON pd.plan_id = s.plan_id
  JOIN watched w ON w.id = s.plan_id
  JOIN params pr ON pr.court_id = w.court_id
  JOIN payments_installment i ON i.id = s.id
 WHERE w.status IN ('active', 'delinquent')
   AND i.reminded_on IS NULL
   AND s.cumulative > pd.paid
   AND s.due_on BETWEEN pr.today AND pr.today + %(lead)s
 ORDER BY s.due_on, s.id
"""  # noqa: S608 (constant fragments; values are parameters)


def payment_plan_reminders_due(
    *, today: dt.date | None = None
) -> list[tuple[int, Decimal, dt.date]]:
    """(installment id, amount due by then, court-local today) of the reminders to send:
    unpaid installments falling due within REMINDER_LEAD_DAYS, not reminded yet."""
    params = {
        "today": today,
        "late_days": DEFAULT_DELINQUENT_AFTER_DAYS,
        "default_days": DEFAULT_DEFAULT_AFTER_DAYS,
        "lead": REMINDER_LEAD_DAYS,
        "now": timezone.now(),
    }
    with connection.cursor() as cur:
        cur.execute(_REMINDER_CANDIDATES, params)
        return [(pk, Decimal(amount), day) for pk, amount, day in cur.fetchall()]


def _payers(case: Case) -> list[CaseParty]:
    return list(
        CaseParty.objects.filter(case=case, role__in=PAYER_ROLES, removed_on__isnull=True)
        .select_related("person")
        .order_by("role", "position", "pk")
    )


@transaction.atomic
def installment_remind(*, installment_id: int, amount_due: Decimal, today: dt.date) -> bool:
    """Issue the payment reminder for one installment, unless it was issued already.

    The installment row is locked, so two runs never remind twice; the notice
    (filings.notices.notice_issue) is rendered and sent by the worker after commit.

    Returns:
        True when a notice was issued; False when it had been already, or when the case
        has nobody to send it to (audited as ``installment.reminder_failed``).

    Raises:
        DomainError: from notice_issue (no template, no event code, ...); nothing is
            recorded and the next night tries again.
    """
    from filings.notices import notice_issue

    inst = (
        Installment.objects.select_for_update(of=("self",))
        .select_related("plan__case__court", "plan__created_by")
        .get(pk=installment_id)
    )
    plan = inst.plan
    if inst.reminded_on is not None or plan.status not in LIVE_STATUSES:
        return False
    payers = _payers(plan.case)
    if not payers:
        audit_record(
            action="installment.reminder_failed",
            actor_username="system",
            obj=inst,
            case=plan.case,
            details={"plan": plan.pk, "code": "PLAN_NO_PAYER"},
        )
        return False
    notice = notice_issue(
        case=plan.case,
        kind="payment_reminder",
        context={"amount_due": amount_due, "due_date": inst.due_on},
        issued_by=plan.created_by,
        recipients=payers,
    )
    inst.reminded_on = today
    inst.save(update_fields=["reminded_on"])
    audit_record(
        action="installment.remind",
        actor_username="system",
        obj=inst,
        case=plan.case,
        details={
            "plan": plan.pk,
            "notice": notice.pk,
            "amount_due": str(amount_due),
            "due_on": inst.due_on.isoformat(),
        },
    )
    return True


def payment_plan_reminders_issue(*, today: dt.date | None = None) -> dict[str, int]:
    """Send the reminders due tonight, one installment per transaction.

    Returns:
        Counts: ``reminded``, ``skipped`` (already reminded, or nobody to send to) and
        ``failed`` (refused by notice_issue; logged, tried again the next night).
    """
    counts = {"reminded": 0, "skipped": 0, "failed": 0}
    for installment_id, amount_due, day in payment_plan_reminders_due(today=today):
        try:
            sent = installment_remind(
                installment_id=installment_id, amount_due=amount_due, today=day
            )
        except DomainError as exc:
            logger.warning(
                "payment reminder for installment %s refused: %s %s",
                installment_id,
                exc.code,
                exc.message,
            )
            counts["failed"] += 1
            continue
        counts["reminded" if sent else "skipped"] += 1
    return counts


def payment_plans_nightly(*, today: dt.date | None = None) -> dict[str, int]:
    """Delinquency and default first, then the reminders (tasks.payment_plans_nightly)."""
    counts = payment_plans_mark_delinquent(today=today)
    counts.update(payment_plan_reminders_issue(today=today))
    return counts


def court_plan_settings(court: Court) -> tuple[int, int]:
    """(installment_delinquent_after_days, plan_default_after_days) of a court."""
    s = PaymentSettings.objects.filter(court=court).first()
    if s is None:
        return DEFAULT_DELINQUENT_AFTER_DAYS, DEFAULT_DEFAULT_AFTER_DAYS
    return s.installment_delinquent_after_days, s.plan_default_after_days


__all__ = [
    "Frequency",
    "InstallmentState",
    "PlanSchedule",
    "installment_amounts",
    "installment_due_dates",
    "installment_remind",
    "payment_plan_cancel",
    "payment_plan_create",
    "payment_plan_paid",
    "payment_plan_reminders_issue",
    "payment_plan_schedule",
    "payment_plans_for_case",
    "payment_plans_mark_delinquent",
    "payment_plans_nightly",
    "payment_plans_troubled",
]
