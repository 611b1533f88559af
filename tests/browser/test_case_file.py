"""The counter in a real browser: open a criminal case by keyboard, find it, read it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from casemgmt.core.roles import Role
from cases.models import Case, CaseCategory
from tests.cases.factories import CaseTypeFactory, PersonFactory
from tests.core.factories import AttorneyProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter(court_a, clerk):
    CaseTypeFactory(
        court=court_a, code="CR", name="Criminal felony", category=CaseCategory.CRIMINAL
    )
    CaseTypeFactory(
        court=court_a,
        code="CV",
        name="Civil",
        category=CaseCategory.CIVIL,
        initial_event_code="CMPL",
    )
    return clerk


def type_into(locator, text):
    """Keyboard only: focus the control (as Tab would) and type."""
    locator.focus()
    locator.page.keyboard.type(text)


def test_clerk_opens_a_criminal_case_by_keyboard_and_finds_it_misspelled(
    page, login, counter, axe_check, court_a
):
    attorney = AttorneyProfileFactory(user__courts=[court_a], bar_number="0777001").user
    PersonFactory(first_name="Marisol", last_name="Quintero", date_of_birth=dt.date(1988, 3, 9))
    login(counter)
    page.goto("/cases/new/")
    axe_check(page)

    # Case
    type_into(page.get_by_label("Case type"), "CR")
    assert page.get_by_label("Case type").input_value() != ""

    # Party 1: the defendant (role preset), typed name brings up the look-alike on file.
    party1 = page.locator("#party-0")
    type_into(party1.get_by_label("First name"), "Marisol")
    type_into(party1.get_by_label("Last name"), "Quintera")
    expect(
        party1.get_by_role("button", name="Use Marisol Quintero, born 1988-03-09")
    ).to_be_visible()
    # ...but this defendant is someone else: keep typing a new person.
    type_into(party1.get_by_label("Last name"), "o")  # "Quinterao": still a new person
    page.keyboard.press("Control+A")
    page.keyboard.type("Quintanilla")
    type_into(party1.get_by_label("Date of birth"), "07141991")

    # Party 2: a victim, added with Enter on the button; the cursor lands in the new row.
    page.get_by_role("button", name="Add a party").focus()
    page.keyboard.press("Enter")
    party2 = page.locator("#party-1")
    expect(party2.get_by_label("Role")).to_be_focused()
    page.keyboard.type("Victim")
    type_into(party2.get_by_label("First name"), "Henry")
    type_into(party2.get_by_label("Last name"), "Okonkwo")

    # Two charges.
    for index, (statute, text, cls) in enumerate(
        [
            ("812.014(2)(c)", "Grand theft", "Felony, third"),
            ("843.02", "Resisting an officer", "Misdemeanor, class A"),
        ]
    ):
        page.get_by_role("button", name="Add a charge").focus()
        page.keyboard.press("Enter")
        row = page.locator(f"#charges-{index}")
        expect(row.get_by_label("Statute")).to_be_focused()
        page.keyboard.type(statute)
        type_into(row.get_by_label("Description of the offense"), text)
        type_into(row.get_by_label("Class"), cls)
        type_into(row.get_by_label("Offense date"), "11012026")

    # The defendant's attorney.
    page.get_by_role("button", name="Add an attorney").focus()
    page.keyboard.press("Enter")
    attorney_row = page.locator("#attorneys-0")
    expect(attorney_row.get_by_label("Bar number")).to_be_focused()
    page.keyboard.type("0777001")
    type_into(attorney_row.get_by_label("Represents party no."), "1")

    page.get_by_role("button", name="Open the case").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Case opened")).to_be_visible()
    case = Case.objects.get()
    expect(page.locator(".cm-opened-number")).to_have_text(case.number)
    assert case.caption == "State v. Quintanilla"
    assert [c.statute_code for c in case.charges.order_by("count_number")] == [
        "812.014(2)(c)",
        "843.02",
    ]
    assert sorted(case.parties.values_list("role", flat=True)) == ["defendant", "victim"]
    assert case.appearances.get().attorney == attorney
    axe_check(page)

    # Find it again by a misspelled party name.
    page.goto("/cases/search/")
    type_into(page.get_by_label("Case number or party name"), "Quintanila")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=case.number)).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name=case.number).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="State v. Quintanilla")).to_be_visible()
    axe_check(page)


def test_bad_intake_shows_field_errors_and_creates_nothing(page, login, counter):
    login(counter)
    page.goto("/cases/new/")
    type_into(page.get_by_label("Case type"), "CR")
    party1 = page.locator("#party-0")
    type_into(party1.get_by_label("Last name"), "Roe")
    type_into(party1.get_by_label("Date of birth"), "01012099")
    page.get_by_role("button", name="Open the case").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#party-0")).to_contain_text("cannot be in the future")
    expect(page.locator("#intake-errors")).to_contain_text("charge")
    assert Case.objects.count() == 0


def test_public_sees_no_contact_details_and_cannot_search_by_dob(page, court_a, make_user):
    clerk = make_user(Role.CLERK, [court_a])
    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    from tests.cases.factories import open_case

    case = open_case(case_type=cr, opened_by=clerk)

    page.goto(f"/cases/{court_a.code}/{case.number}/")

    expect(page.get_by_role("heading", name=case.caption)).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Born")
    expect(page.locator("main")).not_to_contain_text("12 Orange Ave")
    page.goto("/cases/search/")
    expect(page.get_by_label("Party's date of birth")).to_have_count(0)
