"""Deadline digests through a real SMTP server (aiosmtpd, tests/conftest.py `smtp_server`)
and, end to end, through the real Celery worker process (`celery_worker_process`)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from casemgmt.core.roles import Role
from docket import tasks
from docket.digests import DigestTransientError, digest_send
from docket.models import DeadlineDigest, DeadlineMonitorRun, DigestStatus
from docket.monitor import deadline_monitor_run
from tests.docket.test_monitor import MORNING, NIGHT, deadline
from tests.filings.test_notices_support import smtp_settings
from tests.filings.test_notices_worker import wait_for, worker_idle


def unique(name: str) -> str:
    """The SMTP server lives for the whole run: each test's addresses are its own."""
    return f"{name}_{uuid.uuid4().hex[:8]}"


def text_of(message) -> str:
    """Every text part of a received message (plain and HTML), decoded."""
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )


@pytest.mark.django_db(transaction=True)
def test_the_monitor_run_twice_through_the_worker_sends_each_recipient_one_digest(
    celery_worker_process, smtp_server, make_user, court_a, make_case, sealed
):
    # Given an attorney of record on an open case and on a sealed one, a clerk owning a
    # deadline, and the court's supervisor
    lawyer = make_user(Role.ATTORNEY, [court_a], username=unique("lawyer"))
    owner = make_user(Role.CLERK, [court_a], username=unique("owner"))
    chief = make_user(Role.SUPERVISOR, [court_a], username=unique("chief"))
    open_case = make_case("Public", attorneys=[lawyer])
    hidden = make_case("Hidden", attorneys=[lawyer])
    deadline(open_case, due_on=NIGHT - dt.timedelta(days=1), name="Reply", statutory=True)
    deadline(open_case, due_on=NIGHT + dt.timedelta(days=2), name="Witness list", owner=owner)
    deadline(hidden, due_on=NIGHT + dt.timedelta(days=1), name="Sealed answer", statutory=True)
    sealed(hidden)

    # When beat's task for the night comes twice (a rerun, a duplicated delivery), and
    # once more after the digests went out
    tasks.deadline_monitor.delay(NIGHT.isoformat())
    tasks.deadline_monitor.delay(NIGHT.isoformat())
    wait_for(
        lambda: (
            DeadlineDigest.objects.filter(digest_date=NIGHT).exists()
            and not DeadlineDigest.objects.filter(status=DigestStatus.PENDING).exists()
        ),
        what="the night's digests",
    )
    tasks.deadline_monitor.delay(NIGHT.isoformat())
    wait_for(worker_idle, what="the duplicate tasks")

    # Then each recipient received exactly one digest, over SMTP
    (to_lawyer,) = smtp_server.to(lawyer.email)
    (to_owner,) = smtp_server.to(owner.email)
    (to_chief,) = smtp_server.to(chief.email)
    assert DeadlineMonitorRun.objects.filter(run_date=NIGHT).count() == 1
    assert set(DeadlineDigest.objects.values_list("status", flat=True)) == {"sent"}
    # ... the attorney's lists the open case only, never the sealed one
    lawyer_text = text_of(to_lawyer)
    assert open_case.number in lawyer_text and "Reply" in lawyer_text
    assert hidden.number not in lawyer_text and "Sealed answer" not in lawyer_text
    assert to_lawyer.get_content_type() == "multipart/alternative"
    # ... the owner's their own deadline; the supervisor's the statutory items, the
    # sealed case under the court's placeholder caption
    assert "Witness list" in text_of(to_owner) and "Reply" not in text_of(to_owner)
    chief_text = text_of(to_chief)
    assert "Reply" in chief_text and hidden.number in chief_text
    assert hidden.caption not in chief_text and "Witness list" not in chief_text


@pytest.fixture
def one_digest(db, settings, smtp_server, make_user, court_a, make_case):
    smtp_settings(settings, smtp_server)
    lawyer = make_user(Role.ATTORNEY, [court_a], username=unique("lawyer"))
    deadline(make_case("Doe", attorneys=[lawyer]), due_on=NIGHT + dt.timedelta(days=1))
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    return DeadlineDigest.objects.get(recipient=lawyer)


def test_a_transient_refusal_keeps_the_digest_pending_and_the_retry_sends_it(
    one_digest, smtp_server
):
    address = one_digest.recipient.email
    smtp_server.refuse.append("451 4.3.0 Try again later")

    with pytest.raises(DigestTransientError):
        digest_send(digest_id=one_digest.pk)
    one_digest.refresh_from_db()
    assert (one_digest.status, one_digest.attempts) == (DigestStatus.PENDING, 1)
    assert "451" in one_digest.error and smtp_server.to(address) == []

    digest_send(digest_id=one_digest.pk)

    one_digest.refresh_from_db()
    assert (one_digest.status, one_digest.attempts) == (DigestStatus.SENT, 2)
    assert len(smtp_server.to(address)) == 1


def test_a_permanent_refusal_marks_the_digest_failed(one_digest, smtp_server):
    smtp_server.refuse.append("554 5.7.1 Rejected")

    digest_send(digest_id=one_digest.pk)

    one_digest.refresh_from_db()
    assert one_digest.status == DigestStatus.FAILED and "554" in one_digest.error
    assert smtp_server.to(one_digest.recipient.email) == []


def test_the_task_gives_up_after_its_last_retry(one_digest, smtp_server):
    smtp_server.refuse.append("421 4.4.2 Too busy")

    tasks.deadline_digest_send.apply(args=(one_digest.pk,), retries=6)

    one_digest.refresh_from_db()
    assert one_digest.status == DigestStatus.FAILED
    assert one_digest.error.startswith("gave up after 1 attempts")


def test_a_batch_hands_a_digest_refused_for_now_to_its_own_retrying_task(
    db, settings, smtp_server, make_user, court_a, make_case
):
    # Given a batch of two digests, and a server that refuses the first message for now
    smtp_settings(settings, smtp_server)
    first, second = (
        make_user(Role.ATTORNEY, [court_a], username=unique(name)) for name in ("first", "second")
    )
    for lawyer in (first, second):
        deadline(make_case("Doe", attorneys=[lawyer]), due_on=NIGHT + dt.timedelta(days=1))
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    ids = [DeadlineDigest.objects.get(recipient=u).pk for u in (first, second)]
    smtp_server.refuse.append("451 4.3.0 Try again later")

    # When the batch runs (the retry task runs at once here, with retries=1)
    counts = tasks.deadline_digests_send(ids)

    # Then the second went out with the batch, the first on its retry: each once
    assert counts == {"retrying": 1, "sent": 1}
    assert len(smtp_server.to(first.email)) == 1 and len(smtp_server.to(second.email)) == 1
    refused = DeadlineDigest.objects.get(pk=ids[0])
    assert (refused.status, refused.attempts) == (DigestStatus.SENT, 2)
