"""Long drill-down lists exported in the worker (issue 9): over
DASHBOARD_EXPORT_INLINE_MAX_ROWS rows a list's CSV is asked of the worker (audited), which
writes it once with progress, for the requester as they may see it then, with the streamed
export's very bytes and audit; its page polls the progress and links to the download; only
the requester, while they supervise the court, sees it (404 for anyone else); after
DASHBOARD_EXPORT_KEEP_DAYS the file is gone (410), the job and its audit trail stay."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.utils import timezone

from casemgmt.celery import app
from casemgmt.core.models import AuditEvent, CourtMembership, User
from casemgmt.core.roles import Role
from casemgmt.dashboard import export_jobs, tasks
from casemgmt.dashboard.drilldowns import DRILLDOWNS
from casemgmt.dashboard.export_jobs import IN_FLIGHT
from casemgmt.dashboard.models import ExportJob, ExportStatus
from tests.payments.factories import obligation

from .conftest import Q1_QUERY

pytestmark = pytest.mark.django_db

EXPORTS = "/dashboard/exports/"


def streamed(client, name, **params) -> bytes:
    response = client.get(f"/dashboard/{name}.csv", {**Q1_QUERY, **params})
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def post(client, name, query):
    """The list page's button: a POST to the export, its filters in the query string."""
    return client.post(f"/dashboard/{name}.csv?{urlencode(query)}")


def ask(client, capture, name, **params) -> ExportJob:
    """Ask for list `name` over the threshold: a redirect to its job, built on commit."""
    with capture(execute=True) as callbacks:
        response = post(client, name, {**Q1_QUERY, **params})
    assert response.status_code == 302, response.content
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == f"{EXPORTS}{job.pk}/"
    assert len(callbacks) == 1  # the build, queued on commit
    job.refresh_from_db()
    return job


def download(client, job) -> bytes:
    response = client.get(f"{EXPORTS}{job.pk}.csv")
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return b"".join(response.streaming_content)


@pytest.fixture
def threshold(settings):
    """Lists of more than 2 rows go to the worker."""
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 2
    return settings


# --- the threshold ------------------------------------------------------------------------------


def test_a_list_at_or_under_the_threshold_is_streamed_as_before(
    client, supervisor, world, settings
):
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 3
    client.force_login(supervisor)

    content = streamed(client, "pending")  # B, J, C: 3 rows, the threshold

    assert content.decode().count("\n") == 4
    assert not ExportJob.objects.exists()
    # The list's page offers the download itself.
    page = client.get("/dashboard/pending/", Q1_QUERY)
    assert b"Download the whole list as CSV" in page.content


def test_a_list_over_the_threshold_is_asked_of_the_worker(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    page = client.get("/dashboard/pending/", Q1_QUERY)
    assert b"Prepare the whole list as CSV" in page.content
    assert b" download>" not in page.content  # a page to go to, not a file
    assert b'<form method="post" action="/dashboard/pending.csv?' in page.content
    # Asking is a change (a job, audited): a GET of the export only says so and offers
    # the button; nothing is asked.
    offered = client.get("/dashboard/pending.csv", Q1_QUERY)
    assert offered.status_code == 200 and b"This list has 3 rows" in offered.content
    assert b'<form method="post"' in offered.content
    assert not ExportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="dashboard.export_requested").exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(client, "pending", Q1_QUERY)  # B, J, C: 3 rows

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{EXPORTS}{job.pk}/"
    assert len(callbacks) == 1  # queued on commit, not run in the request
    assert (job.status, job.total, job.done, job.content) == (ExportStatus.PENDING, 3, 0, None)
    assert (job.court, job.requested_by, job.export) == (world.court, supervisor, "pending")
    assert (job.start, job.end, job.case_type, job.continued) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        None,
        2,
    )
    requested = AuditEvent.objects.get(action="dashboard.export_requested")
    assert (requested.actor, requested.object_id) == (supervisor, str(job.pk))
    assert not AuditEvent.objects.filter(action="dashboard.export").exists()  # not yet


def test_the_rows_of_the_list_asked_for_decide(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)

    streamed(client, "pending", band="0")  # C and J: 2 rows, streamed
    assert not ExportJob.objects.exists()
    job = ask(client, django_capture_on_commit_callbacks, "pending")  # 3 rows
    assert job.status == ExportStatus.DONE and job.row_count == 3


def test_the_measures_tables_are_always_streamed(client, supervisor, world, settings):
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 0
    client.force_login(supervisor)

    assert streamed(client, "clearance-rate").startswith(b"side,part,cases")
    assert not ExportJob.objects.exists()


def test_asking_twice_while_it_is_written_is_one_job(client, supervisor, world, threshold):
    client.force_login(supervisor)
    first = post(client, "pending", Q1_QUERY)  # the build not run
    ExportJob.objects.update(status=ExportStatus.RUNNING, started_at=timezone.now())
    second = post(client, "pending", Q1_QUERY)
    other = post(client, "pending", {**Q1_QUERY, "end": "2026-03-30"})

    assert first["Location"] == second["Location"] != other["Location"]
    assert ExportJob.objects.count() == 2
    assert AuditEvent.objects.filter(action="dashboard.export_requested").count() == 2


# --- the file -----------------------------------------------------------------------------------


def test_the_file_is_the_streamed_export_byte_for_byte_for_every_list(
    client, supervisor, world, settings, django_capture_on_commit_callbacks
):
    # A cell a spreadsheet would run as a formula: quoted in both.
    obligation(
        world.cases["C"],
        "fee",
        "5.00",
        ordered_on=dt.date(2026, 3, 3),
        description='=HYPERLINK("http://evil.example")',
    )
    client.force_login(supervisor)
    checked = []
    for name, params in [
        *((slug, {}) for slug in DRILLDOWNS),
        ("clearance", {"side": "outgoing"}),
        ("obligations", {"kind": "fee"}),
    ]:
        settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 10_000
        expected = streamed(client, name, **params)
        if expected.count(b"\n") < 2:
            continue  # an empty list is never over the threshold
        settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 0

        job = ask(client, django_capture_on_commit_callbacks, name, **params)

        assert job.status == ExportStatus.DONE, (name, job.error)
        assert download(client, job) == expected, name
        assert gzip.decompress(bytes(job.content)) == expected, name
        assert (job.size, job.row_count) == (len(expected), expected.count(b"\n") - 1), name
        assert job.done == job.total == job.row_count
        checked.append(name)
    assert len(checked) >= 10, checked
    fees = ExportJob.objects.filter(export="obligations", params={"kind": "fee"}).get()
    assert b"'=HYPERLINK" in gzip.decompress(bytes(fees.content))


def test_the_download_is_named_as_the_streamed_file(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    job = ask(client, django_capture_on_commit_callbacks, "pending")

    response = client.get(f"{EXPORTS}{job.pk}.csv")

    assert response["Content-Disposition"] == (
        f'attachment; filename="pending-{world.court.code}-20260101-20260331.csv"'
    )
    assert response["Content-Length"] == str(job.size)


# --- progress -----------------------------------------------------------------------------------


def test_progress_is_committed_as_rows_are_written(
    client, supervisor, world, threshold, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    seen = []
    real = export_jobs._progress

    def progress(job_id, started_at, written):
        real(job_id, started_at, written)
        job = ExportJob.objects.get(pk=job_id)
        seen.append((job.status, job.done, job.total))

    monkeypatch.setattr(export_jobs, "_progress", progress)
    client.force_login(supervisor)

    job = ask(client, django_capture_on_commit_callbacks, "clearance")  # A, C, S, J

    assert seen == [("running", n, 4) for n in (1, 2, 3, 4)]
    assert (job.status, job.done, job.total) == (ExportStatus.DONE, 4, 4)


def test_progress_stays_within_the_rows_counted_when_the_list_grows_meanwhile(
    supervisor, world, monkeypatch
):
    from tests.cases.factories import open_case

    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    job = _job(supervisor, world, "pending", total=3)
    open_case(case_type=world.cr, opened_by=world.clerk, filed_on=dt.date(2026, 3, 1))
    seen = []
    real = export_jobs._progress
    monkeypatch.setattr(
        export_jobs,
        "_progress",
        lambda job_id, at, n: (real(job_id, at, n), seen.append(ExportJob.objects.get().done)),
    )

    built = export_jobs.export_job_build(job_id=job.pk)

    assert seen == [1, 2, 3, 3]  # never past the 3 counted (the constraint holds)
    assert (built.status, built.total, built.done, built.row_count) == ("done", 4, 4, 4)


def test_the_page_polls_while_the_file_is_written_then_links_to_it(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    post(client, "pending", Q1_QUERY)  # not built: no callbacks run
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), done=1
    )

    page = client.get(f"{EXPORTS}{job.pk}/")
    progress = client.get(f"{EXPORTS}{job.pk}/progress/")

    assert page.status_code == 200 and b"Active pending cases" in page.content
    for content in (page.content, progress.content):
        assert b"hx-trigger" in content and b'role="status"' in content
        assert b"1 of 3 rows (33%)" in content
        assert b'<progress id="export-progress-bar" max="3" value="1"' in content
    assert client.get(f"{EXPORTS}{job.pk}.csv").status_code == 404  # not ready

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.PENDING, started_at=None)
    export_jobs.export_job_build(job_id=job.pk)
    progress = client.get(f"{EXPORTS}{job.pk}/progress/")
    assert b"hx-trigger" not in progress.content  # over: the polling stops
    assert b"Ready: 3 rows" in progress.content
    assert f"{EXPORTS}{job.pk}.csv".encode() in progress.content
    listing = client.get(EXPORTS)
    assert listing.status_code == 200 and f"{EXPORTS}{job.pk}/".encode() in listing.content


# --- exactly once -------------------------------------------------------------------------------


def _job(user, world, export, *, total, **params) -> ExportJob:
    return ExportJob.objects.create(
        court=world.court,
        requested_by=user,
        export=export,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        params=params,
        total=total,
    )


def test_the_task_run_twice_writes_once(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    job = ask(client, django_capture_on_commit_callbacks, "obligations")
    finished = job.finished_at

    tasks.dashboard_export_build.delay(job.pk)  # delivered a second time

    job.refresh_from_db()
    assert job.finished_at == finished
    assert AuditEvent.objects.filter(action="dashboard.export_build").count() == 1
    assert AuditEvent.objects.filter(action="dashboard.export").count() == 1


def test_a_stale_claim_is_taken_over_and_requeued(supervisor, world):
    job = _job(supervisor, world, "pending", total=3)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=1), done=2
    )
    fresh = _job(supervisor, world, "clearance", total=4)
    ExportJob.objects.filter(pk=fresh.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now()
    )

    assert export_jobs.export_jobs_stale_list() == [job.pk]
    assert tasks.dashboard_exports_stale_requeue.delay().get() == 1

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == 3
    fresh.refresh_from_db()
    assert fresh.status == ExportStatus.RUNNING  # a live claim is left alone


def test_a_claim_taken_over_meanwhile_is_not_finished_by_the_old_one(
    supervisor, world, monkeypatch
):
    job = _job(supervisor, world, "pending", total=3)
    real = export_jobs.export_job_write

    def slow_write(job, user, *, progress=None):
        # While this worker writes, another takes the job over (this claim went stale).
        ExportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
        return real(job, user, progress=progress)

    monkeypatch.setattr(export_jobs, "export_job_write", slow_write)

    built = export_jobs.export_job_build(job_id=job.pk)

    assert built.status == ExportStatus.RUNNING and built.content is None
    assert not AuditEvent.objects.filter(action="dashboard.export").exists()


def test_the_task_of_a_job_rolled_back_does_nothing(caplog):
    tasks.dashboard_export_build.delay(987654)
    assert "does not exist" in caplog.text


# --- who sees what ------------------------------------------------------------------------------


def test_only_the_requester_sees_the_job_and_the_file(
    client,
    supervisor,
    supervisor_b,
    clerk,
    make_user,
    court_a,
    world,
    threshold,
    django_capture_on_commit_callbacks,
):
    client.force_login(supervisor)
    job = ask(client, django_capture_on_commit_callbacks, "obligations")
    paths = [f"{EXPORTS}{job.pk}/", f"{EXPORTS}{job.pk}/progress/", f"{EXPORTS}{job.pk}.csv"]
    another_a = make_user(Role.SUPERVISOR, [court_a], username="supervisor_a2")

    for user in (supervisor_b, another_a):
        client.force_login(user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)
        assert f"{EXPORTS}{job.pk}/".encode() not in client.get(EXPORTS).content
    client.force_login(clerk)
    for path in [*paths, EXPORTS]:
        assert client.get(path).status_code == 403, path
    client.logout()
    assert client.get(paths[2]).status_code == 302  # to sign in
    # The requester who no longer works in the court: 404 too.
    CourtMembership.objects.filter(user=supervisor).delete()
    client.force_login(supervisor)
    assert client.get(paths[2]).status_code == 404
    assert not AuditEvent.objects.filter(action="dashboard.export_download").exists()


def test_court_b_cannot_be_asked_for(client, supervisor, court_b, world, threshold):
    client.force_login(supervisor)

    response = post(client, "pending", {**Q1_QUERY, "court": court_b.pk})

    assert response.status_code == 400 and not ExportJob.objects.exists()


def test_the_file_holds_court_as_cases_only(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    job = ask(client, django_capture_on_commit_callbacks, "clearance")
    content = download(client, job).decode()

    assert "Bravoson" not in content
    assert all(world.cases[k].number in content for k in "ACSJ")


def test_a_requester_who_may_no_longer_see_the_sealed_case_gets_no_file(
    client, supervisor, world, threshold
):
    # Asked for as a supervisor; by the time the worker writes the list the requester is a
    # clerk of the court, who may not see sealed case S: the list is not written for them.
    client.force_login(supervisor)
    post(client, "obligations", Q1_QUERY)  # A, B, S: the build not run yet
    job = ExportJob.objects.get()
    User.objects.filter(pk=supervisor.pk).update(role=Role.CLERK)

    built = export_jobs.export_job_build(job_id=job.pk)

    assert built.status == ExportStatus.FAILED and built.content is None
    assert built.error.startswith("EXPORT_NOT_ALLOWED")
    assert not AuditEvent.objects.filter(action__in=["case.read", "dashboard.export"]).exists()
    assert AuditEvent.objects.filter(action="dashboard.export_build_failed").exists()


def test_a_requester_no_longer_in_the_court_gets_no_file(supervisor, world):
    # Public cases of court A would still be visible to anyone: the court is checked.
    job = _job(supervisor, world, "clearance", total=4)
    CourtMembership.objects.filter(user=supervisor).delete()

    built = export_jobs.export_job_build(job_id=job.pk)

    assert built.status == ExportStatus.FAILED and built.content is None
    assert "court" in built.error


# --- the audit ----------------------------------------------------------------------------------


def test_the_audit_is_the_streamed_exports_plus_the_request_and_the_download(
    client, supervisor, world, settings, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 10
    streamed(client, "obligations")
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 2

    job = ask(client, django_capture_on_commit_callbacks, "obligations")
    download(client, job)

    requested = AuditEvent.objects.get(action="dashboard.export_requested")
    assert (requested.actor, requested.court, requested.object_id) == (
        supervisor,
        world.court,
        str(job.pk),
    )
    assert requested.details["rows"] == 3 and requested.details["export"] == "obligations"
    exports = list(AuditEvent.objects.filter(action="dashboard.export").order_by("id"))
    reads = list(AuditEvent.objects.filter(action="case.read").order_by("id"))
    assert len(exports) == len(reads) == 2  # the streamed one, then the worker's
    assert exports[0].details == exports[1].details
    assert exports[1].actor == supervisor  # the requester's export, written by the worker
    assert (
        reads[0].details
        == reads[1].details
        == {
            "surface": "dashboard.export.obligations",
            "cases": [world.cases["S"].number],
        }
    )
    assert reads[1].actor == supervisor
    downloaded = AuditEvent.objects.get(action="dashboard.export_download")
    assert (downloaded.actor, downloaded.object_id) == (supervisor, str(job.pk))
    assert downloaded.details == {"export": "obligations", "rows": 3, "bytes": job.size}


# --- expiry -------------------------------------------------------------------------------------


def test_a_file_past_its_days_is_gone_and_the_job_stays(
    client, supervisor, world, threshold, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    old = ask(client, django_capture_on_commit_callbacks, "pending")
    recent = ask(client, django_capture_on_commit_callbacks, "clearance")
    keep = django_settings.DASHBOARD_EXPORT_KEEP_DAYS
    ExportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=keep, minutes=1)
    )
    ExportJob.objects.filter(pk=recent.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=keep - 1)
    )

    # Past its days: 410 at once, before the nightly expiry clears it.
    gone = client.get(f"{EXPORTS}{old.pk}.csv")
    assert gone.status_code == 410 and b"no longer kept" in gone.content
    assert f"kept for {keep} days".encode() in gone.content
    assert b"No longer kept" in client.get(f"{EXPORTS}{old.pk}/").content

    assert tasks.dashboard_exports_expire.delay().get() == 1
    assert tasks.dashboard_exports_expire.delay().get() == 0  # run twice: nothing twice

    old.refresh_from_db()
    assert (old.status, old.content, old.row_count) == (ExportStatus.EXPIRED, None, 3)
    assert client.get(f"{EXPORTS}{old.pk}.csv").status_code == 410
    recent.refresh_from_db()
    assert recent.status == ExportStatus.DONE and download(client, recent)
    expired = AuditEvent.objects.get(action="dashboard.export_expired")
    assert expired.object_id == str(old.pk)
    assert AuditEvent.objects.filter(action="dashboard.export_requested").count() == 2
    assert b"No longer kept" in client.get(EXPORTS).content


def test_the_database_keeps_files_only_of_done_jobs(supervisor, world):
    from django.db import IntegrityError, transaction

    job = _job(supervisor, world, "pending", total=3)
    for changes in (
        {"status": ExportStatus.DONE},  # done without its file
        {"status": ExportStatus.EXPIRED, "content": b"x"},  # expired but kept
        {"done": 4},  # past the total
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExportJob.objects.filter(pk=job.pk).update(**changes)


# --- beat ---------------------------------------------------------------------------------------


def test_beat_requeues_stale_exports_and_expires_old_files():
    requeue = django_settings.CELERY_BEAT_SCHEDULE["dashboard-exports-stale-requeue"]
    expire = django_settings.CELERY_BEAT_SCHEDULE["dashboard-exports-expire"]
    assert requeue["task"] == tasks.dashboard_exports_stale_requeue.name
    assert expire["task"] == tasks.dashboard_exports_expire.name
    assert expire["schedule"].hour == {3}


# --- end to end, through the real worker --------------------------------------------------------


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("the worker did not finish; see var/test-celery-worker.log")


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_file_the_request_would_have_streamed(
    celery_worker_process, client, court_a, court_b, clerk, make_user, supervisor, supervisor_b
):
    from .conftest import build_world

    world = build_world(
        court_a=court_a,
        court_b=court_b,
        clerk=clerk,
        make_user=make_user,
        supervisor=supervisor,
        supervisor_b=supervisor_b,
    )
    client.force_login(supervisor)
    expected = streamed(client, "obligations")  # 3 rows: under the default threshold

    with override_settings(DASHBOARD_EXPORT_INLINE_MAX_ROWS=2):
        response = post(client, "obligations", Q1_QUERY)  # commits, queues
    assert response.status_code == 302
    job = ExportJob.objects.get()

    _wait_for(lambda: not ExportJob.objects.filter(pk=job.pk, status__in=IN_FLIGHT).exists())

    job.refresh_from_db()
    assert job.status == ExportStatus.DONE, job.error
    assert download(client, job) == expected
    reads = AuditEvent.objects.filter(action="case.read", actor=supervisor)
    assert [e.details["cases"] for e in reads] == [[world.cases["S"].number]] * 2
    assert app.control.ping(timeout=1.0)  # the worker is still up
