"""E-filing in a real browser: an attorney files a motion, a clerk accepts it by keyboard.

Issue 4, "Done when": attorney e-files a motion; clerk reviews and accepts it from the
queue; the docket shows it; axe clean on the queue and the filing pages.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cases.models import CaseCategory
from cases.services import AppearanceInput
from filings.models import Filing, FilingType
from filings.services import filing_submit
from tests.cases.factories import CaseTypeFactory, open_case
from tests.filings.pdfs import pdf_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def tasks_run_here():
    """The filer's e-mail task runs in-process (the live server's thread), not via the broker."""
    from tests.filings.test_notices_support import celery_eager

    with celery_eager():
        yield


@pytest.fixture
def case(court_a, clerk, attorney):
    civil = CaseTypeFactory(
        court=court_a,
        code="CV",
        name="Civil",
        category=CaseCategory.CIVIL,
        initial_event_code="CMPL",
    )
    return open_case(
        case_type=civil,
        opened_by=clerk,
        appearances=[AppearanceInput(attorney=attorney, party_index=0)],
    )


def tab_to(page, locator) -> None:
    """Press Tab from the top of the page until `locator` has the focus (keyboard only)."""
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} is not reachable with Tab within {MAX_TABS} presses")


def test_attorney_e_files_a_motion_and_the_clerk_accepts_it_by_keyboard(
    page, login, axe_check, case, attorney, clerk, court_a
):
    # The attorney of record e-files a motion from the case page.
    login(attorney)
    page.goto(f"/cases/{court_a.code}/{case.number}/")
    page.get_by_role("link", name="E-file a document").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="E-file a document")).to_be_visible()
    axe_check(page)
    page.get_by_label("Filing type").select_option(label="Motion")
    page.get_by_label("Title").fill("Defendant's motion to continue trial")
    page.get_by_label("Document (PDF)").set_input_files(
        files=[{"name": "motion.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(2)}]
    )
    page.get_by_role("button", name="Submit for review").focus()
    page.keyboard.press("Enter")

    expect(
        page.get_by_role("heading", name=re.compile("Motion: Defendant's motion"))
    ).to_be_visible()
    expect(page.locator(".cm-filing-facts")).to_contain_text("Awaiting review")
    axe_check(page)
    motion = Filing.objects.get()
    assert motion.status == "submitted"
    page.goto("/filings/mine/")
    expect(page.get_by_role("link", name=re.compile("Motion: Defendant's motion"))).to_be_visible()
    axe_check(page)

    # A second filing waits behind it (the focus moves on to it after the first review).
    response = filing_submit(
        case=case,
        filing_type=FilingType.objects.get(court=court_a, code="RESP"),
        upload=upload(pdf_bytes(1)),
        filer=attorney,
        title="Response to the State's motion",
    )

    # The clerk opens the review queue and accepts the motion with the keyboard.
    page.context.clear_cookies()
    login(clerk)
    page.goto("/filings/queue/")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    axe_check(page)
    first_row = page.locator(f"#filing-{motion.pk}")
    expect(first_row).to_contain_text("Defendant's motion to continue trial")
    preview = first_row.get_by_role("link", name=re.compile("^Preview"))
    assert preview.get_attribute("href") == f"/filings/documents/{motion.document_id}/preview/"
    accept = first_row.get_by_role("button", name="Accept")
    tab_to(page, accept)
    page.keyboard.press("Enter")

    expect(page.locator(".cm-messages")).to_contain_text("Accepted: ")
    expect(page.locator(f"#filing-{response.pk}")).to_be_focused()
    axe_check(page)
    motion.refresh_from_db()
    assert (motion.status, motion.doc_number, motion.reviewed_by) == ("accepted", 1, clerk)

    # The register of actions shows the motion; the filing page shows the stamped copy.
    page.goto(f"/cases/{court_a.code}/{case.number}/")
    register = page.locator("#register").locator("xpath=..")
    expect(register.get_by_role("row").filter(has_text="MOTN")).to_contain_text(
        "Motion: Defendant's motion to continue trial (Doc 1)"
    )
    expect(page.get_by_role("link", name=re.compile("Doc 1 — Motion"))).to_be_visible()
    axe_check(page)
    page.goto(f"/filings/{motion.pk}/")
    expect(page.get_by_role("row", name=re.compile("Stamped copy of record"))).to_be_visible()
    axe_check(page)
