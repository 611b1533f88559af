"""Pages for payment plans and disbursement runs (thin: payments.plans and
payments.disbursements do the work).

- A case's plans (`plans/<court>/<number>/`): the schedule of the current plan with each
  installment paid / past due / delinquent, earlier plans, and for the court's clerks the
  form to put the balance on a plan and to cancel one. Money is shown to those who may
  see it (payments.policies.can_see_money); a case out of sight is 404.
- Supervisors: delinquent and defaulted plans of their courts (`plans/`), disbursement
  runs (`disbursements/`: what a run would pay, start one, watch it in the worker with an
  htmx progress block like the notice batches', the remittance report as HTML and CSV).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.pagination import paginate_without_count
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_list_for_user
from cases.models import Case, court_local_date
from cases.policies import can_keep_record
from cases.querysets import user_court_ids
from cases.selectors import case_get_visible

from .disbursements import (
    disbursement_preview,
    disbursement_remittance,
    disbursement_run_create,
    disbursement_run_get_visible,
    disbursement_runs_for,
    remittance_csv,
)
from .models import DisbursementRunStatus, PaymentPlan, PlanStatus
from .plans import (
    LIVE_STATUSES,
    WATCHED_STATUSES,
    Frequency,
    court_plan_settings,
    payment_plan_cancel,
    payment_plan_create,
    payment_plan_schedule,
    payment_plans_for_case,
    payment_plans_troubled,
)
from .policies import can_see_money, can_supervise_money
from .selectors import case_balance

ZERO = Decimal("0.00")
POLL_EVERY = "2s"
TROUBLED_PAGE_SIZE = 50
RUNS_SHOWN = 50


# --- a case's plans -------------------------------------------------------------------------


class PlanForm(forms.Form):
    total = forms.DecimalField(
        label="Amount on the plan",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text="Dollars and cents; at most what the case owes.",
    )
    installments = forms.IntegerField(
        label="Number of installments",
        min_value=1,
        required=False,
        help_text="Equal installments; the last takes the cents left over.",
    )
    amount = forms.DecimalField(
        label="Or: amount of each installment",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="The last installment is what is left.",
    )
    frequency = forms.ChoiceField(choices=Frequency.choices, initial=Frequency.MONTHLY)
    first_due = forms.DateField(
        label="First installment due",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("installments") is None and data.get("amount") is None:
            self.add_error("installments", "Give the number of installments or the amount of each.")
        elif data.get("installments") is not None and data.get("amount") is not None:
            self.add_error("amount", "Give the number of installments or the amount, not both.")
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling", max_length=1000, widget=forms.TextInput()
    )


def _money_case(request: HttpRequest, court: str, number: str) -> Case:
    """The visible case whose money the user may see; 404 when out of sight, 403 when the
    case is visible but its money is not (audited)."""
    case = case_get_visible(request.user, number, court_code=court)
    if not can_see_money(request.user, case):
        audit_denied(request, reason="money_not_visible", case=case.number)
        raise PermissionDenied(
            "Payment details are shown to the court's staff and to attorneys of record."
        )
    return case


def case_plans(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """A case's payment plans; POST (the court's clerks) puts the balance on a plan."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case = _money_case(request, court, number)
    keeper = can_keep_record(request.user, case)
    plans = payment_plans_for_case(case)
    live = next((p for p in plans if p.status in LIVE_STATUSES), None)
    owed = case_balance(case).balance
    today = court_local_date(case.court)
    form = None
    if keeper and live is None:
        initial = {
            "total": owed if owed > 0 else None,
            "first_due": today + dt.timedelta(days=30),
            "frequency": Frequency.MONTHLY,
        }
        form = PlanForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                payment_plan_create(
                    case=case,
                    total=d["total"],
                    installments=d["installments"],
                    amount=d["amount"],
                    frequency=d["frequency"],
                    first_due=d["first_due"],
                    created_by=request.user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The payment plan is set up.")
                return redirect("plans:case", case.court.code, case.number)
    elif request.method == "POST":
        if not keeper:
            audit_denied(request, reason="not_record_keeper", case=case.number)
            raise PermissionDenied("Only the court's clerks keep payment plans.")
        messages.error(request, "The case already has a payment plan; cancel it first.")
        return redirect("plans:case", case.court.code, case.number)
    shown = live or next(iter(plans), None)
    late_days, default_days = court_plan_settings(case.court)
    return render(
        request,
        "payments/plan_case.html",
        {
            "case": case,
            "keeper": keeper,
            "owed": owed,
            "form": form,
            "schedule": payment_plan_schedule(shown, today=today) if shown else None,
            "cancel_form": CancelForm()
            if keeper and shown and shown.status in WATCHED_STATUSES
            else None,
            "history": [p for p in plans if p != shown],
            "late_days": late_days,
            "default_days": default_days,
        },
        status=422 if form is not None and form.is_bound and form.errors else 200,
    )


@require_POST
def plan_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("core:home"))
    plan = (
        PaymentPlan.objects.filter(pk=pk, case__in=Case.objects.visible_to(request.user))
        .select_related("case__court")
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    case = plan.case
    if not can_keep_record(request.user, case):
        audit_denied(request, reason="not_record_keeper", case=case.number)
        raise PermissionDenied("Only the court's clerks keep payment plans.")
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the plan is cancelled.")
    else:
        try:
            payment_plan_cancel(plan=plan, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The payment plan is cancelled.")
    return redirect("plans:case", case.court.code, case.number)


def case_plan_panel_context(request: HttpRequest, case_file) -> dict:
    """The case page's Payment plan panel: the live plan in a line and the link (one query)."""
    case = case_file.case
    if not can_see_money(request.user, case):
        return {"money_hidden": True}
    plan = PaymentPlan.objects.filter(case=case).order_by("-created_at").first()
    return {
        "plan": plan,
        "url": reverse("plans:case", args=[case.court.code, case.number]),
        "keeper": can_keep_record(request.user, case),
    }


# --- supervisors: plans in trouble ----------------------------------------------------------

TROUBLE_CHOICES = [
    ("", "Delinquent and in default"),
    (PlanStatus.DELINQUENT, "Delinquent"),
    (PlanStatus.DEFAULTED, "In default"),
]


@require_GET
@role_required(Role.SUPERVISOR)
def troubled_plans(request: HttpRequest) -> HttpResponse:
    """Delinquent and defaulted plans of the supervisor's courts, longest in trouble first."""
    status = request.GET.get("status", "")
    if status not in dict(TROUBLE_CHOICES):
        status = ""
    statuses = (status,) if status else (PlanStatus.DELINQUENT, PlanStatus.DEFAULTED)
    plans = payment_plans_troubled(user=request.user, statuses=statuses)
    if not request.user.is_superuser:
        plans = plans.filter(court_id__in=user_court_ids(request.user))
    page = paginate_without_count(plans, request.GET.get("page"), TROUBLED_PAGE_SIZE)
    for plan in page.object_list:
        plan.paid = plan.paid or ZERO
        plan.remaining = max(plan.total - plan.paid, ZERO)
    return render(
        request,
        "payments/plan_troubled.html",
        {
            "page": page,
            "status": status,
            "choices": TROUBLE_CHOICES,
            "query": f"status={status}" if status else "",
        },
    )


# --- supervisors: disbursement runs ---------------------------------------------------------


def _supervised_courts(user):
    return [c for c in court_list_for_user(user) if can_supervise_money(user, c)]


@role_required(Role.SUPERVISOR)
def disbursements(request: HttpRequest) -> HttpResponse:
    """Runs of the supervisor's courts, what a run would pay now, and starting one (POST)."""
    courts = _supervised_courts(request.user)
    if request.method == "POST":
        court = next((c for c in courts if str(c.pk) == request.POST.get("court")), None)
        if court is None:
            messages.error(request, "Choose a court you supervise.")
        else:
            try:
                run = disbursement_run_create(court=court, by=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("plans:disbursement", run.pk)
    previews = [(court, disbursement_preview(court=court)) for court in courts]
    runs = list(disbursement_runs_for(request.user)[:RUNS_SHOWN])
    return render(
        request,
        "payments/disburse_list.html",
        {"previews": previews, "runs": runs, "runs_shown": RUNS_SHOWN},
    )


def _visible_run(request: HttpRequest, pk: int):
    run = disbursement_run_get_visible(user=request.user, pk=pk)
    if run is None:
        raise Http404("No such disbursement run.")  # forbidden and missing answer alike
    return run


def _run_context(request: HttpRequest, run) -> dict:
    context = {"run": run, "poll_every": POLL_EVERY}
    if run.status == DisbursementRunStatus.DONE:
        context["remittance"] = disbursement_remittance(run=run, user=request.user)
    return context


@require_GET
@role_required(Role.SUPERVISOR)
def disbursement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    return render(request, "payments/disburse_detail.html", _run_context(request, run))


@require_GET
@role_required(Role.SUPERVISOR)
def disbursement_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block the page polls (htmx); also a plain page without htmx."""
    run = _visible_run(request, pk)
    return render(request, "payments/disburse_progress.html", _run_context(request, run))


@require_GET
@role_required(Role.SUPERVISOR)
def remittance_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The remittance report, printable."""
    run = _visible_run(request, pk)
    if run.status != DisbursementRunStatus.DONE:
        raise Http404("The run has not finished.")
    remittance = disbursement_remittance(run=run, user=request.user)
    return render(
        request, "payments/disburse_remittance.html", {"run": run, "remittance": remittance}
    )


@require_GET
@role_required(Role.SUPERVISOR)
def remittance_download(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    if run.status != DisbursementRunStatus.DONE:
        raise Http404("The run has not finished.")
    remittance = disbursement_remittance(run=run, user=request.user)
    response = HttpResponse(remittance_csv(remittance), content_type="text/csv; charset=utf-8")
    name = f"remittance-{run.court.code}-run{run.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def register_plan_pages() -> None:
    """Navigation for supervisors and the case page's Payment plan panel (called from
    PaymentsConfig.ready())."""
    from casemgmt.core.shell import NavItem, register_nav
    from cases.panels import CasePanel, register_case_panel

    register_nav(NavItem("Plans", "plans:troubled", (Role.SUPERVISOR,), order=46))
    register_nav(NavItem("Disbursements", "plans:disbursements", (Role.SUPERVISOR,), order=47))
    register_case_panel(
        CasePanel(
            key="payment_plan",
            title="Payment plan",
            template="payments/plan_panel.html",
            context=case_plan_panel_context,
            order=41,
        )
    )
