"""Two clerks accepting the same filing at the same moment (Issue 4: no double docketing)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cases import registry
from cases.models import DocketEntry
from filings.models import Document, Filing
from filings.services import filing_accept, filing_submit

from .pdfs import pdf_bytes, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_clerks_accepting_at_once_make_one_acceptance_and_one_docket_entry(
    public_case, attorney, clerk, make_user, court_a, filing_type, stored_files
):
    # Given a submitted motion, two clerks of the court, and a docket subscriber
    # (the deadline and fee rules react to the entry) counting what it sees
    from casemgmt.core.roles import Role

    second_clerk = make_user(Role.CLERK, [court_a], username="clerk_a2")
    filing = filing_submit(
        case=public_case,
        filing_type=filing_type("MOTN"),
        upload=upload(pdf_bytes(2)),
        filer=attorney,
        title="Motion to continue trial",
    )
    seen: list[int] = []
    registry.subscribe("MOTN", "test.fee", lambda entry: seen.append(entry.pk))
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def review(user) -> None:
        try:
            mine = Filing.objects.get(pk=filing.pk)
            start.wait(timeout=30)
            filing_accept(filing=mine, clerk=user)
            outcomes[user.username] = "accepted"
        except Exception as exc:
            outcomes[user.username] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=review, args=(u,)) for u in (clerk, second_clerk)]

    # When both accept at the same moment
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        registry.unsubscribe("MOTN", "test.fee")

    # Then exactly one accepted; the other was told it was already reviewed
    results = sorted(outcomes.values(), key=str)
    assert "accepted" in results
    [refusal] = [r for r in results if r != "accepted"]
    assert (refusal.code, refusal.status) == ("FILING_ALREADY_REVIEWED", 409)
    # ...one docket entry, one stamped copy, one number; the subscriber fired once
    filing.refresh_from_db()
    assert (filing.status, filing.doc_number) == ("accepted", 1)
    assert DocketEntry.objects.filter(case=public_case, event_code="MOTN").count() == 1
    assert seen == [filing.docket_entry_id]
    assert Document.objects.filter(kind="stamped").count() == 1
    assert len(stored_files()) == 2  # what was received and its stamped copy
