"""Demo money for the demo courts (issue 7, item 10), made through the real services.

Two seeders (casemgmt.core.demo.register_seeder, idempotent):

- ``payments.fee_schedule`` (before the demo cases are opened): each court's fee
  schedule, so opening a civil case or a petition assesses its filing fee, and disposing
  of a criminal case its court costs;
- ``payments.money`` (after the cases and filings): on criminal cases, fines and
  restitution to victims of two classes (the victim party, and an insurer or the state's
  victim compensation fund), payments of every method through `payment_post` (some of
  them mailed in months ago), a waiver, three payment plans (on time, delinquent, in
  default), a finished disbursement run with restitution still payable for the next one,
  and the clerk's drawer of the day closed with a shortage, waiting for the supervisor.

The plans are created through `payment_plan_create` and then moved back in time (their
creation and due dates), so the pages show what months of a plan look like; the nightly
job then judges them as it would have.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from casemgmt.core.models import Court, User
from casemgmt.core.roles import Role
from cases.models import Case, CaseParty, CaseType, Confidentiality, PartyRole

from .models import (
    CashDrawer,
    DrawerStatus,
    FeeScheduleEntry,
    Installment,
    ObligationKind,
    ObligationSource,
    PayeeClass,
    Payment,
    PaymentMethod,
    PaymentPlan,
)

D = Decimal
DEMO_COURTS = ("sarasota", "denver")
FEES_FROM = dt.date(2020, 1, 1)

# (event code, case type code or None for any, kind, description, amount)
DEMO_FEE_SCHEDULES: dict[str, list[tuple[str, str | None, str, str, str]]] = {
    "sarasota": [
        ("CMPL", "CA", ObligationKind.FEE, "Circuit civil filing fee", "400.00"),
        ("PETN", "DR", ObligationKind.FEE, "Dissolution of marriage filing fee", "397.50"),
        ("SUBP", None, ObligationKind.FEE, "Subpoena issuance fee", "7.00"),
        ("REOP", None, ObligationKind.FEE, "Reopen fee", "50.00"),
        ("DISP", "CR", ObligationKind.COST, "Court costs (felony)", "225.00"),
        ("DISP", "MM", ObligationKind.COST, "Court costs (misdemeanor)", "60.00"),
        ("DISP", "TR", ObligationKind.COST, "Court costs (criminal traffic)", "60.00"),
    ],
    "denver": [
        ("CMPL", "CA", ObligationKind.FEE, "Civil filing fee", "97.00"),
        ("PETN", "DR", ObligationKind.FEE, "Dissolution of marriage filing fee", "230.00"),
        ("DISP", "CR", ObligationKind.COST, "Court costs", "35.00"),
        ("DISP", "MM", ObligationKind.COST, "Court costs", "35.00"),
    ],
}

# Who is paid restitution besides the victim: an insurer, or the state's fund.
SECOND_PAYEES = {
    "sarasota": [
        (PayeeClass.INSURER, "Sunshine Mutual Insurance Co."),
        (PayeeClass.GOVERNMENT, "Florida Crime Victims' Compensation Trust Fund"),
    ],
    "denver": [
        (PayeeClass.INSURER, "Front Range Casualty Co."),
        (PayeeClass.GOVERNMENT, "Colorado Crime Victim Compensation Program"),
    ],
}
MONEY_CASES = 14  # criminal cases given fines (half of them restitution too)


def seed_fee_schedules(*, log: Callable[[str], None]) -> None:
    """The demo courts' fee schedules (data, as a court enters them in admin)."""
    for court in Court.objects.filter(code__in=DEMO_FEE_SCHEDULES):
        types = {t.code: t for t in CaseType.objects.filter(court=court)}
        for event_code, type_code, kind, description, amount in DEMO_FEE_SCHEDULES[court.code]:
            case_type = types.get(type_code) if type_code else None
            if type_code and case_type is None:
                continue
            _entry, created = FeeScheduleEntry.objects.get_or_create(
                court=court,
                event_code=event_code,
                case_type=case_type,
                effective_from=FEES_FROM,
                defaults={"kind": kind, "description": description, "amount": D(amount)},
            )
            if created:
                log(f"fee schedule {court.code} {event_code} {type_code or '*'}: {amount}")


def _money_cases(court: Court, rng: random.Random) -> list[Case]:
    cases = list(
        Case.objects.filter(
            court=court,
            case_type__category="criminal",
            confidentiality=Confidentiality.PUBLIC,
        )
        .filter(parties__role=PartyRole.DEFENDANT, parties__removed_on__isnull=True)
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(cases)
    with_victim = [c for c in cases if c.parties.filter(role=PartyRole.VICTIM).exists()]
    without = [c for c in cases if c not in with_victim]
    half = MONEY_CASES // 2
    return with_victim[:half] + without[: MONEY_CASES - min(half, len(with_victim))]


def _defendant(case: Case) -> CaseParty | None:
    return (
        CaseParty.objects.filter(case=case, role=PartyRole.DEFENDANT, removed_on__isnull=True)
        .select_related("person")
        .order_by("position", "pk")
        .first()
    )


def _backdate_plan(plan: PaymentPlan, days: int) -> None:
    """Move a demo plan `days` back in time: created, started, and every due date."""
    shift = dt.timedelta(days=days)
    PaymentPlan.objects.filter(pk=plan.pk).update(
        created_at=plan.created_at - shift,
        starts_on=plan.starts_on - shift,
        status_date=plan.status_date - shift,
    )
    for inst in Installment.objects.filter(plan=plan):
        Installment.objects.filter(pk=inst.pk).update(due_on=inst.due_on - shift)


def seed_money(*, log: Callable[[str], None]) -> None:
    """Obligations, payments, plans, a disbursement run and a closed drawer per demo court."""
    from .disbursements import disbursement_run_create, disbursement_run_execute
    from .plans import payment_plan_create, payment_plans_mark_delinquent
    from .selectors import case_balance
    from .services import (
        drawer_close,
        drawer_open,
        obligation_create,
        obligation_waive,
        payment_post,
    )

    for court in Court.objects.filter(code__in=DEMO_COURTS).order_by("code"):
        if Payment.objects.filter(court=court).exists():
            continue  # seeded already
        clerk = (
            User.objects.filter(role=Role.CLERK, memberships__court=court).order_by("pk").first()
        )
        supervisor = (
            User.objects.filter(role=Role.SUPERVISOR, memberships__court=court)
            .order_by("pk")
            .first()
        )
        cases = _money_cases(court, random.Random(f"casemgmt-demo-money-{court.code}"))  # noqa: S311
        if clerk is None or supervisor is None or len(cases) < 6:
            continue
        rng = random.Random(f"casemgmt-demo-money-{court.code}")  # noqa: S311 (demo data)
        today = court.local_today()
        now = timezone.now()
        # The clerk's drawer of the day: the counter payments below go into it.
        drawer = CashDrawer.objects.filter(
            court=court, clerk=clerk, status=DrawerStatus.OPEN
        ).first() or drawer_open(court=court, clerk=clerk, opening_float=D("150.00"))
        second_payees = SECOND_PAYEES[court.code]

        for i, case in enumerate(cases):
            ordered_on = max(case.filed_on, today - dt.timedelta(days=400))
            fine = obligation_create(
                case=case,
                kind=ObligationKind.FINE,
                amount=D(rng.choice(["150.00", "250.00", "500.00", "1000.00"])),
                description="Fine",
                ordered_on=ordered_on,
                source=ObligationSource.ORDER,
                created_by=clerk,
            )
            victim = (
                CaseParty.objects.filter(case=case, role=PartyRole.VICTIM)
                .select_related("person")
                .first()
            )
            if victim is not None:
                obligation_create(
                    case=case,
                    kind=ObligationKind.RESTITUTION,
                    amount=D(rng.choice(["480.00", "1250.00", "2175.35", "333.33"])),
                    description="Restitution for property loss",
                    ordered_on=ordered_on,
                    payee_class=PayeeClass.INDIVIDUAL,
                    payee_party=victim,
                    source=ObligationSource.ORDER,
                    created_by=clerk,
                )
                payee_class, payee_name = second_payees[i % len(second_payees)]
                obligation_create(
                    case=case,
                    kind=ObligationKind.RESTITUTION,
                    amount=D(rng.choice(["900.00", "1500.00", "2750.00"])),
                    description="Restitution for the loss it compensated",
                    ordered_on=ordered_on,
                    payee_class=payee_class,
                    payee_name=payee_name,
                    source=ObligationSource.ORDER,
                    created_by=clerk,
                )
            if i == 3:
                obligation_waive(
                    obligation=fine,
                    amount=fine.amount / 2,
                    reason="Order of indigency: half the fine waived.",
                    by=supervisor,
                )
        log(f"obligations {court.code}: fines on {len(cases)} cases, restitution on some")

        # Payments: some mailed in over the past months, some at the counter today.
        defendants = {case.pk: _defendant(case) for case in cases}
        methods = [PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD]
        for i, case in enumerate(cases[3:], start=3):
            party = defendants[case.pk]
            for visit in range(rng.randint(1, 3)):
                method = methods[(i + visit) % len(methods)]
                payment_post(
                    case=case,
                    amount=D(rng.choice(["25.00", "40.00", "75.50", "100.00", "120.00"])),
                    method=method,
                    payer_party=party,
                    reference=f"{1000 + i * 10 + visit}" if method != PaymentMethod.CASH else "",
                    drawer=drawer,
                    posted_by=clerk,
                    received_at=now - dt.timedelta(days=rng.randint(1, 120)) if visit else None,
                )
        # An overpayment held as credit.
        overpaid = cases[-1]
        balance = case_balance(overpaid).balance
        if balance > 0:
            payment_post(
                case=overpaid,
                amount=balance + D("20.00"),
                method=PaymentMethod.MONEY_ORDER,
                payer_name="Jordan Avery (family member)",
                reference="MO-55120",
                drawer=drawer,
                posted_by=clerk,
            )
        log(f"payments {court.code}: {Payment.objects.filter(court=court).count()}")

        # Payment plans on three cases: paid on time, delinquent, in default.
        plan_cases = cases[:3]
        for case, (days_back, paid_installments) in zip(
            plan_cases, [(75, 3), (100, 1), (220, 0)], strict=True
        ):
            owed = case_balance(case).balance
            if owed < D("60.00"):
                continue
            plan = payment_plan_create(
                case=case,
                total=owed,
                installments=6,
                first_due=today + dt.timedelta(days=1),
                created_by=clerk,
            )
            _backdate_plan(plan, days_back)
            began = now - dt.timedelta(days=days_back)
            for inst in plan.installments.order_by("number")[:paid_installments]:
                # Mailed in two days before it fell due (after the plan began, not later
                # than now).
                mailed = dt.datetime.combine(
                    inst.due_on - dt.timedelta(days=2), dt.time(11), court.tzinfo
                )
                payment_post(
                    case=case,
                    amount=inst.amount,
                    method=PaymentMethod.CHECK,
                    payer_party=defendants[case.pk],
                    reference=f"PLAN-{plan.pk}-{inst.number}",
                    drawer=drawer,
                    posted_by=clerk,
                    received_at=min(max(mailed, began + dt.timedelta(hours=1)), now),
                )
        counts = payment_plans_mark_delinquent()
        log(f"payment plans {court.code}: {counts}")

        # A disbursement run pays the victims what was collected; more then comes in.
        run = disbursement_run_create(court=court, by=supervisor)
        run = disbursement_run_execute(run_id=run.pk)
        log(f"disbursement run {court.code}: {run.payees_done} payees, {run.amount_total}")
        for case in cases[3:6]:
            payment_post(
                case=case,
                amount=D("60.00"),
                method=PaymentMethod.CASH,
                payer_party=defendants[case.pk],
                drawer=drawer,
                posted_by=clerk,
            )

        # The clerk counts the drawer five dollars short; the supervisor has it to approve.
        from .selectors import drawer_expected

        expected = drawer_expected(drawer)
        drawer_close(
            drawer=drawer,
            counted_cash=expected.cash - D("5.00"),
            counted_checks=expected.checks,
            note="Five dollars short; recounted twice.",
            by=clerk,
        )
        log(f"drawer {court.code}: closed five dollars short, awaiting approval")


def register_payment_seeders() -> None:
    from casemgmt.core.demo import register_seeder

    # The fee schedule before the demo cases open (cases.cases is order 40) so their
    # filing fees are assessed; the money after the cases and filings.
    register_seeder("payments.fee_schedule", seed_fee_schedules, order=35)
    register_seeder("payments.money", seed_money, order=65)
