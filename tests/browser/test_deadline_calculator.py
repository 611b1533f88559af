"""The deadline calculator in a real browser, as the public uses it: from the public home
page, compute a deadline, read its steps; refusals on their fields; axe clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_computes_a_deadline_and_reads_its_steps(page, court_a, axe_check):
    # given someone with no account on the public home page
    page.goto("/")
    page.get_by_role("link", name="Deadline calculator").click()
    expect(page.get_by_role("heading", name="Deadline calculator", level=1)).to_be_visible()
    expect(page.get_by_label("Court")).to_have_value("")  # Federal (no court)
    axe_check(page)

    # when they ask for 21 days after being served by mail on Saturday, March 1, 2025
    page.get_by_label("Date of the event").fill("2025-03-01")
    page.get_by_label("Length of the period").fill("21")
    page.get_by_label("Counted in").select_option("days")
    page.get_by_label("Direction").select_option("after")
    page.get_by_label("How the paper was served").select_option("mail")
    page.get_by_role("button", name="Compute the deadline").click()

    # then the due date is shown and the keyboard is on the answer
    answer = page.get_by_role("region", name="Due date")
    expect(answer).to_contain_text("Thursday, March 27, 2025")
    expect(page.get_by_role("heading", name="Due date")).to_be_focused()
    # and the steps read, in order, why the date is what it is
    steps = page.locator("#deadline-steps li")
    expect(steps).to_have_text(
        [
            "21 days after 2025-03-01 is Sat 2025-03-22",
            "Saturday -> Mon 2025-03-24 (FRCP 6(a)(1)(C))",
            "mail service +3 -> Thu 2025-03-27 (FRCP 6(d))",
        ]
    )
    axe_check(page)

    # the answer has its own address: reloading it shows the same
    expect(page).to_have_url(re.compile(r"/deadlines/calculator/\?.*trigger_date=2025-03-01"))
    page.reload()
    expect(page.locator("#deadline-due")).to_have_text("Thursday, March 27, 2025")


def test_a_refusal_is_announced_and_shown_on_its_field(page, court_a, axe_check):
    page.goto("/deadlines/calculator/")
    page.get_by_label("Date of the event").fill("2025-03-01")
    page.get_by_label("Length of the period").fill("0")
    page.get_by_label("Length of the period").press("Enter")

    alert = page.locator("#deadline-errors")
    expect(alert).to_contain_text("The deadline was not computed.")
    expect(alert).to_be_focused()
    period = page.get_by_label("Length of the period")
    expect(period).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_period-error-1")).to_have_text(
        "The number of days must be at least 1."
    )
    axe_check(page)

    # corrected by keyboard, it computes
    period.fill("14")
    period.press("Enter")
    expect(page.locator("#deadline-due")).to_have_text("Monday, March 17, 2025")


def test_a_period_in_hours_in_a_court_over_a_holiday_weekend(page, court_b):
    page.goto("/deadlines/calculator/")
    page.get_by_label("Court").select_option(label="Bravo District Court")
    page.get_by_label("Date of the event").fill("2025-07-03")
    page.get_by_label("Time of the event").fill("10:00")
    page.get_by_label("Length of the period").fill("24")
    page.get_by_label("Counted in").select_option("hours")
    page.get_by_role("button", name="Compute the deadline").click()

    expect(page.locator("#deadline-due")).to_have_text("Monday, July 7, 2025, 10:00 MDT")
    expect(page.locator("#deadline-steps li").last).to_have_text(
        "Independence Day on Fri 2025-07-04 -> Mon 2025-07-07 10:00 MDT (FRCP 6(a)(2)(C))"
    )
