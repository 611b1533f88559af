"""Pages of the monthly statistics report: ask for a month of one of one's courts, watch it
being built, download the PDF.

The report is built in the worker (`casemgmt.dashboard.tasks.monthly_report_build`); its
page polls a small status partial every 2 seconds (htmx) until it is over, announces
progress politely to screen readers (role="status"), and links to the PDF when ready.
Supervisors (and superusers) only; a report of a court that is not theirs answers 404.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.models import Court
from casemgmt.core.policies import audit_denied, role_required
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_active_for, court_list_for_request

from .models import ReportStatus
from .report import monthly_report_get_visible, monthly_report_list_for, monthly_report_request

POLL_EVERY = "2s"
RECENT = 20


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (an <input type="month">)."""

    input_formats = ["%Y-%m"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class ReportForm(forms.Form):
    court = forms.ModelChoiceField(queryset=Court.objects.none(), empty_label=None)
    month = MonthField(
        label="Month", help_text="For example 2026-03. The current month runs to today."
    )

    def __init__(self, *args, courts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["court"].queryset = Court.objects.filter(pk__in=[c.pk for c in courts])
        self.fields["court"].label_from_instance = lambda court: court.name


def _last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def reports(request: HttpRequest) -> HttpResponse:
    """Ask for a report (POST) and see the recent ones of one's courts."""
    court = court_active_for(request)
    courts = court_list_for_request(request)
    initial = {"court": court, "month": _last_month(court.local_today()) if court else None}
    form = ReportForm(request.POST or None, courts=courts, initial=initial)
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        try:
            report = monthly_report_request(
                court=form.cleaned_data["court"],
                year=month.year,
                month=month.month,
                requested_by=request.user,
            )
        except DomainError as exc:
            if exc.status == 403:
                audit_denied(request, reason=exc.code)
                raise PermissionDenied(exc.message) from exc
            form.add_error(exc.field if exc.field in form.fields else "month", exc.message)
        else:
            return redirect(reverse("dashboard_reports:detail", args=[report.pk]))
    return render(
        request,
        "dashboard/report/reports.html",
        {"form": form, "reports": monthly_report_list_for(request.user)[:RECENT]},
        status=400 if form.errors else 200,
    )


def _context(request: HttpRequest, pk: int) -> dict:
    report = monthly_report_get_visible(request.user, pk)  # Http404: missing or not theirs
    return {"report": report, "poll_every": POLL_EVERY}


@require_GET
@role_required(Role.SUPERVISOR)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "dashboard/report/detail.html", _context(request, pk))


@require_GET
@role_required(Role.SUPERVISOR)
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (htmx); also a plain page without htmx."""
    return render(request, "dashboard/report/_progress.html", _context(request, pk))


@require_GET
@role_required(Role.SUPERVISOR)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = monthly_report_get_visible(request.user, pk, with_pdf=True)
    if report.status != ReportStatus.DONE:
        raise Http404("The report is not ready.")
    audit_record(
        action="dashboard.report_download",
        actor=request.user,
        obj=report,
        court=report.court,
        request=request,
        details={"year": report.year, "month": report.month},
    )
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    name = f"statistics-{report.court.code}-{report.year}-{report.month:02d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
