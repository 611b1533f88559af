"""Payment plans (issue 7, item 7): installments that sum to the total, status derived from
payments, the nightly delinquency / default job (set-wise) and payment reminders.

The rules, as configured per court in PaymentSettings (payments.models):
- installment_delinquent_after_days (default 30): an installment unpaid MORE than that many
  days after its due date is delinquent (delinquent_on = the first such day);
- plan_default_after_days (default 90): a plan delinquent for MORE than that many days is
  in default;
- an installment is paid when the case's payments since the plan was created cover the
  installments up to it (payments.plans docstring).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from cases.models import CaseCategory
from filings.models import Notice
from filings.notices import notice_templates_install_defaults
from payments.models import Installment, PaymentPlan, PaymentSettings, PlanStatus
from payments.plans import (
    Frequency,
    InstallmentState,
    installment_amounts,
    installment_due_dates,
    payment_plan_cancel,
    payment_plan_create,
    payment_plan_reminders_issue,
    payment_plan_schedule,
    payment_plans_mark_delinquent,
    payment_plans_troubled,
)
from payments.services import payment_void
from tests.cases.factories import CaseTypeFactory, open_case
from tests.payments.factories import obligation, payment

D = Decimal
pytestmark = pytest.mark.django_db


def cr_case(court, clerk):
    case_type = CaseTypeFactory(court=court, code="CR", category=CaseCategory.CRIMINAL)
    return open_case(case_type=case_type, opened_by=clerk)


def owe(case, clerk, amount):
    return obligation(case, "fine", amount, created_by=clerk)


def pay(case, clerk, amount):
    return payment(case, amount, clerk=clerk)


def plan_for(case, clerk, total="300.00", installments=3, first_due=None, **kwargs):
    first_due = first_due or case.court.local_now().date() + dt.timedelta(days=10)
    return payment_plan_create(
        case=case,
        total=D(total),
        installments=installments,
        first_due=first_due,
        created_by=clerk,
        **kwargs,
    )


@pytest.fixture
def case(court_a, clerk):
    case = cr_case(court_a, clerk)
    owe(case, clerk, "500.00")
    return case


# --- installments sum exactly to the total --------------------------------------------------


@pytest.mark.parametrize(
    ("total", "count", "amount", "expected"),
    [
        # equal parts rounded down to the cent; the last takes the remainder
        ("100.00", 3, None, ["33.33", "33.33", "33.34"]),
        ("10.00", 4, None, ["2.50", "2.50", "2.50", "2.50"]),
        ("1000.01", 12, None, ["83.33"] * 11 + ["83.38"]),
        ("0.05", 5, None, ["0.01"] * 5),
        ("250.00", 1, None, ["250.00"]),
        # a fixed amount each; the last is what is left (never more than the amount)
        ("100.00", None, "30.00", ["30.00", "30.00", "30.00", "10.00"]),
        ("90.00", None, "30.00", ["30.00", "30.00", "30.00"]),
        ("20.00", None, "50.00", ["20.00"]),
        ("100.01", None, "25.00", ["25.00", "25.00", "25.00", "25.00", "0.01"]),
    ],
)
def test_installments_sum_exactly_to_the_total(total, count, amount, expected):
    # given a total and either a number of installments or an amount each
    # when the plan is split
    amounts = installment_amounts(
        D(total), installments=count, amount=D(amount) if amount else None
    )
    # then the installments are as expected and sum to the total to the cent
    assert amounts == [D(a) for a in expected]
    assert sum(amounts) == D(total)


@pytest.mark.parametrize(
    ("total", "count", "amount", "code"),
    [
        ("0.03", 4, None, "PLAN_INSTALLMENT_TOO_SMALL"),
        ("100.00", 0, None, "PLAN_INSTALLMENTS_INVALID"),
        ("100.00", 241, None, "PLAN_TOO_MANY_INSTALLMENTS"),
        ("10000.00", None, "1.00", "PLAN_TOO_MANY_INSTALLMENTS"),
        ("100.00", None, "0.001", "PLAN_AMOUNT_INVALID"),
        ("100.00", 3, "30.00", "PLAN_SCHEDULE_CHOICE"),
        ("100.00", None, None, "PLAN_SCHEDULE_CHOICE"),
    ],
)
def test_impossible_splits_are_refused(total, count, amount, code):
    with pytest.raises(DomainError) as exc:
        installment_amounts(D(total), installments=count, amount=D(amount) if amount else None)
    assert exc.value.code == code


def test_monthly_dates_keep_the_day_or_the_month_end():
    # given a first installment on January 31
    dates = installment_due_dates(dt.date(2027, 1, 31), 4, Frequency.MONTHLY)
    # then the next ones fall on the last day of shorter months, then back to the 31st
    assert dates == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
    ]
    assert installment_due_dates(dt.date(2027, 1, 5), 3, Frequency.BIWEEKLY) == [
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 19),
        dt.date(2027, 2, 2),
    ]


def test_create_plan_installments_sum_to_total_and_audited(case, clerk):
    # given a case owing 500.00
    # when a clerk puts 100.00 on a plan of 3 monthly installments
    plan = plan_for(case, clerk, total="100.00", installments=3)
    # then the plan is active with three installments summing to 100.00 exactly
    rows = list(plan.installments.order_by("number"))
    assert [r.amount for r in rows] == [D("33.33"), D("33.33"), D("33.34")]
    assert sum(r.amount for r in rows) == plan.total == D("100.00")
    assert plan.status == PlanStatus.ACTIVE
    assert AuditEvent.objects.filter(
        action="payment_plan.create", object_id=str(plan.pk), case_id=case.pk
    ).exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"total": "500.01"}, "PLAN_EXCEEDS_BALANCE"),
        ({"total": "-5.00"}, "PLAN_AMOUNT_NOT_POSITIVE"),
        ({"total": "10.005"}, "PLAN_AMOUNT_INVALID"),
        ({"first_due": dt.date(2000, 1, 1)}, "PLAN_FIRST_DUE_PAST"),
        ({"frequency": "yearly"}, "PLAN_FREQUENCY_UNKNOWN"),
    ],
)
def test_create_refusals_write_nothing(case, clerk, kwargs, code):
    with pytest.raises(DomainError) as exc:
        plan_for(case, clerk, **kwargs)
    assert exc.value.code == code
    assert not PaymentPlan.objects.exists()
    assert not Installment.objects.exists()


def test_one_live_plan_per_case_and_staff_only(case, clerk, make_user, court_a, court_b):
    plan_for(case, clerk)
    with pytest.raises(DomainError) as exc:
        plan_for(case, clerk, total="50.00")
    assert exc.value.code == "PLAN_ALREADY_LIVE" and exc.value.status == 409
    for user in (
        make_user(Role.ATTORNEY, [court_a]),
        make_user(Role.JUDGE, [court_a]),
        make_user(Role.CLERK, [court_b]),
    ):
        with pytest.raises(DomainError) as exc:
            plan_for(case, user, total="10.00")
        assert exc.value.code == "PLAN_NOT_ALLOWED" and exc.value.status == 403
    assert PaymentPlan.objects.count() == 1


def test_cancel_keeps_history_and_frees_the_case(case, clerk):
    plan = plan_for(case, clerk)
    with pytest.raises(DomainError):
        payment_plan_cancel(plan=plan, by=clerk, reason=" ")
    payment_plan_cancel(plan=plan, by=clerk, reason="Paid in full by the surety.")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    assert plan.installments.count() == 3
    assert AuditEvent.objects.filter(action="payment_plan.cancel", object_id=str(plan.pk)).exists()
    with pytest.raises(DomainError) as exc:
        payment_plan_cancel(plan=plan, by=clerk, reason="again")
    assert exc.value.code == "PLAN_NOT_OPEN"
    plan_for(case, clerk, total="50.00")  # a new plan may be made


# --- status derived from payments -----------------------------------------------------------


def test_installments_paid_in_order_by_cumulative_payments(case, clerk, supervisor):
    # given a plan 100 / 100 / 100
    plan = plan_for(case, clerk)
    first = plan.installments.get(number=1).due_on
    # when 150.00 is paid in two visits, and a third payment is voided
    pay(case, clerk, "100.00")
    pay(case, clerk, "50.00")
    payment_void(payment=pay(case, clerk, "150.00"), reason="Check returned.", by=supervisor)
    schedule = payment_plan_schedule(plan, today=first + dt.timedelta(days=40))
    # then installment 1 is paid, 2 half paid (past due), 3 upcoming
    assert schedule.paid == D("150.00")
    assert [(r.state, r.paid) for r in schedule.rows] == [
        (InstallmentState.PAID, D("100.00")),
        (InstallmentState.LATE, D("50.00")),
        (InstallmentState.UPCOMING, D("0.00")),
    ]
    assert schedule.past_due == D("50.00")
    assert schedule.remaining == D("150.00")


def test_payments_before_the_plan_do_not_count(case, clerk):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2), tick=False):
        pay(case, clerk, "100.00")
    plan = plan_for(case, clerk)
    assert payment_plan_schedule(plan).paid == D("0.00")


# --- the nightly job: delinquency and default -----------------------------------------------


@pytest.mark.parametrize(
    ("setting", "days_late", "delinquent"),
    [
        (None, 30, False),  # default 30: exactly 30 days late is not yet "more than 30"
        (None, 31, True),
        (10, 10, False),  # a court that configured 10 days
        (10, 11, True),
    ],
)
def test_installment_delinquent_more_than_configured_days_after_due(
    case, clerk, court_a, setting, days_late, delinquent
):
    if setting is not None:
        PaymentSettings.objects.create(court=court_a, installment_delinquent_after_days=setting)
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    # when the job runs `days_late` days after the first installment fell due, unpaid
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=days_late))
    first = plan.installments.get(number=1)
    plan.refresh_from_db()
    # then the installment (and the plan) are delinquent only past the threshold
    if delinquent:
        assert first.delinquent_on == due + dt.timedelta(days=days_late)
        assert plan.status == PlanStatus.DELINQUENT
        assert plan.status_date == first.delinquent_on
        assert AuditEvent.objects.filter(
            action="installment.delinquent", object_id=str(first.pk), actor_username="system"
        ).exists()
        assert AuditEvent.objects.filter(
            action="payment_plan.delinquent", object_id=str(plan.pk), case_number=case.number
        ).exists()
    else:
        assert first.delinquent_on is None
        assert plan.status == PlanStatus.ACTIVE


@pytest.mark.parametrize(
    ("setting", "days_delinquent", "expected"),
    [
        (None, 90, PlanStatus.DELINQUENT),  # default 90: "more than 90 days delinquent"
        (None, 91, PlanStatus.DEFAULTED),
        (30, 31, PlanStatus.DEFAULTED),
        (30, 30, PlanStatus.DELINQUENT),
    ],
)
def test_plan_defaults_more_than_configured_days_after_delinquency(
    case, clerk, court_a, setting, days_delinquent, expected
):
    if setting is not None:
        PaymentSettings.objects.create(court=court_a, plan_default_after_days=setting)
    plan = plan_for(case, clerk, total="300.00", installments=3)
    due = plan.installments.get(number=1).due_on
    delinquent_on = due + dt.timedelta(days=31)
    # given the plan went delinquent (nightly, day after day)
    payment_plans_mark_delinquent(today=delinquent_on)
    # when the job runs `days_delinquent` days later
    payment_plans_mark_delinquent(today=delinquent_on + dt.timedelta(days=days_delinquent))
    plan.refresh_from_db()
    assert plan.status == expected
    if expected == PlanStatus.DEFAULTED:
        default_days = setting or 90
        assert plan.status_date == delinquent_on + dt.timedelta(days=default_days + 1)
        assert AuditEvent.objects.filter(action="payment_plan.default", object_id=str(plan.pk))
    else:
        assert plan.status_date == delinquent_on


def test_a_night_missed_still_dates_delinquency_from_the_rule(case, clerk):
    # the job did not run for months: the dates recorded are those the rules give
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=200))
    plan.refresh_from_db()
    assert plan.installments.get(number=1).delinquent_on == due + dt.timedelta(days=31)
    assert plan.status == PlanStatus.DEFAULTED
    assert plan.status_date == due + dt.timedelta(days=31 + 91)


def test_paying_the_arrears_cures_and_paying_all_completes(case, clerk):
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=31))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DELINQUENT
    # when the first installment is paid late
    pay(case, clerk, "100.00")
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=32))
    plan.refresh_from_db()
    # then the plan is active again; the installment keeps its delinquency on record
    assert plan.status == PlanStatus.ACTIVE
    assert plan.installments.get(number=1).delinquent_on == due + dt.timedelta(days=31)
    assert AuditEvent.objects.filter(action="payment_plan.cure", object_id=str(plan.pk)).exists()
    # and when the rest is paid, the plan is completed
    pay(case, clerk, "200.00")
    counts = payment_plans_mark_delinquent(today=due + dt.timedelta(days=33))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert counts["plans_completed"] == 1


def test_a_cent_short_is_delinquent_and_a_new_spell_is_dated_anew(case, clerk):
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    pay(case, clerk, "99.99")  # a cent short
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=31))
    assert plan.installments.get(number=1).delinquent_on is not None
    pay(case, clerk, "0.01")
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=31 + 31))  # second one due+30
    plan.refresh_from_db()
    second = plan.installments.get(number=2)
    assert plan.status == PlanStatus.DELINQUENT
    assert plan.status_date == second.delinquent_on


def test_defaulted_plan_stays_in_default_until_paid_in_full(case, clerk):
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=200))
    pay(case, clerk, "100.00")
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=201))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DEFAULTED
    assert list(payment_plans_troubled(user=clerk)) == [plan]


def test_default_today_is_the_courts_own_date(case, clerk):
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    # 31 days after due, 00:30 in the court's zone (New York): already "today" there
    with time_machine.travel(
        dt.datetime.combine(due + dt.timedelta(days=31), dt.time(0, 30), case.court.tzinfo)
    ):
        payment_plans_mark_delinquent()
    assert plan.installments.get(number=1).delinquent_on == due + dt.timedelta(days=31)


def test_nightly_job_is_set_wise(court_a, clerk):
    """The number of queries does not grow with the number of plans."""

    def plans(n: int) -> dt.date:
        due = None
        for _ in range(n):
            case = cr_case(court_a, clerk)
            owe(case, clerk, "100.00")
            due = (
                plan_for(case, clerk, total="100.00", installments=2)
                .installments.get(number=1)
                .due_on
            )
        return due

    due = plans(1)
    with CaptureQueriesContext(connection) as one:
        counts = payment_plans_mark_delinquent(today=due + dt.timedelta(days=40))
    assert counts["installments_delinquent"] == 1
    plans(20)
    with CaptureQueriesContext(connection) as many:
        counts = payment_plans_mark_delinquent(today=due + dt.timedelta(days=40))
    assert counts["installments_delinquent"] == 20
    assert counts["plans_delinquent"] == 20
    assert len(many) == len(one) <= 4
    assert AuditEvent.objects.filter(action="installment.delinquent").count() == 21


# --- reminders ------------------------------------------------------------------------------


def test_reminder_notice_issued_once_per_installment(case, clerk, court_a):
    notice_templates_install_defaults(court=court_a)
    plan = plan_for(case, clerk)
    first = plan.installments.get(number=1)
    # given the first installment falls due in 5 days and 30.00 of it is paid
    pay(case, clerk, "30.00")
    today = first.due_on - dt.timedelta(days=5)
    # when the nightly reminders run twice
    counts = payment_plan_reminders_issue(today=today)
    again = payment_plan_reminders_issue(today=today + dt.timedelta(days=1))
    # then one payment reminder went to the defendant, for what is still due
    assert counts["reminded"] == 1 and again["reminded"] == 0
    notice = Notice.objects.get(case=case, kind="payment_reminder")
    assert notice.context == {"amount_due": "70.00", "due_date": first.due_on.isoformat()}
    assert [r.role for r in notice.recipients.all()] == ["defendant"]
    first.refresh_from_db()
    assert first.reminded_on == today
    assert (
        AuditEvent.objects.filter(action="installment.remind", object_id=str(first.pk)).count() == 1
    )


def test_no_reminder_too_early_or_for_a_paid_installment(case, clerk, court_a):
    notice_templates_install_defaults(court=court_a)
    plan = plan_for(case, clerk)
    first = plan.installments.get(number=1)
    assert payment_plan_reminders_issue(today=first.due_on - dt.timedelta(days=8))["reminded"] == 0
    pay(case, clerk, "100.00")
    assert payment_plan_reminders_issue(today=first.due_on - dt.timedelta(days=2))["reminded"] == 0
    assert not Notice.objects.exists()


# --- pages ----------------------------------------------------------------------------------


def plans_url(case) -> str:
    return f"/payments/plans/{case.court.code}/{case.number}/"


def test_clerk_sets_up_a_plan_from_the_case(client, case, clerk):
    # given the case page shows the Payment plan panel with the way in
    client.force_login(clerk)
    page = client.get(f"/cases/{case.court.code}/{case.number}/").content.decode()
    assert "Set up a payment plan" in page and plans_url(case) in page
    # when the clerk puts the 500.00 owed on 3 monthly installments
    first_due = case.court.local_today() + dt.timedelta(days=14)
    response = client.post(
        plans_url(case),
        {
            "total": "500.00",
            "installments": "3",
            "amount": "",
            "frequency": "monthly",
            "first_due": first_due.isoformat(),
        },
    )
    # then the plan is set up and its schedule shown
    assert response.status_code == 302
    plan = PaymentPlan.objects.get(case=case)
    page = client.get(plans_url(case)).content.decode()
    assert "166.66" in page and "166.68" in page and "Upcoming" in page
    assert plan.created_by == clerk


def test_plan_form_shows_the_rule_that_refused(client, case, clerk):
    client.force_login(clerk)
    response = client.post(
        plans_url(case),
        {
            "total": "900.00",
            "installments": "3",
            "frequency": "monthly",
            "first_due": (case.court.local_today() + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "a plan cannot cover more" in response.content.decode()
    assert not PaymentPlan.objects.exists()


def test_schedule_page_shows_paid_and_delinquent(client, case, clerk, court_a):
    plan = plan_for(case, clerk)
    pay(case, clerk, "100.00")
    due = plan.installments.get(number=2).due_on
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=31))
    client.force_login(clerk)
    page = client.get(plans_url(case)).content.decode()
    assert "cm-state--paid" in page and "cm-state--delinquent" in page
    assert "Delinquent since" in page


def test_cancel_from_the_page(client, case, clerk):
    plan = plan_for(case, clerk)
    client.force_login(clerk)
    response = client.post(f"/payments/plans/{plan.pk}/cancel/", {"reason": "Surety paid."})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED


def test_who_sees_and_keeps_plans(client, case, clerk, make_user, court_a, court_b):
    plan = plan_for(case, clerk)
    # a judge of the court sees the plan but keeps no plans
    judge = make_user(Role.JUDGE, [court_a])
    client.force_login(judge)
    page = client.get(plans_url(case))
    assert page.status_code == 200 and "Cancel the plan" not in page.content.decode()
    assert client.post(f"/payments/plans/{plan.pk}/cancel/", {"reason": "x"}).status_code == 403
    # an attorney not of record sees the public case, not its money
    client.force_login(make_user(Role.ATTORNEY, [court_a]))
    assert client.get(plans_url(case)).status_code == 403
    # the public is asked to sign in
    client.logout()
    assert client.get(plans_url(case)).status_code == 302


def test_a_case_out_of_sight_is_404(client, court_a, clerk, make_user, court_b):
    sealed = cr_case(court_a, clerk)
    from cases.services import case_confidentiality_set

    supervisor = make_user(Role.SUPERVISOR, [court_a])
    case_confidentiality_set(
        case=sealed, confidentiality="sealed", reason="Order.", actor=supervisor
    )
    other_clerk = make_user(Role.CLERK, [court_b])
    client.force_login(other_clerk)
    assert client.get(plans_url(sealed)).status_code == 404
    client.force_login(clerk)  # staff of the court without the sealed grant
    assert client.get(plans_url(sealed)).status_code == 404
    assert client.get("/payments/plans/nope/X-1/").status_code == 404


def test_supervisor_list_of_plans_in_trouble(client, case, clerk, supervisor, court_a):
    plan = plan_for(case, clerk)
    due = plan.installments.get(number=1).due_on
    payment_plans_mark_delinquent(today=due + dt.timedelta(days=31))
    client.force_login(supervisor)
    page = client.get("/payments/plans/").content.decode()
    assert case.number in page and "Delinquent" in page
    assert case.number not in client.get("/payments/plans/?status=defaulted").content.decode()
    client.force_login(clerk)
    assert client.get("/payments/plans/").status_code == 403


def test_beat_runs_the_nightly_plan_job():
    from django.conf import settings

    from casemgmt.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["payments-plans-nightly"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_plan_pages_in_a_browser_are_axe_clean(page, login, axe_check, case, clerk, supervisor):
    from playwright.sync_api import expect

    login(clerk)
    page.goto(plans_url(case))
    axe_check(page)
    page.get_by_label("Number of installments").fill("4")
    page.get_by_label("Number of installments").press("Enter")
    expect(page.get_by_role("table", name="Installments")).to_contain_text("125.00")
    axe_check(page)
    plan = PaymentPlan.objects.get(case=case)
    payment_plans_mark_delinquent(
        today=plan.installments.get(number=1).due_on + dt.timedelta(days=31)
    )
    page.context.clear_cookies()  # sign the clerk out
    login(supervisor)
    page.goto("/payments/plans/")
    expect(page.get_by_role("table")).to_contain_text(case.number)
    axe_check(page)
