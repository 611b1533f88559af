"""Pages of the lists exported in the worker: one's recent exports, an export's page (its
progress polled every 2 seconds with htmx, announced politely to screen readers, then the
download link) and the download.

An export is seen and downloaded by the supervisor who asked for it, while they supervise
its court; anyone else gets 404, as for an export that does not exist (the file holds the
cases as its requester may see them; see `export_jobs`). A file past
DASHBOARD_EXPORT_KEEP_DAYS answers 410 Gone with a page saying so.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casemgmt.core.audit import audit_record
from casemgmt.core.policies import role_required
from casemgmt.core.roles import Role

from .drilldowns import DRILLDOWNS
from .export_jobs import export_job_chunks, export_job_get_visible, export_job_list_for
from .models import ExportJob, ExportStatus

POLL_EVERY = "2s"
RECENT = 20


def _title(job: ExportJob) -> str:
    drilldown = DRILLDOWNS.get(job.export)
    if drilldown is None:
        return job.export
    try:
        subtitle = drilldown.subtitle(job.params)
    except (KeyError, ValueError):
        subtitle = ""
    return f"{drilldown.title}: {subtitle}" if subtitle else drilldown.title


def _context(request: HttpRequest, pk: int) -> dict:
    job = export_job_get_visible(request.user, pk)  # Http404: missing or not theirs
    return {
        "job": job,
        "title": _title(job),
        "expired": job.is_expired(),
        "poll_every": POLL_EVERY,
    }


@require_GET
@role_required(Role.SUPERVISOR)
def export_jobs(request: HttpRequest) -> HttpResponse:
    """The user's recent exports in their courts, newest first."""
    jobs = list(export_job_list_for(request.user)[:RECENT])
    now = timezone.now()
    rows = [{"job": job, "title": _title(job), "expired": job.is_expired(now)} for job in jobs]
    return render(request, "dashboard/exports/list.html", {"rows": rows})


@require_GET
@role_required(Role.SUPERVISOR)
def export_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "dashboard/exports/detail.html", _context(request, pk))


@require_GET
@role_required(Role.SUPERVISOR)
def export_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial the page polls (htmx); also a plain page without htmx."""
    return render(request, "dashboard/exports/_progress.html", _context(request, pk))


@require_GET
@role_required(Role.SUPERVISOR)
def export_job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The CSV (attachment), audited `dashboard.export_download`; 404 while not ready or
    for a job not the user's, 410 once past DASHBOARD_EXPORT_KEEP_DAYS."""
    job = export_job_get_visible(request.user, pk, with_content=True)
    if job.is_expired():
        return render(
            request,
            "dashboard/exports/expired.html",
            {"job": job, "title": _title(job), "keep_days": settings.DASHBOARD_EXPORT_KEEP_DAYS},
            status=410,
        )
    if job.status != ExportStatus.DONE:
        raise Http404("The export is not ready.")
    audit_record(
        action="dashboard.export_download",
        actor=request.user,
        obj=job,
        court=job.court,
        request=request,
        details={"export": job.export, "rows": job.row_count, "bytes": job.size},
    )
    response = StreamingHttpResponse(export_job_chunks(job), content_type="text/csv; charset=utf-8")
    response["Content-Length"] = str(job.size)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
