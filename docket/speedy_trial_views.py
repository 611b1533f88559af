"""The speedy-trial clock's page (mounted at /speedy-trial/) and the forms that record
its dates and excludable periods. Thin: the rules are docket.speedy_trial's, the writes
docket.speedy_trial_services'.

A case the user may not see is 404, as is a case that is not criminal (it has no
clock); the forms are for the clerk's office of the case's court (403, audited, for
anyone else who can see the case). A form posted from the case page's panel returns
there (`next=case`); otherwise to the clock's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from casemgmt.core.errors import DomainError
from casemgmt.core.policies import audit_denied
from cases.models import Case
from cases.policies import can_keep_record, case_access_level
from cases.selectors import case_get_visible
from cases.services import case_read_audit

from .models import ExcludablePeriod
from .speedy_trial import day_words
from .speedy_trial_forms import ClockDatesForm, ExcludablePeriodForm, PeriodEndForm, apply_refusal
from .speedy_trial_panels import page_url, speedy_trial_display
from .speedy_trial_selectors import speedy_trial_applies, speedy_trial_get
from .speedy_trial_services import (
    excludable_period_add,
    excludable_period_end,
    speedy_trial_clock_set,
)


def _criminal_case(request: HttpRequest, court: str, number: str) -> Case:
    case = case_get_visible(request.user, number, court_code=court)
    if not speedy_trial_applies(case):
        raise Http404("Only criminal cases have a speedy-trial clock.")
    return case


def _keeper_case(request: HttpRequest, court: str, number: str) -> Case:
    case = _criminal_case(request, court, number)
    if not can_keep_record(request.user, case):
        audit_denied(request, reason="not_record_keeper", case=case.number)
        raise PermissionDenied("Only the clerk's office of the court records the clock.")
    return case


def _page(request: HttpRequest, case: Case, *, status: int = 200, **forms) -> HttpResponse:
    level = case_access_level(request.user, case)
    st = speedy_trial_get(case, level=level)
    context = speedy_trial_display(request, st, level=level, **forms)
    return render(
        request, "docket/speedy_trial.html", {"case": case, "panel": context}, status=status
    )


def _done(request: HttpRequest, case: Case) -> HttpResponse:
    if request.POST.get("next") == "case":
        target = reverse("cases:detail", args=[case.court.code, case.number])
        return redirect(f"{target}#panel-speedy_trial")
    return redirect(page_url(case))


def _refused(request: HttpRequest, form, exc: DomainError, case: Case) -> None:
    if exc.status == 403:
        audit_denied(request, reason=exc.code, case=case.number)
        raise PermissionDenied(exc.message) from exc
    apply_refusal(form, exc)


@require_GET
def speedy_trial_page(request: HttpRequest, court: str, number: str) -> HttpResponse:
    """The clock of a criminal case: both limits, the excluded periods, the steps."""
    case = _criminal_case(request, court, number)
    case_read_audit(case=case, user=request.user, surface="speedy_trial")
    return _page(request, case)


@require_POST
@login_required
def speedy_trial_dates(request: HttpRequest, court: str, number: str) -> HttpResponse:
    case = _keeper_case(request, court, number)
    form = ClockDatesForm(request.POST, prefix="clock")
    if form.is_valid():
        try:
            speedy_trial_clock_set(case=case, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            _refused(request, form, exc, case)
        else:
            messages.success(request, "Speedy-trial dates recorded.")
            return _done(request, case)
    return _page(request, case, status=422, dates_form=form)


@require_POST
@login_required
def excludable_period_add_view(request: HttpRequest, court: str, number: str) -> HttpResponse:
    case = _keeper_case(request, court, number)
    form = ExcludablePeriodForm(request.POST, prefix="period")
    if form.is_valid():
        data = dict(form.cleaned_data)
        seq = data.pop("docket_entry")
        entry = case.docket_entries.filter(seq=seq).first() if seq else None
        if seq and entry is None:
            form.add_error("docket_entry", f"The case has no docket entry {seq}.")
        else:
            try:
                period = excludable_period_add(
                    case=case, docket_entry=entry, by=request.user, **data
                )
            except DomainError as exc:
                _refused(request, form, exc, case)
            else:
                until = f"through {period.ends_on.isoformat()}" if period.ends_on else "ongoing"
                messages.success(
                    request,
                    f"Excluded from {period.starts_on.isoformat()}, {until}: "
                    f"{period.get_kind_display()}.",
                )
                return _done(request, case)
    return _page(request, case, status=422, period_form=form)


@require_POST
@login_required
def excludable_period_end_view(
    request: HttpRequest, court: str, number: str, pk: int
) -> HttpResponse:
    case = _keeper_case(request, court, number)
    period = get_object_or_404(ExcludablePeriod, case=case, pk=pk)
    form = PeriodEndForm(request.POST, prefix=f"end{pk}")
    if form.is_valid():
        try:
            period = excludable_period_end(
                period=period, ends_on=form.cleaned_data["ends_on"], by=request.user
            )
        except DomainError as exc:
            _refused(request, form, exc, case)
        else:
            messages.success(
                request,
                f"{period.get_kind_display()}: last day excluded "
                f"{day_words(period.ends_on)}; the clock runs again the day after.",
            )
            return _done(request, case)
    return _page(request, case, status=422, end_forms={pk: form})
