"""The printable monthly statistics report of a court (issue 9, reports).

A supervisor asks for one court's report of one month (`monthly_report_request`); the
worker (`casemgmt.dashboard.tasks.monthly_report_build`) computes each figure of the
dashboard for that month, committing its progress after each, and renders them to one PDF
(WeasyPrint): CourTools measures 2, 3, 4, 5 and 7, the compliance figures and the diversion
programs' outcomes, each with its definition and its numbers in a table, as the dashboard
shows them (same functions, `selectors.FIGURES`; same tables, `tables.*_sections`). The
PDF is kept in the report's row.

What is a state rather than a period (deadlines at risk, speedy-trial clocks, the review
queue, open drawers) is dated when the report is built, and the report says so.

Visibility: a report is seen by the supervisors of its court (and superusers); anyone
else gets 404, as for a report that does not exist.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.jobs import TRANSIENT_DB_ERRORS, ClaimedBuild
from casemgmt.core.models import Court, User
from casemgmt.core.policies import user_has_role
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_list_for_user
from filings.pdf import html_to_pdf

from . import tables
from .models import MonthlyReport, ReportStatus
from .selectors import FIGURES, DashboardFigures, DashboardScope

logger = logging.getLogger(__name__)

# A build still "building" after this long lost its worker: the next run of the task (a
# redelivery, or monthly_reports_stale_requeue) claims it again.
REPORT_BUILD_STALE_AFTER = dt.timedelta(minutes=15)
BUILD = ClaimedBuild(
    model=MonthlyReport,
    pending=ReportStatus.PENDING,
    running=ReportStatus.BUILDING,
    failed=ReportStatus.FAILED,
    stale_after=REPORT_BUILD_STALE_AFTER,
    failed_action="dashboard.report_build_failed",
    audit_on="court",
    defer=("pdf",),
)
FIRST_YEAR = 1900


def report_period(year: int, month: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The month's first and last day; the current month runs to today."""
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return start, min(end, today)


def _may_request(user) -> bool:
    return user_has_role(user, Role.SUPERVISOR)


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def monthly_report_request(
    *, court: Court, year: int, month: int, requested_by: User
) -> MonthlyReport:
    """Ask for `court`'s statistics of `month`/`year`; the worker builds the PDF after commit.

    Raises:
        Http404: `court` is not one of the requester's courts.
        DomainError: REPORT_NOT_ALLOWED (403; supervisors only), REPORT_MONTH_INVALID,
            REPORT_MONTH_IN_FUTURE (a month that has not begun in the court).
    """
    if not court_list_for_user(requested_by).filter(pk=court.pk).exists():
        raise Http404("No such court.")
    if not _may_request(requested_by):
        raise DomainError(
            "REPORT_NOT_ALLOWED", "Only supervisors produce statistics reports.", status=403
        )
    try:
        year, month = int(year), int(month)
        dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise DomainError(
            "REPORT_MONTH_INVALID", "Give a month from 1 to 12 and a year.", field="month"
        ) from None
    if year < FIRST_YEAR:
        raise DomainError("REPORT_MONTH_INVALID", "Give a year after 1900.", field="year")
    today = court.local_today()
    if dt.date(year, month, 1) > today:
        raise DomainError(
            "REPORT_MONTH_IN_FUTURE", "That month has not begun yet in the court.", field="month"
        )
    report = MonthlyReport.objects.create(
        court=court, year=year, month=month, requested_by=requested_by, total=len(FIGURES) + 1
    )
    audit_record(
        action="dashboard.report_request",
        actor=requested_by,
        obj=report,
        court=court,
        details={"year": year, "month": month},
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.monthly_report_build.delay(report.pk))
    return report


def _progress(report_id: int, done: int) -> None:
    """Record progress in its own short transaction, so the progress page sees it."""
    with transaction.atomic():
        MonthlyReport.objects.filter(pk=report_id, status=ReportStatus.BUILDING).update(done=done)


def report_scope(report: MonthlyReport, *, now: dt.datetime | None = None) -> DashboardScope:
    now = now or timezone.now()
    today = timezone.localtime(now, report.court.tzinfo).date()
    start, end = report_period(report.year, report.month, today)
    return DashboardScope(
        court=report.court,
        case_type=None,
        start=start,
        end=end,
        today=today,
        now=now,
        period="custom",
    )


def monthly_report_figures(scope: DashboardScope, *, progress=None) -> DashboardFigures:
    """Every figure of the dashboard for `scope`, one at a time (`progress(n)` after each)."""
    values = {}
    for done, (name, figure) in enumerate(FIGURES.items(), 1):
        values[name] = figure(scope)
        if progress is not None:
            progress(done)
    return DashboardFigures(**values)


def monthly_report_html(report: MonthlyReport, scope: DashboardScope, figures) -> str:
    """The report as one HTML document for WeasyPrint."""
    return render_to_string(
        "dashboard/report/report.html",
        {
            "report": report,
            "court": report.court,
            "scope": scope,
            "performance": tables.performance_sections(figures, scope),
            "compliance": tables.compliance_sections(figures, scope),
            "programs": tables.programs_sections(figures, scope),
            "printed_at": timezone.localtime(scope.now, report.court.tzinfo),
            "requested_by": report.requested_by.get_full_name()
            or report.requested_by.get_username(),
        },
    )


def monthly_report_build(*, report_id: int) -> MonthlyReport:
    """Compute the report's figures and render its PDF: exactly once.

    The report is claimed under a row lock (pending -> building); a second run finds it
    claimed or over and returns it, unless the claim is stale (REPORT_BUILD_STALE_AFTER:
    its worker died), which it takes over. Progress (`done`) is committed after each
    figure. The PDF is kept and the report marked done in one transaction. A build that
    cannot succeed marks the report failed with the reason; a transient database error
    puts it back to pending and is raised, so the task retries.

    Raises:
        MonthlyReport.DoesNotExist: no such report.
    """
    claim = BUILD.claim(report_id)
    if claim.at is None:
        return claim.obj
    try:
        report = MonthlyReport.objects.select_related("court", "requested_by").get(pk=report_id)
        scope = report_scope(report)
        figures = monthly_report_figures(scope, progress=lambda n: _progress(report_id, n))
        html = monthly_report_html(report, scope, figures)
        title = f"Monthly statistics — {report.court.name} — {report.period_label}"
        rendered = html_to_pdf([html], title=title)
        with transaction.atomic():
            report = MonthlyReport.objects.select_for_update().get(pk=report_id)
            if not BUILD.holds(report, claim.at):
                return report  # taken over meanwhile: that claim finishes it
            report.pdf = rendered.content
            report.page_count = rendered.page_count
            report.status = ReportStatus.DONE
            report.done = report.total
            report.error = ""
            report.finished_at = timezone.now()
            report.save(
                update_fields=["pdf", "page_count", "status", "done", "error", "finished_at"]
            )
            audit_record(
                action="dashboard.report_build",
                actor_username="system",
                obj=report,
                court=report.court,
                details={"pages": rendered.page_count, "bytes": len(rendered.content)},
            )
            return report
    except TRANSIENT_DB_ERRORS:
        BUILD.release(report_id, claim.at)
        raise
    except Exception as exc:  # anything else would fail the same way again
        return BUILD.fail(report_id, claim.at, exc)


# --- selectors --------------------------------------------------------------------------------


def monthly_report_list_for(user) -> QuerySet[MonthlyReport]:
    """Reports of the user's courts if they supervise (or are a superuser), newest first."""
    if not _may_request(user):
        return MonthlyReport.objects.none()
    return (
        MonthlyReport.objects.filter(court__in=court_list_for_user(user))
        .select_related("court", "requested_by")
        .defer("pdf")
    )


def monthly_report_get_visible(user, pk: int, *, with_pdf: bool = False) -> MonthlyReport:
    """The report `pk` if `user` supervises its court, else Http404 (as if missing)."""
    reports = monthly_report_list_for(user)
    if with_pdf:
        reports = reports.defer(None)
    report = reports.filter(pk=pk).first()
    if report is None:
        raise Http404("No such report.")
    return report


def monthly_reports_stale_list() -> list[int]:
    """Ids of reports whose build was claimed longer ago than REPORT_BUILD_STALE_AFTER."""
    return BUILD.stale_list()
