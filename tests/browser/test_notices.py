"""Notice batch pages in a real browser: the form and the progress page are axe clean
(no serious or critical violations), for a clerk of the court."""

from __future__ import annotations

from unittest import mock

import pytest
from playwright.sync_api import expect

from filings import tasks
from filings.models.notices import NoticeKind
from filings.notices import notice_batch_create, notice_batch_issue
from tests.filings.test_notices_support import HEARING_CONTEXT, case_with_parties

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
def no_broker():
    """Nothing goes to the shared broker: the test drives the batch itself."""
    with (
        mock.patch.object(tasks.notice_batch_issue_task, "delay"),
        mock.patch.object(tasks.notice_render, "delay"),
        mock.patch.object(tasks.notice_deliver, "delay"),
    ):
        yield


@pytest.fixture
def batch(court_a, clerk):
    case = case_with_parties(court_a, clerk)
    return notice_batch_create(
        court=court_a,
        kind=NoticeKind.HEARING_NOTICE,
        case_ids=[case.pk],
        context=HEARING_CONTEXT,
        created_by=clerk,
    )


def test_the_batch_form_is_axe_clean(page, login, axe_check, clerk, court_a):
    login(clerk)
    page.goto("/notices/batches/new/")

    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("form").first).to_be_visible()
    axe_check(page)


def test_the_progress_page_is_axe_clean_waiting_and_finished(page, login, axe_check, clerk, batch):
    login(clerk)
    page.goto(f"/notices/batches/{batch.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Waiting for a worker")
    axe_check(page)

    notice_batch_issue(batch_id=batch.pk)
    page.goto(f"/notices/batches/{batch.pk}/")
    expect(page.get_by_role("status")).not_to_contain_text("Waiting for a worker")
    axe_check(page)
