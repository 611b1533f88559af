"""The day's calendar in a real browser: axe clean for a clerk and for the public
(placeholder rows included), keyboard day navigation, and the print layout (no
navigation, filters or buttons on paper)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from docket.models import HearingStatus
from tests.core.factories import AttorneyProfileFactory
from tests.docket.factories import case_types, case_with_people, courtroom, hearing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 3, 4)  # a Wednesday


@pytest.fixture
def day(court_a, clerk):
    types = case_types(court_a)
    lawyer = AttorneyProfileFactory(user__courts=[court_a]).user
    room_a, room_b = courtroom(court_a, "Courtroom 2A"), courtroom(court_a, "Courtroom 5B")
    public = case_with_people(
        types["CR"], opened_by=clerk, last_name="Open", attorneys=[lawyer], interpreter="es"
    )
    sealed = case_with_people(
        types["CR"], opened_by=clerk, last_name="Hidden", confidentiality="sealed"
    )
    juvenile = case_with_people(types["JV"], opened_by=clerk, last_name="Minor")
    hearing(public, scheduled_by=clerk, day=DAY, hour=9, room=room_a)
    hearing(sealed, scheduled_by=clerk, day=DAY, hour=9, minute=30, room=room_a)
    hearing(juvenile, scheduled_by=clerk, day=DAY, hour=10, room=room_b)
    hearing(public, scheduled_by=clerk, day=DAY, hour=11, room=room_b, status=HearingStatus.VACATED)
    return {"public": public, "sealed": sealed, "juvenile": juvenile}


def url(court, day=DAY):
    return f"/calendar/?court={court.code}&date={day.isoformat()}"


def test_the_clerks_calendar_is_axe_clean_and_walks_from_day_to_day(
    page, login, clerk, court_a, day, axe_check
):
    login(clerk)
    page.goto(url(court_a))

    expect(page.get_by_role("heading", level=1)).to_contain_text("Wednesday, March 4, 2026")
    expect(page.get_by_role("heading", name="Courtroom 2A", level=2)).to_be_visible()
    expect(page.get_by_role("link", name=day["juvenile"].number)).to_be_visible()
    axe_check(page)

    # Keyboard only: the next court day, then back
    page.get_by_role("link", name="Next court day").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thursday, March 5, 2026")
    expect(page.get_by_role("status")).to_contain_text("No hearings on this day.")
    page.get_by_role("link", name="Previous court day").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wednesday, March 4, 2026")


def test_the_public_calendar_is_axe_clean_and_shows_only_the_placeholder(
    page, court_a, day, axe_check
):
    page.goto(url(court_a))

    expect(page.get_by_role("link", name=day["public"].number).first).to_be_visible()
    withheld = page.locator("td.cm-cal__withheld")
    expect(withheld).to_have_count(2)
    expect(withheld.first).to_have_text("Sealed matter")
    assert day["sealed"].number not in page.content()
    assert day["juvenile"].number not in page.content()
    axe_check(page)


def test_on_paper_the_calendar_drops_navigation_filters_and_buttons(
    page, login, clerk, court_a, day
):
    login(clerk)
    page.goto(url(court_a))

    page.emulate_media(media="print")

    expect(page.locator("form.cm-cal__filters")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("header.usa-header")).to_be_hidden()
    expect(page.get_by_text("Printed ")).to_be_visible()
    expect(page.get_by_role("link", name=day["public"].number).first).to_be_visible()
