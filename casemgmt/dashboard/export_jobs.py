"""Drill-down lists exported in the worker (issue 9): a list too long to stream within the
request (more than DASHBOARD_EXPORT_INLINE_MAX_ROWS rows) is written to CSV by the worker,
with progress, and downloaded from its page.

- `export_job_request`: the request asks for it (audited `dashboard.export_requested`);
  the build is queued on commit. The same list with the same filters already waiting or
  being written for the same person is that job, not a second one.
- `export_job_build` (`casemgmt.dashboard.tasks.dashboard_export_build`): exactly once.
  The list is built again for the requester, as they may see it when it is written
  (still a supervisor of the court, else the job fails with EXPORT_NOT_ALLOWED; the
  cases through `Case.objects.visible_to`), with the streamed export's own cells
  (`exports.list_csv`, formula-quoting included) and its audit (`exports.export_record`:
  the export, and a read of the sealed or juvenile cases in the file).
- Who sees a job: the person who asked for it, while they supervise its court; anyone
  else gets 404, as for a job that does not exist. The file holds what the requester may
  see, which another supervisor's view of the same list need not equal, so it is not
  handed to them: they ask for their own.
- `export_jobs_expire` (nightly): after DASHBOARD_EXPORT_KEEP_DAYS the file is cleared
  and the job marked expired (410 on download); the job and its audit trail stay.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Least
from django.http import Http404, QueryDict
from django.utils import timezone

from casemgmt.core.audit import audit_record
from casemgmt.core.errors import DomainError
from casemgmt.core.jobs import TRANSIENT_DB_ERRORS, ClaimedBuild
from casemgmt.core.models import User
from casemgmt.core.policies import user_has_role
from casemgmt.core.roles import Role
from casemgmt.core.selectors import court_list_for_user

from .drilldowns import DRILLDOWNS, Listing
from .exports import export_record, list_csv
from .forms import CUSTOM, DashboardFilterForm
from .models import ExportJob, ExportStatus
from .selectors import DashboardScope

logger = logging.getLogger(__name__)

# A job still "running" after this long lost its worker: the next run of the task (a
# redelivery, or dashboard_exports_stale_requeue) claims it again.
EXPORT_BUILD_STALE_AFTER = dt.timedelta(minutes=15)
# Rows written between two commits of the progress.
PROGRESS_EVERY = 1000
IN_FLIGHT = (ExportStatus.PENDING, ExportStatus.RUNNING)
BUILD = ClaimedBuild(
    model=ExportJob,
    pending=ExportStatus.PENDING,
    running=ExportStatus.RUNNING,
    failed=ExportStatus.FAILED,
    stale_after=EXPORT_BUILD_STALE_AFTER,
    failed_action="dashboard.export_build_failed",
    audit_on="court",
    defer=("content",),
)


def export_inline_max_rows() -> int:
    """The longest list streamed within the request (DASHBOARD_EXPORT_INLINE_MAX_ROWS)."""
    return settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS


def _may_export(user) -> bool:
    return user_has_role(user, Role.SUPERVISOR)


# --- services ---------------------------------------------------------------------------------


@transaction.atomic
def export_job_request(
    *, user: User, scope: DashboardScope, export: str, params: dict[str, str], total: int
) -> ExportJob:
    """Ask for drill-down list `export` of `scope` (with the list's `params`) as CSV, written
    by the worker after commit. `total` is the rows the list has now.

    Returns:
        The new job, or the one already waiting or being written for `user` with the same
        list and filters (asking twice queues one build).

    Raises:
        Http404: no such list, or `scope.court` is not one of the user's courts.
        DomainError: EXPORT_NOT_ALLOWED (403; supervisors only).
    """
    if export not in DRILLDOWNS:
        raise Http404("No such list.")
    if not court_list_for_user(user).filter(pk=scope.court.pk).exists():
        raise Http404("No such court.")
    if not _may_export(user):
        raise DomainError(
            "EXPORT_NOT_ALLOWED", "Only supervisors export the dashboard's lists.", status=403
        )
    same = {
        "requested_by": user,
        "court": scope.court,
        "export": export,
        "case_type": scope.case_type,
        "start": scope.start,
        "end": scope.end,
        "continued": scope.continued_more_than,
        "params": params,
    }
    existing = ExportJob.objects.filter(**same, status__in=IN_FLIGHT).defer("content").first()
    if existing is not None:
        return existing
    job = ExportJob.objects.create(**same, total=total)
    audit_record(
        action="dashboard.export_requested",
        actor=user,
        obj=job,
        court=scope.court,
        details={
            "export": export,
            "court": scope.court.code,
            "case_type": scope.case_type.code if scope.case_type else None,
            "start": scope.start.isoformat(),
            "end": scope.end.isoformat(),
            "params": params,
            "rows": total,
        },
    )
    from . import tasks

    transaction.on_commit(lambda: tasks.dashboard_export_build.delay(job.pk))
    return job


def export_job_query(job: ExportJob) -> QueryDict:
    """The job's filters as the dashboard's URL has them (forms.scope_query's shape)."""
    query = QueryDict(mutable=True)
    query["court"] = str(job.court_id)
    if job.case_type_id is not None:
        query["case_type"] = str(job.case_type_id)
    query["period"] = CUSTOM
    query["start"] = job.start.isoformat()
    query["end"] = job.end.isoformat()
    query["continued"] = str(job.continued)
    for key, value in job.params.items():
        query[key] = str(value)
    return query


def export_job_scope(job: ExportJob, user: User) -> DashboardScope:
    """The job's scope through the dashboard's filter form, for `user` as they are now.

    Raises:
        DomainError: EXPORT_NOT_ALLOWED (the user no longer supervises the court, or the
            filters are no longer theirs to use).
    """
    if not _may_export(user):
        raise DomainError(
            "EXPORT_NOT_ALLOWED", "The requester no longer supervises courts.", status=403
        )
    form = DashboardFilterForm(
        export_job_query(job), courts=court_list_for_user(user), default_court=None
    )
    if not form.is_valid():
        raise DomainError(
            "EXPORT_NOT_ALLOWED",
            "The requester may no longer see these figures: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
            status=403,
        )
    return form.scope()


class _Tally(Listing):
    """A listing passed through as it is written: counts its rows (committing the progress
    every `every` rows) and notes the sealed or juvenile cases named in them."""

    def __init__(self, inner: Listing, *, progress: Callable[[int], None], every: int):
        self.inner = inner
        self.progress = progress
        self.every = every
        self.written = 0
        self.audited: set[str] = set()

    def rows(self) -> Iterator[dict]:
        for row in self.inner.rows():
            case = row.get("case")
            if case is not None and case.reads_are_audited:
                self.audited.add(case.number)
            yield row
            self.written += 1
            if self.written % self.every == 0:
                self.progress(self.written)


def _progress(job_id: int, started_at: dt.datetime, written: int) -> None:
    """Record progress in its own short transaction, so the job's page sees it; never past
    the total counted when the job was asked for (the list may have grown since)."""
    with transaction.atomic():
        ExportJob.objects.filter(
            pk=job_id, status=ExportStatus.RUNNING, started_at=started_at
        ).update(done=Least(Value(written), F("total")))


def export_job_write(job: ExportJob, user: User, *, progress=None) -> tuple[bytes, int, int, list]:
    """The job's list as gzip-compressed CSV, exactly as the streamed export writes it.

    Returns:
        (content, CSV bytes, rows, numbers of the sealed or juvenile cases in it).
    """
    drilldown = DRILLDOWNS.get(job.export)
    if drilldown is None:
        raise DomainError("EXPORT_UNKNOWN", f"No such list: {job.export}.")
    scope = export_job_scope(job, user)
    listing = _Tally(
        drilldown.build(scope, user, dict(job.params)),
        progress=progress or (lambda written: None),
        every=PROGRESS_EVERY,
    )
    buffer = io.BytesIO()
    size = 0
    # mtime=0: the same list gives the same bytes.
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
        for line in list_csv(drilldown, listing):
            data = line.encode("utf-8")  # as StreamingHttpResponse encodes the streamed one
            gz.write(data)
            size += len(data)
    return buffer.getvalue(), size, listing.written, sorted(listing.audited)


def export_job_build(*, job_id: int) -> ExportJob:
    """Write the job's CSV: exactly once.

    The job is claimed under a row lock (pending -> running); a second run finds it claimed
    or over and returns it, unless the claim is stale (EXPORT_BUILD_STALE_AFTER: its worker
    died), which it takes over. Progress (`done`) is committed every PROGRESS_EVERY rows.
    The file is kept, the job marked done and the export audited as the requester's (with
    a read of the sealed or juvenile cases in it) in one transaction, by the claim that is
    still the job's. A build that cannot succeed (the requester no longer supervises the
    court: EXPORT_NOT_ALLOWED) marks the job failed with the reason; a transient database
    error puts it back to pending and is raised, so the task retries.

    Raises:
        ExportJob.DoesNotExist: no such job.
    """
    claim = BUILD.claim(job_id)
    if claim.at is None:
        return claim.obj
    claimed_at = claim.at
    try:
        job = (
            ExportJob.objects.select_related("court", "requested_by", "case_type")
            .defer("content")
            .get(pk=job_id)
        )
        user = job.requested_by
        content, size, rows, audited = export_job_write(
            job, user, progress=lambda written: _progress(job_id, claimed_at, written)
        )
        with transaction.atomic():
            job = ExportJob.objects.select_for_update().defer("content").get(pk=job_id)
            if not BUILD.holds(job, claimed_at):
                return job  # taken over meanwhile: that claim finishes it
            job.content = content
            job.size = size
            job.row_count = rows
            job.total = job.done = rows
            job.status = ExportStatus.DONE
            job.error = ""
            job.finished_at = timezone.now()
            job.save(
                update_fields=[
                    "content",
                    "size",
                    "row_count",
                    "total",
                    "done",
                    "status",
                    "error",
                    "finished_at",
                ]
            )
            scope = export_job_scope(job, user)
            export_record(
                user=user,
                scope=scope,
                export=job.export,
                params=dict(job.params),
                audited_cases=audited,
            )
            audit_record(
                action="dashboard.export_build",
                actor_username="system",
                obj=job,
                court=job.court,
                details={"rows": rows, "bytes": size, "stored_bytes": len(content)},
            )
            return job
    except TRANSIENT_DB_ERRORS:
        BUILD.release(job_id, claimed_at)
        raise
    except Exception as exc:  # anything else would fail the same way again
        return BUILD.fail(job_id, claimed_at, exc)


def export_jobs_expire(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Clear the files of the jobs finished more than DASHBOARD_EXPORT_KEEP_DAYS ago and
    mark them expired (audited per job, `dashboard.export_expired`). The jobs stay.

    Returns:
        How many files were cleared.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DASHBOARD_EXPORT_KEEP_DAYS)
    cleared = 0
    while True:
        with transaction.atomic():
            jobs = list(
                ExportJob.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=ExportStatus.DONE, finished_at__lte=cutoff)
                .select_related("court")
                .defer("content")
                .order_by("pk")[:batch]
            )
            ExportJob.objects.filter(pk__in=[job.pk for job in jobs]).update(
                status=ExportStatus.EXPIRED, content=None
            )
            for job in jobs:
                audit_record(
                    action="dashboard.export_expired",
                    actor_username="system",
                    obj=job,
                    court=job.court,
                    details={"finished_at": job.finished_at.isoformat()},
                )
        cleared += len(jobs)
        if len(jobs) < batch:
            return cleared


# --- selectors --------------------------------------------------------------------------------


def export_job_list_for(user) -> QuerySet[ExportJob]:
    """The user's own jobs in the courts they supervise now, newest first (no file)."""
    if not _may_export(user):
        return ExportJob.objects.none()
    return (
        ExportJob.objects.filter(requested_by=user, court__in=court_list_for_user(user))
        .select_related("court", "case_type")
        .defer("content")
    )


def export_job_get_visible(user, pk: int, *, with_content: bool = False) -> ExportJob:
    """The job `pk` if `user` asked for it and still supervises its court, else Http404."""
    jobs = export_job_list_for(user)
    if with_content:
        jobs = jobs.defer(None)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404("No such export.")
    return job


def export_job_chunks(job: ExportJob, size: int = 64 * 1024) -> Iterator[bytes]:
    """The job's CSV, decompressed a piece at a time."""
    with gzip.GzipFile(fileobj=io.BytesIO(bytes(job.content)), mode="rb") as gz:
        while chunk := gz.read(size):
            yield chunk


def export_jobs_stale_list() -> list[int]:
    """Ids of jobs whose build was claimed longer ago than EXPORT_BUILD_STALE_AFTER."""
    return BUILD.stale_list()
