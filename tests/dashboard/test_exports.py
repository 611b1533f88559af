"""CSV exports (issue 9): each measure's table and each list at /dashboard/<name>.csv with the
dashboard's filters, streamed; every export audited, and an export naming sealed or
juvenile cases is a read of them; court A's supervisor never gets court B's rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.http import StreamingHttpResponse

from casemgmt.core.models import AuditEvent
from casemgmt.dashboard import drilldowns
from casemgmt.dashboard.drilldowns import DRILLDOWNS
from casemgmt.dashboard.exports import FIGURE_EXPORTS, csv_safe
from tests.payments.factories import obligation

from .conftest import Q1_QUERY

pytestmark = pytest.mark.django_db


def export(client, name, **params):
    response = client.get(f"/dashboard/{name}.csv", {**Q1_QUERY, **params})
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_measures_tables(client, supervisor, world):
    client.force_login(supervisor)

    assert export(client, "clearance-rate") == [
        ["side", "part", "cases"],
        ["incoming", "new filings", "4"],
        ["incoming", "reopened", "0"],
        ["incoming", "reactivated", "0"],
        ["incoming", "total", "4"],
        ["outgoing", "dispositions", "2"],
        ["outgoing", "placed inactive", "0"],
        ["outgoing", "total", "2"],
        ["clearance rate (%)", "", "50.0"],
    ]
    assert export(client, "time-to-disposition") == [
        ["standard", "cases", "percent"],
        ["within 90 days", "2", "100.0"],
        ["within 180 days", "2", "100.0"],
        ["within 365 days", "2", "100.0"],
        ["disposed in the period", "2", ""],
        ["median days", "30", ""],
    ]
    assert export(client, "pending-age")[1:] == [
        ["0-90 days", "2", "66.7"],
        ["91-180 days", "1", "33.3"],
        ["181-365 days", "0", "0.0"],
        ["over 365 days", "0", "0.0"],
        ["active pending cases", "3", ""],
    ]
    assert export(client, "trial-date-certainty")[1:] == [
        ["set 1 time", "1", "50.0"],
        ["set 2 times", "0", "0.0"],
        ["set 3 times", "1", "50.0"],
        ["set 4 or more times", "0", "0.0"],
        ["trials held", "2", ""],
        ["average settings per trial", "2.00", ""],
    ]
    assert export(client, "collection-rate") == [
        ["obligation kind", "ordered", "waived", "collected", "outstanding", "rate (%)"],
        ["Restitution", "300.00", "0.00", "0.00", "300.00", "0.0"],
        ["Fine", "500.00", "0.00", "200.00", "300.00", "40.0"],
        ["Fee", "100.00", "40.00", "60.00", "0.00", "100.0"],
        ["All obligations", "900.00", "40.00", "260.00", "600.00", "30.2"],
    ]
    assert export(client, "deadline-compliance") == [
        ["responsible", "missed", "at risk"],
        ["Lee Ames", "2", "1"],
        ["Nobody named", "1", "0"],
    ]
    assert export(client, "review-queue-age") == [
        ["waiting", "filings"],
        ["under 1 day", "1"],
        ["1-2 days", "1"],
        ["2-5 days", "0"],
        ["5 days or more", "0"],
        ["waiting", "2"],
    ]


def test_a_list(client, supervisor, world):
    client.force_login(supervisor)
    cases = world.cases

    rows = export(client, "pending")

    assert rows == [
        ["Case", "Caption", "Status", "Filed", "Age (days)"],
        [cases["B"].number, cases["B"].caption, "Filed", "2025-12-01", "120"],
        [cases["J"].number, cases["J"].caption, "Filed", "2026-01-16", "74"],
        [cases["C"].number, cases["C"].caption, "Filed", "2026-01-31", "59"],
    ]
    assert export(client, "obligations", kind="fine") == [
        [
            "Ordered on",
            "Case",
            "Caption",
            "Kind",
            "Description",
            "Ordered",
            "Waived",
            "Collected",
            "Outstanding",
        ],
        [
            "2026-01-15",
            cases["A"].number,
            cases["A"].caption,
            "Fine",
            "Fine",  # the description the service gives a blank one
            "500.00",
            "0.00",
            "200.00",
            "300.00",
        ],
    ]


def test_the_file_is_named_after_the_export_court_and_period(client, supervisor, world):
    client.force_login(supervisor)

    response = client.get("/dashboard/pending.csv", Q1_QUERY)

    assert response["Content-Disposition"] == (
        f'attachment; filename="pending-{world.court.code}-20260101-20260331.csv"'
    )


def test_a_list_streams_in_chunks(client, supervisor, world, monkeypatch):
    # Chunks of 2 rows from the database: the three pending cases come in two chunks, in
    # order, each chunk's cases loaded in one query.
    monkeypatch.setattr(drilldowns, "CHUNK", 2)
    client.force_login(supervisor)

    assert [row[0] for row in export(client, "pending")[1:]] == [
        world.cases[k].number for k in "BJC"
    ]
    assert len(export(client, "clearance", side="incoming")) == 5


def test_every_list_and_table_exports_and_holds_nothing_of_court_b(client, supervisor, world):
    client.force_login(supervisor)

    for name in [*FIGURE_EXPORTS, *DRILLDOWNS]:
        response = client.get(f"/dashboard/{name}.csv", Q1_QUERY)
        assert response.status_code == 200, name
        content = b"".join(response.streaming_content).decode()
        assert "Bravoson" not in content, name


def test_court_b_is_refused_to_court_as_supervisor(client, supervisor, court_b, world):
    client.force_login(supervisor)

    for name in ("pending", "clearance-rate", "obligations"):
        response = client.get(f"/dashboard/{name}.csv", {**Q1_QUERY, "court": court_b.pk})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/plain")
        assert "Bravoson" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="dashboard.export").exists()


def test_who_may_export(client, clerk, world):
    assert client.get("/dashboard/pending.csv", Q1_QUERY).status_code == 302  # to sign in
    client.force_login(clerk)
    assert client.get("/dashboard/pending.csv", Q1_QUERY).status_code == 403
    assert client.get("/dashboard/clearance-rate.csv", Q1_QUERY).status_code == 403
    assert client.post("/dashboard/pending.csv?court=1").status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="dashboard.export").exists()


def test_an_unknown_export_is_404(client, supervisor, world):
    client.force_login(supervisor)
    assert client.get("/dashboard/everything.csv", Q1_QUERY).status_code == 404
    assert client.get("/dashboard/pending.csv", {**Q1_QUERY, "band": "7"}).status_code == 404


def test_every_export_is_audited_and_sealed_or_juvenile_cases_in_it_are_reads(
    client, supervisor, world
):
    client.force_login(supervisor)

    export(client, "clearance-rate")
    export(client, "pending", band="0")  # C and J (juvenile)
    export(client, "obligations")  # A, B, S (sealed)
    export(client, "continued-hearings")  # B only

    exports = AuditEvent.objects.filter(action="dashboard.export").order_by("id")
    assert [e.details["export"] for e in exports] == [
        "clearance-rate",
        "pending",
        "obligations",
        "continued-hearings",
    ]
    first = exports[0]
    assert first.actor == supervisor and first.court == world.court
    assert first.details["start"] == "2026-01-01" and first.details["end"] == "2026-03-31"
    assert exports[1].details["params"] == {"band": "0"}
    reads = AuditEvent.objects.filter(action="case.read", actor=supervisor).order_by("id")
    assert [(e.details["surface"], e.details["cases"]) for e in reads] == [
        ("dashboard.export.pending", [world.cases["J"].number]),
        ("dashboard.export.obligations", [world.cases["S"].number]),
    ]


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(client, supervisor, world):
    obligation(
        world.cases["C"],
        "fee",
        "5.00",
        ordered_on=dt.date(2026, 3, 3),
        description='=HYPERLINK("http://evil.example")',
    )
    client.force_login(supervisor)

    rows = export(client, "obligations", kind="fee")

    assert [r[4] for r in rows if r[4].startswith("'")] == ['\'=HYPERLINK("http://evil.example")']
    assert csv_safe("-2+3") == "'-2+3" and csv_safe("State v. Doe") == "State v. Doe"
