"""The filer is told of the review's outcome by the worker (filings.tasks.filing_notify):
enqueued on commit, once per filing and outcome even if the task is delivered twice."""

from __future__ import annotations

from unittest import mock

import pytest

from casemgmt.core.models import AuditEvent
from filings import tasks
from filings.services import filing_accept, filing_reject, filing_submit

from .pdfs import pdf_bytes, upload


@pytest.fixture
def submitted(public_case, attorney, filing_type):
    return filing_submit(
        case=public_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes()),
        filer=attorney,
        title="Motion to continue",
    )


def test_acceptance_enqueues_the_task_on_commit_not_in_the_request(
    submitted, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.filing_notify, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            filing_accept(filing=submitted, clerk=clerk)
        assert mailoutbox == [] and delay.call_count == 0
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(submitted.pk, "accepted")
    assert mailoutbox == []


def test_the_task_run_twice_sends_one_email_and_records_one_marker(
    submitted, clerk, attorney, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        filing_accept(filing=submitted, clerk=clerk)

    tasks.filing_notify(submitted.pk, "accepted")
    tasks.filing_notify(submitted.pk, "accepted")

    [mail] = mailoutbox
    assert mail.to == [attorney.email] and "Doc 1" in mail.subject
    marker = AuditEvent.objects.get(action="filing.notify", object_id=str(submitted.pk))
    assert marker.details == {"event": "accepted", "sent": True}


def test_rejection_is_mailed_once_through_the_task(
    submitted, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        filing_reject(filing=submitted, clerk=clerk, reason="UNSIGNED")
    tasks.filing_notify(submitted.pk, "rejected")

    [mail] = mailoutbox
    assert "rejected" in mail.subject.lower() and "Not signed" in mail.body


def test_a_stale_or_unknown_event_sends_nothing(submitted, mailoutbox):
    tasks.filing_notify(submitted.pk, "accepted")  # still submitted
    tasks.filing_notify(999999, "accepted")

    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action="filing.notify").exists()


def test_a_mail_failure_leaves_no_marker_so_a_retry_sends(
    submitted, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        filing_accept(filing=submitted, clerk=clerk)

    with (
        mock.patch("filings.services.send_mail", side_effect=ConnectionRefusedError("down")),
        pytest.raises(ConnectionRefusedError),
    ):
        tasks.filing_notify.run(submitted.pk, "accepted")
    assert not AuditEvent.objects.filter(action="filing.notify").exists()

    tasks.filing_notify(submitted.pk, "accepted")
    assert len(mailoutbox) == 1
