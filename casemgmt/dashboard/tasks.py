"""The dashboard's worker tasks: the nightly rollups, the monthly statistics report and the
lists exported to CSV in the worker."""

from __future__ import annotations

import logging

from celery import shared_task

from casemgmt.core.jobs import TRANSIENT_DB_ERRORS

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, retry_backoff=60, max_retries=5)
def dashboard_rollups_refresh(full: bool = False) -> dict[str, object]:
    """Beat, nightly: fold the day's status changes (backdated ones too) into the
    dashboard's rollups and take each court's pending-age snapshots of yesterday and today
    (casemgmt.dashboard.rollups.rollups_refresh). Safe to run twice: a second run finds
    nothing new; two runs at once take turns (an advisory lock).

    Returns:
        A summary of the refresh: kind, changes folded in, days, cases, snapshots.
    """
    from .rollups import rollups_refresh

    refresh = rollups_refresh(full=full)
    return {
        "full": refresh.full,
        "watermark": refresh.watermark,
        "changes": refresh.changes,
        "days": refresh.days,
        "cases": refresh.cases,
        "snapshots": refresh.snapshots,
    }


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def monthly_report_build(report_id: int) -> None:
    """Compute a court's monthly statistics and render them to PDF: exactly once.

    Safe to run twice: the service locks the report and returns if it is not pending.
    """
    from .models import MonthlyReport
    from .report import monthly_report_build as build

    try:
        build(report_id=report_id)
    except MonthlyReport.DoesNotExist:
        logger.warning(
            "monthly report %s does not exist (rolled back?); nothing to build", report_id
        )


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, max_retries=3, retry_backoff=60)
def monthly_reports_stale_requeue() -> int:
    """Every few minutes: enqueue again the reports whose worker died (see
    casemgmt.dashboard.report.REPORT_BUILD_STALE_AFTER). Safe to run twice."""
    from .report import monthly_reports_stale_list

    stale = monthly_reports_stale_list()
    for report_id in stale:
        monthly_report_build.delay(report_id)
    return len(stale)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=5,
)
def dashboard_export_build(job_id: int) -> None:
    """Write a dashboard list too long for the request to CSV, for its requester: exactly
    once (casemgmt.dashboard.export_jobs.export_job_build).

    Safe to run twice: the service locks the job and returns unless it is pending (or its
    claim is stale).
    """
    from .export_jobs import export_job_build
    from .models import ExportJob

    try:
        export_job_build(job_id=job_id)
    except ExportJob.DoesNotExist:
        logger.warning("dashboard export %s does not exist (rolled back?); nothing to do", job_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, max_retries=3, retry_backoff=60)
def dashboard_exports_stale_requeue() -> int:
    """Every few minutes: enqueue again the exports whose worker died (see
    casemgmt.dashboard.export_jobs.EXPORT_BUILD_STALE_AFTER). Safe to run twice."""
    from .export_jobs import export_jobs_stale_list

    stale = export_jobs_stale_list()
    for job_id in stale:
        dashboard_export_build.delay(job_id)
    return len(stale)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_DB_ERRORS, max_retries=3, retry_backoff=60)
def dashboard_exports_expire() -> int:
    """Nightly: clear the files of the exports finished more than DASHBOARD_EXPORT_KEEP_DAYS
    ago (the jobs stay, marked expired). Safe to run twice: a second run finds none."""
    from .export_jobs import export_jobs_expire

    return export_jobs_expire()
