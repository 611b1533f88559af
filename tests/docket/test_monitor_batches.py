"""The monitor queues its digests in batches (DOCKET_DIGEST_BATCH_SIZE per send task), and
a batch sends each digest exactly once however often it runs (issue 6: "a rerun the same
night, a duplicated task, or a killed worker retried never sends a digest twice ... and
never loses one").

Mail goes to Django's locmem outbox; tests/docket/test_digests_smtp.py has a batch against a
real SMTP server that refuses one of its digests for now.
"""

from __future__ import annotations

import datetime as dt

import pytest

from casemgmt.core.roles import Role
from docket import digests, tasks
from docket.models import DeadlineDigest, DigestStatus, SpeedyTrialClock
from docket.monitor import deadline_monitor_run, digest_batches
from tests.docket.test_monitor import MORNING, NIGHT, deadline


@pytest.fixture
def three_attorneys(make_user, make_case, court_a):
    """Three attorneys, each of record on a case with a deadline due tomorrow: three
    digests for the night."""
    people = []
    for name in ("Ames", "Baker", "Cruz"):
        lawyer = make_user(Role.ATTORNEY, [court_a], username=f"lawyer_{name.lower()}")
        deadline(make_case(name, attorneys=[lawyer]), due_on=NIGHT + dt.timedelta(days=1))
        people.append(lawyer)
    return people


@pytest.fixture
def published(monkeypatch):
    """The batches the monitor publishes (each still run, here in-process)."""
    calls: list[list[int]] = []
    original = tasks.deadline_digests_send.apply_async

    def spy(args=None, kwargs=None, **options):
        calls.append(list(args[0]))
        return original(args, kwargs, **options)

    monkeypatch.setattr(tasks.deadline_digests_send, "apply_async", spy)
    return calls


def digest_ids() -> list[int]:
    return list(
        DeadlineDigest.objects.filter(digest_date=NIGHT).order_by("pk").values_list("pk", flat=True)
    )


def test_batches_keep_the_order_and_the_last_one_holds_the_rest():
    assert digest_batches([5, 6, 7, 8, 9], 2) == [[5, 6], [7, 8], [9]]
    assert digest_batches([5, 6], 250) == [[5, 6]]
    assert digest_batches([], 2) == []


def test_three_digests_in_batches_of_two_are_two_send_tasks(
    settings, three_attorneys, published, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DOCKET_DIGEST_BATCH_SIZE = 2

    with django_capture_on_commit_callbacks(execute=True):
        result = deadline_monitor_run(run_date=NIGHT, now=MORNING)

    ids = digest_ids()
    assert len(ids) == 3 and result.tasks == 2
    assert published == [ids[:2], ids[2:]]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in three_attorneys)
    assert set(DeadlineDigest.objects.values_list("status", "attempts")) == {(DigestStatus.SENT, 1)}


def test_a_batch_run_twice_sends_each_digest_once(three_attorneys, mailoutbox):
    deadline_monitor_run(run_date=NIGHT, now=MORNING)  # its tasks are lost: nothing sent
    ids = digest_ids()
    mailoutbox.clear()

    first = tasks.deadline_digests_send(ids)
    second = tasks.deadline_digests_send(ids)  # a duplicated task, a redelivery

    assert first == {"sent": 3} and second == {"sent": 3}
    assert len(mailoutbox) == 3
    assert set(DeadlineDigest.objects.values_list("status", "attempts")) == {(DigestStatus.SENT, 1)}


def test_a_batch_retried_after_its_worker_was_killed_sends_only_the_rest(
    three_attorneys, mailoutbox
):
    # Given a worker that sent the batch's first digest and was killed before the rest
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    ids = digest_ids()
    mailoutbox.clear()
    digests.digest_send(digest_id=ids[0])
    assert len(mailoutbox) == 1

    # When the batch is delivered again (acks_late), and the next tick queues the rest
    tasks.deadline_digests_send(ids)
    again = deadline_monitor_run(run_date=NIGHT, now=MORNING + dt.timedelta(hours=1))

    # Then every recipient has exactly one digest
    assert again.queued == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in three_attorneys)


def test_a_digest_that_errors_stays_pending_the_batch_goes_on_and_the_next_tick_sends_it(
    three_attorneys, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    ids = digest_ids()
    mailoutbox.clear()
    broken = three_attorneys[1]
    content = digests.digest_content

    def failing(*, recipient, digest_date):
        if recipient.pk == broken.pk:
            raise RuntimeError("template error")
        return content(recipient=recipient, digest_date=digest_date)

    monkeypatch.setattr(digests, "digest_content", failing)
    counts = tasks.deadline_digests_send(ids)

    assert counts == {"sent": 2, "error": 1}
    assert DeadlineDigest.objects.get(recipient=broken).status == DigestStatus.PENDING
    assert broken.email not in [m.to[0] for m in mailoutbox]

    # the next hourly tick, once fixed, queues it again
    monkeypatch.setattr(digests, "digest_content", content)
    with django_capture_on_commit_callbacks(execute=True):
        tick = deadline_monitor_run(run_date=NIGHT, now=MORNING + dt.timedelta(hours=1))

    assert tick.queued == [DeadlineDigest.objects.get(recipient=broken).pk]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in three_attorneys)


def test_a_gone_digest_in_a_batch_is_skipped(three_attorneys, mailoutbox):
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    ids = digest_ids()
    mailoutbox.clear()

    counts = tasks.deadline_digests_send([999_999, *ids])

    assert counts == {"gone": 1, "sent": 3} and len(mailoutbox) == 3


# --- the clocks at risk, read once per batch and never kept past it ---------------------------


@pytest.fixture
def two_clocks(make_user, make_case, court_a):
    """Two attorneys, each of record on a criminal case whose 70-day clock has 2 days left
    on NIGHT (started Jan 3, 18 U.S.C. 3161(c)(1)): two digests, both in court A."""
    people = []
    for name in ("Ames", "Baker"):
        lawyer = make_user(Role.ATTORNEY, [court_a], username=f"lawyer_{name.lower()}")
        case = make_case(name, attorneys=[lawyer])
        SpeedyTrialClock.objects.create(
            case=case, indictment_on=dt.date(2025, 1, 1), first_appearance_on=dt.date(2025, 1, 2)
        )
        people.append((lawyer, case))
    return people


def test_a_batch_reads_each_courts_clocks_at_risk_once(two_clocks, mailoutbox, monkeypatch):
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    reads = []
    real = digests.speedy_trial_at_risk

    def counted(**kwargs):
        reads.append(kwargs["court_ids"])
        return real(**kwargs)

    monkeypatch.setattr(digests, "speedy_trial_at_risk", counted)

    assert tasks.deadline_digests_send(digest_ids()) == {"sent": 2}

    assert len(reads) == 1 and len(mailoutbox) == 2
    assert all("SPEEDY-TRIAL CLOCKS AT RISK (1)" in m.body for m in mailoutbox)


def test_a_clock_changed_between_batches_is_read_afresh(two_clocks, mailoutbox):
    # Given the night's digests, the first sent by one batch (which read the clocks)
    deadline_monitor_run(run_date=NIGHT, now=MORNING)
    (lawyer_1, case_1), (lawyer_2, case_2) = two_clocks
    first = DeadlineDigest.objects.get(recipient=lawyer_1)
    second = DeadlineDigest.objects.get(recipient=lawyer_2)
    tasks.deadline_digests_send([first.pk])

    # When the second case's trial begins the same night, before the next batch
    SpeedyTrialClock.objects.filter(case=case_2).update(trial_started_on=NIGHT)
    tasks.deadline_digests_send([second.pk])

    # Then the first digest listed its clock, the second has nothing left to list
    (to_first,) = mailoutbox
    assert to_first.to == [lawyer_1.email] and case_1.number in to_first.body
    second.refresh_from_db()
    assert second.status == DigestStatus.SENT and second.items == 0
