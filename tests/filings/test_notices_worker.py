"""End to end through a real Celery worker process (tests/conftest.py `celery_worker_process`):
the web issues a notice; the worker renders it once, stores and dockets it, e-mails it."""

from __future__ import annotations

import time
import uuid

import pytest

from casemgmt.celery import app
from cases.models import DocketEntry
from filings import tasks
from filings.models import Document, DocumentKind
from filings.models.notices import DeliveryStatus, Notice, NoticeKind, NoticeStatus
from filings.notices import notice_issue
from tests.filings.test_notices_support import (
    HEARING_CONTEXT,
    case_with_parties,
    normalized,
    party,
    pdf_attachments,
    pdf_text,
)

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_S = 60


@pytest.fixture(autouse=True)
def media():
    """Replaces tests/filings' scratch storage: the worker process stores documents where
    casemgmt.settings.test says, so this test process must read them from there too."""
    return None


def wait_for(predicate, *, timeout: float = WAIT_S, what: str = "the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what} did not finish within {timeout:.0f} s; see var/test-celery-worker.log")


def worker_idle() -> bool:
    """Nothing queued on the broker and nothing running in the worker."""
    with app.connection_for_write() as conn:
        queued = conn.default_channel.client.llen(app.conf.task_default_queue)
    active = app.control.inspect(timeout=1.0).active() or {}
    return queued == 0 and not any(active.values())


def _issue(court, clerk, email: str) -> Notice:
    case = case_with_parties(court, clerk, victim_email=email)
    return notice_issue(
        case=case,
        kind=NoticeKind.HEARING_NOTICE,
        context=HEARING_CONTEXT,
        issued_by=clerk,
        recipients=[party(case, "Smith"), party(case, "State of Florida")],
    )


def test_worker_renders_a_notice_once_even_when_the_task_comes_twice(
    celery_worker_process, court_a, clerk
):
    notice = _issue(court_a, clerk, f"ann-{uuid.uuid4().hex[:8]}@example.com")  # commits
    tasks.notice_render.delay(notice.pk)  # the same task delivered a second time

    wait_for(
        lambda: (
            Notice.objects.filter(pk=notice.pk, status=NoticeStatus.RENDERED).exists()
            and not notice.recipients.filter(delivery_status=DeliveryStatus.PENDING).exists()
        ),
        what="rendering and delivery",
    )
    wait_for(worker_idle, what="the duplicate task")

    notice.refresh_from_db()
    assert Document.objects.filter(case=notice.case, kind=DocumentKind.ISSUED).count() == 1
    assert DocketEntry.objects.filter(case=notice.case, event_code="NOTC").count() == 1
    assert notice.docket_entry.object_id == str(notice.pk)
    ann = notice.recipients.get(name="Ann Smith")
    assert (ann.delivery_status, ann.attempts) == (DeliveryStatus.SENT, 1)
    state = notice.recipients.get(name="State of Florida")
    assert state.delivery_status == DeliveryStatus.NO_ADDRESS
    with notice.document.file.open("rb") as fh:
        assert "NOTICE OF HEARING — ARRAIGNMENT" in normalized(pdf_text(fh.read()))


def test_worker_emails_reach_the_smtp_server(celery_worker_process, court_a, clerk, request):
    try:
        # Provided by tests/conftest.py once the worker's mail is routed to it.
        smtp = request.getfixturevalue("smtp_server")
    except pytest.FixtureLookupError:
        pytest.skip(
            "tests/conftest.py has no session `smtp_server` fixture routing the Celery "
            "worker's mail (TEST_EMAIL_URL) to a test SMTP server yet"
        )
    address = f"ann-{uuid.uuid4().hex[:8]}@example.com"

    notice = _issue(court_a, clerk, address)

    (message,) = wait_for(lambda: smtp.to(address), what="the e-mail")
    ((filename, attached),) = pdf_attachments(message)
    assert filename.endswith("-hearing_notice-en.pdf")
    text = normalized(pdf_text(attached))
    assert "Ann Smith" in text and notice.case.number in text
    wait_for(lambda: notice.recipients.filter(delivery_status=DeliveryStatus.SENT).exists())
