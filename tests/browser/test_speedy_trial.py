"""The speedy-trial clock in a real browser: a clerk records a pending motion from the
case page's panel by keyboard, reads the paused clock and its steps; axe on both pages."""

import datetime as dt
import os

import pytest
from playwright.sync_api import expect

from cases.models import CaseCategory
from docket.speedy_trial_services import speedy_trial_clock_set
from tests.cases.factories import CaseTypeFactory, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_into(locator, text):
    locator.focus()
    locator.page.keyboard.type(text)


def shoot(page, name):
    """A screenshot for a person to look at, when SCREENSHOTS names a folder."""
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_clerk_records_a_pending_motion_and_reads_the_paused_clock(
    page, login, clerk, court_a, axe_check
):
    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    case = open_case(case_type=cr, opened_by=clerk)
    today = court_a.local_today()
    # Indicted and first appearance 62 days ago: 8 days remain, under the alert threshold.
    speedy_trial_clock_set(
        case=case,
        by=clerk,
        arrest_or_summons_on=today - dt.timedelta(days=70),
        indictment_on=today - dt.timedelta(days=62),
        first_appearance_on=today - dt.timedelta(days=62),
        counsel_appearance_on=today - dt.timedelta(days=62),
    )
    login(clerk)

    page.goto(f"/cases/{court_a.code}/{case.number}/")
    panel = page.locator("section", has=page.locator("#panel-speedy_trial"))
    expect(panel.get_by_text("8 days remaining")).to_be_visible()
    axe_check(page)
    shoot(page, "speedy_case_page")

    # Open the form with the keyboard and record a motion filed three days ago.
    panel.get_by_text("Record an excludable period").focus()
    page.keyboard.press("Enter")
    panel.get_by_label("Kind of delay").select_option("pretrial_motion")
    type_into(
        panel.get_by_label("First day excluded"), (today - dt.timedelta(days=3)).strftime("%m%d%Y")
    )
    panel.get_by_role("button", name="Record the period").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    # Back on the case page: the clock is paused; the four days from the motion's filing
    # through today no longer count, so 12 remain.
    expect(page.get_by_text("Excluded from")).to_be_visible()
    panel = page.locator("section", has=page.locator("#panel-speedy_trial"))
    expect(panel.get_by_text("Paused", exact=True)).to_be_visible()
    expect(panel.get_by_text("12 days remaining")).to_be_visible()

    panel.get_by_role("link", name="The speedy-trial clock").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Speedy trial", level=1)).to_be_visible()
    steps = page.locator("details", has_text="How the dates were computed")
    expect(steps.get_by_text("Clock starts the day after the later of indictment")).to_be_visible()
    expect(steps.get_by_text("(pretrial motion, 3161(h)(1)(D); ongoing")).to_be_visible()
    axe_check(page)
    shoot(page, "speedy_page")
