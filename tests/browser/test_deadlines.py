"""Deadlines in a real browser: a clerk reads the case page's Deadlines panel and how a date
was computed, sets a deadline by hand on the case's deadline page by keyboard, and marks
one met; the attorney of record reads "My deadlines". Axe on every page."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from casemgmt.core.roles import Role
from cases.models import CaseCategory
from cases.services import AppearanceInput, PartyInput, docket_entry_record
from docket.models import Deadline, DeadlineStatus
from tests.cases.factories import CaseTypeFactory, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_into(locator, text):
    locator.focus()
    locator.page.keyboard.type(text)


def test_clerk_reads_sets_and_closes_deadlines_and_the_attorney_sees_them(
    page, login, clerk, make_user, court_a, axe_check
):
    # Given a civil case with the defendant's attorney of record, service returned on
    # Saturday 2025-03-01 (the answer was due Monday 2025-03-24, after the roll)
    attorney = make_user(Role.ATTORNEY, [court_a], username="defense_b", last_name="Defense")
    cv = CaseTypeFactory(court=court_a, code="CV", category=CaseCategory.CIVIL)
    case = open_case(
        case_type=cv,
        opened_by=clerk,
        parties=[
            PartyInput(role="plaintiff", first_name="Ann", last_name="Smith"),
            PartyInput(role="defendant", first_name="Bob", last_name="Jones"),
        ],
        appearances=[AppearanceInput(attorney=attorney, party_index=1)],
    )
    docket_entry_record(
        case=case,
        event_code="SRVC",
        text="Summons returned served",
        recorded_by=clerk,
        entry_date=dt.date(2025, 3, 1),
    )
    login(clerk)

    # The case page's panel: the answer due, overdue, with its steps folded
    page.goto(f"/cases/{court_a.code}/{case.number}/")
    panel = page.locator("section", has=page.locator("#panel-deadlines"))
    expect(panel.get_by_text("Answer due", exact=True)).to_be_visible()
    expect(panel.get_by_text("FRCP 12(a)(1)(A)(i)")).to_be_visible()
    panel.get_by_text("How the date was computed").focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_text("Mon 2025-03-24").first).to_be_visible()
    axe_check(page)

    # The case's deadline page: set one by hand, by keyboard
    panel.get_by_role("link", name="All deadlines").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Deadlines", exact=True)).to_be_visible()
    axe_check(page)
    due = court_a.local_today() + dt.timedelta(days=7)
    form = page.locator("form", has=page.get_by_role("button", name="Set the deadline"))
    type_into(form.get_by_label("Deadline"), "Witness list due")
    type_into(form.get_by_label("Due on"), due.strftime("%m%d%Y"))
    form.get_by_label("Who must act").select_option("defendant")
    form.get_by_label("Alert").select_option(label="Pat Defense (Attorney)")
    type_into(form.get_by_label("Reason"), "Pretrial order.")
    page.get_by_role("button", name="Set the deadline").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Witness list due: due")).to_be_visible()
    expect(page.get_by_text("7 days left")).to_be_visible()

    # Mark the answer met by a reason
    item = page.locator("li", has=page.get_by_text("Answer due", exact=True))
    item.get_by_text("Mark met, waive or vacate").focus()
    page.keyboard.press("Enter")
    type_into(item.get_by_label("Reason"), "Answer received at the counter.")
    item.get_by_role("button", name="Close the deadline").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Answer due: Met.")).to_be_visible()
    assert Deadline.objects.get(case=case, name="Answer due").status == DeadlineStatus.MET
    axe_check(page)

    # The attorney of record's "My deadlines"
    page.context.clear_cookies()
    login(attorney)
    page.goto("/deadlines/mine/")
    expect(page.get_by_role("link", name=case.number)).to_be_visible()
    expect(page.get_by_text("Witness list due", exact=True)).to_be_visible()
    axe_check(page)
