"""The cash counter in a real browser (issue 7, "Done when"): a clerk opens a drawer, takes a
cash payment at the counter, prints the receipt (the PDF opens), and closes the drawer with
a recorded shortage — by keyboard, axe clean on every page.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cases.models import CaseCategory
from payments.models import CashDrawer, DrawerCloseout, Payment, ReceiptPrint
from payments.services import drawer_close
from tests.cases.factories import CaseTypeFactory, open_case
from tests.payments.factories import obligation, open_drawer, payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case(court_a, clerk):
    cr = CaseTypeFactory(court=court_a, code="CR", category=CaseCategory.CRIMINAL)
    case = open_case(case_type=cr, opened_by=clerk)
    obligation(case, "fine", "250.00", description="Fine, count 1")
    obligation(case, "fee", "50.00", description="Court costs")
    return case


def nav(page, name: str):
    return page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name=name, exact=True
    )


def focused_name(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.name || ''")


def test_clerk_opens_a_drawer_takes_cash_prints_the_receipt_and_closes_short(
    page, login, axe_check, clerk, case
):
    login(clerk)

    # The clerk opens a drawer with a float.
    nav(page, "Drawers").click()
    expect(page.get_by_role("heading", name="Cash drawers")).to_be_visible()
    axe_check(page)
    page.get_by_label("Opening float ($)").fill("100.00")
    page.keyboard.press("Enter")
    expect(page.get_by_text("is open with a float of $100.00")).to_be_visible()
    axe_check(page)

    # At the counter: type the case number, Enter; the amount has the focus.
    nav(page, "Counter").click()
    expect(page.get_by_role("heading", name="Counter payment")).to_be_visible()
    axe_check(page)
    assert focused_name(page) == "number"
    page.keyboard.type(case.number)
    page.keyboard.press("Enter")
    expect(page.locator("#owed")).to_contain_text("Fine, count 1")
    expect(page.locator("#balance-due")).to_have_text("$300.00")
    expect(page.get_by_label(re.compile("Amount received"))).to_be_focused()
    assert case.number in page.url  # the lookup is in the address (back button, reload)
    axe_check(page)

    # Cash (the default) from the defendant (the default): type the amount, Enter.
    page.keyboard.type("60.00")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Payment posted")).to_be_visible()
    taken = Payment.objects.get()
    number = taken.receipt.number
    expect(page.locator("#receipt-number")).to_have_text(number)
    expect(page.locator("#allocation")).to_contain_text("Fine, count 1")
    print_link = page.get_by_role("link", name="Print receipt")
    expect(print_link).to_be_focused()
    axe_check(page)

    # Print: the link opens the PDF.
    href = print_link.get_attribute("href")
    assert href.startswith(f"/payments/receipts/{number}.pdf")
    pdf = page.request.get(href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text().split())
    assert number in text and "$60.00" in text and case.number in text
    assert "Cash" in text and "REPRINT" not in text
    assert list(ReceiptPrint.objects.values_list("is_reprint", flat=True)) == [False]
    page.reload()
    expect(page.get_by_role("link", name="Print a copy (marked REPRINT)")).to_be_visible()

    # Close the drawer: 160.00 expected in cash, 155.00 counted — five dollars short.
    nav(page, "Drawers").click()
    expect(page.locator("#expected")).to_contain_text("$160.00")
    axe_check(page)
    page.get_by_label("Cash counted ($)").fill("155.00")
    page.get_by_label("Checks counted ($)").fill("0.00")
    page.get_by_label("Note").fill("Five dollars short; recounted twice")
    page.get_by_role("button", name="Count and close").press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"^Drawer \d+$"))).to_be_visible()
    expect(page.locator("#over-short")).to_have_text("short $5.00")
    expect(page.locator("#drawer-status")).to_have_text("Closed, awaiting approval")
    axe_check(page)
    closeout = DrawerCloseout.objects.get()
    assert closeout.over_short == Decimal("-5.00")
    assert closeout.note == "Five dollars short; recounted twice"
    assert CashDrawer.objects.get().status == "closed"


def test_supervisor_approves_the_close_out_and_reads_the_days_deposit(
    page, login, axe_check, clerk, supervisor, case
):
    # given a drawer closed five dollars short
    drawer = open_drawer(clerk, case.court, opening_float="100.00")
    payment(case, "60.00", clerk=clerk)
    payment(case, "25.00", clerk=clerk, method="check", reference="2044")
    drawer_close(
        drawer=drawer, counted_cash="155.00", counted_checks="25.00", note="Short", by=clerk
    )
    login(supervisor)

    # the supervisor finds it awaiting approval and approves it
    nav(page, "Drawers").click()
    awaiting = page.locator("#awaiting")
    expect(awaiting).to_contain_text("short $5.00")
    axe_check(page)
    awaiting.get_by_role("link", name=f"Drawer {drawer.pk}").click()
    expect(page.locator("#closeout")).to_contain_text("$160.00")
    axe_check(page)
    page.get_by_label("Approval note").fill("Recounted with the clerk")
    page.get_by_role("button", name="Approve").press("Enter")
    expect(page.locator("#approval")).to_contain_text("Approved")
    expect(page.locator("#drawer-status")).to_have_text("Approved")
    axe_check(page)

    # the day's deposit: 60.00 cash and 25.00 in checks, less the shortage
    page.goto("/payments/drawers/deposits/")
    expect(page.locator("#deposit-total")).to_have_text("$80.00")
    axe_check(page)
