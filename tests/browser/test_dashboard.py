"""The supervisor's dashboard in a real browser (issue 9, "Done when"): a supervisor opens the
dashboard from the navigation, changes the filter (the dates switch the period to "Dates
chosen below"; the filter lands in the URL), reads the figures drawn as charts and as
tables, drills down from a number to the cases behind it, and downloads the list as CSV;
axe clean on the dashboard and on the list."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casemgmt.core.models import AuditEvent
from tests.dashboard import conftest as dashboard_data

# Documents (the filings waiting for review) go to a fresh directory per test.
media = dashboard_data.media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name):
    """A screenshot for a person to look at, when SCREENSHOTS names a folder."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.fixture
def world(court_a, court_b, clerk, make_user, supervisor, supervisor_b):
    """The hand-built caseload of tests/dashboard: court A's, and its mirror in court B."""
    return dashboard_data.build_world(
        court_a=court_a,
        court_b=court_b,
        clerk=clerk,
        make_user=make_user,
        supervisor=supervisor,
        supervisor_b=supervisor_b,
    )


def test_supervisor_filters_drills_down_and_exports(page, login, supervisor, world, axe_check):
    errors: list[str] = []
    # No script error, no asset missing (Chart.js, dashboard.js); the favicon aside.
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    login(supervisor)

    # From the navigation, by keyboard (a supervisor's many nav items overflow the
    # header at 1280 px: the link is there, not always in view).
    link = page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Dashboard", exact=True
    )
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_label("Period", exact=True)).to_have_value("last_month")
    axe_check(page)

    # The first quarter of 2026: typing the dates chooses "Dates chosen below".
    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2026-03-31")
    expect(page.get_by_label("Period", exact=True)).to_have_value("custom")
    page.get_by_label("Hearings set more than (times)").fill("1")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "start=2026-01-01" in page.url and "end=2026-03-31" in page.url
    assert "continued=1" in page.url
    expect(page.locator("#dashboard-scope")).to_contain_text("2026-01-01 to 2026-03-31")

    # Each chart is drawn (Chart.js) and its numbers are in the table beside it.
    charts = page.locator("canvas[data-chart]")
    expect(charts).to_have_count(5)
    drawn = page.evaluate(
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => !!c.chart)"
    )
    assert drawn
    # Charts of counts (small here: a handful of cases) tick in whole numbers only.
    ticks = page.evaluate(
        """Array.from(document.querySelectorAll('canvas[data-chart]'))
             .filter(c => c.chart.data.datasets.every(d => d.data.every(Number.isInteger)))
             .map(c => c.chart.scales.y.ticks.map(t => t.value))"""
    )
    assert ticks and all(all(float(v).is_integer() for v in chart) for chart in ticks), ticks
    clearance = page.locator("#clearance-rate-table")
    expect(clearance.get_by_role("row", name="New filings")).to_contain_text("4")
    expect(page.locator("#continued-hearings-table")).to_contain_text("Set more than 1 times")
    axe_check(page)
    shoot(page, "dashboard")

    # Drill down from "Incoming, all: 4" to the four cases.
    clearance.get_by_role("link", name="4 (Incoming, all, Cases)").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Cases counted in the clearance rate")).to_be_visible()
    expect(page.locator("#total")).to_have_text("4")
    table = page.locator("#drilldown-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text(world.cases["A"].number)
    expect(table).not_to_contain_text("Bravoson")
    axe_check(page)
    shoot(page, "dashboard_drilldown")

    # The whole list as CSV: the same four cases.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the whole list as CSV").click()
    download = info.value
    assert download.suggested_filename == (f"clearance-{world.court.code}-20260101-20260331.csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0] == ["Effective", "Case", "Caption", "Status change", "Counted as"]
    assert sorted(r[1] for r in rows[1:]) == sorted(world.cases[k].number for k in "ACSJ")
    assert AuditEvent.objects.filter(action="dashboard.export", actor=supervisor).count() == 1

    # Back to the dashboard with the same filters.
    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_load_state()
    expect(page.locator("#dashboard-scope")).to_contain_text("2026-01-01 to 2026-03-31")
    assert errors == []


def test_supervisor_asks_for_a_long_list_and_downloads_it_when_ready(
    page, login, supervisor, world, axe_check, settings
):
    # Lists of more than 2 rows are written by the worker (in this test, run on commit).
    settings.DASHBOARD_EXPORT_INLINE_MAX_ROWS = 2
    login(supervisor)
    page.goto("/dashboard/clearance/?period=custom&start=2026-01-01&end=2026-03-31")
    expect(page.locator("#total")).to_have_text("4")

    # The CSV's address opened directly (a bookmark) asks nothing: it offers the button.
    page.goto("/dashboard/clearance.csv?period=custom&start=2026-01-01&end=2026-03-31")
    expect(page.get_by_text("This list has 4 rows")).to_be_visible()
    axe_check(page)
    page.go_back()

    page.get_by_role("button", name="Prepare the whole list as CSV").click()
    page.wait_for_load_state()

    expect(
        page.get_by_role("heading", name="Export: Cases counted in the clearance rate")
    ).to_be_visible()
    status = page.get_by_role("status").filter(has_text="rows")
    expect(status).to_contain_text("Ready: 4 rows")
    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("value", "4")
    expect(progress).to_have_attribute("max", "4")
    axe_check(page)
    shoot(page, "dashboard_export_job")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the list (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"clearance-{world.court.code}-20260101-20260331.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    assert rows[0] == ["Effective", "Case", "Caption", "Status change", "Counted as"]
    assert sorted(r[1] for r in rows[1:]) == sorted(world.cases[k].number for k in "ACSJ")
    assert AuditEvent.objects.filter(action="dashboard.export_download", actor=supervisor).exists()

    page.get_by_role("link", name="My exports").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="My exports", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="Cases counted in the clearance rate")).to_contain_text(
        "Ready"
    )
    axe_check(page)
