"""The printable monthly statistics report (issue 9, reports): produced by the worker with
progress, a PDF whose text holds the figures of a hand-built month, computed by hand below;
seen only by the supervisors of its court (404 for anyone else, as for a missing report)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader

from casemgmt.core.errors import DomainError
from casemgmt.core.models import AuditEvent
from casemgmt.core.roles import Role
from casemgmt.dashboard import report as reports
from casemgmt.dashboard import tasks
from casemgmt.dashboard.models import MonthlyReport, ReportStatus
from casemgmt.dashboard.selectors import FIGURES
from cases.services import case_transition
from filings.pdf import PdfRenderError
from tests.cases.factories import defendant, open_case

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def february(world):
    """Court A's caseload of conftest.py (and court B's mirror), with more in February 2026:
    K filed 2026-02-03; L filed 2025-09-01, disposed 2026-02-20; M filed 2026-02-10 and
    placed inactive on 2026-02-15; N filed 2025-06-01, pending."""
    clerk, cr = world.clerk, world.cr

    def case(letter, filed_on, *steps):
        made = open_case(
            case_type=cr,
            opened_by=clerk,
            filed_on=filed_on,
            parties=[defendant(last_name=f"Alphason{letter}")],
        )
        for to, on, *extra in steps:
            kwargs = {"inactive_reason": extra[0]} if extra else {}
            case_transition(case=made, to=to, actor=clerk, effective_on=on, **kwargs)
            made.refresh_from_db()
        world.cases[letter] = made

    case("K", D(2026, 2, 3))
    case("L", D(2025, 9, 1), ("disposed", D(2026, 2, 20)))
    case("M", D(2026, 2, 10), ("inactive", D(2026, 2, 15), "stayed"))
    case("N", D(2025, 6, 1))
    return world


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def request_and_build(django_capture_on_commit_callbacks, **kwargs) -> MonthlyReport:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = reports.monthly_report_request(**kwargs)
    assert len(callbacks) == 1  # the build, queued on commit
    report.refresh_from_db()
    return report


def test_the_pdf_holds_the_figures_of_a_hand_built_month(
    court_a, supervisor, february, django_capture_on_commit_callbacks
):
    report = request_and_build(
        django_capture_on_commit_callbacks,
        court=court_a,
        year=2026,
        month=2,
        requested_by=supervisor,
    )

    assert report.status == ReportStatus.DONE and report.error == ""
    assert report.done == report.total == len(FIGURES) + 1
    assert report.page_count >= 1
    text = pdf_text(bytes(report.pdf))
    assert "Alpha County Court" in text and "February 2026" in text
    # Every CourTools measure and compliance figure, with its definition.
    for title in (
        "Clearance rate",
        "Time to disposition",
        "Age of active pending caseload",
        "Trial date certainty",
        "Collection of monetary penalties",
        "Deadlines missed and at risk",
        "Speedy-trial clocks running out",
        "Filings waiting for review",
        "Cash drawers not closed",
        "Diversion programs",
    ):
        assert title in text, title
    for measure in (2, 3, 4, 5, 7):
        assert f"CourTools measure {measure}" in text
    assert "Cases closed as a percentage of cases coming in" in text  # measure 2's definition

    # Measure 2: in K and M filed (2); out A and L disposed, M placed inactive (3): 150.0%.
    assert re.search(r"Clearance rate 150\.0%", text)
    # Measure 3: A after 30 days, L after 172: within 90 days 1 of 2 (50.0%), within 180
    # both (100.0%).
    assert "50.0%" in text and "100.0%" in text
    # Measure 4 on 2026-02-28: B 89 days, C 28, S 49, J 43, K 25 (0-90); N 272 (181-365);
    # M inactive, A and L disposed: 6 pending.
    assert re.search(r"0-90 days 5\b", text)
    assert re.search(r"181-365 days 1\b", text)
    # Measure 5: trials held in February: A set once, S three times (of 2: 50.0% on the
    # first date, 2.00 settings on average).
    assert "2.00" in text
    # Measure 7: B's fee of $100.00 ordered on 2026-02-01, $40.00 waived, $60.00 paid.
    for amount in ("$100.00", "$40.00", "$60.00"):
        assert amount in text
    # Deadlines: B's missed on 2026-02-10, the lawyer's.
    assert "Lee Ames" in text
    # Court B's figures never: its lawyer is named Bravoson.
    assert "Bravoson" not in text and "Bravo District Court" not in text


def test_every_number_of_the_dashboard_tables_is_in_the_pdf(
    court_a, supervisor, february, django_capture_on_commit_callbacks
):
    report = request_and_build(
        django_capture_on_commit_callbacks,
        court=court_a,
        year=2026,
        month=2,
        requested_by=supervisor,
    )
    text = pdf_text(bytes(report.pdf))
    scope = reports.report_scope(report)
    figures = reports.monthly_report_figures(scope)
    from casemgmt.dashboard import tables

    for section in [
        *tables.performance_sections(figures, scope),
        *tables.compliance_sections(figures, scope),
        *tables.programs_sections(figures, scope),
    ]:
        assert section.title in text
        for row in section.table.rows:
            line = " ".join([row.header, *(cell.text for cell in row.cells)])
            assert " ".join(line.split()) in text, (section.key, line)


def test_the_build_records_progress_after_each_figure(
    court_a, supervisor, february, monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    real = reports._progress

    def progress(report_id, done):
        real(report_id, done)
        seen.append(MonthlyReport.objects.get(pk=report_id).done)

    monkeypatch.setattr(reports, "_progress", progress)
    report = request_and_build(
        django_capture_on_commit_callbacks,
        court=court_a,
        year=2026,
        month=2,
        requested_by=supervisor,
    )
    assert seen == list(range(1, len(FIGURES) + 1))
    assert report.done == report.total
    assert AuditEvent.objects.filter(action="dashboard.report_request", actor=supervisor).exists()
    assert AuditEvent.objects.filter(action="dashboard.report_build").exists()


# --- who may ask and see -------------------------------------------------------------------------


def test_a_supervisor_of_court_b_cannot_fetch_court_a_report(
    court_a, supervisor, supervisor_b, world, django_capture_on_commit_callbacks
):
    report = request_and_build(
        django_capture_on_commit_callbacks,
        court=court_a,
        year=2026,
        month=1,
        requested_by=supervisor,
    )
    assert reports.monthly_report_get_visible(supervisor, report.pk, with_pdf=True).pdf

    with pytest.raises(Http404):
        reports.monthly_report_get_visible(supervisor_b, report.pk)
    with pytest.raises(Http404):  # nor ask for one
        reports.monthly_report_request(court=court_a, year=2026, month=1, requested_by=supervisor_b)
    assert not reports.monthly_report_list_for(supervisor_b).exists()


def test_only_supervisors_ask_for_and_see_reports(court_a, supervisor, clerk, make_user, world):
    with pytest.raises(DomainError) as refused:
        reports.monthly_report_request(court=court_a, year=2026, month=1, requested_by=clerk)
    assert (refused.value.code, refused.value.status) == ("REPORT_NOT_ALLOWED", 403)

    report = reports.monthly_report_request(
        court=court_a, year=2026, month=1, requested_by=supervisor
    )
    judge = make_user(Role.JUDGE, [court_a], username="judge_a")
    for user in (clerk, judge):
        with pytest.raises(Http404):
            reports.monthly_report_get_visible(user, report.pk)


def test_a_month_not_begun_or_not_a_month_is_refused(court_a, supervisor):
    today = court_a.local_today()
    following = (today.replace(day=28) + dt.timedelta(days=7)).replace(day=1)
    with pytest.raises(DomainError) as future:
        reports.monthly_report_request(
            court=court_a, year=following.year, month=following.month, requested_by=supervisor
        )
    assert (future.value.code, future.value.field) == ("REPORT_MONTH_IN_FUTURE", "month")
    for year, month in ((2026, 13), (2026, 0), ("20x6", 1), (1066, 10)):
        with pytest.raises(DomainError) as bad:
            reports.monthly_report_request(
                court=court_a, year=year, month=month, requested_by=supervisor
            )
        assert bad.value.code == "REPORT_MONTH_INVALID"
    # The current month is allowed: its figures run to today.
    current = reports.monthly_report_request(
        court=court_a, year=today.year, month=today.month, requested_by=supervisor
    )
    assert reports.report_scope(current).end == today


# --- exactly once ---------------------------------------------------------------------------------


def test_a_second_run_leaves_a_built_report_alone(
    court_a, supervisor, world, django_capture_on_commit_callbacks
):
    report = request_and_build(
        django_capture_on_commit_callbacks,
        court=court_a,
        year=2026,
        month=1,
        requested_by=supervisor,
    )
    finished = report.finished_at
    tasks.monthly_report_build.delay(report.pk)
    report.refresh_from_db()
    assert report.finished_at == finished
    assert AuditEvent.objects.filter(action="dashboard.report_build").count() == 1


def test_a_stale_claim_is_taken_over_and_requeued(court_a, supervisor, world):
    report = reports.monthly_report_request(
        court=court_a, year=2026, month=1, requested_by=supervisor
    )
    MonthlyReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.BUILDING, started_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert reports.monthly_reports_stale_list() == [report.pk]
    assert tasks.monthly_reports_stale_requeue.delay().get() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf


def test_a_claim_taken_over_meanwhile_is_not_finished_by_the_old_one(
    court_a, supervisor, world, monkeypatch
):
    report = reports.monthly_report_request(
        court=court_a, year=2026, month=1, requested_by=supervisor
    )
    real_figures = reports.monthly_report_figures

    def slow_figures(scope, *, progress=None):
        # While this worker computes, another takes the report over (this claim went stale).
        MonthlyReport.objects.filter(pk=report.pk).update(started_at=timezone.now())
        return real_figures(scope, progress=progress)

    monkeypatch.setattr(reports, "monthly_report_figures", slow_figures)

    built = reports.monthly_report_build(report_id=report.pk)

    assert built.status == ReportStatus.BUILDING and built.pdf is None
    assert not AuditEvent.objects.filter(action="dashboard.report_build").exists()


def test_a_build_that_cannot_succeed_is_marked_failed(court_a, supervisor, world, monkeypatch):
    def broken(parts, *, title=""):
        raise PdfRenderError("MemoryError: out of memory")

    monkeypatch.setattr(reports, "html_to_pdf", broken)
    report = reports.monthly_report_request(
        court=court_a, year=2026, month=1, requested_by=supervisor
    )
    built = reports.monthly_report_build(report_id=report.pk)
    assert built.status == ReportStatus.FAILED and built.pdf is None
    assert "out of memory" in built.error
    assert AuditEvent.objects.filter(action="dashboard.report_build_failed").exists()


def test_the_task_of_a_report_rolled_back_does_nothing(caplog):
    tasks.monthly_report_build.delay(987654)
    assert "does not exist" in caplog.text
