"""Diversion programs in a real browser, by keyboard: a coordinator finds a new referral,
records the consents, screens it (each criterion's result and reason), offers the program
and enrolls the participant; on the participant page they log a drug test and community
service hours and see the progress bars move without a reload. Axe on every page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cases.models import CaseStatus
from programs.models import Enrollment, PhaseRequirement, ServiceEvent
from tests.cases.factories import CaseTypeFactory, open_case
from tests.programs.factories import drug_court, referral, service_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def type_into(locator, text):
    locator.focus()
    locator.page.keyboard.type(text)


def press(locator, key="Enter"):
    locator.focus()
    locator.page.keyboard.press(key)


def test_coordinator_screens_enrolls_and_logs_progress(
    page, login, clerk, make_user, court_a, axe_check
):
    # Given court A's drug court (its first phase also asks 40 hours of community service)
    # and a referral of John Doe's grand-theft case
    from casemgmt.core.roles import Role

    coordinator = make_user(Role.PROGRAM_COORDINATOR, [court_a], username="coord_browser")
    program = drug_court(court_a)
    program.coordinators.add(coordinator)
    PhaseRequirement.objects.create(
        phase=program.phases.get(number=1),
        kind="community_service",
        name="Community service",
        quantity=Decimal("40"),
        position=9,
    )
    site = service_site(court_a)
    cr = CaseTypeFactory(court=court_a, code="CR")
    case = open_case(case_type=cr, opened_by=clerk)
    made = referral(program, case, by=clerk)
    login(coordinator)

    # The caseload (from the menu), then the referrals
    press(page.get_by_role("link", name="Programs", exact=True))
    expect(page.get_by_role("heading", name="Program caseload")).to_be_visible()
    axe_check(page)
    press(page.get_by_role("link", name="Referrals waiting for screening"))
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()
    axe_check(page)
    press(page.get_by_role("link", name="John Doe"))
    expect(page.get_by_role("heading", name="Screening: John Doe")).to_be_visible()
    expect(page.get_by_text("Not screened yet.")).to_be_visible()
    axe_check(page)

    # Consents of the participant and the prosecutor
    consent = page.locator("form", has=page.get_by_role("button", name="Record the consent"))
    consent.get_by_label("Consent of").select_option("participant")
    press(consent.get_by_role("button", name="Record the consent"))
    expect(page.get_by_text("Participant's consent recorded.")).to_be_visible()
    consent = page.locator("form", has=page.get_by_role("button", name="Record the consent"))
    consent.get_by_label("Consent of").select_option("prosecutor")
    press(consent.get_by_role("button", name="Record the consent"))
    expect(page.get_by_text("Prosecutor's consent recorded.")).to_be_visible()

    # Screen: every criterion met, each with its reason
    type_into(page.get_by_label("Coordinator's notes"), "Motivated; stable housing.")
    press(page.get_by_role("button", name="Screen the referral"))
    expect(page.get_by_text("Screened: eligible.")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row", name="Criminal cases only")).to_contain_text("Met")
    expect(table.get_by_role("row", name="Adults only")).to_contain_text("Met")
    for result in made.screenings.get().results:
        expect(table.get_by_text(result["reason"], exact=True)).to_be_visible()
    axe_check(page)

    # Offer, then enroll: to the participant page
    press(page.get_by_role("button", name="Offer the program"))
    expect(page.get_by_text("Offered: record the participant's consent")).to_be_visible()
    press(page.get_by_role("button", name="Enroll"))
    expect(page.get_by_role("heading", name="John Doe")).to_be_visible()
    expect(page.get_by_text("Enrolled in Adult Drug Court, phase 1.")).to_be_visible()
    enrollment = Enrollment.objects.get(referral=made)
    case.refresh_from_db()
    assert case.status == CaseStatus.INACTIVE
    tests_bar = page.get_by_role("progressbar", name="Random drug tests")
    hours_bar = page.get_by_role("progressbar", name="Community service")
    tests_req = page.locator(".cm-req", has=tests_bar)
    hours_req = page.locator(".cm-req", has=hours_bar)
    expect(tests_req).to_contain_text("0 of 2 negative tests this period")
    expect(hours_req).to_contain_text("0 of 40 hours")
    axe_check(page)

    # Log a negative drug test (htmx: the progress moves, no reload)
    page.evaluate("window.__same_page = true")
    test_form = page.locator("form", has=page.get_by_role("button", name="Log the test"))
    test_form.get_by_label("Result").select_option("negative")
    press(test_form.get_by_role("button", name="Log the test"))
    expect(page.get_by_text("Logged: drug tests on")).to_be_visible()
    expect(tests_req).to_contain_text("1 of 2 negative tests this period")
    expect(tests_bar).to_have_attribute("value", "1")

    # Log 12.5 hours of community service at the site
    hours_form = page.locator("form", has=page.get_by_role("button", name="Log the hours"))
    type_into(hours_form.get_by_label("Hours"), "12.5")
    hours_form.get_by_role("combobox", name="Site *").select_option(label=site.name)
    type_into(hours_form.get_by_label("Site supervisor"), "Dana Lee")
    press(hours_form.get_by_role("button", name="Log the hours"))
    expect(hours_req).to_contain_text("12.5 of 40 hours")
    expect(hours_bar).to_have_attribute("value", "12.50")
    assert page.evaluate("window.__same_page") is True  # never reloaded
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Community service", exact=False).first).to_be_visible()
    axe_check(page)

    kinds = sorted(
        ServiceEvent.objects.filter(enrollment=enrollment).values_list("kind", flat=True)
    )
    assert kinds == ["community_service", "drug_test"]
