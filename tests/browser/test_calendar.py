"""The clerk's calendar work in a real browser: schedule a hearing from the case page
(seeing, then overriding, the attorney conflict), continue another hearing with a
reason, and open the day's calendar to print it. axe on the hearing pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import CaseCategory
from docket.models import Courtroom, Hearing
from docket.services import hearing_schedule
from tests.cases.factories import CaseTypeFactory
from tests.docket.conftest import at, court_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def calendar(court_a, clerk, attorney):
    """Two courtrooms; the attorney's trial in 2A; two more of the court's cases."""
    from cases.services import AppearanceInput, PartyInput
    from tests.cases.factories import open_case

    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    room = Courtroom.objects.create(court=court_a, name="Courtroom 2A", location="2nd floor")
    Courtroom.objects.create(court=court_a, name="Courtroom 5B", location="5th floor")
    day, later = court_day(court_a), court_day(court_a, weeks=6)

    def case(last_name, attorneys=()):
        return open_case(
            case_type=cr,
            opened_by=clerk,
            parties=[PartyInput(role="defendant", first_name="Pat", last_name=last_name)],
            appearances=[AppearanceInput(attorney=a, party_index=0) for a in attorneys],
        )

    busy, new, to_continue = case("Ames", [attorney]), case("Boyd", [attorney]), case("Cole")
    for c, hour in ((busy, 9), (to_continue, 13)):
        hearing_schedule(
            case=c,
            hearing_type="trial",
            starts_at=at(court_a, day, hour),
            minutes=120,
            courtroom=room,
            scheduled_by=clerk,
        )
    return {"day": day, "later": later, "busy": busy, "new": new, "to_continue": to_continue}


def choose(select, text):
    """Keyboard only: focus the select (as Tab would) and type the option's first letters."""
    select.focus()
    select.page.keyboard.type(text)


def test_clerk_schedules_over_a_conflict_continues_a_hearing_and_opens_the_day(
    page, login, clerk, calendar, axe_check, court_a
):
    day, later = calendar["day"], calendar["later"]
    busy, case = calendar["busy"], calendar["new"]
    login(clerk)

    # From the case page, the clerk opens "Schedule a hearing"
    page.goto(f"/cases/{court_a.code}/{case.number}/")
    page.get_by_role("link", name="Schedule a hearing").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Schedule a hearing", level=1)).to_be_visible()
    axe_check(page)

    # ...asks for a trial in 5B at 10:00, while the attorney is in 2A's trial from 09:00
    choose(page.get_by_label("Kind of hearing"), "Trial")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Length (minutes)").fill("120")
    choose(page.get_by_label("Courtroom"), "Courtroom 5")
    page.get_by_label("Courtroom").dispatch_event("change")

    # Then the live check warns of the attorney conflict, naming the other trial
    warning = page.locator("#check-clashes")
    expect(warning).to_contain_text("someone is expected in two places")
    expect(warning).to_contain_text(busy.number)
    axe_check(page)

    # Sent without a reason: refused, the reason field marked
    page.get_by_role("button", name="Schedule the hearing").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#hearing-errors")).to_be_visible()
    reason = page.get_by_label("Reason to set it despite the conflicts")
    expect(reason).to_have_attribute("aria-invalid", "true")
    axe_check(page)

    # With the reason: set, and the clerk lands on the hearing's page
    reason.focus()
    page.keyboard.type("Co-counsel covers the trial in 2A.")
    page.get_by_role("button", name="Schedule the hearing").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Trial", level=1)).to_be_visible()
    expect(page.get_by_text("Co-counsel covers the trial in 2A.").first).to_be_visible()
    hearing = Hearing.objects.get(case=case)
    assert hearing.conflict_override_reason == "Co-counsel covers the trial in 2A."
    axe_check(page)

    # The clerk continues another case's trial to a later date, with a reason
    other = Hearing.objects.get(case=calendar["to_continue"])
    page.goto(f"/hearings/{other.pk}/")
    form = page.locator("#continue-form")
    choose(form.get_by_label("Reason for the continuance"), "Witness")
    form.get_by_label("Note").focus()
    page.keyboard.type("Lab analyst on leave.")
    form.get_by_label("New date").fill(later.isoformat())
    form.get_by_label("New time").fill("09:00")
    form.get_by_role("button", name="Continue the hearing").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Continued from")).to_be_visible()
    expect(page.get_by_text("Setting 2")).to_be_visible()
    new = Hearing.objects.get(continued_from=other)
    assert (new.date, new.setting_number) == (later, 2)
    other.refresh_from_db()
    assert (other.status, other.continuance_reason.code) == ("continued", "witness-unavailable")
    axe_check(page)

    # And opens the later day's calendar: the continued trial is on it, ready to print
    page.goto(f"/calendar/?court={court_a.code}&date={later.isoformat()}")
    expect(page.get_by_text(calendar["to_continue"].number).first).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    pdf = page.get_by_role("link", name="Docket sheet (PDF)")
    expect(pdf).to_have_attribute("href", re.compile(rf"^/calendar/sheet\.pdf\?.*date={later}"))
