"""The monthly report's pages: a supervisor asks for a month, follows its progress and
downloads the PDF; a supervisor of court B gets 404 for court A's report; other roles 403;
a bad or future month is a field error."""

from __future__ import annotations

import pytest

from casemgmt.core.models import AuditEvent
from casemgmt.dashboard.models import MonthlyReport, ReportStatus

pytestmark = pytest.mark.django_db

URL = "/dashboard/reports/"


def ask(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(URL, data)


def test_a_supervisor_asks_for_a_month_and_downloads_the_pdf(
    client, court_a, supervisor, world, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'type="month"' in page.content

    response = ask(client, django_capture_on_commit_callbacks, court=court_a.pk, month="2026-02")

    report = MonthlyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{report.pk}/"
    assert (report.court, report.year, report.month) == (court_a, 2026, 2)
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"Ready:" in detail.content and f"{URL}{report.pk}.pdf".encode() in detail.content
    progress = client.get(f"{URL}{report.pk}/progress/")
    assert b"hx-trigger" not in progress.content  # over: the polling stops

    pdf = client.get(f"{URL}{report.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "statistics-alpha-2026-02.pdf" in pdf["Content-Disposition"]
    assert AuditEvent.objects.filter(action="dashboard.report_download", actor=supervisor).exists()
    assert b"February 2026" in client.get(URL).content  # listed


def test_the_progress_polls_while_the_report_is_built(client, court_a, supervisor, world):
    client.force_login(supervisor)
    client.post(URL, {"court": court_a.pk, "month": "2026-01"})  # the build not run
    report = MonthlyReport.objects.get()
    MonthlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.BUILDING, done=3)

    progress = client.get(f"{URL}{report.pk}/progress/")
    assert b"hx-trigger" in progress.content
    assert b"3 of" in progress.content and b'role="status"' in progress.content
    assert client.get(f"{URL}{report.pk}.pdf").status_code == 404  # not ready


def test_a_supervisor_of_court_b_gets_404_for_court_a_report(
    client, court_a, supervisor, supervisor_b, world, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    ask(client, django_capture_on_commit_callbacks, court=court_a.pk, month="2026-02")
    report = MonthlyReport.objects.get()

    client.force_login(supervisor_b)
    for path in (f"{URL}{report.pk}/", f"{URL}{report.pk}/progress/", f"{URL}{report.pk}.pdf"):
        assert client.get(path).status_code == 404, path
    assert b"February 2026" not in client.get(URL).content
    refused = client.post(URL, {"court": court_a.pk, "month": "2026-02"})
    assert refused.status_code == 400 and "court" in refused.context["form"].errors
    assert MonthlyReport.objects.count() == 1


def test_other_roles_are_refused_and_the_public_sent_to_sign_in(client, clerk, world):
    assert client.get(URL).status_code == 302
    client.force_login(clerk)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("month", ["2026-13", "26-02", "", "2026-02-01x", "3000-01"])
def test_a_bad_or_future_month_is_a_field_error(client, court_a, supervisor, month):
    client.force_login(supervisor)
    response = client.post(URL, {"court": court_a.pk, "month": month})
    assert response.status_code == 400
    assert "month" in response.context["form"].errors
    assert not MonthlyReport.objects.exists()
