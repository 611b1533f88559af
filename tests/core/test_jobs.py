"""A worker build is claimed once, taken over when stale, released on a database hiccup and
failed otherwise — and only by the claim that still holds it (casemgmt.core.jobs, shared by
case packets, monthly reports and dashboard exports; here on a monthly report)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.dashboard import report as reports
from casemgmt.dashboard.models import MonthlyReport, ReportStatus

BUILD = reports.BUILD


@pytest.fixture
def report(court_a, supervisor):
    return MonthlyReport.objects.create(
        court=court_a, year=2026, month=1, requested_by=supervisor, total=3
    )


def test_a_pending_row_is_claimed_once(report):
    first = BUILD.claim(report.pk)
    second = BUILD.claim(report.pk)

    assert first.at is not None and first.obj.status == ReportStatus.BUILDING
    assert second.at is None  # a live claim is left to its worker
    report.refresh_from_db()
    assert (report.status, report.started_at, report.done) == (ReportStatus.BUILDING, first.at, 0)


def test_a_stale_claim_is_taken_over_and_the_old_one_holds_nothing(report):
    old = BUILD.claim(report.pk).at
    MonthlyReport.objects.filter(pk=report.pk).update(
        started_at=old - BUILD.stale_after - dt.timedelta(seconds=1)
    )
    stale_at = MonthlyReport.objects.get(pk=report.pk).started_at

    assert BUILD.stale_list() == [report.pk]
    new = BUILD.claim(report.pk).at
    assert new is not None and new != stale_at
    row = MonthlyReport.objects.get(pk=report.pk)
    assert BUILD.holds(row, new) and not BUILD.holds(row, stale_at)

    # The old claim can neither release nor fail the row.
    BUILD.release(report.pk, stale_at)
    failed = BUILD.fail(report.pk, stale_at, RuntimeError("late"))
    assert failed.status == ReportStatus.BUILDING and failed.started_at == new
    assert not AuditEvent.objects.filter(action="dashboard.report_build_failed").exists()


def test_a_transient_error_puts_the_row_back_to_pending_for_the_retry(report, monkeypatch):
    def hiccup(scope, *, progress=None):
        progress(1)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(reports, "monthly_report_figures", hiccup)

    with pytest.raises(OperationalError):
        reports.monthly_report_build(report_id=report.pk)

    report.refresh_from_db()
    assert (report.status, report.done, report.error) == (ReportStatus.PENDING, 0, "")


def test_a_failure_is_recorded_with_its_code_and_audited_on_the_court(report):
    claim = BUILD.claim(report.pk).at
    failed = BUILD.fail(report.pk, claim, DomainError("REPORT_BROKEN", "No figures."))

    assert failed.status == ReportStatus.FAILED and failed.finished_at <= timezone.now()
    assert failed.error == "REPORT_BROKEN: No figures."
    event = AuditEvent.objects.get(action="dashboard.report_build_failed")
    assert event.court_id == report.court_id
    assert event.details == {"code": "REPORT_BROKEN", "message": "No figures."}
