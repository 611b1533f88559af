"""The dashboard's diversion programs in a real browser (issue 9): with participants in two
programs, the programs' charts are drawn beside their tables, a count drills down to the
flags behind it, and the page and the list are axe clean."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.dashboard import conftest as dashboard_data
from tests.dashboard.test_programs_section import build_programs

media = dashboard_data.media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(court_a, court_b, clerk, make_user, supervisor, supervisor_b):
    world = dashboard_data.build_world(
        court_a=court_a,
        court_b=court_b,
        clerk=clerk,
        make_user=make_user,
        supervisor=supervisor,
        supervisor_b=supervisor_b,
    )
    build_programs(world, court_b=court_b, make_user=make_user)
    return world


def test_supervisor_reads_the_programs_and_drills_down(page, login, supervisor, world, axe_check):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(supervisor)

    page.goto(f"/dashboard/?{urlencode(dashboard_data.Q1_QUERY)}#programs")

    expect(page.locator("canvas[data-chart]")).to_have_count(7)
    drawn = page.evaluate(
        "['program-outcomes', 'program-noncompliance'].every(k => "
        "!!document.querySelector(`canvas[data-chart='chart-${k}']`).chart)"
    )
    assert drawn
    outcomes = page.locator("#program-outcomes-table")
    expect(outcomes.get_by_role("row", name="All programs")).to_contain_text("66.7%")
    expect(page.locator("#programs")).to_be_visible()
    expect(page.get_by_text("Bravo Drug Court")).to_have_count(0)
    axe_check(page)
    folder = os.environ.get("SCREENSHOTS")  # for a person to look at
    if folder:
        page.locator("#programs ~ section").first.screenshot(path=f"{folder}/programs_1.png")
        page.locator("#program-noncompliance").screenshot(path=f"{folder}/programs_2.png")

    page.locator("#program-noncompliance-table").get_by_role(
        "link", name="2 (Adult Drug Court, Open today)"
    ).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Program non-compliance flags")).to_be_visible()
    expect(page.locator("#total")).to_have_text("2")
    table = page.locator("#drilldown-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text(world.cases["C"].number)
    axe_check(page)
    assert errors == []
